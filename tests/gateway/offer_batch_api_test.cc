// POST /v1/offers/batch over HTTP: many offers in one request, as a JSON array or as NDJSON,
// all read and validated first (every problem listed under its offer's position "[i]"), then
// registered all or nothing; who may register what; and the store's refusals.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using boost::json::array;
using boost::json::object;

constexpr const char* kBatchPath = "/v1/offers/batch";

// `count` valid shop-1 offers named "Lô <i>", each with the public code "<code_prefix><i>"
// (none when `code_prefix` is empty).
std::vector<object> NumberedOffers(int count, const std::string& code_prefix = "") {
  std::vector<object> offers;
  for (int i = 0; i < count; ++i) {
    object offer = OfferBody();
    offer["name"] = "Lô " + std::to_string(i);
    if (!code_prefix.empty()) {
      offer["code_mode"] = "public";
      offer["code"] = code_prefix + std::to_string(i);
    }
    offers.push_back(std::move(offer));
  }
  return offers;
}

std::string JsonArray(const std::vector<object>& offers) {
  array items;
  for (const object& offer : offers) items.push_back(offer);
  return boost::json::serialize(items);
}

// Each offer on a line of its own, every line ended by `eol`.
std::string Ndjson(const std::vector<object>& offers, const std::string& eol = "\n") {
  std::string body;
  for (const object& offer : offers) body += Json(offer) + eol;
  return body;
}

HttpReply PostBatch(TestGateway& gateway, const char* key, const std::string& body,
                    const std::string& content_type = "application/json") {
  return gateway.Call("POST", kBatchPath, key, body, {{"Content-Type", content_type}});
}

// The items of a 201, as objects.
std::vector<object> ItemsOf(const HttpReply& reply) {
  std::vector<object> items;
  const boost::json::value body = reply.Json();
  for (const auto& item : body.at("items").as_array()) items.push_back(item.as_object());
  return items;
}

std::vector<std::string> NamesOf(const std::vector<object>& items) {
  std::vector<std::string> names;
  for (const object& item : items) names.emplace_back(item.at("name").as_string());
  return names;
}

std::vector<std::string> Names(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back("Lô " + std::to_string(i));
  return names;
}

// Every offer GET /v1/offers lists (admin key, pages of 1,000).
std::vector<object> ListedOffers(TestGateway& gateway) {
  std::vector<object> offers;
  std::string target = "/v1/offers?limit=1000";
  for (int page = 0; page < 100; ++page) {
    const HttpReply reply = gateway.Call("GET", target, kAdminKey);
    EXPECT_EQ(reply.status, 200) << reply.body;
    if (reply.status != 200) break;
    for (const object& item : ItemsOf(reply)) offers.push_back(item);
    const boost::json::value next = reply.Json().at("next_cursor");
    if (next.is_null()) break;
    target = "/v1/offers?limit=1000&cursor=" + std::string(next.as_string());
  }
  return offers;
}

// The "message" of every entry of a problem's "errors", in order.
std::vector<std::string> ErrorMessages(const HttpReply& reply) {
  std::vector<std::string> messages;
  const boost::json::value body = reply.Json();
  for (const auto& e : body.at("errors").as_array()) {
    messages.emplace_back(e.as_object().at("message").as_string());
  }
  return messages;
}

// --- Registered -----------------------------------------------------------------------------

