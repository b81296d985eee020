// Offers over HTTP (docs/design.md §4): create, get, list with filters and paging, PATCH with and
// without If-Match.
#include <gtest/gtest.h>

#include <algorithm>
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

std::vector<std::string> ItemIds(const HttpReply& reply) {
  std::vector<std::string> ids;
  const boost::json::value body = reply.Json();
  for (const auto& item : body.at("items").as_array()) {
    ids.emplace_back(item.as_object().at("id").as_string());
  }
  return ids;
}

// --- Create and get ---------------------------------------------------------------------------

TEST(OffersApiTest, CreateAnswers201WithVersion1AndItsETag) {
  TestGateway gateway;

  const HttpReply reply = gateway.Call("POST", "/v1/offers", kMerchantKey, SampleOfferJson());

  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Header("content-type"), "application/json");
  EXPECT_EQ(reply.Header("etag"), "\"1\"");
  const object offer = Object(reply);
  EXPECT_TRUE(offer.at("id").as_string().starts_with("o_"));
  EXPECT_EQ(offer.at("version").as_int64(), 1);
  EXPECT_EQ(offer.at("merchant_id").as_string(), "shop-1");
  EXPECT_EQ(offer.at("name").as_string(), "Giảm 10% Tháng tiêu dùng số");
  EXPECT_EQ(offer.at("layer").as_string(), "merchant");
  EXPECT_EQ(offer.at("status").as_string(), "active");
  EXPECT_EQ(offer.at("code_mode").as_string(), "auto");
  EXPECT_EQ(offer.at("funded_by").as_string(), "merchant");
  EXPECT_EQ(offer.at("restore_on_refund").as_bool(), true);
  EXPECT_EQ(offer.at("min_order_amount").as_int64(), 0);
  EXPECT_EQ(offer.at("created_at").as_string(), "2026-10-10T12:00:00+07:00");
  EXPECT_EQ(offer.at("updated_at").as_string(), "2026-10-10T12:00:00+07:00");
  EXPECT_EQ(offer.at("starts_at").as_string(), "2026-10-01T00:00:00+07:00");
  EXPECT_EQ(offer.at("ends_at").as_string(), "2026-11-01T00:00:00+07:00");
  EXPECT_EQ(offer.at("discount"),
            (object{{"type", "percent"}, {"value", 10}, {"max_amount", 100'000}}));
}

TEST(OffersApiTest, MerchantKeyRegistersForItsOwnMerchantWhenTheBodyOmitsIt) {
  TestGateway gateway;
  object body = OfferBody();
  body.erase("merchant_id");

  const HttpReply reply = gateway.Call("POST", "/v1/offers", kOtherMerchantKey, Json(body));

  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Json().at("merchant_id").as_string(), "shop-2");
}

TEST(OffersApiTest, AdminMustNameTheMerchant) {
  TestGateway gateway;
  object body = OfferBody();
  body.erase("merchant_id");

  const HttpReply reply = gateway.Call("POST", "/v1/offers", kAdminKey, Json(body));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"merchant_id"});
}

TEST(OffersApiTest, PercentOver100Is422AtDiscountValue) {
  TestGateway gateway;
  object body = OfferBody();
  body["discount"] = object{{"type", "percent"}, {"value", 101}};

  const HttpReply reply = gateway.Call("POST", "/v1/offers", kAdminKey, Json(body));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"discount.value"});
}

TEST(OffersApiTest, EndsBeforeStartsIs422AtEndsAt) {
  TestGateway gateway;
  object body = OfferBody();
  body["ends_at"] = "2026-09-01T00:00:00+07:00";

  const HttpReply reply = gateway.Call("POST", "/v1/offers", kAdminKey, Json(body));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"ends_at"});
}

TEST(OffersApiTest, PublicCodeIsStoredUpperCase) {
  TestGateway gateway;
  object body = OfferBody();
  body["code_mode"] = "public";
  body["code"] = "thang10";

  const HttpReply reply = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(body));

  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Json().at("code").as_string(), "THANG10");
}

