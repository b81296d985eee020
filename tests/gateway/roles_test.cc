// Who may call what (docs/design.md §4 roles): every route × every caller (no key, an unknown key
// and each role), and a merchant key's scope: its own offers only.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/array.hpp>

#include "api_test_support.h"
#include "uudai/memory_store.h"
#include "uudai/store_mutation.h"

namespace uudai::testing {
namespace {

using boost::json::object;

enum class Caller { kNoKey, kUnknownKey, kAdmin, kMerchant, kCheckout, kAnalyst };

const char* CallerName(Caller caller) {
  switch (caller) {
    case Caller::kNoKey:
      return "NoKey";
    case Caller::kUnknownKey:
      return "UnknownKey";
    case Caller::kAdmin:
      return "Admin";
    case Caller::kMerchant:
      return "Merchant";
    case Caller::kCheckout:
      return "Checkout";
    case Caller::kAnalyst:
      return "Analyst";
  }
  return "?";
}

const char* KeyOf(Caller caller) {
  switch (caller) {
    case Caller::kNoKey:
      return nullptr;
    case Caller::kUnknownKey:
      return "not-a-key-anyone-was-given";
    case Caller::kAdmin:
      return kAdminKey;
    case Caller::kMerchant:
      return kMerchantKey;  // shop-1, the owner of every offer below
    case Caller::kCheckout:
      return kCheckoutKey;
    case Caller::kAnalyst:
      return kAnalystKey;
  }
  return nullptr;
}

// What a route needs to succeed for an allowed caller.
enum class Needs { kNothing, kOffer, kUniqueCodeOffer, kReserved, kCommitted };

struct RouteCase {
  const char* name;
  const char* method;
  const char* path;  // {id} is replaced by the offer or redemption the route needs
  Needs needs;
  // nullptr: none; "cart", "redemption", "offer", "offer_batch": built by the test
  const char* body;
  std::set<Caller> allowed;
  int success;
};

const std::set<Caller> kEveryone{Caller::kNoKey,    Caller::kUnknownKey, Caller::kAdmin,
                                 Caller::kMerchant, Caller::kCheckout,   Caller::kAnalyst};
const std::set<Caller> kAllRoles{Caller::kAdmin, Caller::kMerchant, Caller::kCheckout,
                                 Caller::kAnalyst};
const std::set<Caller> kOfferWriters{Caller::kAdmin, Caller::kMerchant};
const std::set<Caller> kCheckoutRoles{Caller::kAdmin, Caller::kCheckout};
const std::set<Caller> kAnalystRoles{Caller::kAdmin, Caller::kAnalyst};

const RouteCase kRoutes[] = {
    {"GetHealthz", "GET", "/healthz", Needs::kNothing, nullptr, kEveryone, 200},
    {"GetReadyz", "GET", "/readyz", Needs::kNothing, nullptr, kEveryone, 200},
    {"GetMetrics", "GET", "/metrics", Needs::kNothing, nullptr, kEveryone, 200},
    {"GetOpenApi", "GET", "/openapi.yaml", Needs::kNothing, nullptr, kEveryone, 200},
    {"GetDashboard", "GET", "/dashboard", Needs::kNothing, nullptr, kEveryone, 200},
    {"PostOffers", "POST", "/v1/offers", Needs::kNothing, "offer", kOfferWriters, 201},
    {"PostOfferBatch", "POST", "/v1/offers/batch", Needs::kNothing, "offer_batch", kOfferWriters,
     201},
    {"ListOffers", "GET", "/v1/offers", Needs::kNothing, nullptr, kAllRoles, 200},
    {"GetOffer", "GET", "/v1/offers/{id}", Needs::kOffer, nullptr, kAllRoles, 200},
    {"PatchOffer", "PATCH", "/v1/offers/{id}", Needs::kOffer, R"({"priority":1})", kOfferWriters,
     200},
    {"PostCodes", "POST", "/v1/offers/{id}/codes", Needs::kUniqueCodeOffer, R"({"count":3})",
     kOfferWriters, 201},
    {"PostQuote", "POST", "/v1/checkout/quote", Needs::kOffer, "cart", kCheckoutRoles, 200},
    {"PostRedemption", "POST", "/v1/redemptions", Needs::kOffer, "redemption", kCheckoutRoles, 201},
    {"GetRedemption",
     "GET",
     "/v1/redemptions/{id}",
     Needs::kReserved,
     nullptr,
     {Caller::kAdmin, Caller::kCheckout, Caller::kAnalyst},
     200},
    {"CommitRedemption", "POST", "/v1/redemptions/{id}/commit", Needs::kReserved, nullptr,
     kCheckoutRoles, 200},
    {"CancelRedemption", "POST", "/v1/redemptions/{id}/cancel", Needs::kReserved, nullptr,
     kCheckoutRoles, 200},
    {"RefundRedemption", "POST", "/v1/redemptions/{id}/refund", Needs::kCommitted, nullptr,
     kCheckoutRoles, 200},
    {"GetOfferStats",
     "GET",
     "/v1/stats/offers/{id}",
     Needs::kOffer,
     nullptr,
     {Caller::kAdmin, Caller::kAnalyst, Caller::kMerchant},
     200},
    {"GetCampaignStats", "GET", "/v1/stats/campaign?group_by=day", Needs::kNothing, nullptr,
     kAnalystRoles, 200},
    {"ExportRedemptions", "GET", "/v1/redemptions/export?format=csv", Needs::kReserved, nullptr,
     kAnalystRoles, 200},
};

struct MatrixCase {
  RouteCase route;
  Caller caller;
};

std::vector<MatrixCase> AllCases() {
  std::vector<MatrixCase> cases;
  for (const RouteCase& route : kRoutes) {
    for (Caller caller : kEveryone) cases.push_back({route, caller});
  }
  return cases;
}

// The resource a route needs, created with the admin key; its id.
std::string Prepare(TestGateway& gateway, Needs needs) {
  if (needs == Needs::kNothing) return "";
  object offer = OfferBody();
  if (needs == Needs::kUniqueCodeOffer) offer["code_mode"] = "unique";
  const std::string offer_id = CreateOffer(gateway, kAdminKey, offer);
  if (needs == Needs::kOffer || needs == Needs::kUniqueCodeOffer) return offer_id;
  object body = RedemptionBody("prepared-order");
  body["commit"] = needs == Needs::kCommitted;
  return RedeemOrThrow(gateway, body, "prepared");
}

class RoleMatrixTest : public ::testing::TestWithParam<MatrixCase> {};

TEST_P(RoleMatrixTest, AnswersAsTheRolesTableSays) {
  const RouteCase& route = GetParam().route;
  const Caller caller = GetParam().caller;
  TestGateway gateway;
  const std::string id = Prepare(gateway, route.needs);
  std::string path = route.path;
  if (const auto at = path.find("{id}"); at != std::string::npos) path.replace(at, 4, id);
  std::string body;
  Headers headers;
  if (route.body == nullptr) {
    // no body
  } else if (std::string(route.body) == "offer") {
    body = SampleOfferJson();
  } else if (std::string(route.body) == "offer_batch") {
    body = "[" + SampleOfferJson() + "," + SampleOfferJson() + "]";
  } else if (std::string(route.body) == "cart") {
    body = Json(CartBody());
  } else if (std::string(route.body) == "redemption") {
    body = Json(RedemptionBody("matrix-order"));
    headers.emplace_back("Idempotency-Key", "matrix");
  } else {
    body = route.body;
  }

  const HttpReply reply = gateway.Call(route.method, path, KeyOf(caller), body, headers);

  if (route.allowed.contains(caller)) {
    EXPECT_EQ(reply.status, route.success) << reply.body;
  } else if (caller == Caller::kNoKey) {
    EXPECT_TRUE(IsProblem(reply, 401, "unauthorized"));
    EXPECT_EQ(reply.Header("www-authenticate"), "Bearer");
  } else if (caller == Caller::kUnknownKey) {
    EXPECT_TRUE(IsProblem(reply, 401, "unauthorized"));
    EXPECT_EQ(reply.Header("www-authenticate"), "Bearer error=\"invalid_token\"");
  } else {
    EXPECT_TRUE(IsProblem(reply, 403, "forbidden"));
  }
}

INSTANTIATE_TEST_SUITE_P(EveryRouteAndCaller, RoleMatrixTest, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<MatrixCase>& info) {
                           return std::string(info.param.route.name) + "_" +
                                  CallerName(info.param.caller);
                         });

TEST(AuthenticationTest, AuthorizationWithoutTheBearerSchemeIs401) {
  TestGateway gateway;
  for (const std::string& value : {std::string("Basic dXNlcjpwYXNz"), std::string("Bearer "),
                                   std::string(kAdminKey), std::string("bearer") + kAdminKey}) {
    SCOPED_TRACE(value);
    const HttpReply reply =
        gateway.Call("GET", "/v1/offers", nullptr, "", {{"Authorization", value}});
    EXPECT_TRUE(IsProblem(reply, 401, "unauthorized"));
    EXPECT_EQ(reply.Header("www-authenticate"), "Bearer");
  }
}

// --- A merchant key's scope ---------------------------------------------------------------------

class MerchantScopeTest : public ::testing::Test {
 protected:
  void SetUp() override { shop1_offer_ = CreateOffer(gateway_, kMerchantKey, OfferBody()); }

