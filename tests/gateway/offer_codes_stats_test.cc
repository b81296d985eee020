// Unique codes and offer stats over HTTP (docs/design.md §4): POST /v1/offers/{id}/codes and
// GET /v1/stats/offers/{id}.
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include <boost/json/array.hpp>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using boost::json::array;
using boost::json::object;

std::string OfferPath(const std::string& id) { return "/v1/offers/" + id; }

object UniqueCodeOffer() {
  object body = OfferBody();
  body["code_mode"] = "unique";
  return body;
}

// --- Unique codes -----------------------------------------------------------------------------

TEST(OfferCodesApiTest, IssueCodesAnswers201WithCountDistinct13SymbolCodes) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, UniqueCodeOffer());

  const HttpReply reply =
      gateway.Call("POST", OfferPath(id) + "/codes", kMerchantKey, R"({"count":500})");

  ASSERT_EQ(reply.status, 201) << reply.body.substr(0, 300);
  std::set<std::string> codes;
  const boost::json::value body = reply.Json();
  for (const auto& code : body.at("codes").as_array()) {
    const std::string text(code.as_string());
    EXPECT_EQ(text.size(), 13U) << text;
    EXPECT_EQ(text.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos)
        << text;
    codes.insert(text);
  }
  EXPECT_EQ(codes.size(), 500U);
}

TEST(OfferCodesApiTest, IssueCodesForAnOfferWithoutUniqueCodesIs422) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());

  const HttpReply reply =
      gateway.Call("POST", OfferPath(id) + "/codes", kMerchantKey, R"({"count":5})");

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"count"});
}

TEST(OfferCodesApiTest, IssueCodesWithCountOutOfRangeIs422) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, UniqueCodeOffer());
  for (const char* body : {R"({"count":0})", R"({"count":1000001})", R"({"count":-3})",
                           R"({"count":"5"})", R"({"count":2.5})", R"({})"}) {
    SCOPED_TRACE(body);
    const HttpReply reply = gateway.Call("POST", OfferPath(id) + "/codes", kMerchantKey, body);
    ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
    EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"count"});
  }
}

TEST(OfferCodesApiTest, IssueCodesForUnknownOfferIs404) {
  TestGateway gateway;

  const HttpReply reply =
      gateway.Call("POST", "/v1/offers/o_nope/codes", kAdminKey, R"({"count":1})");

  EXPECT_TRUE(IsProblem(reply, 404, "not_found"));
}

TEST(OfferCodesApiTest, IssuedCodeAppliesInLowerCaseAndOnlyOnce) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, UniqueCodeOffer());
  const HttpReply issued =
      gateway.Call("POST", OfferPath(id) + "/codes", kMerchantKey, R"({"count":1})");
  ASSERT_EQ(issued.status, 201);
  const std::string code(issued.Json().at("codes").as_array().at(0).as_string());
  std::string lower = code;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  object body = RedemptionBody("order-1");
  body["codes"] = array{lower};

  const HttpReply redeemed = Redeem(gateway, body, "idem-1");
  object next_cart = CartBody(100'000, 1, "s-2");
  next_cart["codes"] = array{lower};
  const HttpReply quote_after =
      gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(next_cart));

  ASSERT_EQ(redeemed.status, 201) << redeemed.body;
  EXPECT_EQ(redeemed.Json().at("applied").at(0).at("code").as_string(), code);
  EXPECT_EQ(redeemed.Json().at("discount_total").as_int64(), 10'000);
  ASSERT_EQ(quote_after.status, 200);
  EXPECT_EQ(quote_after.Json().at("rejected"),
            (array{object{{"code", lower}, {"offer_id", id}, {"reason", "code_used"}}}));
}

// --- Offer stats ------------------------------------------------------------------------------

