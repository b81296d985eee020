// Hostile and sloppy request bodies and targets (docs/design.md §4 strict bodies, errors): unknown
// fields, wrong types, bad numbers, bad UTF-8, deep nesting, wrong media type, unknown routes.
// Every refusal is an RFC 9457 problem.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

// A quote body whose first item's unit_price is the raw JSON text `unit_price`.
std::string CartWithUnitPrice(const std::string& unit_price) {
  return R"({"shopper_id":"s-1","merchant_id":"shop-1","payment_method":"momo",)"
         R"("items":[{"sku":"a","category":"c","unit_price":)" +
         unit_price + R"(,"quantity":1}]})";
}

HttpReply Quote(TestGateway& gateway, const std::string& body, const Headers& headers = {}) {
  return gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey, body, headers);
}

// --- Strict fields ------------------------------------------------------------------------------

TEST(HostileInputTest, UnknownTopLevelFieldIs422UnknownFieldWithItsPath) {
  TestGateway gateway;
  auto cart = CartBody();
  cart["coupon"] = "THANG10";

  const HttpReply reply = Quote(gateway, Json(cart));

  ASSERT_TRUE(IsProblem(reply, 422, "unknown_field"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"coupon"});
}

TEST(HostileInputTest, UnknownNestedFieldIs422WithItsFullPath) {
  TestGateway gateway;
  auto cart = CartBody();
  cart["items"].as_array()[0].as_object()["colour"] = "red";

  const HttpReply reply = Quote(gateway, Json(cart));

  ASSERT_TRUE(IsProblem(reply, 422, "unknown_field"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"items[0].colour"});
}

TEST(HostileInputTest, MisspelledOfferConditionIsRefusedNotDropped) {
  TestGateway gateway;
  auto offer = OfferBody();
  offer["min_order_ammount"] = 500'000;
  offer["limits"] = boost::json::object{{"per_shoper", 1}};

  const HttpReply reply = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(offer));

  ASSERT_TRUE(IsProblem(reply, 422, "unknown_field"));
  EXPECT_EQ(ErrorPaths(reply),
            (std::vector<std::string>{"limits.per_shoper", "min_order_ammount"}));
  EXPECT_EQ(gateway.Call("GET", "/v1/offers", kMerchantKey).Json().at("items").as_array().size(),
            0U);
}

// --- Types and numbers --------------------------------------------------------------------------

TEST(HostileInputTest, QuantityAsAStringIs422AtItsPath) {
  TestGateway gateway;
  auto cart = CartBody();
  cart["items"].as_array()[0].as_object()["quantity"] = "2";

  const HttpReply reply = Quote(gateway, Json(cart));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"items[0].quantity"});
}

TEST(HostileInputTest, FractionalAmountIs422) {
  TestGateway gateway;

  const HttpReply reply = Quote(gateway, CartWithUnitPrice("1.5"));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"items[0].unit_price"});
}

TEST(HostileInputTest, AmountInExponentNotationIs422) {
  TestGateway gateway;
  for (const char* text : {"1e3", "1000.0", "1E3"}) {
    SCOPED_TRACE(text);
    const HttpReply reply = Quote(gateway, CartWithUnitPrice(text));
    ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
    EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"items[0].unit_price"});
  }
}

TEST(HostileInputTest, AmountAbove10To15Is422) {
  TestGateway gateway;
  for (const char* text : {"1000000000000001", "9223372036854775807", "18446744073709551615",
                           "99999999999999999999999"}) {
    SCOPED_TRACE(text);
    const HttpReply reply = Quote(gateway, CartWithUnitPrice(text));
    ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
    EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"items[0].unit_price"});
  }
}

TEST(HostileInputTest, AmountOfExactly10To15IsAccepted) {
  TestGateway gateway;

  const HttpReply reply = Quote(gateway, CartWithUnitPrice("1000000000000000"));

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("subtotal").as_int64(), 1'000'000'000'000'000);
}

TEST(HostileInputTest, NegativeAmountIs422) {
  TestGateway gateway;
  auto cart = CartBody();
  cart["shipping_fee"] = -1;

  const HttpReply reply = Quote(gateway, Json(cart));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"shipping_fee"});
}