TEST(OfferBatchApiTest, JsonArrayRegistersEveryOfferInTheOrderSent) {
  TestGateway gateway;
  std::vector<object> offers = NumberedOffers(3, "lo");

  const HttpReply reply = PostBatch(gateway, kMerchantKey, JsonArray(offers));

  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Header("content-type"), "application/json");
  const std::vector<object> items = ItemsOf(reply);
  ASSERT_EQ(items.size(), 3U);
  EXPECT_EQ(NamesOf(items), Names(3));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const object& item = items[i];
    ids.emplace(item.at("id").as_string());
    EXPECT_TRUE(item.at("id").as_string().starts_with("o_")) << item.at("id");
    EXPECT_EQ(item.at("version").as_int64(), 1);
    EXPECT_EQ(item.at("merchant_id").as_string(), "shop-1");
    EXPECT_EQ(item.at("code").as_string(), "LO" + std::to_string(i));  // stored upper-case
    EXPECT_EQ(item.at("created_at").as_string(), "2026-10-10T12:00:00+07:00");
    // Each answers GET exactly as the batch answered it
    const HttpReply got =
        gateway.Call("GET", "/v1/offers/" + std::string(item.at("id").as_string()), kAnalystKey);
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(got.Json().as_object(), item);
    EXPECT_EQ(got.Header("etag"), "\"1\"");
  }
  EXPECT_EQ(ids.size(), 3U) << "every offer has an id of its own";
  // They are listed, and a quote knows every code: one applied, the two others superseded
  std::set<std::string> listed;
  for (const object& offer : ListedOffers(gateway)) listed.emplace(offer.at("id").as_string());
  EXPECT_EQ(listed, ids);
  object cart = CartBody();
  cart["codes"] = array{"lo0", "LO1", "Lo2"};
  const HttpReply quote = gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(cart));
  ASSERT_EQ(quote.status, 200) << quote.body;
  const boost::json::value quoted = quote.Json();
  ASSERT_EQ(quoted.at("applied").as_array().size(), 1U) << quote.body;
  EXPECT_EQ(quoted.at("applied").at(0).at("discount").as_int64(), 10'000);
  std::set<std::string> quoted_ids{
      std::string(quoted.at("applied").at(0).at("offer_id").as_string())};
  ASSERT_EQ(quoted.at("rejected").as_array().size(), 2U) << quote.body;
  for (const auto& rejected : quoted.at("rejected").as_array()) {
    EXPECT_EQ(rejected.at("reason").as_string(), "superseded") << quote.body;
    quoted_ids.emplace(rejected.at("offer_id").as_string());
  }
  EXPECT_EQ(quoted_ids, ids);
}

TEST(OfferBatchApiTest, NdjsonRegistersEveryLineInOrder) {
  TestGateway gateway;
  for (const char* type :
       {"application/x-ndjson", "application/jsonl", "application/x-ndjson; charset=utf-8"}) {
    SCOPED_TRACE(type);
    const HttpReply reply = PostBatch(gateway, kAdminKey, Ndjson(NumberedOffers(4)), type);
    ASSERT_EQ(reply.status, 201) << reply.body;
    EXPECT_EQ(NamesOf(ItemsOf(reply)), Names(4));
  }
  EXPECT_EQ(ListedOffers(gateway).size(), 12U);
}

TEST(OfferBatchApiTest, NdjsonWithCrlfLinesAndNoFinalNewlineIsRead) {
  TestGateway gateway;
  // CRLF after every line (the last one's too)
  const HttpReply crlf =
      PostBatch(gateway, kAdminKey, Ndjson(NumberedOffers(3), "\r\n"), "application/x-ndjson");
  ASSERT_EQ(crlf.status, 201) << crlf.body;
  EXPECT_EQ(NamesOf(ItemsOf(crlf)), Names(3));
  // And without a newline after the last line
  std::string body = Ndjson(NumberedOffers(2), "\r\n");
  body.resize(body.size() - 2);
  const HttpReply unterminated = PostBatch(gateway, kAdminKey, body, "application/x-ndjson");
  ASSERT_EQ(unterminated.status, 201) << unterminated.body;
  EXPECT_EQ(NamesOf(ItemsOf(unterminated)), Names(2));
  EXPECT_EQ(ListedOffers(gateway).size(), 5U);
}

// --- Refused before anything is written -----------------------------------------------------

