// Offers over HTTP (docs/design.md §4): create, get, list with filters and paging, PATCH with and
// without If-Match.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
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

// A client may name the offer: a retry after a lost answer is then refused as the same offer,
// never registered twice.
TEST(OffersApiTest, AnIdOfTheClientsNamesTheOfferAndASecondCreateWithItIs409) {
  TestGateway gateway;
  object body = OfferBody();
  body["id"] = "shop-1:thang10.sale_1";

  const HttpReply created = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(body));
  body["name"] = "Gửi lại";
  const HttpReply again = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(body));

  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json().at("id").as_string(), "shop-1:thang10.sale_1");
  EXPECT_EQ(created.Json().at("version").as_int64(), 1);
  ASSERT_TRUE(IsProblem(again, 409, "already_exists")) << again.body;
  const HttpReply read = gateway.Call("GET", OfferPath("shop-1:thang10.sale_1"), kMerchantKey);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.body, created.body) << "the second create changed nothing";
}

TEST(OffersApiTest, AnIdThatCannotNameAnOfferIs422AtId) {
  TestGateway gateway;
  const std::string too_long(65, 'a');
  for (const boost::json::value& id :
       {boost::json::value(""), boost::json::value("a/b"), boost::json::value(".."),
        boost::json::value("-lead"), boost::json::value("{tag}"), boost::json::value("a@b"),
        boost::json::value("a b"), boost::json::value(too_long), boost::json::value(7)}) {
    object body = OfferBody();
    body["id"] = id;

    const HttpReply reply = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(body));

    ASSERT_TRUE(IsProblem(reply, 422, "validation_failed")) << id << ": " << reply.body;
    EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"id"}) << id;
  }
  object longest = OfferBody();
  longest["id"] = std::string(64, 'z');
  EXPECT_EQ(gateway.Call("POST", "/v1/offers", kMerchantKey, Json(longest)).status, 201);
  EXPECT_EQ(ItemIds(gateway.Call("GET", "/v1/offers", kMerchantKey)),
            std::vector<std::string>{std::string(64, 'z')});
}

TEST(OffersApiTest, VersionAndTimesOfANewOfferAreTheServersAndAPatchKeepsTheId) {
  TestGateway gateway;
  for (const char* field : {"version", "created_at", "updated_at"}) {
    object body = OfferBody();
    body[field] = field == std::string("version") ? boost::json::value(3)
                                                  : boost::json::value("2026-10-10T12:00:00+07:00");
    const HttpReply reply = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(body));
    ASSERT_TRUE(IsProblem(reply, 422, "validation_failed")) << field << ": " << reply.body;
    EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{field});
  }
  object body = OfferBody();
  body["id"] = "mine";
  ASSERT_EQ(gateway.Call("POST", "/v1/offers", kMerchantKey, Json(body)).status, 201);
  const HttpReply patch =
      gateway.Call("PATCH", OfferPath("mine"), kMerchantKey, Json(object{{"id", "other"}}));
  ASSERT_TRUE(IsProblem(patch, 422, "validation_failed")) << patch.body;
  EXPECT_EQ(ErrorPaths(patch), std::vector<std::string>{"id"});
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

// --- Tiered and buy_x_get_y discounts ---------------------------------------------------------

// "Mua 2 tặng 1"
object BuyTwoGetOne() {
  return object{
      {"type", "buy_x_get_y"}, {"buy", 2}, {"get", 1}, {"percent", 100}, {"max_sets", nullptr}};
}

object WithDiscount(const object& discount) {
  object body = OfferBody();
  body["discount"] = discount;
  return body;
}

// POST body, answered 422 with `code`: the paths of its errors.
std::vector<std::string> RefusedPaths(TestGateway& gateway, const object& body,
                                      const std::string& code = "validation_failed",
                                      const char* key = kMerchantKey) {
  const HttpReply reply = gateway.Call("POST", "/v1/offers", key, Json(body));
  EXPECT_TRUE(IsProblem(reply, 422, code)) << reply.body;
  return ErrorPaths(reply);
}

TEST(OffersApiTest, TieredOfferIsCreatedAndRenderedAsPosted) {
  TestGateway gateway;

  const HttpReply created =
      gateway.Call("POST", "/v1/offers", kMerchantKey, Json(WithDiscount(SpendTiersDiscount())));

  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Object(created).at("discount"), SpendTiersDiscount());
  const std::string id(created.Json().at("id").as_string());
  const HttpReply got = gateway.Call("GET", OfferPath(id), kAnalystKey);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, created.body);
  EXPECT_EQ(Object(got).at("discount"), SpendTiersDiscount());
}

