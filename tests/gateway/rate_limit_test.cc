// Per-key rate limits (DESIGN §4 keys file "rate_limit"): a token bucket of N per second,
// burst N, on the gateway's clock; 429 with Retry-After when empty.
#include <gtest/gtest.h>

#include <string>

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