TEST(OffersApiTest, PublicCodeOfAnotherLiveOfferIs409) {
  TestGateway gateway;
  object body = OfferBody();
  body["code_mode"] = "public";
  body["code"] = "THANG10";
  CreateOffer(gateway, kMerchantKey, body);
  body["code"] = "Thang10";

  const HttpReply reply = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(body));

  EXPECT_TRUE(IsProblem(reply, 409, "code_conflict"));
}

// Public codes are scoped: a merchant-layer offer's to its shop, the other layers' to the
// platform. A conflict names only an offer the caller may see.
TEST(OffersApiTest, CodeConflictNamesNoOtherShopsOrPlatformOffer) {
  TestGateway gateway;
  object shop = OfferBody();
  shop["code_mode"] = "public";
  shop["code"] = "SALE10";
  object platform = shop;
  platform["merchant_id"] = "platform";
  platform["layer"] = "platform";
  // Given shop-2 and the platform run SALE10
  shop["merchant_id"] = "shop-2";
  const std::string other_shops = CreateOffer(gateway, kOtherMerchantKey, shop);
  const std::string platforms = CreateOffer(gateway, kAdminKey, platform);
  // Then only an admin registers a platform code
  EXPECT_EQ(gateway.Call("POST", "/v1/offers", kMerchantKey, Json(platform)).status, 403);
  // And shop-1 may run SALE10 too
  shop["merchant_id"] = "shop-1";
  const std::string own = CreateOffer(gateway, kMerchantKey, shop);

  // When shop-1 claims sale10 a second time
  shop["code"] = "sale10";
  const HttpReply reply = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(shop));

  // Then the 409 names shop-1's own offer and nothing of shop-2's or the platform's
  ASSERT_TRUE(IsProblem(reply, 409, "code_conflict")) << reply.body;
  EXPECT_EQ(Object(reply).at("offer_id").as_string(), own);
  EXPECT_EQ(reply.body.find(other_shops), std::string::npos) << reply.body;
  EXPECT_EQ(reply.body.find(platforms), std::string::npos) << reply.body;
}

TEST(OffersApiTest, GetReturnsTheRepresentationCreateReturned) {
  TestGateway gateway;
  const HttpReply created = gateway.Call("POST", "/v1/offers", kMerchantKey, SampleOfferJson());
  ASSERT_EQ(created.status, 201);
  const std::string id(created.Json().at("id").as_string());

  const HttpReply reply = gateway.Call("GET", OfferPath(id), kAnalystKey);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, created.body);
  EXPECT_EQ(reply.Header("etag"), "\"1\"");
}

TEST(OffersApiTest, GetUnknownOfferIs404) {
  TestGateway gateway;

  const HttpReply reply = gateway.Call("GET", "/v1/offers/o_doesnotexist", kAdminKey);

  EXPECT_TRUE(IsProblem(reply, 404, "not_found"));
}

// --- List -------------------------------------------------------------------------------------

TEST(OffersApiTest, ListPagesThroughEveryOfferInIdOrder) {
  TestGateway gateway;
  std::set<std::string> created;
  for (int i = 0; i < 5; ++i) created.insert(CreateOffer(gateway, kAdminKey, OfferBody()));

  std::vector<std::string> seen;
  std::vector<std::size_t> page_sizes;
  std::string target = "/v1/offers?limit=2";
  for (int page = 0; page < 10; ++page) {
    const HttpReply reply = gateway.Call("GET", target, kAnalystKey);
    ASSERT_EQ(reply.status, 200) << reply.body;
    const auto ids = ItemIds(reply);
    page_sizes.push_back(ids.size());
    seen.insert(seen.end(), ids.begin(), ids.end());
    const boost::json::value next = reply.Json().at("next_cursor");
    if (next.is_null()) break;
    target = "/v1/offers?limit=2&cursor=" + std::string(next.as_string());
  }

  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{2, 2, 1}));
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), created);
  EXPECT_EQ(seen.size(), 5U);
}