TEST(OffersApiTest, TieredOfferRendersItsTiersInOrderAndEachTierInItsOwnShape) {
  TestGateway gateway;
  object discount = SpendTiersDiscount();
  // A percent tier posted without max_amount renders it null; a fixed tier renders none.
  discount["tiers"].as_array()[2].as_object()["discount"].as_object().erase("max_amount");

  const HttpReply created =
      gateway.Call("POST", "/v1/offers", kMerchantKey, Json(WithDiscount(discount)));

  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Json(Object(created).at("discount").as_object()),
            R"({"type":"tiered","basis":"subtotal","tiers":[)"
            R"({"min":200000,"discount":{"type":"fixed","value":20000}},)"
            R"({"min":500000,"discount":{"type":"percent","value":10,"max_amount":60000}},)"
            R"({"min":1000000,"discount":{"type":"percent","value":12,"max_amount":null}}]})");
}

TEST(OffersApiTest, TieredOfferByQuantityIsCreatedAndRenderedAsPosted) {
  TestGateway gateway;
  const object discount{
      {"type", "tiered"},
      {"basis", "quantity"},
      {"tiers",
       array{
           object{{"min", 3},
                  {"discount", object{{"type", "percent"}, {"value", 5}, {"max_amount", nullptr}}}},
           object{{"min", 6}, {"discount", object{{"type", "fixed"}, {"value", 100'000}}}}}}};

  const HttpReply created =
      gateway.Call("POST", "/v1/offers", kMerchantKey, Json(WithDiscount(discount)));

  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Object(created).at("discount"), discount);
  const std::string id(created.Json().at("id").as_string());
  EXPECT_EQ(gateway.Call("GET", OfferPath(id), kAnalystKey).body, created.body);
}

TEST(OffersApiTest, BuyXGetYOfferIsCreatedAndRenderedAsPosted) {
  TestGateway gateway;
  object capped = BuyTwoGetOne();
  capped["percent"] = 50;
  capped["max_sets"] = 3;

  for (const object& discount : {BuyTwoGetOne(), capped}) {
    const HttpReply created =
        gateway.Call("POST", "/v1/offers", kMerchantKey, Json(WithDiscount(discount)));

    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(Object(created).at("discount"), discount);
    const std::string id(created.Json().at("id").as_string());
    const HttpReply got = gateway.Call("GET", OfferPath(id), kAnalystKey);
    EXPECT_EQ(got.body, created.body);
  }
  EXPECT_EQ(Json(gateway.Call("POST", "/v1/offers", kMerchantKey, Json(WithDiscount(capped)))
                     .Json()
                     .at("discount")
                     .as_object()),
            R"({"type":"buy_x_get_y","buy":2,"get":1,"percent":50,"max_sets":3})");
}

TEST(OffersApiTest, BuyXGetYWithoutMaxSetsRendersItNull) {
  TestGateway gateway;
  object discount = BuyTwoGetOne();
  discount.erase("max_sets");

  const HttpReply created =
      gateway.Call("POST", "/v1/offers", kMerchantKey, Json(WithDiscount(discount)));

  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Object(created).at("discount"), BuyTwoGetOne());
}

TEST(OffersApiTest, TiersOutOfOrderAre422AtTheLaterTiersMin) {
  TestGateway gateway;
  object discount = SpendTiersDiscount();
  auto& tiers = discount["tiers"].as_array();
  std::swap(tiers[0], tiers[1]);  // 500k, 200k, 1M

  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(discount)),
            std::vector<std::string>{"discount.tiers[1].min"});
}

TEST(OffersApiTest, TieredWithoutTiersIs422AtDiscountTiers) {
  TestGateway gateway;
  object discount = SpendTiersDiscount();
  discount["tiers"] = array{};

  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(discount)),
            std::vector<std::string>{"discount.tiers"});
}

TEST(OffersApiTest, TierOfTypeFreeShippingIs422AtItsType) {
  TestGateway gateway;
  object discount = SpendTiersDiscount();
  discount["tiers"].as_array()[1].as_object()["discount"] = object{{"type", "free_shipping"}};

  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(discount)),
            std::vector<std::string>{"discount.tiers[1].discount.type"});
}

