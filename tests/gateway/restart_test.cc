// Durability of the embedded store (docs/design.md §1: the journal is replayed at start): a gateway
// stopped and started again on the same data dir has every acknowledged write.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using boost::json::array;
using boost::json::object;
using std::chrono::milliseconds;

std::string RedemptionPath(const std::string& id) { return "/v1/redemptions/" + id; }

TestGatewayOptions OnDisk(const TempDir& dir) {
  TestGatewayOptions options;
  options.data_dir = dir.path();
  return options;
}

TEST(RestartTest, OffersAreThereAfterARestart) {
  TempDir dir;
  std::string id, coded_id, patched;
  {
    TestGateway gateway(OnDisk(dir));
    id = CreateOffer(gateway, kMerchantKey, OfferBody());
    object coded = OfferBody();
    coded["code_mode"] = "public";
    coded["code"] = "THANG10";
    coded_id = CreateOffer(gateway, kMerchantKey, coded);
    patched = gateway.Call("PATCH", "/v1/offers/" + id, kMerchantKey, R"({"priority":7})").body;
  }

  TestGateway restarted(OnDisk(dir));

  const HttpReply reply = restarted.Call("GET", "/v1/offers/" + id, kAnalystKey);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, patched);
  EXPECT_EQ(reply.Header("etag"), "\"2\"");
  EXPECT_EQ(restarted.Call("GET", "/v1/offers", kAnalystKey).Json().at("items").as_array().size(),
            2U);
  // The catalog is rebuilt too: the code resolves, and the patched priority breaks the tie
  // between the two equal merchant-layer offers.
  object cart = CartBody(100'000);
  cart["codes"] = array{"thang10"};
  const HttpReply quote = restarted.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(cart));
  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_EQ(
      quote.Json().at("applied"),
      (array{object{
          {"offer_id", id}, {"layer", "merchant"}, {"code", nullptr}, {"discount", 10'000}}}));
  EXPECT_EQ(quote.Json().at("rejected"),
            (array{object{{"code", "thang10"}, {"offer_id", coded_id}, {"reason", "superseded"}}}));
}

TEST(RestartTest, RedemptionStatusesAndStatsAreThereAfterARestart) {
  TempDir dir;
  std::string offer_id;
  std::vector<std::pair<std::string, std::string>> redemptions;  // id, body after last change
  std::string stats_before;
  {
    TestGateway gateway(OnDisk(dir));
    object offer = OfferBody();
    offer["limits"] = object{{"total_redemptions", 10}, {"total_budget", 1'000'000}};
    offer_id = CreateOffer(gateway, kMerchantKey, offer);
    const std::string reserved =
        RedeemOrThrow(gateway, RedemptionBody("o-1", 100'000, "s-1"), "k-1");
    const std::string committed =
        RedeemOrThrow(gateway, RedemptionBody("o-2", 200'000, "s-2"), "k-2");
    const std::string released =
        RedeemOrThrow(gateway, RedemptionBody("o-3", 300'000, "s-3"), "k-3");
    const std::string refunded =
        RedeemOrThrow(gateway, RedemptionBody("o-4", 400'000, "s-4"), "k-4");
    gateway.clock().Advance(60'000);
    ASSERT_EQ(gateway.Call("POST", RedemptionPath(committed) + "/commit", kCheckoutKey).status,
              200);
    ASSERT_EQ(gateway.Call("POST", RedemptionPath(released) + "/cancel", kCheckoutKey).status, 200);
    ASSERT_EQ(gateway.Call("POST", RedemptionPath(refunded) + "/commit", kCheckoutKey).status, 200);
    ASSERT_EQ(gateway.Call("POST", RedemptionPath(refunded) + "/refund", kCheckoutKey).status, 200);
    for (const std::string& id : {reserved, committed, released, refunded}) {
      redemptions.emplace_back(id, gateway.Call("GET", RedemptionPath(id), kCheckoutKey).body);
    }
    stats_before = gateway.Call("GET", "/v1/stats/offers/" + offer_id, kAnalystKey).body;
  }

  TestGateway restarted(OnDisk(dir));

  for (const auto& [id, body] : redemptions) {
    const HttpReply reply = restarted.Call("GET", RedemptionPath(id), kCheckoutKey);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, body);
  }
  const HttpReply stats = restarted.Call("GET", "/v1/stats/offers/" + offer_id, kAnalystKey);
  EXPECT_EQ(stats.body, stats_before);
  EXPECT_EQ(
      stats.Json().at("redemptions"),
      (object{
          {"reserved", 1}, {"committed", 1}, {"released", 1}, {"expired", 0}, {"refunded", 1}}));
  EXPECT_EQ(stats.Json().at("remaining"), (object{{"redemptions", 8}, {"budget", 970'000}}));
}

TEST(RestartTest, IdempotentReplayIsByteIdenticalAfterARestart) {
  TempDir dir;
  const object body = RedemptionBody("order-1");
  std::string first;
  {
    TestGateway gateway(OnDisk(dir));
    CreateOffer(gateway, kMerchantKey, OfferBody());
    const HttpReply reply = Redeem(gateway, body, "idem-1");
    ASSERT_EQ(reply.status, 201);
    first = reply.body;
  }

  TestGateway restarted(OnDisk(dir));
  const HttpReply replay = Redeem(restarted, body, "idem-1");
  const HttpReply reused = Redeem(restarted, RedemptionBody("order-2"), "idem-1");

  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, first);
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
  EXPECT_TRUE(IsProblem(reused, 422, "idempotency_key_reused"));
}

TEST(RestartTest, LimitsAndOrderGuardsStillHoldAfterARestart) {
  TempDir dir;
  {
    TestGateway gateway(OnDisk(dir));
    object offer = OfferBody();
    offer["limits"] = object{{"total_redemptions", 2}, {"per_shopper", 1}};
    CreateOffer(gateway, kMerchantKey, offer);
    RedeemOrThrow(gateway, RedemptionBody("o-1", 100'000, "s-1"), "k-1");
  }

  TestGateway restarted(OnDisk(dir));

  EXPECT_TRUE(IsProblem(Redeem(restarted, RedemptionBody("o-1", 100'000, "s-9"), "k-2"), 409,
                        "order_already_redeemed"));
  EXPECT_TRUE(IsProblem(Redeem(restarted, RedemptionBody("o-2", 100'000, "s-1"), "k-3"), 409,
                        "nothing_to_redeem"))
      << "s-1 used its one redemption";
  EXPECT_EQ(Redeem(restarted, RedemptionBody("o-3", 100'000, "s-3"), "k-4").status, 201);
  EXPECT_TRUE(IsProblem(Redeem(restarted, RedemptionBody("o-4", 100'000, "s-4"), "k-5"), 409,
                        "nothing_to_redeem"))
      << "the quota of 2 is used";
}

TEST(RestartTest, IssuedAndUsedCodesAreThereAfterARestart) {
  TempDir dir;
  std::string offer_id, used, unused;
  {
    TestGateway gateway(OnDisk(dir));
    object offer = OfferBody();
    offer["code_mode"] = "unique";
    offer_id = CreateOffer(gateway, kMerchantKey, offer);
    const HttpReply issued =
        gateway.Call("POST", "/v1/offers/" + offer_id + "/codes", kMerchantKey, R"({"count":2})");
    ASSERT_EQ(issued.status, 201);
    used = std::string(issued.Json().at("codes").at(0).as_string());
    unused = std::string(issued.Json().at("codes").at(1).as_string());
    object body = RedemptionBody("o-1");
    body["codes"] = array{used};
    body["commit"] = true;
    RedeemOrThrow(gateway, body, "k-1");
  }

  TestGateway restarted(OnDisk(dir));
  object cart = CartBody(100'000, 1, "s-2");
  cart["codes"] = array{used, unused};
  const HttpReply quote = restarted.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(cart));

  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_EQ(quote.Json().at("applied").at(0).at("code").as_string(), unused);
  EXPECT_EQ(quote.Json().at("rejected"),
            (array{object{{"code", used}, {"offer_id", offer_id}, {"reason", "code_used"}}}));
}

TEST(RestartTest, ReservationMadeBeforeARestartStillExpires) {
  TempDir dir;
  TestGatewayOptions options = OnDisk(dir);
  options.reservation_ttl_millis = 1'000;
  std::string id;
  {
    TestGateway gateway(options);
    CreateOffer(gateway, kMerchantKey, OfferBody());
    id = RedeemOrThrow(gateway, RedemptionBody("o-1"), "k-1");
  }

  TestGateway restarted(options);
  restarted.clock().Advance(1'000);
  std::string status;
  for (int i = 0; i < 300 && status != "expired"; ++i) {
    status = std::string(
        restarted.Call("GET", RedemptionPath(id), kCheckoutKey).Json().at("status").as_string());
    std::this_thread::sleep_for(milliseconds(10));
  }

  EXPECT_EQ(status, "expired");
}

}  // namespace
}  // namespace uudai::testing
