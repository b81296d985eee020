// POST /v1/checkout/quote through JSON (docs/design.md §3 arithmetic, §4 shapes): exact amounts,
// caps, trimming, rejections with their reasons, the `at` preview, case-insensitive codes.
#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

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
                                   {"cashback_total", 0},
                                   {"applied", array{object{{"offer_id", id},
                                                            {"layer", "merchant"},
                                                            {"code", nullptr},
                                                            {"discount", 14'999},
                                                            {"cashback", 0}}}},
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
  EXPECT_EQ(reply.Json().at("applied"), (array{object{{"offer_id", id},
                                                      {"layer", "shipping"},
                                                      {"code", nullptr},
                                                      {"discount", 20'000},
                                                      {"cashback", 0}}}));
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
                                                      {"discount", 80'000},
                                                      {"cashback", 0}},
                                               object{{"offer_id", platform_id},
                                                      {"layer", "platform"},
                                                      {"code", nullptr},
                                                      {"discount", 20'000},
                                                      {"cashback", 0}}}));
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
  EXPECT_EQ(reply.Json().at("applied"), (array{object{{"offer_id", id},
                                                      {"layer", "merchant"},
                                                      {"code", "THANG10"},
                                                      {"discount", 10'000},
                                                      {"cashback", 0}}}));
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

// --- Tiered and buy_x_get_y discounts ---------------------------------------------------------

// "Mua từ 3 món giảm 5%, từ 6 món giảm 100k"
object TieredByQuantity() {
  return object{
      {"type", "tiered"},
      {"basis", "quantity"},
      {"tiers",
       array{object{{"min", 3}, {"discount", object{{"type", "percent"}, {"value", 5}}}},
             object{{"min", 6}, {"discount", object{{"type", "fixed"}, {"value", 100'000}}}}}}};
}

object BuyXGetY(std::int64_t buy, std::int64_t get, std::int64_t percent,
                boost::json::value max_sets = nullptr) {
  return object{{"type", "buy_x_get_y"},
                {"buy", buy},
                {"get", get},
                {"percent", percent},
                {"max_sets", std::move(max_sets)}};
}

object WithDiscount(object body, const object& discount) {
  body["discount"] = discount;
  return body;
}

object CartOf(const array& items) {
  object cart = CartBody();
  cart["items"] = items;
  return cart;
}

// The one offer applied to `cart`, and the quote's total: {discount, total}, or {0, total}
// when nothing applied.
struct Outcome {
  std::int64_t discount = 0;
  std::int64_t total = 0;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};
std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "{discount " << o.discount << ", total " << o.total << "}";
}

Outcome OutcomeOf(TestGateway& gateway, const object& cart, const std::string& offer_id) {
  const HttpReply reply = Quote(gateway, cart);
  EXPECT_EQ(reply.status, 200) << reply.body;
  if (reply.status != 200) return {};
  const object quote = Object(reply);
  const array& applied = quote.at("applied").as_array();
  EXPECT_LE(applied.size(), 1U) << reply.body;
  Outcome outcome{0, quote.at("total").as_int64()};
  if (applied.size() == 1) {
    EXPECT_EQ(applied[0].at("offer_id").as_string(), offer_id) << reply.body;
    outcome.discount = applied[0].at("discount").as_int64();
  }
  EXPECT_EQ(quote.at("discount_total").as_int64(), outcome.discount) << reply.body;
  return outcome;
}

TEST(QuoteApiTest, TieredBySubtotalAppliesTheHighestTierReachedToTheDong) {
  TestGateway gateway;
  const std::string id =
      CreateOffer(gateway, kMerchantKey, WithDiscount(OfferBody(), SpendTiersDiscount()));

  EXPECT_EQ(OutcomeOf(gateway, CartBody(199'999), id), (Outcome{0, 199'999}));
  EXPECT_EQ(OutcomeOf(gateway, CartBody(200'000), id), (Outcome{20'000, 180'000}));
  EXPECT_EQ(OutcomeOf(gateway, CartBody(499'999), id), (Outcome{20'000, 479'999}));
  // 10% of 550,005 = 55,000.5
  EXPECT_EQ(OutcomeOf(gateway, CartBody(550'005), id), (Outcome{55'000, 495'005}));
  // 10% of 700,000 = 70,000, capped at 60,000
  EXPECT_EQ(OutcomeOf(gateway, CartBody(700'000), id), (Outcome{60'000, 640'000}));
  EXPECT_EQ(OutcomeOf(gateway, CartBody(999'999), id), (Outcome{60'000, 939'999}));
  EXPECT_EQ(OutcomeOf(gateway, CartBody(1'000'000), id), (Outcome{120'000, 880'000}));
  // 12% of 1,234,567 = 148,148.04, uncapped
  EXPECT_EQ(OutcomeOf(gateway, CartBody(1'234'567), id), (Outcome{148'148, 1'086'419}));
  // Two units of 250,000 reach the 500,000 tier as one of 500,000 does
  EXPECT_EQ(OutcomeOf(gateway, CartBody(250'000, 2), id), (Outcome{50'000, 450'000}));
}

TEST(QuoteApiTest, TieredByQuantityCountsTheEligibleUnits) {
  TestGateway gateway;
  const std::string id =
      CreateOffer(gateway, kMerchantKey, WithDiscount(OfferBody(), TieredByQuantity()));

  EXPECT_EQ(OutcomeOf(gateway, CartBody(99'999, 2), id), (Outcome{0, 199'998}));
  // 5% of 299,997 = 14,999.85
  EXPECT_EQ(OutcomeOf(gateway, CartBody(99'999, 3), id), (Outcome{14'999, 284'998}));
  // 5% of 499,995 = 24,999.75
  EXPECT_EQ(OutcomeOf(gateway, CartBody(99'999, 5), id), (Outcome{24'999, 474'996}));
  EXPECT_EQ(OutcomeOf(gateway, CartBody(99'999, 6), id), (Outcome{100'000, 499'994}));
  // Three units of different items reach the first tier together
  EXPECT_EQ(OutcomeOf(gateway,
                      CartOf(array{Item("a", "electronics", 100'000, 1),
                                   Item("b", "electronics", 60'000, 2)}),
                      id),
            (Outcome{11'000, 209'000}));
}

TEST(QuoteApiTest, TieredByQuantityCountsOnlyTheUnitsItsFiltersLetIn) {
  TestGateway gateway;
  object offer = WithDiscount(OfferBody(), TieredByQuantity());
  offer["categories"] = array{"books"};
  const std::string id = CreateOffer(gateway, kMerchantKey, offer);

  // 2 books and 5 televisions: 2 eligible units, below the first tier
  EXPECT_EQ(OutcomeOf(gateway,
                      CartOf(array{Item("novel", "books", 50'000, 2),
                                   Item("tv", "electronics", 10'000, 5)}),
                      id),
            (Outcome{0, 150'000}));
  // 3 books: 5% of the books' 150,000
  EXPECT_EQ(OutcomeOf(gateway,
                      CartOf(array{Item("novel", "books", 50'000, 3),
                                   Item("tv", "electronics", 10'000, 5)}),
                      id),
            (Outcome{7'500, 192'500}));
}

TEST(QuoteApiTest, BuyTwoGetOneGivesTheCheapestUnitOfEachSet) {
  TestGateway gateway;
  const std::string id =
      CreateOffer(gateway, kMerchantKey, WithDiscount(OfferBody(), BuyXGetY(2, 1, 100)));
  // 6 units: two sets, whose 2 free units are the two cheapest (2 × 30,000)
  const object cart =
      CartOf(array{Item("a", "electronics", 100'000, 2), Item("b", "electronics", 50'000, 1),
                   Item("c", "electronics", 30'000, 3)});

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Object(reply), (object{{"subtotal", 340'000},
                                   {"shipping_fee", 0},
                                   {"discount_total", 60'000},
                                   {"total", 280'000},
                                   {"cashback_total", 0},
                                   {"applied", array{object{{"offer_id", id},
                                                            {"layer", "merchant"},
                                                            {"code", nullptr},
                                                            {"discount", 60'000},
                                                            {"cashback", 0}}}},
                                   {"rejected", array{}}}));
  // 2 units are no set; 3 are one; 5 still one
  EXPECT_EQ(OutcomeOf(gateway, CartBody(100'000, 2), id), (Outcome{0, 200'000}));
  EXPECT_EQ(OutcomeOf(gateway, CartBody(100'000, 3), id), (Outcome{100'000, 200'000}));
  EXPECT_EQ(OutcomeOf(gateway, CartBody(100'000, 5), id), (Outcome{100'000, 400'000}));
}

TEST(QuoteApiTest, BuyXGetYTakesTheFloorOfThePercentOfTheUnitsSumUpToMaxSets) {
  // 6 units: 80,001 × 3, 40,001 × 1, 120,000 × 2 (subtotal 520,004)
  const object cart =
      CartOf(array{Item("x", "electronics", 80'001, 3), Item("y", "electronics", 40'001, 1),
                   Item("z", "electronics", 120'000, 2)});
  {
    // Buy 1 get 1 at 50%, three sets: 50% of 40,001 + 80,001 + 80,001 = 100,001.5
    TestGateway gateway;
    const std::string id =
        CreateOffer(gateway, kMerchantKey, WithDiscount(OfferBody(), BuyXGetY(1, 1, 50)));
    EXPECT_EQ(OutcomeOf(gateway, cart, id), (Outcome{100'001, 420'003}));
  }
  {
    // At most two sets: 50% of 40,001 + 80,001 = 60,001 (not 20,000 + 40,000)
    TestGateway gateway;
    const std::string id =
        CreateOffer(gateway, kMerchantKey, WithDiscount(OfferBody(), BuyXGetY(1, 1, 50, 2)));
    EXPECT_EQ(OutcomeOf(gateway, cart, id), (Outcome{60'001, 460'003}));
  }
}

TEST(QuoteApiTest, SuppliedBuyXGetYCodeWithTooFewUnitsIsRejectedAsMinQuantity) {
  TestGateway gateway;
  object offer = WithDiscount(PublicCodeOffer("MUA2TANG1"), BuyXGetY(2, 1, 100));
  const std::string id = CreateOffer(gateway, kMerchantKey, offer);
  object cart = CartBody(100'000, 2);
  cart["codes"] = array{"mua2tang1"};

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 0);
  EXPECT_EQ(reply.Json().at("total").as_int64(), 200'000);
  EXPECT_TRUE(reply.Json().at("applied").as_array().empty());
  EXPECT_EQ(reply.Json().at("rejected"),
            (array{object{{"code", "mua2tang1"}, {"offer_id", id}, {"reason", "min_quantity"}}}));

  // One more unit makes a set
  cart = CartBody(100'000, 3);
  cart["codes"] = array{"MUA2TANG1"};
  const HttpReply enough = Quote(gateway, cart);
  ASSERT_EQ(enough.status, 200) << enough.body;
  EXPECT_EQ(enough.Json().at("applied"), (array{object{{"offer_id", id},
                                                       {"layer", "merchant"},
                                                       {"code", "MUA2TANG1"},
                                                       {"discount", 100'000},
                                                       {"cashback", 0}}}));
  EXPECT_TRUE(enough.Json().at("rejected").as_array().empty());
}

TEST(QuoteApiTest, SuppliedTieredCodeBelowItsLowestTierIsRejectedByItsBasis) {
  TestGateway gateway;
  const std::string by_units = CreateOffer(
      gateway, kMerchantKey, WithDiscount(PublicCodeOffer("NHIEUMON"), TieredByQuantity()));
  const std::string by_amount = CreateOffer(
      gateway, kMerchantKey, WithDiscount(PublicCodeOffer("DONLON"), SpendTiersDiscount()));
  object cart = CartBody(90'000, 2);  // 2 units, 180,000
  cart["codes"] = array{"NHIEUMON", "DONLON"};

  const HttpReply reply = Quote(gateway, cart);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_TRUE(reply.Json().at("applied").as_array().empty());
  EXPECT_EQ(
      reply.Json().at("rejected"),
      (array{object{{"code", "NHIEUMON"}, {"offer_id", by_units}, {"reason", "min_quantity"}},
             object{{"code", "DONLON"}, {"offer_id", by_amount}, {"reason", "min_order_amount"}}}));
}

TEST(QuoteApiTest, BuyXGetYAndTieredOnTwoLayersCombine) {
  TestGateway gateway;
  const std::string merchant =
      CreateOffer(gateway, kMerchantKey, WithDiscount(OfferBody(), BuyXGetY(2, 1, 100)));
  const std::string platform =
      CreateOffer(gateway, kAdminKey, PlatformOffer("platform", SpendTiersDiscount()));

  // 3 × 100,000: one free unit, and the 200,000 tier reached by the subtotal before it
  const HttpReply reply = Quote(gateway, CartBody(100'000, 3));

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 120'000);
  EXPECT_EQ(reply.Json().at("total").as_int64(), 180'000);
  EXPECT_EQ(reply.Json().at("applied"), (array{object{{"offer_id", merchant},
                                                      {"layer", "merchant"},
                                                      {"code", nullptr},
                                                      {"discount", 100'000},
                                                      {"cashback", 0}},
                                               object{{"offer_id", platform},
                                                      {"layer", "platform"},
                                                      {"code", nullptr},
                                                      {"discount", 20'000},
                                                      {"cashback", 0}}}));
}

// --- shopper_tags -----------------------------------------------------------------------------

TEST(QuoteApiTest, AnOfferForNewUsersAppliesOnlyToCartsTaggedNewUser) {
  TestGateway gateway;
  object offer =
      WithDiscount(PublicCodeOffer("CHAOBAN"), object{{"type", "fixed"}, {"value", 30'000}});
  offer["shopper_tags"] = array{"new_user", "student"};
  const std::string id = CreateOffer(gateway, kMerchantKey, offer);
  const HttpReply stored = gateway.Call("GET", "/v1/offers/" + id, kAnalystKey);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.Json().at("shopper_tags"), (array{"new_user", "student"}));

  object cart = CartBody(200'000);
  cart["codes"] = array{"chaoban"};
  cart["shopper_tags"] = array{"vip", "student"};
  EXPECT_EQ(OutcomeOf(gateway, cart, id), (Outcome{30'000, 170'000}));

  cart["shopper_tags"] = array{"vip"};
  const HttpReply other = Quote(gateway, cart);
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_TRUE(other.Json().at("applied").as_array().empty());
  EXPECT_EQ(other.Json().at("rejected"),
            (array{object{{"code", "chaoban"}, {"offer_id", id}, {"reason", "shopper_tags"}}}));

  cart.erase("shopper_tags");
  const HttpReply untagged = Quote(gateway, cart);
  ASSERT_EQ(untagged.status, 200) << untagged.body;
  EXPECT_EQ(untagged.Json().at("rejected").as_array().at(0).at("reason"), "shopper_tags");
}

TEST(QuoteApiTest, ShopperTagsThatAreNoIdentifiersOrTooManyAre422) {
  TestGateway gateway;
  object cart = CartBody();
  cart["shopper_tags"] = array{"new_user", "not a tag"};
  const HttpReply bad = Quote(gateway, cart);
  ASSERT_TRUE(IsProblem(bad, 422, "validation_failed")) << bad.body;
  EXPECT_EQ(ErrorPaths(bad), std::vector<std::string>{"shopper_tags[1]"});

  array many;
  for (int i = 0; i < 21; ++i) many.emplace_back("tag-" + std::to_string(i));
  cart["shopper_tags"] = many;
  const HttpReply too_many = Quote(gateway, cart);
  ASSERT_TRUE(IsProblem(too_many, 422, "validation_failed")) << too_many.body;
  EXPECT_EQ(ErrorPaths(too_many), std::vector<std::string>{"shopper_tags"});

  object offer = OfferBody();
  offer["shopper_tags"] = array{};
  const HttpReply empty = gateway.Call("POST", "/v1/offers", kMerchantKey, Json(offer));
  ASSERT_TRUE(IsProblem(empty, 422, "validation_failed")) << empty.body;
  EXPECT_EQ(ErrorPaths(empty), std::vector<std::string>{"shopper_tags"});
}

}  // namespace
}  // namespace uudai::testing