TEST(OffersApiTest, TierOfPercentOver100Is422AtItsValue) {
  TestGateway gateway;
  object discount = SpendTiersDiscount();
  discount["tiers"].as_array()[2].as_object()["discount"].as_object()["value"] = 101;

  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(discount)),
            std::vector<std::string>{"discount.tiers[2].discount.value"});
}

TEST(OffersApiTest, FixedTierWithMaxAmountIs422AtItsMaxAmount) {
  TestGateway gateway;
  object discount = SpendTiersDiscount();
  discount["tiers"].as_array()[0].as_object()["discount"].as_object()["max_amount"] = 5'000;

  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(discount)),
            std::vector<std::string>{"discount.tiers[0].discount.max_amount"});
}

TEST(OffersApiTest, UnknownFieldInsideATierIs422NamingIt) {
  TestGateway gateway;
  object beside_min = SpendTiersDiscount();
  beside_min["tiers"].as_array()[1].as_object()["label"] = "Hạng bạc";
  object inside_discount = SpendTiersDiscount();
  inside_discount["tiers"].as_array()[0].as_object()["discount"].as_object()["cap"] = 5'000;

  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(beside_min), "unknown_field"),
            std::vector<std::string>{"discount.tiers[1].label"});
  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(inside_discount), "unknown_field"),
            std::vector<std::string>{"discount.tiers[0].discount.cap"});
}

TEST(OffersApiTest, TierThatIsNotAnObjectIs422AtItsIndex) {
  TestGateway gateway;
  object discount = SpendTiersDiscount();
  discount["tiers"].as_array()[1] = 500'000;

  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(discount)),
            std::vector<std::string>{"discount.tiers[1]"});
}

TEST(OffersApiTest, TieredWithAWholeDiscountValueIs422AtDiscountValue) {
  TestGateway gateway;
  object discount = SpendTiersDiscount();
  discount["value"] = 10;

  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(discount)),
            std::vector<std::string>{"discount.value"});
}

TEST(OffersApiTest, BuyZeroIs422AtDiscountBuy) {
  TestGateway gateway;
  object discount = BuyTwoGetOne();
  discount["buy"] = 0;

  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(discount)),
            std::vector<std::string>{"discount.buy"});
}

TEST(OffersApiTest, BadBuyXGetYFieldsAre422AtEachOfThem) {
  TestGateway gateway;
  const object discount{
      {"type", "buy_x_get_y"}, {"buy", 1'001}, {"get", 0}, {"percent", 101}, {"max_sets", 0}};

  std::vector<std::string> paths = RefusedPaths(gateway, WithDiscount(discount));
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"discount.buy", "discount.get", "discount.max_sets",
                                             "discount.percent"}));
}

TEST(OffersApiTest, BuyXGetYWithValueIs422AtDiscountValue) {
  TestGateway gateway;
  object discount = BuyTwoGetOne();
  discount["value"] = 100;

  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(discount)),
            std::vector<std::string>{"discount.value"});
}

TEST(OffersApiTest, TieredAndBuyXGetYOnTheShippingLayerAre422AtDiscountType) {
  TestGateway gateway;
  for (const object& discount : {SpendTiersDiscount(), BuyTwoGetOne()}) {
    object body = WithDiscount(discount);
    body["merchant_id"] = "platform";
    body["layer"] = "shipping";
    EXPECT_EQ(RefusedPaths(gateway, body, "validation_failed", kAdminKey),
              std::vector<std::string>{"discount.type"});
  }
}

TEST(OffersApiTest, CashbackOfferIsCreatedAndRenderedAsPosted) {
  TestGateway gateway;
  const HttpReply created =
      gateway.Call("POST", "/v1/offers", kAdminKey, Json(CashbackOfferBody()));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Json(Object(created).at("discount").as_object()),
            R"({"type":"cashback","value":10,"max_amount":50000})");
  const std::string id(created.Json().at("id").as_string());
  EXPECT_EQ(gateway.Call("GET", OfferPath(id), kAnalystKey).body, created.body);
}

TEST(OffersApiTest, CashbackOffThePaymentLayerIs422AtDiscountType) {
  TestGateway gateway;
  // A merchant's own offer is on the merchant layer: no cashback there.
  EXPECT_EQ(RefusedPaths(gateway, WithDiscount(object{{"type", "cashback"}, {"value", 5}})),
            std::vector<std::string>{"discount.type"});
  for (const char* layer : {"platform", "shipping"}) {
    object body = CashbackOfferBody();
    body["layer"] = layer;
    EXPECT_EQ(RefusedPaths(gateway, body, "validation_failed", kAdminKey),
              std::vector<std::string>{"discount.type"})
        << layer;
  }
  object over = CashbackOfferBody();
  over["discount"].as_object()["value"] = 101;
  EXPECT_EQ(RefusedPaths(gateway, over, "validation_failed", kAdminKey),
            std::vector<std::string>{"discount.value"});
}

