// Reservation expiry (docs/design.md §3 lifecycle): the background sweeper expires reservations
// whose TTL has passed on the gateway's clock, and their quota comes back; a late commit is
// refused.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using boost::json::object;
using std::chrono::milliseconds;

constexpr std::int64_t kTtlMillis = 2'000;

TestGatewayOptions ShortTtl() {
  TestGatewayOptions options;
  options.reservation_ttl_millis = kTtlMillis;
  return options;
}

// GET the redemption until its status is `status` (the sweeper runs every 50 ms of real time),
// for at most 3 s. Returns the last body.
object WaitForStatus(TestGateway& gateway, const std::string& id, const std::string& status) {
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(3000);
  object last;
  while (std::chrono::steady_clock::now() < deadline) {
    last = Object(gateway.Call("GET", "/v1/redemptions/" + id, kCheckoutKey));
    if (last.at("status").as_string() == status) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return last;
}

HttpReply Commit(TestGateway& gateway, const std::string& id) {
  return gateway.Call("POST", "/v1/redemptions/" + id + "/commit", kCheckoutKey);
}

class ExpiryTest : public ::testing::Test {
 protected:
  ExpiryTest() : gateway_(ShortTtl()) {}
  void SetUp() override {
    object offer = OfferBody();
    offer["limits"] = object{{"total_redemptions", 1}};
    offer_id_ = CreateOffer(gateway_, kMerchantKey, offer);
  }

  TestGateway gateway_;
  std::string offer_id_;
};

TEST_F(ExpiryTest, ReservationCarriesItsDeadline) {
  const HttpReply reply = Redeem(gateway_, RedemptionBody("order-1"), "k-1");

  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Json().at("expires_at").as_string(), "2026-10-10T12:00:02+07:00");
}

TEST_F(ExpiryTest, SweeperExpiresAReservationOnceItsTtlHasPassed) {
  const std::string id = RedeemOrThrow(gateway_, RedemptionBody("order-1"), "k-1");

  gateway_.clock().Advance(kTtlMillis);
  const object redemption = WaitForStatus(gateway_, id, "expired");

  EXPECT_EQ(redemption.at("status").as_string(), "expired");
  EXPECT_EQ(redemption.at("expired_at").as_string(), "2026-10-10T12:00:02+07:00");
  EXPECT_TRUE(redemption.at("expires_at").is_null());
  const object stats = Object(gateway_.Call("GET", "/v1/stats/offers/" + offer_id_, kAnalystKey));
  EXPECT_EQ(stats.at("redemptions").at("expired").as_int64(), 1);
  EXPECT_EQ(stats.at("redemptions").at("reserved").as_int64(), 0);
  EXPECT_EQ(stats.at("remaining").at("redemptions").as_int64(), 1);
}

TEST_F(ExpiryTest, ReservationWithinItsTtlIsNotExpired) {
  const std::string id = RedeemOrThrow(gateway_, RedemptionBody("order-1"), "k-1");

  gateway_.clock().Advance(kTtlMillis - 1);
  std::this_thread::sleep_for(milliseconds(300));  // six sweeps

  const HttpReply reply = gateway_.Call("GET", "/v1/redemptions/" + id, kCheckoutKey);
  EXPECT_EQ(reply.Json().at("status").as_string(), "reserved");
}

TEST_F(ExpiryTest, ExpiredReservationGivesTheLastUnitBack) {
  const std::string id = RedeemOrThrow(gateway_, RedemptionBody("order-1", 100'000, "s-1"), "k-1");
  ASSERT_TRUE(IsProblem(Redeem(gateway_, RedemptionBody("order-2", 100'000, "s-2"), "k-2"), 409,
                        "nothing_to_redeem"))
      << "the only unit is reserved";

  gateway_.clock().Advance(kTtlMillis);
  ASSERT_EQ(WaitForStatus(gateway_, id, "expired").at("status").as_string(), "expired");
  const HttpReply reply = Redeem(gateway_, RedemptionBody("order-3", 100'000, "s-3"), "k-3");

  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 10'000);
}

// The same late commit, after the sweeper got there first: still reservation_expired, so the
// answer never depends on sweeper timing.
TEST_F(ExpiryTest, CommitAfterTheSweeperExpiredItIs409ReservationExpired) {
  const std::string id = RedeemOrThrow(gateway_, RedemptionBody("order-1"), "k-1");
  gateway_.clock().Advance(kTtlMillis);
  ASSERT_EQ(WaitForStatus(gateway_, id, "expired").at("status").as_string(), "expired");

  const HttpReply reply = Commit(gateway_, id);

  EXPECT_TRUE(IsProblem(reply, 409, "reservation_expired"));
}

TEST(ExpiryWithoutSweeperTest, CommitAtTheDeadlineIs409ReservationExpiredAndExpiresIt) {
  TestGatewayOptions options = ShortTtl();
  options.expiry_interval = milliseconds(3'600'000);  // no sweep during this test
  TestGateway gateway(options);
  object offer = OfferBody();
  offer["limits"] = object{{"total_redemptions", 1}};
  CreateOffer(gateway, kMerchantKey, offer);
  const std::string id = RedeemOrThrow(gateway, RedemptionBody("order-1"), "k-1");
  gateway.clock().Advance(kTtlMillis);

  const HttpReply reply = Commit(gateway, id);

  EXPECT_TRUE(IsProblem(reply, 409, "reservation_expired"));
  const HttpReply after = gateway.Call("GET", "/v1/redemptions/" + id, kCheckoutKey);
  EXPECT_EQ(after.Json().at("status").as_string(), "expired");
  EXPECT_EQ(Redeem(gateway, RedemptionBody("order-2", 100'000, "s-2"), "k-2").status, 201)
      << "the quota came back";
}

}  // namespace
}  // namespace uudai::testing