TEST(HostileInputTest, ItemsSubtotalAbove10To15Is422) {
  TestGateway gateway;
  auto cart = CartBody(600'000'000'000'000, 2);

  const HttpReply reply = Quote(gateway, Json(cart));

  EXPECT_TRUE(IsProblem(reply, 422, "validation_failed"));
}

TEST(HostileInputTest, EveryInvalidFieldIsReportedWithItsPath) {
  TestGateway gateway;
  const std::string body =
      R"({"shopper_id":7,"merchant_id":"shop-1","payment_method":"momo","shipping_fee":"0",)"
      R"("items":[{"sku":"a","category":"c","unit_price":100,"quantity":0},)"
      R"({"sku":"b","category":"c","unit_price":-5,"quantity":1}],"codes":["OK1",3]})";

  const HttpReply reply = Quote(gateway, body);

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply),
            (std::vector<std::string>{"shopper_id", "shipping_fee", "items[0].quantity",
                                      "items[1].unit_price", "codes[1]"}));
}

TEST(HostileInputTest, ControlCharacterInANameIs422) {
  TestGateway gateway;
  auto offer = OfferBody();
  offer["name"] = std::string("Giảm\x01giá");

  const HttpReply reply = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(offer));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"name"});
}

// Found by fuzzing (tests/fuzz offer_json): this instant is in 1969, so the offer came back
// from GET as "1969-12-31T21:00:00+07:00", which the API itself refused, and no PATCH of the
// offer (even of its name alone) could pass.
TEST(HostileInputTest, OfferStartingBeforeTheEpochIs422) {
  TestGateway gateway;
  auto offer = OfferBody();
  offer["starts_at"] = "1970-01-01T00:00:00+10:00";

  const HttpReply reply = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(offer));

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"starts_at"});
}

// --- Syntax -------------------------------------------------------------------------------------

TEST(HostileInputTest, InvalidUtf8Is400MalformedJson) {
  TestGateway gateway;
  for (const std::string& bad : {std::string("\xff"), std::string("\xc0\xaf"),  // overlong '/'
                                 std::string("\xed\xa0\x80")}) {                // surrogate
    const HttpReply reply =
        Quote(gateway, R"({"shopper_id":"s-)" + bad + R"(","merchant_id":"shop-1"})");
    EXPECT_TRUE(IsProblem(reply, 400, "malformed_json"));
  }
}

TEST(HostileInputTest, NestingDeeperThan16Is400) {
  TestGateway gateway;
  // {"x": + 16 arrays: 17 levels.
  const std::string body = R"({"x":)" + std::string(16, '[') + std::string(16, ']') + "}";

  const HttpReply reply = Quote(gateway, body);

  EXPECT_TRUE(IsProblem(reply, 400, "malformed_json"));
}

TEST(HostileInputTest, NestingOf16LevelsIsParsed) {
  TestGateway gateway;
  const std::string body = R"({"x":)" + std::string(15, '[') + std::string(15, ']') + "}";

  const HttpReply reply = Quote(gateway, body);

  EXPECT_EQ(reply.status, 422) << reply.body;  // parsed; then refused field by field
}

TEST(HostileInputTest, DeeplyNestedBodyIs400NotACrash) {
  TestGateway gateway;
  const std::string body = std::string(100'000, '[') + std::string(100'000, ']');

  const HttpReply reply = Quote(gateway, body);

  EXPECT_TRUE(IsProblem(reply, 400, "malformed_json"));
  EXPECT_EQ(gateway.Call("GET", "/healthz", nullptr).status, 200);
}

TEST(HostileInputTest, BodyThatIsNotAnObjectIs400) {
  TestGateway gateway;
  for (const char* body : {"[]", R"("cart")", "42", "null", "true"}) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(IsProblem(Quote(gateway, body), 400, "malformed_json"));
  }
}

TEST(HostileInputTest, TruncatedOrTrailingJsonIs400) {
  TestGateway gateway;
  for (const char* body : {R"({"shopper_id":)", R"({} {})", R"({}x)", "{", "{'a':1}"}) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(IsProblem(Quote(gateway, body), 400, "malformed_json"));
  }
}

TEST(HostileInputTest, EmptyJsonBodyIs400) {
  TestGateway gateway;

  const HttpReply reply = Quote(gateway, "", {{"Content-Type", "application/json"}});

  EXPECT_TRUE(IsProblem(reply, 400, "malformed_json"));
}