TEST(OfferStatsApiTest, CountRedemptionsByStatusAndCommittedMoney) {
  TestGateway gateway;
  object offer = OfferBody();
  offer["limits"] = object{{"total_redemptions", 10}};
  const std::string id = CreateOffer(gateway, kMerchantKey, offer);
  // s-1: committed at once, 200.000 → 20.000 off.
  object committed = RedemptionBody("o-1", 200'000, "s-1");
  committed["commit"] = true;
  RedeemOrThrow(gateway, committed, "k-1");
  // s-2: reserved.
  RedeemOrThrow(gateway, RedemptionBody("o-2", 100'000, "s-2"), "k-2");
  // s-3: reserved, then cancelled.
  const std::string released = RedeemOrThrow(gateway, RedemptionBody("o-3", 100'000, "s-3"), "k-3");
  ASSERT_EQ(gateway.Call("POST", "/v1/redemptions/" + released + "/cancel", kCheckoutKey).status,
            200);
  // s-4: committed 300.000 → 30.000 off, then refunded.
  object refunded_body = RedemptionBody("o-4", 300'000, "s-4");
  refunded_body["commit"] = true;
  const std::string refunded = RedeemOrThrow(gateway, refunded_body, "k-4");
  ASSERT_EQ(gateway.Call("POST", "/v1/redemptions/" + refunded + "/refund", kCheckoutKey).status,
            200);

  const HttpReply reply = gateway.Call("GET", "/v1/stats/offers/" + id, kMerchantKey);

  ASSERT_EQ(reply.status, 200) << reply.body;
  const object stats = Object(reply);
  const object counts{
      {"reserved", 1}, {"committed", 1}, {"released", 1}, {"expired", 0}, {"refunded", 1}};
  EXPECT_EQ(stats.at("offer_id").as_string(), id);
  EXPECT_EQ(stats.at("redemptions"), counts);
  EXPECT_EQ(stats.at("discount_committed").as_int64(), 20'000);
  EXPECT_EQ(stats.at("gmv_committed").as_int64(), 200'000);
  EXPECT_EQ(stats.at("unique_shoppers").as_int64(), 2);  // s-1 and s-4 (a refund keeps them)
  EXPECT_EQ(stats.at("remaining"), (object{{"redemptions", 8}, {"budget", nullptr}}));
  EXPECT_EQ(stats.at("by_day"), (array{object{{"day", "2026-10-10"},
                                              {"redemptions", counts},
                                              {"discount_committed", 20'000},
                                              {"cashback_committed", 0},
                                              {"gmv_committed", 200'000}}}));
  EXPECT_EQ(stats.at("by_payment_method"), (array{object{{"payment_method", "momo"},
                                                         {"redemptions", counts},
                                                         {"discount_committed", 20'000},
                                                         {"cashback_committed", 0},
                                                         {"gmv_committed", 200'000}}}));
}

TEST(OfferStatsApiTest, UnusedOfferHasZeroCounts) {
  TestGateway gateway;
  object offer = OfferBody();
  offer["limits"] = object{{"total_budget", 5'000'000}};
  const std::string id = CreateOffer(gateway, kMerchantKey, offer);
  ASSERT_EQ(gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(CartBody())).status, 200);

  const HttpReply reply = gateway.Call("GET", "/v1/stats/offers/" + id, kAnalystKey);

  ASSERT_EQ(reply.status, 200) << reply.body;
  const object stats = Object(reply);
  EXPECT_EQ(
      stats.at("redemptions"),
      (object{
          {"reserved", 0}, {"committed", 0}, {"released", 0}, {"expired", 0}, {"refunded", 0}}));
  EXPECT_EQ(stats.at("unique_shoppers").as_int64(), 0);
  EXPECT_EQ(stats.at("remaining"), (object{{"redemptions", nullptr}, {"budget", 5'000'000}}));
  EXPECT_TRUE(stats.at("by_day").as_array().empty());
}

TEST(OfferStatsApiTest, ByDayFollowsTheLocalCalendarDay) {
  TestGatewayOptions options;
  options.start = *ParseRfc3339("2026-10-10T23:59:00+07:00");  // 16:59 UTC
  TestGateway gateway(options);
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());
  object late = RedemptionBody("o-1", 100'000, "s-1");
  late["commit"] = true;
  RedeemOrThrow(gateway, late, "k-1");
  gateway.clock().Advance(2 * 60'000);  // 00:01 local, still 10 October in UTC
  object early = RedemptionBody("o-2", 200'000, "s-2");
  early["payment_method"] = "zalopay";
  RedeemOrThrow(gateway, early, "k-2");

  const HttpReply reply = gateway.Call("GET", "/v1/stats/offers/" + id, kAnalystKey);

  ASSERT_EQ(reply.status, 200) << reply.body;
  const object stats = Object(reply);
  const object committed_one{
      {"reserved", 0}, {"committed", 1}, {"released", 0}, {"expired", 0}, {"refunded", 0}};
  const object reserved_one{
      {"reserved", 1}, {"committed", 0}, {"released", 0}, {"expired", 0}, {"refunded", 0}};
  EXPECT_EQ(stats.at("by_day"), (array{object{{"day", "2026-10-10"},
                                              {"redemptions", committed_one},
                                              {"discount_committed", 10'000},
                                              {"cashback_committed", 0},
                                              {"gmv_committed", 100'000}},
                                       object{{"day", "2026-10-11"},
                                              {"redemptions", reserved_one},
                                              {"discount_committed", 0},
                                              {"cashback_committed", 0},
                                              {"gmv_committed", 0}}}));
  const array& methods = stats.at("by_payment_method").as_array();
  ASSERT_EQ(methods.size(), 2U) << reply.body;
}

TEST(OfferStatsApiTest, UnknownOfferIs404) {
  TestGateway gateway;

  const HttpReply reply = gateway.Call("GET", "/v1/stats/offers/o_nope", kAnalystKey);

  EXPECT_TRUE(IsProblem(reply, 404, "not_found"));
}

}  // namespace
}  // namespace uudai::testing
