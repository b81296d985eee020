// POST /v1/checkout/quote through JSON (docs/design.md §3 arithmetic, §4 shapes): exact amounts,
// caps, trimming, rejections with their reasons, the `at` preview, case-insensitive codes.
#include <gtest/gtest.h>

#include <string>

#include <boost/json/array.hpp>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using boost::json::array;
using boost::json::object;

HttpReply Quote(TestGateway& gateway, const object& cart) {
  return gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(cart));
}

object Item(const std::string& sku, const std::string& category, std::int64_t unit_price,
            std::int64_t quantity) {
  return object{
      {"sku", sku}, {"category", category}, {"unit_price", unit_price}, {"quantity", quantity}};
}

object PublicCodeOffer(const std::string& code) {
  object body = OfferBody();
  body["code_mode"] = "public";
  body["code"] = code;
  return body;
}

// An admin offer on a non-merchant layer, open to every shop.
object PlatformOffer(const std::string& layer, const object& discount) {
  object body = OfferBody();
  body["merchant_id"] = "platform";
  body["layer"] = layer;
  body["discount"] = discount;
  return body;
}

TEST(QuoteApiTest, PercentDiscountIsFlooredToWholeDong) {
  TestGateway gateway;
  object offer = OfferBody();
  offer["discount"] = object{{"type", "percent"}, {"value", 15}};
  const std::string id = CreateOffer(gateway, kMerchantKey, offer);

  const HttpReply reply = Quote(gateway, CartBody(99'999));  // 14 999.85

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Object(reply), (object{{"subtotal", 99'999},
                                   {"shipping_fee", 0},
                                   {"discount_total", 14'999},
                                   {"total", 85'000},
                                   {"applied", array{object{{"offer_id", id},
                                                            {"layer", "merchant"},
                                                            {"code", nullptr},
                                                            {"discount", 14'999}}}},
                                   {"rejected", array{}}}));
}

TEST(QuoteApiTest, PercentDiscountIsCappedAtMaxAmount) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());  // 10%, max 100.000

  const HttpReply reply = Quote(gateway, CartBody(1'500'000, 2));  // 10% = 300.000

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("subtotal").as_int64(), 3'000'000);
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 100'000);
  EXPECT_EQ(reply.Json().at("total").as_int64(), 2'900'000);
}

TEST(QuoteApiTest, FixedDiscountIsLimitedToTheEligibleItems) {
  TestGateway gateway;
  object offer = OfferBody();
  offer["discount"] = object{{"type", "fixed"}, {"value", 50'000}};
  offer["categories"] = array{"books"};
  CreateOffer(gateway, kMerchantKey, offer);
  object cart = CartBody();
  cart["items"] = array{Item("novel", "books", 15'000, 2), Item("tv", "electronics", 500'000, 1)};

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("subtotal").as_int64(), 530'000);
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 30'000);
  EXPECT_EQ(reply.Json().at("total").as_int64(), 500'000);
}

TEST(QuoteApiTest, FreeShippingIsCappedAtMaxAmount) {
  TestGateway gateway;
  const std::string id = CreateOffer(
      gateway, kAdminKey,
      PlatformOffer("shipping", object{{"type", "free_shipping"}, {"max_amount", 20'000}}));
  object cart = CartBody(100'000);
  cart["shipping_fee"] = 30'000;

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("shipping_fee").as_int64(), 30'000);
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 20'000);
  EXPECT_EQ(reply.Json().at("total").as_int64(), 110'000);
  EXPECT_EQ(
      reply.Json().at("applied"),
      (array{object{
          {"offer_id", id}, {"layer", "shipping"}, {"code", nullptr}, {"discount", 20'000}}}));
}

TEST(QuoteApiTest, FreeShippingWithoutMaxCoversTheWholeFee) {
  TestGateway gateway;
  CreateOffer(gateway, kAdminKey, PlatformOffer("shipping", object{{"type", "free_shipping"}}));
  object cart = CartBody(100'000);
  cart["shipping_fee"] = 25'000;

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 25'000);
  EXPECT_EQ(reply.Json().at("total").as_int64(), 100'000);
}

TEST(QuoteApiTest, LayersCombineAndTheLastItemLayerIsTrimmedToTheSubtotal) {
  TestGateway gateway;
  object merchant = OfferBody();
  merchant["discount"] = object{{"type", "fixed"}, {"value", 80'000}};
  const std::string merchant_id = CreateOffer(gateway, kMerchantKey, merchant);
  const std::string platform_id = CreateOffer(
      gateway, kAdminKey, PlatformOffer("platform", object{{"type", "fixed"}, {"value", 50'000}}));
  object cart = CartBody(100'000);
  cart["shipping_fee"] = 15'000;

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 100'000);
  EXPECT_EQ(reply.Json().at("total").as_int64(), 15'000);
  EXPECT_EQ(reply.Json().at("applied"), (array{object{{"offer_id", merchant_id},
                                                      {"layer", "merchant"},
                                                      {"code", nullptr},
                                                      {"discount", 80'000}},
                                               object{{"offer_id", platform_id},
                                                      {"layer", "platform"},
                                                      {"code", nullptr},
                                                      {"discount", 20'000}}}));
}

TEST(QuoteApiTest, DiscountsAreComputedBeforeEachOtherWithoutCompounding) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());  // 10% of 200.000 = 20.000
  CreateOffer(gateway, kAdminKey,
              PlatformOffer("payment", object{{"type", "percent"}, {"value", 5}}));  // 10.000

  const HttpReply reply = Quote(gateway, CartBody(200'000));

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 30'000);
  EXPECT_EQ(reply.Json().at("total").as_int64(), 170'000);
}

TEST(QuoteApiTest, SuppliedCodesThatDoNotApplyAreRejectedWithReasons) {
  TestGateway gateway;
  object min_order = PublicCodeOffer("THANG10");
  min_order["min_order_amount"] = 500'000;
  const std::string min_order_id = CreateOffer(gateway, kMerchantKey, min_order);
  object digital_only = PublicCodeOffer("VIDIENTU");
  digital_only["payment_methods"] = array{"digital"};
  const std::string digital_id = CreateOffer(gateway, kMerchantKey, digital_only);
  object cart = CartBody(100'000);
  cart["payment_method"] = "cod";
  cart["codes"] = array{"THANG10", "NOPE-123", "vidientu"};

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 0);
  EXPECT_EQ(reply.Json().at("total").as_int64(), 100'000);
  EXPECT_TRUE(reply.Json().at("applied").as_array().empty());
  EXPECT_EQ(
      reply.Json().at("rejected"),
      (array{
          object{{"code", "THANG10"}, {"offer_id", min_order_id}, {"reason", "min_order_amount"}},
          object{{"code", "NOPE-123"}, {"offer_id", nullptr}, {"reason", "unknown_code"}},
          object{{"code", "vidientu"}, {"offer_id", digital_id}, {"reason", "payment_method"}},
      }));
}

// A shop's public code is looked up only in that shop's carts (code scopes): elsewhere it is
// unknown, and the answer names none of that shop's offers.
TEST(QuoteApiTest, PublicCodeOfAnotherMerchantIsUnknownCode) {
  TestGateway gateway;
  object offer = PublicCodeOffer("SHOP2SALE");
  offer["merchant_id"] = "shop-2";
  const std::string id = CreateOffer(gateway, kOtherMerchantKey, offer);
  object cart = CartBody();
  cart["codes"] = array{"SHOP2SALE"};

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(
      reply.Json().at("rejected"),
      (array{object{{"code", "SHOP2SALE"}, {"offer_id", nullptr}, {"reason", "unknown_code"}}}));
  EXPECT_EQ(reply.body.find(id), std::string::npos) << reply.body;
}

TEST(QuoteApiTest, CodesMatchCaseInsensitively) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, PublicCodeOffer("THANG10"));
  object cart = CartBody(100'000);
  cart["codes"] = array{"thang10"};

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(
      reply.Json().at("applied"),
      (array{object{
          {"offer_id", id}, {"layer", "merchant"}, {"code", "THANG10"}, {"discount", 10'000}}}));
  EXPECT_TRUE(reply.Json().at("rejected").as_array().empty());
}

TEST(QuoteApiTest, AtPreviewsTheQuoteAtAnotherInstant) {
  TestGateway gateway;
  object offer = PublicCodeOffer("SALE15");
  offer["starts_at"] = "2026-10-15T00:00:00+07:00";
  offer["ends_at"] = "2026-10-16T00:00:00+07:00";
  const std::string id = CreateOffer(gateway, kMerchantKey, offer);
  object cart = CartBody(100'000);
  cart["codes"] = array{"SALE15"};

  const HttpReply now = Quote(gateway, cart);
  cart["at"] = "2026-10-15T09:30:00+07:00";
  const HttpReply during = Quote(gateway, cart);
  cart["at"] = "2026-10-16T00:00:00+07:00";  // ends_at is exclusive
  const HttpReply after = Quote(gateway, cart);

  ASSERT_EQ(now.status, 200);
  EXPECT_EQ(now.Json().at("rejected"),
            (array{object{{"code", "SALE15"}, {"offer_id", id}, {"reason", "not_started"}}}));
  ASSERT_EQ(during.status, 200);
  EXPECT_EQ(during.Json().at("discount_total").as_int64(), 10'000);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.Json().at("rejected"),
            (array{object{{"code", "SALE15"}, {"offer_id", id}, {"reason", "ended"}}}));
}

TEST(QuoteApiTest, AtMustBeAnRfc3339TimestampWithOffset) {
  TestGateway gateway;
  object cart = CartBody();
  cart["at"] = "2026-10-15 09:30:00";

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"at"});
}

TEST(QuoteApiTest, QuoteHasNoSideEffects) {
  TestGateway gateway;
  object offer = OfferBody();
  offer["limits"] = object{{"total_redemptions", 1}};
  const std::string id = CreateOffer(gateway, kMerchantKey, offer);

  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Quote(gateway, CartBody()).Json().at("discount_total").as_int64(), 10'000);
  }
  const HttpReply stats = gateway.Call("GET", "/v1/stats/offers/" + id, kAnalystKey);

  EXPECT_EQ(stats.Json().at("remaining").at("redemptions").as_int64(), 1);
  EXPECT_EQ(stats.Json().at("redemptions").at("reserved").as_int64(), 0);
}

TEST(QuoteApiTest, UnknownPaymentMethodIs422) {
  TestGateway gateway;
  object cart = CartBody();
  cart["payment_method"] = "paypal";

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"payment_method"});
}

}  // namespace
}  // namespace uudai::testing