TEST(OfferBatchApiTest, EmptyAndNonJsonLinesAreReportedAtTheirPositions) {
  TestGateway gateway;
  const std::string offer = Json(OfferBody());
  // Line i + 1 is item i: [1] empty, [3] not JSON, [4] blank with CRLF, [6] cut short, [8]
  // JSON but no object
  const std::string body = offer + "\n\n" + offer + "\nnot json\n\r\n" + offer + "\n" +
                           R"({"name":"Lô)" + "\n" + offer + "\n[1]\n" + offer + "\n";

  const HttpReply reply = PostBatch(gateway, kAdminKey, body, "application/x-ndjson");

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed")) << reply.body;
  EXPECT_EQ(ErrorPaths(reply), (std::vector<std::string>{"[1]", "[3]", "[4]", "[6]", "[8]"}));
  const std::vector<std::string> messages = ErrorMessages(reply);
  ASSERT_EQ(messages.size(), 5U);
  EXPECT_EQ(messages[0], "an empty line");
  EXPECT_TRUE(messages[1].starts_with("not valid JSON")) << messages[1];
  EXPECT_EQ(messages[2], "an empty line");
  EXPECT_TRUE(messages[3].starts_with("not valid JSON")) << messages[3];
  EXPECT_EQ(messages[4], "must be a JSON object: an offer");
  EXPECT_TRUE(ListedOffers(gateway).empty());
}

TEST(OfferBatchApiTest, EveryInvalidOfferIsListedUnderItsPositionAndNothingIsWritten) {
  TestGateway gateway;
  std::vector<object> offers = NumberedOffers(7);
  offers[1]["discount"] = object{{"type", "percent"}, {"value", 101}};
  offers[3]["colour"] = "red";
  offers[5]["ends_at"] = "2026-09-01T00:00:00+07:00";
  array items;
  for (const object& offer : offers) items.push_back(offer);
  items[4] = 7;  // not an object

  const HttpReply reply = PostBatch(gateway, kMerchantKey, boost::json::serialize(items));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed")) << reply.body;
  EXPECT_EQ(ErrorPaths(reply),
            (std::vector<std::string>{"[1].discount.value", "[3].colour", "[4]", "[5].ends_at"}));
  EXPECT_TRUE(ListedOffers(gateway).empty()) << "the valid offers were written";
}

TEST(OfferBatchApiTest, AnEmptyBatchIs422) {
  TestGateway gateway;
  for (const auto& [body, type] : {std::pair<std::string, std::string>{"[]", "application/json"},
                                   {"", "application/x-ndjson"},
                                   {"\n", "application/x-ndjson"}}) {
    SCOPED_TRACE(type + " '" + body + "'");
    const HttpReply reply = PostBatch(gateway, kAdminKey, body, type);
    ASSERT_TRUE(IsProblem(reply, 422, "validation_failed")) << reply.body;
    EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{""});
    EXPECT_EQ(ErrorMessages(reply),
              std::vector<std::string>{"a batch holds from 1 to 10000 offers, not 0"});
  }
}