TEST(OffersApiTest, ListWithoutMoreItemsHasNullNextCursor) {
  TestGateway gateway;
  CreateOffer(gateway, kAdminKey, OfferBody());

  const HttpReply reply = gateway.Call("GET", "/v1/offers?limit=1", kAnalystKey);

  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(ItemIds(reply).size(), 1U);
  EXPECT_TRUE(reply.Json().at("next_cursor").is_null());
}

TEST(OffersApiTest, ListFiltersByMerchantId) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  object other = OfferBody();
  other["merchant_id"] = "shop-2";
  const std::string shop2 = CreateOffer(gateway, kOtherMerchantKey, other);

  const HttpReply reply = gateway.Call("GET", "/v1/offers?merchant_id=shop-2", kAdminKey);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(ItemIds(reply), std::vector<std::string>{shop2});
}

TEST(OffersApiTest, ListFiltersByStatus) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  const std::string paused = CreateOffer(gateway, kMerchantKey, OfferBody());
  ASSERT_EQ(gateway.Call("PATCH", OfferPath(paused), kMerchantKey, R"({"status":"paused"})").status,
            200);

  const HttpReply reply = gateway.Call("GET", "/v1/offers?status=paused", kAnalystKey);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(ItemIds(reply), std::vector<std::string>{paused});
}

TEST(OffersApiTest, ListRefusesAnUnknownStatus) {
  TestGateway gateway;

  const HttpReply reply = gateway.Call("GET", "/v1/offers?status=deleted", kAnalystKey);

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"status"});
}

TEST(OffersApiTest, ListRefusesALimitOutside1To1000) {
  TestGateway gateway;
  for (const char* limit : {"0", "1001", "abc", "-1", "99999"}) {
    SCOPED_TRACE(limit);
    const HttpReply reply =
        gateway.Call("GET", std::string("/v1/offers?limit=") + limit, kAnalystKey);
    ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
    EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"limit"});
  }
  EXPECT_EQ(gateway.Call("GET", "/v1/offers?limit=1000", kAnalystKey).status, 200);
}

// --- PATCH ------------------------------------------------------------------------------------

TEST(OffersApiTest, PatchWithoutIfMatchAnswers200WithTheNextVersion) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());
  gateway.clock().Advance(60'000);

  const HttpReply reply =
      gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"name":"Giảm 12%"})");

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Header("etag"), "\"2\"");
  const object offer = Object(reply);
  EXPECT_EQ(offer.at("version").as_int64(), 2);
  EXPECT_EQ(offer.at("name").as_string(), "Giảm 12%");
  EXPECT_EQ(offer.at("created_at").as_string(), "2026-10-10T12:00:00+07:00");
  EXPECT_EQ(offer.at("updated_at").as_string(), "2026-10-10T12:01:00+07:00");
  EXPECT_EQ(gateway.Call("GET", OfferPath(id), kMerchantKey).body, reply.body);
}

TEST(OffersApiTest, PatchWithMatchingIfMatchAnswers200) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());

  const HttpReply reply = gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"priority":5})",
                                       {{"If-Match", "\"1\""}});

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("version").as_int64(), 2);
  EXPECT_EQ(reply.Json().at("priority").as_int64(), 5);
}

TEST(OffersApiTest, PatchWithStaleIfMatchIs412AndChangesNothing) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());
  ASSERT_EQ(gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"priority":1})").status, 200);

  const HttpReply reply = gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"priority":9})",
                                       {{"If-Match", "\"1\""}});

  ASSERT_TRUE(IsProblem(reply, 412, "version_mismatch"));
  EXPECT_EQ(reply.Json().at("offer_id").as_string(), id);
  const HttpReply current = gateway.Call("GET", OfferPath(id), kMerchantKey);
  EXPECT_EQ(current.Json().at("version").as_int64(), 2);
  EXPECT_EQ(current.Json().at("priority").as_int64(), 1);
}

TEST(OffersApiTest, PatchAcceptsWeakAndUnquotedIfMatch) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());

  const HttpReply weak = gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"priority":1})",
                                      {{"If-Match", "W/\"1\""}});
  const HttpReply bare =
      gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"priority":2})", {{"If-Match", "2"}});

  EXPECT_EQ(weak.status, 200) << weak.body;
  EXPECT_EQ(bare.status, 200) << bare.body;
  EXPECT_EQ(bare.Json().at("version").as_int64(), 3);
}