TEST(OffersApiTest, FirstOrderIsFalseUnlessSetAndAPatchTurnsItOnAndOff) {
  TestGateway gateway;
  const HttpReply created = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(OfferBody()));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json().at("first_order"), false);
  const std::string id(created.Json().at("id").as_string());
  const HttpReply on =
      gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"first_order":true})");
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(on.Json().at("first_order"), true);
  const HttpReply off =
      gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"first_order":null})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.Json().at("first_order"), false);
  const HttpReply bad =
      gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"first_order":"yes"})");
  ASSERT_TRUE(IsProblem(bad, 422, "validation_failed")) << bad.body;
  EXPECT_EQ(ErrorPaths(bad), std::vector<std::string>{"first_order"});
}

TEST(OffersApiTest, PatchTurnsAPercentDiscountIntoATieredOne) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());  // 10 %, capped
  object patch_discount = SpendTiersDiscount();
  patch_discount["value"] = nullptr;
  patch_discount["max_amount"] = nullptr;

  const HttpReply reply = gateway.Call("PATCH", OfferPath(id), kMerchantKey,
                                       Json(object{{"discount", patch_discount}}));

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Object(reply).at("discount"), SpendTiersDiscount());
  EXPECT_EQ(Object(reply).at("version").as_int64(), 2);
  EXPECT_EQ(gateway.Call("GET", OfferPath(id), kAnalystKey).body, reply.body);
}

TEST(OffersApiTest, PatchToTieredThatLeavesTheValueIs422AtDiscountValueAndChangesNothing) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());  // 10 %, capped
  const std::string before = gateway.Call("GET", OfferPath(id), kAnalystKey).body;
  object patch_discount = SpendTiersDiscount();
  patch_discount["max_amount"] = nullptr;  // but "value" left in place

  const HttpReply reply = gateway.Call("PATCH", OfferPath(id), kMerchantKey,
                                       Json(object{{"discount", patch_discount}}));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed")) << reply.body;
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"discount.value"});
  EXPECT_EQ(gateway.Call("GET", OfferPath(id), kAnalystKey).body, before);
}

TEST(OffersApiTest, PatchToTieredThatLeavesValueAndMaxAmountNamesBoth) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());  // 10 %, capped

  const HttpReply reply = gateway.Call("PATCH", OfferPath(id), kMerchantKey,
                                       Json(object{{"discount", SpendTiersDiscount()}}));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed")) << reply.body;
  std::vector<std::string> paths = ErrorPaths(reply);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"discount.max_amount", "discount.value"}));
}

TEST(OffersApiTest, PatchTurnsATieredDiscountIntoBuyXGetYAndBackToPercent) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, WithDiscount(SpendTiersDiscount()));

  object to_bogo = BuyTwoGetOne();
  to_bogo["basis"] = nullptr;
  to_bogo["tiers"] = nullptr;
  const HttpReply bogo =
      gateway.Call("PATCH", OfferPath(id), kMerchantKey, Json(object{{"discount", to_bogo}}));
  ASSERT_EQ(bogo.status, 200) << bogo.body;
  EXPECT_EQ(Object(bogo).at("discount"), BuyTwoGetOne());

  const HttpReply percent = gateway.Call(
      "PATCH", OfferPath(id), kMerchantKey,
      R"({"discount":{"type":"percent","value":5,"buy":null,"get":null,"percent":null,)"
      R"("max_sets":null}})");
  ASSERT_EQ(percent.status, 200) << percent.body;
  EXPECT_EQ(Json(Object(percent).at("discount").as_object()),
            R"({"type":"percent","value":5,"max_amount":null})");
}

TEST(OffersApiTest, PatchToPercentThatLeavesTheTiersIs422UnknownField) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, WithDiscount(SpendTiersDiscount()));
  const std::string before = gateway.Call("GET", OfferPath(id), kAnalystKey).body;

  const HttpReply reply = gateway.Call("PATCH", OfferPath(id), kMerchantKey,
                                       R"({"discount":{"type":"percent","value":5}})");

  ASSERT_TRUE(IsProblem(reply, 422, "unknown_field")) << reply.body;
  std::vector<std::string> paths = ErrorPaths(reply);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"discount.basis", "discount.tiers"}));
  EXPECT_EQ(gateway.Call("GET", OfferPath(id), kAnalystKey).body, before);
}

