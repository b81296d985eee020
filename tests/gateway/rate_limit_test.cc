// Per-key rate limits (docs/design.md §4 keys file "rate_limit"): a token bucket of N per second,
// burst N, on the gateway's clock; 429 with Retry-After when empty.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

HttpReply QuoteWith(TestGateway& gateway, const char* key) {
  return gateway.Call("POST", "/v1/checkout/quote", key, Json(CartBody()));
}

TEST(RateLimitTest, SixthImmediateRequestIs429WithRetryAfter) {
  TestGateway gateway;
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(QuoteWith(gateway, kLimitedKey).status, 200) << "request " << i + 1;
  }

  const HttpReply reply = QuoteWith(gateway, kLimitedKey);

  EXPECT_TRUE(IsProblem(reply, 429, "rate_limited"));
  EXPECT_EQ(reply.Header("retry-after"), "1");
}

TEST(RateLimitTest, KeyPassesAgainOneSecondLater) {
  TestGateway gateway;
  for (int i = 0; i < 5; ++i) ASSERT_EQ(QuoteWith(gateway, kLimitedKey).status, 200);
  ASSERT_EQ(QuoteWith(gateway, kLimitedKey).status, 429);

  gateway.clock().Advance(1'000);

  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(QuoteWith(gateway, kLimitedKey).status, 200) << "request " << i + 1;
  }
  EXPECT_EQ(QuoteWith(gateway, kLimitedKey).status, 429);
}

TEST(RateLimitTest, BucketRefillsInProportionToElapsedTime) {
  TestGateway gateway;
  for (int i = 0; i < 5; ++i) ASSERT_EQ(QuoteWith(gateway, kLimitedKey).status, 200);

  gateway.clock().Advance(400);  // 2 tokens at 5/s

  EXPECT_EQ(QuoteWith(gateway, kLimitedKey).status, 200);
  EXPECT_EQ(QuoteWith(gateway, kLimitedKey).status, 200);
  EXPECT_EQ(QuoteWith(gateway, kLimitedKey).status, 429);
}

// 8 clients hammer one key of 5/s while 20 s pass on the gateway's clock: what gets through is
// the burst plus 5 per second, within 5 %, however the requests race.
TEST(RateLimitTest, RacingClientsGetTheRateWithinFivePercent) {
  TestGateway gateway;
  std::atomic<bool> go{true};
  std::atomic<int> admitted{0}, refused{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      HttpConnection connection(gateway.port());
      const Headers headers{{"Authorization", std::string("Bearer ") + kLimitedKey},
                            {"Content-Type", "application/json"}};
      while (go.load()) {
        const int status =
            connection.Send("POST", "/v1/checkout/quote", Json(CartBody()), headers).status;
        (status == 200 ? admitted : refused).fetch_add(1);
      }
    });
  }
  for (int step = 0; step < 200; ++step) {  // 200 × 100 ms = 20 s
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    gateway.clock().Advance(100);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  go = false;
  for (auto& client : clients) client.join();

  const int expected = 5 + 5 * 20;  // burst + rate × time
  EXPECT_GE(admitted.load(), expected * 95 / 100) << refused.load() << " refused";
  EXPECT_LE(admitted.load(), expected * 105 / 100) << refused.load() << " refused";
  EXPECT_GT(refused.load(), admitted.load()) << "the clients asked for far more than the rate";
}

TEST(RateLimitTest, OtherKeysAreNotLimited) {
  TestGateway gateway;
  for (int i = 0; i < 6; ++i) ASSERT_EQ(QuoteWith(gateway, kLimitedKey).status, i < 5 ? 200 : 429);

  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(QuoteWith(gateway, kCheckoutKey).status, 200) << "request " << i + 1;
  }
}

TEST(RateLimitTest, RefusedAuthenticationDoesNotSpendTokens) {
  TestGateway gateway;
  // Forbidden calls are answered before the bucket is touched.
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(gateway.Call("GET", "/v1/stats/offers/o_x", kLimitedKey).status, 403);
  }

  EXPECT_EQ(QuoteWith(gateway, kLimitedKey).status, 200);
}

}  // namespace
}  // namespace uudai::testing