  TestGateway gateway_;
  std::string shop1_offer_;
};

TEST_F(MerchantScopeTest, CannotReadAnotherMerchantsOffer) {
  const HttpReply reply = gateway_.Call("GET", "/v1/offers/" + shop1_offer_, kOtherMerchantKey);

  EXPECT_TRUE(IsProblem(reply, 403, "forbidden"));
}

TEST_F(MerchantScopeTest, CannotPatchAnotherMerchantsOffer) {
  const HttpReply reply = gateway_.Call("PATCH", "/v1/offers/" + shop1_offer_, kOtherMerchantKey,
                                        R"({"status":"paused"})");

  EXPECT_TRUE(IsProblem(reply, 403, "forbidden"));
  const HttpReply offer = gateway_.Call("GET", "/v1/offers/" + shop1_offer_, kMerchantKey);
  EXPECT_EQ(offer.Json().at("status").as_string(), "active");
  EXPECT_EQ(offer.Json().at("version").as_int64(), 1);
}

TEST_F(MerchantScopeTest, CannotIssueCodesForAnotherMerchantsOffer) {
  object offer = OfferBody();
  offer["code_mode"] = "unique";
  const std::string id = CreateOffer(gateway_, kMerchantKey, offer);

  const HttpReply reply =
      gateway_.Call("POST", "/v1/offers/" + id + "/codes", kOtherMerchantKey, R"({"count":2})");

  EXPECT_TRUE(IsProblem(reply, 403, "forbidden"));
}

TEST_F(MerchantScopeTest, CannotReadAnotherMerchantsOfferStats) {
  const HttpReply reply =
      gateway_.Call("GET", "/v1/stats/offers/" + shop1_offer_, kOtherMerchantKey);

  EXPECT_TRUE(IsProblem(reply, 403, "forbidden"));
}

TEST_F(MerchantScopeTest, ListShowsOnlyItsOwnOffers) {
  object offer = OfferBody();
  offer["merchant_id"] = "shop-2";
  const std::string shop2_offer = CreateOffer(gateway_, kOtherMerchantKey, offer);
  CreateOffer(gateway_, kAdminKey, OfferBody());  // another shop-1 offer

  const HttpReply shop2 = gateway_.Call("GET", "/v1/offers", kOtherMerchantKey);
  const HttpReply shop1 = gateway_.Call("GET", "/v1/offers", kMerchantKey);

  ASSERT_EQ(shop2.status, 200);
  const boost::json::value shop2_items = shop2.Json().at("items");
  ASSERT_EQ(shop2_items.as_array().size(), 1U) << shop2.body;
  EXPECT_EQ(shop2_items.at(0).at("id").as_string(), shop2_offer);
  ASSERT_EQ(shop1.status, 200);
  const boost::json::value shop1_items = shop1.Json().at("items");
  ASSERT_EQ(shop1_items.as_array().size(), 2U) << shop1.body;
  for (const auto& item : shop1_items.as_array()) {
    EXPECT_EQ(item.at("merchant_id").as_string(), "shop-1");
  }
}

TEST_F(MerchantScopeTest, ListingAnotherMerchantIs403) {
  const HttpReply reply = gateway_.Call("GET", "/v1/offers?merchant_id=shop-1", kOtherMerchantKey);

  EXPECT_TRUE(IsProblem(reply, 403, "forbidden"));
}

TEST_F(MerchantScopeTest, CannotCreateNonMerchantLayers) {
  const std::pair<const char*, object> layers[] = {
      {"platform", object{{"type", "percent"}, {"value", 5}}},
      {"payment", object{{"type", "fixed"}, {"value", 10'000}}},
      {"shipping", object{{"type", "free_shipping"}}},
  };
  for (const auto& [layer, discount] : layers) {
    SCOPED_TRACE(layer);
    object offer = OfferBody();
    offer["layer"] = layer;
    offer["discount"] = discount;
    const HttpReply reply = gateway_.Call("POST", "/v1/offers", kMerchantKey, Json(offer));
    EXPECT_TRUE(IsProblem(reply, 403, "forbidden"));
    // The same body is fine for an admin: the 403 is about the role, not the offer.
    EXPECT_EQ(gateway_.Call("POST", "/v1/offers", kAdminKey, Json(offer)).status, 201);
  }
}

TEST_F(MerchantScopeTest, CannotMoveItsOfferToThePlatformLayer) {
  const HttpReply reply =
      gateway_.Call("PATCH", "/v1/offers/" + shop1_offer_, kMerchantKey, R"({"layer":"platform"})");

  EXPECT_TRUE(IsProblem(reply, 403, "forbidden"));
}

TEST_F(MerchantScopeTest, CannotDeclareItsOfferFundedByThePlatform) {
  object offer = OfferBody();
  offer["funded_by"] = "platform";

  const HttpReply reply = gateway_.Call("POST", "/v1/offers", kMerchantKey, Json(offer));

  EXPECT_TRUE(IsProblem(reply, 403, "forbidden"));
}

// --- The right to change an offer: PATCH and issuing codes agree --------------------------------

// How many unique codes the gateway's store holds for `offer_id` (read when no write runs).
std::size_t StoredCodeCount(TestGateway& gateway, const std::string& offer_id) {
  auto& store = dynamic_cast<MemoryStore&>(gateway.app().store());
  std::size_t count = 0;
  store.ExportMutations([&](const StoreMutation& mutation) {
    if (const auto* issued = std::get_if<CodesIssued>(&mutation)) {
      if (issued->offer_id == offer_id) count += issued->codes.size();
    }
  });
  return count;
}

// Offers of shop-1 that only an admin key can register: a merchant-layer offer the platform
// funds, and a platform-layer offer owned by the shop. Unique codes, so codes can be issued.
std::vector<std::pair<std::string, object>> AdminOnlyOffersOfShop1() {
  object platform_funded = OfferBody();
  platform_funded["code_mode"] = "unique";
  platform_funded["funded_by"] = "platform";
  object platform_layer = OfferBody();
  platform_layer["code_mode"] = "unique";
  platform_layer["layer"] = "platform";
  return {{"funded by the platform", platform_funded}, {"platform layer", platform_layer}};
}

TEST_F(MerchantScopeTest, CannotIssueCodesForAnOfferOfItsShopThatOnlyAnAdminMayChange) {
  for (const auto& [name, body] : AdminOnlyOffersOfShop1()) {
    SCOPED_TRACE(name);
    const std::string id = CreateOffer(gateway_, kAdminKey, body);

    const HttpReply codes =
        gateway_.Call("POST", "/v1/offers/" + id + "/codes", kMerchantKey, R"({"count":3})");

    EXPECT_TRUE(IsProblem(codes, 403, "forbidden")) << codes.body;
    EXPECT_EQ(StoredCodeCount(gateway_, id), 0U);
  }
}

TEST_F(MerchantScopeTest, IssuingCodesAndPatchingAnswerTheSameForEveryOfferOfItsShop) {
  std::vector<std::pair<std::string, object>> offers = AdminOnlyOffersOfShop1();
  object own = OfferBody();
  own["code_mode"] = "unique";
  offers.emplace_back("merchant-funded, made by an admin", own);
  for (const auto& [name, body] : offers) {
    SCOPED_TRACE(name);
    const std::string id = CreateOffer(gateway_, kAdminKey, body);

    const HttpReply codes =
        gateway_.Call("POST", "/v1/offers/" + id + "/codes", kMerchantKey, R"({"count":1})");
    const HttpReply patch =
        gateway_.Call("PATCH", "/v1/offers/" + id, kMerchantKey, R"({"priority":7})");

    EXPECT_EQ(codes.status == 201, patch.status == 200) << codes.body << "\n" << patch.body;
    EXPECT_EQ(codes.status == 403, patch.status == 403) << codes.body << "\n" << patch.body;
  }
}

TEST_F(MerchantScopeTest, CannotTakeOverAPlatformFundedOfferByPatchingItsFunding) {
  object body = OfferBody();
  body["funded_by"] = "platform";
  const std::string id = CreateOffer(gateway_, kAdminKey, body);

  const HttpReply reply = gateway_.Call("PATCH", "/v1/offers/" + id, kMerchantKey,
                                        R"({"funded_by":"merchant","priority":9})");

  EXPECT_TRUE(IsProblem(reply, 403, "forbidden")) << reply.body;
  const HttpReply offer = gateway_.Call("GET", "/v1/offers/" + id, kAdminKey);
  EXPECT_EQ(offer.Json().at("funded_by").as_string(), "platform");
  EXPECT_EQ(offer.Json().at("version").as_int64(), 1);
}

TEST_F(MerchantScopeTest, IssuesCodesForItsOwnOffer) {
  object body = OfferBody();
  body["code_mode"] = "unique";
  const std::string id = CreateOffer(gateway_, kMerchantKey, body);

  const HttpReply reply =
      gateway_.Call("POST", "/v1/offers/" + id + "/codes", kMerchantKey, R"({"count":3})");

  EXPECT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(StoredCodeCount(gateway_, id), 3U);
}

TEST_F(MerchantScopeTest, AdminIssuesCodesForOffersOnlyAnAdminMayChange) {
  for (const auto& [name, body] : AdminOnlyOffersOfShop1()) {
    SCOPED_TRACE(name);
    const std::string id = CreateOffer(gateway_, kAdminKey, body);

    const HttpReply reply =
        gateway_.Call("POST", "/v1/offers/" + id + "/codes", kAdminKey, R"({"count":3})");

    EXPECT_EQ(reply.status, 201) << reply.body;
    EXPECT_EQ(StoredCodeCount(gateway_, id), 3U);
  }
}

TEST_F(MerchantScopeTest, AdminReadsEveryMerchantsOffer) {
  const HttpReply reply = gateway_.Call("GET", "/v1/offers/" + shop1_offer_, kAdminKey);

  EXPECT_EQ(reply.status, 200);
}

}  // namespace
}  // namespace uudai::testing