TEST(OfferBatchApiTest, TenThousandOffersAreOneBatchAndOneMoreIs422) {
  TestGateway gateway;
  std::vector<object> offers = NumberedOffers(10'001);

  const HttpReply over = PostBatch(gateway, kAdminKey, JsonArray(offers));

  ASSERT_TRUE(IsProblem(over, 422, "validation_failed")) << over.body.substr(0, 500);
  EXPECT_EQ(ErrorPaths(over), std::vector<std::string>{""});
  EXPECT_EQ(ErrorMessages(over),
            std::vector<std::string>{"a batch holds from 1 to 10000 offers, not 10001"});
  EXPECT_TRUE(ListedOffers(gateway).empty());

  offers.pop_back();
  const HttpReply at_most = PostBatch(gateway, kAdminKey, Ndjson(offers), "application/x-ndjson");

  ASSERT_EQ(at_most.status, 201) << at_most.body.substr(0, 500);
  const std::vector<object> items = ItemsOf(at_most);
  ASSERT_EQ(items.size(), 10'000U);
  EXPECT_EQ(items.back().at("name").as_string(), "Lô 9999");
  EXPECT_EQ(ListedOffers(gateway).size(), 10'000U);
}

TEST(OfferBatchApiTest, BodyOfAnotherMediaTypeIs415) {
  TestGateway gateway;
  for (const char* type : {"text/plain", "application/xml", "application/x-www-form-urlencoded"}) {
    SCOPED_TRACE(type);
    const HttpReply reply = PostBatch(gateway, kAdminKey, JsonArray(NumberedOffers(2)), type);
    EXPECT_TRUE(IsProblem(reply, 415, "unsupported_media_type")) << reply.body;
  }
  EXPECT_TRUE(ListedOffers(gateway).empty());
}

TEST(OfferBatchApiTest, JsonBodyThatIsNotAnArrayOfOffersIs400) {
  TestGateway gateway;
  for (const std::string& body : {Json(OfferBody()), std::string("[") + Json(OfferBody()),
                                  std::string("\"offers\""), std::string("[{}] []")}) {
    SCOPED_TRACE(body);
    const HttpReply reply = PostBatch(gateway, kAdminKey, body);
    EXPECT_TRUE(IsProblem(reply, 400, "malformed_json")) << reply.body;
  }
  EXPECT_TRUE(ListedOffers(gateway).empty());
}

// --- Merchant keys --------------------------------------------------------------------------

TEST(OfferBatchApiTest, MerchantKeyRegistersForItsOwnShopNamedOrNot) {
  TestGateway gateway;
  std::vector<object> offers = NumberedOffers(2);
  offers[1].erase("merchant_id");

  const HttpReply shop1 = PostBatch(gateway, kMerchantKey, JsonArray(offers));
  offers[0]["merchant_id"] = "shop-2";
  const HttpReply shop2 = PostBatch(gateway, kOtherMerchantKey, JsonArray(offers));

  ASSERT_EQ(shop1.status, 201) << shop1.body;
  for (const object& item : ItemsOf(shop1)) EXPECT_EQ(item.at("merchant_id").as_string(), "shop-1");
  ASSERT_EQ(shop2.status, 201) << shop2.body;
  for (const object& item : ItemsOf(shop2)) EXPECT_EQ(item.at("merchant_id").as_string(), "shop-2");
}

TEST(OfferBatchApiTest, AdminMustNameEachOffersMerchant) {
  TestGateway gateway;
  std::vector<object> offers = NumberedOffers(3);
  offers[2].erase("merchant_id");

  const HttpReply reply = PostBatch(gateway, kAdminKey, JsonArray(offers));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed")) << reply.body;
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"[2].merchant_id"});
  EXPECT_TRUE(ListedOffers(gateway).empty());
}

TEST(OfferBatchApiTest, MerchantKeyNamingAnotherShopIs403AndNothingIsWritten) {
  TestGateway gateway;
  std::vector<object> offers = NumberedOffers(3);
  offers[2]["merchant_id"] = "shop-2";

  const HttpReply reply = PostBatch(gateway, kMerchantKey, JsonArray(offers));

  ASSERT_TRUE(IsProblem(reply, 403, "forbidden")) << reply.body;
  EXPECT_TRUE(Object(reply).at("detail").as_string().starts_with("[2]")) << reply.body;
  EXPECT_TRUE(ListedOffers(gateway).empty());
}

TEST(OfferBatchApiTest, MerchantKeyRegisteringAnOfferOnlyAnAdminMayIs403AndNothingIsWritten) {
  object platform_layer = OfferBody();
  platform_layer["layer"] = "platform";
  object platform_funded = OfferBody();
  platform_funded["funded_by"] = "platform";
  for (const object& admin_only : {platform_layer, platform_funded}) {
    SCOPED_TRACE(Json(admin_only));
    TestGateway gateway;
    std::vector<object> offers = NumberedOffers(2);
    offers.push_back(admin_only);

    const HttpReply reply = PostBatch(gateway, kMerchantKey, JsonArray(offers));

    ASSERT_TRUE(IsProblem(reply, 403, "forbidden")) << reply.body;
    EXPECT_TRUE(Object(reply).at("detail").as_string().starts_with("[2]")) << reply.body;
    EXPECT_TRUE(ListedOffers(gateway).empty());
    // The same batch is fine for an admin: the 403 is about the key, not the offers
    EXPECT_EQ(PostBatch(gateway, kAdminKey, JsonArray(offers)).status, 201);
    EXPECT_EQ(ListedOffers(gateway).size(), 3U);
  }
}

TEST(OfferBatchApiTest, CheckoutAndAnalystKeysAre403AndNothingIsWritten) {
  TestGateway gateway;
  for (const char* key : {kCheckoutKey, kAnalystKey}) {
    const HttpReply reply = PostBatch(gateway, key, JsonArray(NumberedOffers(2)));
    EXPECT_TRUE(IsProblem(reply, 403, "forbidden")) << reply.body;
  }
  EXPECT_TRUE(ListedOffers(gateway).empty());
}

// --- The store's refusals -------------------------------------------------------------------

// Offers named by the client make a batch safe to send again after a lost answer: the retry is
// refused whole, naming every offer already registered, and registers nothing twice.
TEST(OfferBatchApiTest, ABatchSentAgainWithItsOwnIdsIs409NamingEveryOfferAndWritesNothing) {
  TestGateway gateway;
  std::vector<object> offers = NumberedOffers(3, "lo");
  for (std::size_t i = 0; i < offers.size(); ++i) offers[i]["id"] = "lo-" + std::to_string(i);

  const HttpReply first = PostBatch(gateway, kMerchantKey, JsonArray(offers));
  const HttpReply retry = PostBatch(gateway, kMerchantKey, Ndjson(offers), "application/x-ndjson");

  ASSERT_EQ(first.status, 201) << first.body;
  std::vector<std::string> ids;
  for (const object& item : ItemsOf(first)) ids.emplace_back(item.at("id").as_string());
  EXPECT_EQ(ids, (std::vector<std::string>{"lo-0", "lo-1", "lo-2"}));
  ASSERT_TRUE(IsProblem(retry, 409, "already_exists")) << retry.body;
  EXPECT_EQ(ErrorPaths(retry), (std::vector<std::string>{"[0].id", "[1].id", "[2].id"}));
  EXPECT_EQ(ListedOffers(gateway).size(), 3U);
}

TEST(OfferBatchApiTest, AnIdGivenTwiceInOneBatchIs409AtTheSecondAndAnInvalidOneIs422) {
  TestGateway gateway;
  std::vector<object> offers = NumberedOffers(3);
  offers[0]["id"] = "twice";
  offers[2]["id"] = "twice";
  const HttpReply twice = PostBatch(gateway, kMerchantKey, JsonArray(offers));
  offers[2]["id"] = "not/one";
  const HttpReply invalid = PostBatch(gateway, kMerchantKey, JsonArray(offers));

  ASSERT_TRUE(IsProblem(twice, 409, "already_exists")) << twice.body;
  EXPECT_EQ(ErrorPaths(twice), std::vector<std::string>{"[2].id"});
  ASSERT_TRUE(IsProblem(invalid, 422, "validation_failed")) << invalid.body;
  EXPECT_EQ(ErrorPaths(invalid), std::vector<std::string>{"[2].id"});
  EXPECT_TRUE(ListedOffers(gateway).empty());
}

TEST(OfferBatchApiTest, TwoOffersOfTheBatchWithOneCodeAre409NamingTheSecond) {
  TestGateway gateway;
  std::vector<object> offers = NumberedOffers(4, "SALE");
  offers[3]["code"] = "sale1";  // SALE1 once upper-cased, as [1]'s

  const HttpReply reply = PostBatch(gateway, kMerchantKey, JsonArray(offers));

  ASSERT_TRUE(IsProblem(reply, 409, "code_conflict")) << reply.body;
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"[3].code"});
  EXPECT_TRUE(ListedOffers(gateway).empty());
}