TEST(OffersApiTest, PatchWithUnparsableIfMatchIs400) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());

  const HttpReply reply = gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"priority":1})",
                                       {{"If-Match", "\"abc\""}});

  EXPECT_TRUE(IsProblem(reply, 400, "bad_if_match"));
}

TEST(OffersApiTest, InvalidPatchIs422AndChangesNothing) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());

  const HttpReply reply =
      gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"discount":{"value":0}})");

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"discount.value"});
  const HttpReply current = gateway.Call("GET", OfferPath(id), kMerchantKey);
  EXPECT_EQ(current.Json().at("version").as_int64(), 1);
  EXPECT_EQ(current.Json().at("discount").at("value").as_int64(), 10);
}

TEST(OffersApiTest, PatchWithAnUnknownFieldIs422UnknownField) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());

  const HttpReply reply =
      gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"min_order_ammount":500000})");

  ASSERT_TRUE(IsProblem(reply, 422, "unknown_field"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"min_order_ammount"});
}

TEST(OffersApiTest, PatchOfAServerOwnedFieldIs422) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());

  const HttpReply reply = gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"version":7})");

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"version"});
}

TEST(OffersApiTest, MergePatchNullRemovesAField) {
  TestGateway gateway;
  object body = OfferBody();
  body["payment_methods"] = array{"digital"};
  body["limits"] = object{{"per_shopper", 1}, {"total_redemptions", 500}};
  const std::string id = CreateOffer(gateway, kMerchantKey, body);

  const HttpReply reply = gateway.Call("PATCH", OfferPath(id), kMerchantKey,
                                       R"({"payment_methods":null,"limits":{"per_shopper":null}})");

  ASSERT_EQ(reply.status, 200) << reply.body;
  const object offer = Object(reply);
  EXPECT_TRUE(offer.at("payment_methods").is_null());
  EXPECT_TRUE(offer.at("limits").at("per_shopper").is_null());
  EXPECT_EQ(offer.at("limits").at("total_redemptions").as_int64(), 500);
  EXPECT_EQ(offer.at("version").as_int64(), 2);
}

TEST(OffersApiTest, PatchTurnsACappedPercentDiscountIntoAFixedOneAndBack) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());  // 10 %, capped

  const HttpReply fixed =
      gateway.Call("PATCH", OfferPath(id), kMerchantKey,
                   R"({"discount":{"type":"fixed","value":20000,"max_amount":null}})");
  ASSERT_EQ(fixed.status, 200) << fixed.body;
  EXPECT_EQ(Json(Object(fixed).at("discount").as_object()), R"({"type":"fixed","value":20000})");

  const HttpReply percent =
      gateway.Call("PATCH", OfferPath(id), kMerchantKey,
                   R"({"discount":{"type":"percent","value":5,"max_amount":7000}})");
  ASSERT_EQ(percent.status, 200) << percent.body;
  EXPECT_EQ(Json(Object(percent).at("discount").as_object()),
            R"({"type":"percent","value":5,"max_amount":7000})");
}

TEST(OffersApiTest, PausingAnOfferStopsItApplying) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());
  const std::string cart = Json(CartBody(100'000));
  ASSERT_EQ(gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey, cart)
                .Json()
                .at("discount_total")
                .as_int64(),
            10'000);

  ASSERT_EQ(gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"status":"paused"})").status,
            200);
  const HttpReply quote = gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey, cart);

  ASSERT_EQ(quote.status, 200);
  EXPECT_EQ(quote.Json().at("discount_total").as_int64(), 0);
  EXPECT_TRUE(quote.Json().at("applied").as_array().empty());
}

TEST(OffersApiTest, PatchUnknownOfferIs404) {
  TestGateway gateway;

  const HttpReply reply =
      gateway.Call("PATCH", "/v1/offers/o_nope", kAdminKey, R"({"priority":1})");

  EXPECT_TRUE(IsProblem(reply, 404, "not_found"));
}

}  // namespace
}  // namespace uudai::testing
