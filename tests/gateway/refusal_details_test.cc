// Refusals that must name their real cause: live orders, rejected codes, strict small bodies,
// media types, and a second uudai on the same port or data directory.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "api_test_support.h"
#include "app/gateway_app.h"

namespace uudai::testing {
namespace {

TEST(RefusalDetailsTest, OrderIdMustBeAnIdentifier) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  int attempt = 0;
  for (const char* bad : {"", "a b", "line\nbreak"}) {
    const HttpReply reply = Redeem(gateway, RedemptionBody(bad), "k-" + std::to_string(++attempt));
    EXPECT_TRUE(IsProblem(reply, 422, "validation_failed")) << bad << ": " << reply.body;
    EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"order_id"});
  }
}

TEST(RefusalDetailsTest, SecondRedemptionOfALiveOrderIsOrderAlreadyRedeemedEvenWhenNothingApplies) {
  // Given: the only offer allows one redemption per shopper, and order-1 used it.
  TestGateway gateway;
  boost::json::object offer = OfferBody();
  offer["limits"] = boost::json::object{{"per_shopper", 1}};
  CreateOffer(gateway, kMerchantKey, offer);
  RedeemOrThrow(gateway, RedemptionBody("order-1"), "first");
  // When: the same order is redeemed again under a new key (the plan applies nothing now).
  const HttpReply again = Redeem(gateway, RedemptionBody("order-1"), "second");
  // Then: the answer names the real cause.
  EXPECT_TRUE(IsProblem(again, 409, "order_already_redeemed")) << again.body;
  // And a different order of the same shopper is refused for what it is: nothing applies.
  const HttpReply other = Redeem(gateway, RedemptionBody("order-2"), "third");
  EXPECT_TRUE(IsProblem(other, 409, "nothing_to_redeem")) << other.body;
}

TEST(RefusalDetailsTest, NothingToRedeemListsTheRejectedCodes) {
  TestGateway gateway;
  boost::json::object body = RedemptionBody("order-9");
  body["codes"] = boost::json::array{"NOPE10"};
  const HttpReply reply = Redeem(gateway, body, "k-9");
  ASSERT_TRUE(IsProblem(reply, 409, "nothing_to_redeem")) << reply.body;
  const auto rejected = Object(reply).at("rejected").as_array();
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].at("code").as_string(), "NOPE10");
  EXPECT_EQ(rejected[0].at("reason").as_string(), "unknown_code");
}

TEST(RefusalDetailsTest, TransitionBodiesAreStrict) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  const std::string id = RedeemOrThrow(gateway, RedemptionBody("order-1"), "k-1");
  const HttpReply typo =
      gateway.Call("POST", "/v1/redemptions/" + id + "/commit", kCheckoutKey, R"({"comit":true})");
  EXPECT_TRUE(IsProblem(typo, 422, "unknown_field")) << typo.body;
  const HttpReply empty_object =
      gateway.Call("POST", "/v1/redemptions/" + id + "/commit", kCheckoutKey, "{}");
  EXPECT_EQ(empty_object.status, 200) << empty_object.body;
}

TEST(RefusalDetailsTest, OnlyJsonMediaTypesAreAccepted) {
  TestGateway gateway;
  const HttpReply jsonfoo = gateway.Call("POST", "/v1/offers", kMerchantKey, SampleOfferJson(),
                                         {{"Content-Type", "application/jsonfoo"}});
  EXPECT_TRUE(IsProblem(jsonfoo, 415, "unsupported_media_type")) << jsonfoo.body;
  const HttpReply with_charset =
      gateway.Call("POST", "/v1/offers", kMerchantKey, SampleOfferJson(),
                   {{"Content-Type", "Application/JSON; charset=utf-8"}});
  EXPECT_EQ(with_charset.status, 201) << with_charset.body;
}

TEST(RefusalDetailsTest, CampaignGroupsWithoutShopperCountsSayNull) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  RedeemOrThrow(gateway, RedemptionBody("order-1"), "k-1");
  const HttpReply reply =
      gateway.Call("GET", "/v1/stats/campaign?group_by=payment_method", kAnalystKey);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto groups = Object(reply).at("groups").as_array();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_TRUE(groups[0].as_object().at("unique_shoppers").is_null());
}

TEST(RefusalDetailsTest, ASecondUudaiCannotShareThePortOrTheDataDirectory) {
  TempDir dir;
  TestGatewayOptions options;
  options.data_dir = dir.path();
  TestGateway first(options);
  // Same data directory, other port: refused (the journal is locked).
  EXPECT_THROW(TestGateway second(options), std::runtime_error);
  // Same port, no journal: refused before SO_REUSEPORT could split the traffic.
  auto keys = gateway::KeyRing::Parse(R"([{"key":"another-admin-key-0001","role":"admin"}])");
  gateway::AppOptions same_port;
  same_port.server.port = first.port();
  auto app = gateway::GatewayApp::Start(same_port, std::move(keys).value());
  ASSERT_FALSE(app.ok());
  EXPECT_NE(app.status().message().find("in use"), std::string::npos) << app.status().message();
}

TEST(RefusalDetailsTest, MerchantNamingAnotherMerchantIsForbidden) {
  TestGateway gateway;
  boost::json::object body = OfferBody();
  body["merchant_id"] = "shop-2";
  const HttpReply reply = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(body));
  EXPECT_TRUE(IsProblem(reply, 403, "forbidden")) << reply.body;
}

TEST(RefusalDetailsTest, ExpectContinueGetsTheGoAheadBeforeTheBody) {
  TestGateway gateway;
  const std::string body = SampleOfferJson();
  RawSocket socket(gateway.port());
  socket.Send("POST /v1/offers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
              std::string(kMerchantKey) +
              "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
              "Connection: close\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n");
  // The interim response comes before any body byte was sent...
  const std::string go_ahead = socket.ReadUntilClosed(std::chrono::milliseconds(300));
  EXPECT_EQ(go_ahead.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << go_ahead;
  // ...and the request then completes normally.
  socket.Send(body);
  const std::string rest = socket.ReadUntilClosed(std::chrono::milliseconds(2000));
  EXPECT_EQ(StatusOf(rest), 201) << rest;
}

}  // namespace
}  // namespace uudai::testing