TEST(OfferBatchApiTest, CodesOfLiveOffersAre409NamingEachPosition) {
  TestGateway gateway;
  object existing = OfferBody();
  existing["code_mode"] = "public";
  existing["code"] = "THANG10";
  const std::string owner = CreateOffer(gateway, kMerchantKey, existing);
  std::vector<object> offers = NumberedOffers(3, "LO");
  offers[0]["code"] = "thang10";
  offers[2]["code"] = "THANG10";

  const HttpReply reply = PostBatch(gateway, kMerchantKey, JsonArray(offers));

  ASSERT_TRUE(IsProblem(reply, 409, "code_conflict")) << reply.body;
  EXPECT_EQ(ErrorPaths(reply), (std::vector<std::string>{"[0].code", "[2].code"}));
  const std::vector<object> listed = ListedOffers(gateway);
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].at("id").as_string(), owner);
}

TEST(OfferBatchApiTest, TwoShopsTakeOneCodeInOneBatch) {
  TestGateway gateway;
  std::vector<object> offers = NumberedOffers(2, "");
  for (object& offer : offers) {
    offer["code_mode"] = "public";
    offer["code"] = "SALE10";
  }
  offers[1]["merchant_id"] = "shop-2";

  const HttpReply reply = PostBatch(gateway, kAdminKey, JsonArray(offers));

  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::vector<object> items = ItemsOf(reply);
  ASSERT_EQ(items.size(), 2U);
  EXPECT_EQ(items[0].at("merchant_id").as_string(), "shop-1");
  EXPECT_EQ(items[1].at("merchant_id").as_string(), "shop-2");
  EXPECT_EQ(items[1].at("code").as_string(), "SALE10");
}