TEST(HostileInputTest, NonJsonContentTypeIs415) {
  TestGateway gateway;
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
    SCOPED_TRACE(type);
    const HttpReply reply = Quote(gateway, Json(CartBody()), {{"Content-Type", type}});
    EXPECT_TRUE(IsProblem(reply, 415, "unsupported_media_type"));
  }
}

TEST(HostileInputTest, MissingContentTypeIs415) {
  TestGateway gateway;
  const std::string body = Json(CartBody());
  const std::string request =
      "POST /v1/checkout/quote HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
      std::string(kCheckoutKey) + "\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;

  const std::string raw = RawExchange(gateway.port(), request);

  EXPECT_EQ(StatusOf(raw), 415) << raw;
}

TEST(HostileInputTest, JsonWithCharsetIsAccepted) {
  TestGateway gateway;

  const HttpReply reply =
      Quote(gateway, Json(CartBody()), {{"Content-Type", "application/json; charset=utf-8"}});

  EXPECT_EQ(reply.status, 200) << reply.body;
}

// --- Routes -------------------------------------------------------------------------------------

TEST(HostileInputTest, UnknownPathIs404) {
  TestGateway gateway;
  for (const char* path : {"/", "/v1", "/v2/offers", "/v1/offers/x/y/z", "/v1/offers//codes",
                           "/healthz/", "/HEALTHZ"}) {
    SCOPED_TRACE(path);
    EXPECT_TRUE(IsProblem(gateway.Call("GET", path, kAdminKey), 404, "not_found"));
  }
}

TEST(HostileInputTest, WrongMethodIs405WithAnAllowHeader) {
  TestGateway gateway;

  const HttpReply offers = gateway.Call("DELETE", "/v1/offers", kAdminKey);
  const HttpReply offer = gateway.Call("PUT", "/v1/offers/o_1", kAdminKey, "{}");
  const HttpReply healthz = gateway.Call("POST", "/healthz", nullptr, "{}");

  ASSERT_TRUE(IsProblem(offers, 405, "method_not_allowed"));
  EXPECT_EQ(offers.Header("allow"), "POST, GET");
  ASSERT_TRUE(IsProblem(offer, 405, "method_not_allowed"));
  EXPECT_EQ(offer.Header("allow"), "GET, PATCH");
  ASSERT_TRUE(IsProblem(healthz, 405, "method_not_allowed"));
  EXPECT_EQ(healthz.Header("allow"), "GET");
}

TEST(HostileInputTest, AbsoluteFormTargetIs400) {
  TestGateway gateway;

  const std::string raw =
      RawExchange(gateway.port(), "GET http://evil.example/healthz HTTP/1.1\r\nHost: x\r\n\r\n");

  EXPECT_EQ(StatusOf(raw), 400) << raw;
  EXPECT_NE(raw.find("application/problem+json"), std::string::npos) << raw;
}

// Found by fuzzing (tests/fuzz request_path): a percent-decoded path is any bytes, and the 404
// quoted them as they were, so the problem body was not valid UTF-8, hence not JSON.
TEST(HostileInputTest, PathThatDecodesToInvalidUtf8GetsAProblemInValidJson) {
  TestGateway gateway;

  const HttpReply unknown_offer = gateway.Call("GET", "/v1/offers/%FF%C3%28", kAdminKey);
  const HttpReply unknown_route = gateway.Call("GET", "/%ED%A0%80", nullptr);

  ASSERT_TRUE(IsProblem(unknown_offer, 404, "not_found"));
  EXPECT_EQ(unknown_offer.Json().at("detail").as_string(),
            "offer \xEF\xBF\xBD\xEF\xBF\xBD( does not exist");
  ASSERT_TRUE(IsProblem(unknown_route, 404, "not_found"));
}

TEST(HostileInputTest, ProblemTypeIsAStableUrnOfTheCode) {
  TestGateway gateway;

  const HttpReply reply = gateway.Call("GET", "/nowhere", nullptr);

  ASSERT_TRUE(IsProblem(reply, 404, "not_found"));
  EXPECT_EQ(reply.Json().at("type").as_string(), "urn:uudai:problem:not_found");
  EXPECT_EQ(reply.Json().at("title").as_string(), "Not found");
}

}  // namespace
}  // namespace uudai::testing