TEST(OffersApiTest, PatchOfAnotherFieldKeepsATieredOrBuyXGetYDiscountAsItIs) {
  TestGateway gateway;
  object capped = BuyTwoGetOne();
  capped["max_sets"] = 2;
  for (const object& discount : {SpendTiersDiscount(), BuyTwoGetOne(), capped}) {
    const std::string id = CreateOffer(gateway, kMerchantKey, WithDiscount(discount));

    const HttpReply reply = gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"priority":3})");

    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(Object(reply).at("discount"), discount);
    EXPECT_EQ(Object(reply).at("priority").as_int64(), 3);
  }
}

TEST(OffersApiTest, PatchReplacesTheWholeTierList) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, WithDiscount(SpendTiersDiscount()));
  const array one_tier{
      object{{"min", 300'000}, {"discount", object{{"type", "fixed"}, {"value", 30'000}}}}};

  const HttpReply reply = gateway.Call("PATCH", OfferPath(id), kMerchantKey,
                                       Json(object{{"discount", object{{"tiers", one_tier}}}}));

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Object(reply).at("discount"),
            (object{{"type", "tiered"}, {"basis", "subtotal"}, {"tiers", one_tier}}));
}

// --- Hot offers -------------------------------------------------------------------------------

object HotOfferBody() {
  object body = OfferBody();
  body["hot"] = true;
  body["limits"] = object{{"total_redemptions", 9}, {"per_shopper", 2}};
  return body;
}

TEST(OffersApiTest, HotIsRenderedAsPostedAndFalseByDefault) {
  TestGateway gateway;

  const HttpReply hot = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(HotOfferBody()));
  const HttpReply plain = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(OfferBody()));

  ASSERT_EQ(hot.status, 201) << hot.body;
  ASSERT_EQ(plain.status, 201) << plain.body;
  EXPECT_EQ(Object(hot).at("hot"), true);
  EXPECT_EQ(Object(plain).at("hot"), false);
  const std::string id(Object(hot).at("id").as_string());
  EXPECT_EQ(gateway.Call("GET", OfferPath(id), kMerchantKey).body, hot.body);
}

TEST(OffersApiTest, PatchChangingHotIs422AtHotAndChangesNothing) {
  TestGateway gateway;
  const std::string hot = CreateOffer(gateway, kMerchantKey, HotOfferBody());
  const std::string plain = CreateOffer(gateway, kMerchantKey, OfferBody());

  const HttpReply off = gateway.Call("PATCH", OfferPath(hot), kMerchantKey, R"({"hot":false})");
  const HttpReply on = gateway.Call("PATCH", OfferPath(plain), kMerchantKey, R"({"hot":true})");

  ASSERT_TRUE(IsProblem(off, 422, "validation_failed")) << off.body;
  EXPECT_EQ(ErrorPaths(off), std::vector<std::string>{"hot"});
  ASSERT_TRUE(IsProblem(on, 422, "validation_failed")) << on.body;
  EXPECT_EQ(ErrorPaths(on), std::vector<std::string>{"hot"});
  const object current = Object(gateway.Call("GET", OfferPath(hot), kMerchantKey));
  EXPECT_EQ(current.at("hot"), true);
  EXPECT_EQ(current.at("version").as_int64(), 1);
}

TEST(OffersApiTest, HotOfferTotalRedemptionsMayBeRaisedButNotLowered) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, HotOfferBody());

  const HttpReply lowered =
      gateway.Call("PATCH", OfferPath(id), kMerchantKey, R"({"limits":{"total_redemptions":8}})");
  ASSERT_TRUE(IsProblem(lowered, 422, "validation_failed")) << lowered.body;
  EXPECT_EQ(ErrorPaths(lowered), std::vector<std::string>{"limits.total_redemptions"});

  const HttpReply raised = gateway.Call("PATCH", OfferPath(id), kMerchantKey,
                                        R"({"limits":{"total_redemptions":12,"per_shopper":1}})");
  ASSERT_EQ(raised.status, 200) << raised.body;
  EXPECT_EQ(Object(raised).at("limits").at("total_redemptions").as_int64(), 12);
  EXPECT_EQ(Object(raised).at("limits").at("per_shopper").as_int64(), 1);
  EXPECT_EQ(Object(raised).at("version").as_int64(), 2);
}

}  // namespace
}  // namespace uudai::testing