// GET /v1/offers looks at no more than 10,000 offers a page: in a catalog of 12,000 with one
// paused offer, listing the paused ones ends early with a cursor (no page sorts or walks the
// whole catalog) and, read on until the cursor is null, finds exactly that one.
TEST(OfferBatchApiTest, ListingARareStatusInALargeCatalogEndsPagesEarlyAndReadsOnByCursor) {
  TestGateway gateway;
  std::vector<std::string> ids;
  for (int batch = 0; batch < 2; ++batch) {
    const HttpReply reply =
        PostBatch(gateway, kAdminKey, Ndjson(NumberedOffers(6'000)), "application/x-ndjson");
    ASSERT_EQ(reply.status, 201) << reply.body;
    for (const object& item : ItemsOf(reply)) ids.emplace_back(item.at("id").as_string());
  }
  const std::string paused = ids[1234];
  ASSERT_EQ(
      gateway.Call("PATCH", "/v1/offers/" + paused, kAdminKey, R"({"status":"paused"})").status,
      200);

  std::vector<std::string> found;
  std::size_t pages = 0;
  bool ended_early = false;
  std::string target = "/v1/offers?status=paused&limit=5";
  for (; pages < 10; ++pages) {
    const HttpReply reply = gateway.Call("GET", target, kAnalystKey);
    ASSERT_EQ(reply.status, 200) << reply.body;
    const boost::json::value body = reply.Json();
    const auto& items = body.at("items").as_array();
    for (const auto& item : items) found.emplace_back(item.at("id").as_string());
    const boost::json::value& next = body.at("next_cursor");
    if (next.is_null()) break;
    ended_early = ended_early || items.size() < 5;
    target = "/v1/offers?status=paused&limit=5&cursor=" + std::string(next.as_string());
  }

  EXPECT_EQ(found, std::vector<std::string>{paused});
  EXPECT_TRUE(ended_early) << "a page with a cursor and fewer items than its limit";
  EXPECT_GE(pages, 1U);
  EXPECT_LE(pages, 2U) << "12,000 offers at 10,000 a page";
}

}  // namespace
}  // namespace uudai::testing
