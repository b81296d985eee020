// Quote evaluation: discounts, eligible subtotals, layers, trimming, tie-breaks and codes.
// Rejection reasons, time windows and limits: quote_rejection_test.cc.
#include "uudai/quote.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "engine/quote_test_support.h"

namespace uudai {
namespace {

using testing::Applied;
using testing::AppliedOf;
using testing::CartOf;
using testing::FakeUsageView;
using testing::FixedOffer;
using testing::FreeShippingOffer;
using testing::Item;
using testing::MakeCart;
using testing::PercentOffer;
using testing::QuoteFor;
using testing::WithCode;

// --- Discount types -------------------------------------------------------------------------

TEST(QuoteTest, PercentDiscountRoundsDownToWholeDong) {
  // 333,333 × 7% = 23,333.31
  const Quote quote = QuoteFor({PercentOffer("o-1", Layer::kMerchant, 7)}, CartOf(333'333));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 23'333}}));
  EXPECT_EQ(quote.discount_total, 23'333);
}

TEST(QuoteTest, PercentDiscountRoundsDownEvenAboveHalfADong) {
  // 333,339 × 7% = 23,333.73
  const Quote quote = QuoteFor({PercentOffer("o-1", Layer::kMerchant, 7)}, CartOf(333'339));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 23'333}}));
}

TEST(QuoteTest, PercentDiscountIsCappedAtMaxAmount) {
  // 10% of 1,000,000 = 100,000, capped at 50,000
  const Quote quote =
      QuoteFor({PercentOffer("o-1", Layer::kMerchant, 10, 50'000)}, CartOf(1'000'000));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 50'000}}));
}

TEST(QuoteTest, PercentDiscountBelowItsCapIsNotCapped) {
  const Quote quote =
      QuoteFor({PercentOffer("o-1", Layer::kMerchant, 10, 50'000)}, CartOf(300'000));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 30'000}}));
}

TEST(QuoteTest, HundredPercentDiscountCoversTheItems) {
  const Quote quote = QuoteFor({PercentOffer("o-1", Layer::kMerchant, 100)}, CartOf(123'457));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 123'457}}));
  EXPECT_EQ(quote.total(), 30'000);
}

TEST(QuoteTest, FixedDiscountIsItsValue) {
  const Quote quote = QuoteFor({FixedOffer("o-1", Layer::kMerchant, 20'000)}, CartOf(500'000));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 20'000}}));
}

TEST(QuoteTest, FixedDiscountIsLimitedToTheEligibleSubtotal) {
  // Given 100,000 off books, and 40,000 of books in a 540,000 cart
  Offer offer = FixedOffer("o-1", Layer::kMerchant, 100'000);
  offer.categories = {{"books"}};
  const Cart cart =
      MakeCart({Item("book-1", "books", 40'000), Item("tv-55", "electronics", 500'000)});
  // Then only 40,000 comes off
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, cart)), (Applied{{"o-1", 40'000}}));
}

TEST(QuoteTest, FreeShippingCoversTheShippingFee) {
  const Quote quote = QuoteFor({FreeShippingOffer("o-1")}, CartOf(100'000));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 30'000}}));
  EXPECT_EQ(quote.total(), 100'000);
}

TEST(QuoteTest, FreeShippingIsCappedAtMaxAmount) {
  const Quote quote = QuoteFor({FreeShippingOffer("o-1", 15'000)}, CartOf(100'000));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 15'000}}));
}

TEST(QuoteTest, FreeShippingIsNotAppliedWithoutShippingFee) {
  Cart cart = CartOf(100'000);
  cart.shipping_fee = 0;
  const Quote quote = QuoteFor({FreeShippingOffer("o-1")}, cart);
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(quote.discount_total, 0);
}

TEST(QuoteTest, DiscountThatComesToZeroIsNotApplied) {
  // 1% of 99 đồng is 0.99, i.e. 0
  const Quote quote = QuoteFor({PercentOffer("o-1", Layer::kMerchant, 1)}, CartOf(99));
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(quote.discount_total, 0);
}

TEST(QuoteTest, AutoOfferIsAppliedWithoutCode) {
  const Quote quote = QuoteFor({FixedOffer("o-1", Layer::kMerchant, 20'000)}, CartOf(500'000));
  ASSERT_EQ(quote.applied.size(), 1u);
  EXPECT_FALSE(quote.applied[0].code.has_value());
  EXPECT_TRUE(quote.rejected.empty());
}

// --- Eligible subtotal ----------------------------------------------------------------------

Cart MixedCart() {
  // 500,000 of electronics (tv-55 × 2) and 80,000 of books
  return MakeCart({Item("tv-55", "electronics", 250'000, 2), Item("book-1", "books", 80'000)});
}

TEST(QuoteTest, PercentAppliesToItemsOfListedCategories) {
  Offer offer = PercentOffer("o-1", Layer::kMerchant, 10);
  offer.categories = {{"electronics"}};
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, MixedCart())), (Applied{{"o-1", 50'000}}));
}

TEST(QuoteTest, PercentAppliesToItemsOfListedSkus) {
  Offer offer = PercentOffer("o-1", Layer::kMerchant, 10);
  offer.skus = {{"book-1"}};
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, MixedCart())), (Applied{{"o-1", 8'000}}));
}

TEST(QuoteTest, ItemMustMatchBothCategoriesAndSkus) {
  // Only tv-55 is both electronics and listed; book-1 is listed but not electronics
  Offer offer = PercentOffer("o-1", Layer::kMerchant, 10);
  offer.categories = {{"electronics"}};
  offer.skus = {{"tv-55", "book-1"}};
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, MixedCart())), (Applied{{"o-1", 50'000}}));
}

TEST(QuoteTest, OfferWithoutFiltersAppliesToTheWholeSubtotal) {
  EXPECT_EQ(AppliedOf(QuoteFor({PercentOffer("o-1", Layer::kMerchant, 10)}, MixedCart())),
            (Applied{{"o-1", 58'000}}));
}

TEST(QuoteTest, MinOrderAmountIsCheckedOnTheEligibleSubtotal) {
  // Given a cart of 580,000 of which 500,000 is electronics
  Offer offer = PercentOffer("o-1", Layer::kMerchant, 10);
  offer.categories = {{"electronics"}};
  offer.min_order_amount = 500'001;
  // Then 500,000 of electronics is not enough, though the whole cart would be
  EXPECT_TRUE(QuoteFor({offer}, MixedCart()).applied.empty());
}

TEST(QuoteTest, MinOrderAmountIsMetAtExactlyTheAmount) {
  Offer offer = PercentOffer("o-1", Layer::kMerchant, 10);
  offer.categories = {{"electronics"}};
  offer.min_order_amount = 500'000;
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, MixedCart())), (Applied{{"o-1", 50'000}}));
}

TEST(QuoteTest, MinOrderAmountIsCheckedBeforeOtherDiscounts) {
  // Given a 300,000 cart, 50,000 off from the merchant, and a platform offer for orders of
  // 300,000 and more
  Offer platform = FixedOffer("o-2", Layer::kPlatform, 20'000);
  platform.min_order_amount = 300'000;
  const Quote quote =
      QuoteFor({FixedOffer("o-1", Layer::kMerchant, 50'000), platform}, CartOf(300'000));
  // Then both apply: the platform offer sees 300,000, not 250,000
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 50'000}, {"o-2", 20'000}}));
}

TEST(QuoteTest, DiscountsDoNotCompound) {
  // 10% + 10% of 1,000,000 is 200,000, not 100,000 + 90,000
  const Quote quote = QuoteFor(
      {PercentOffer("o-1", Layer::kMerchant, 10), PercentOffer("o-2", Layer::kPlatform, 10)},
      CartOf(1'000'000));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 100'000}, {"o-2", 100'000}}));
}

// --- Merchants and payment methods for auto offers ------------------------------------------

TEST(QuoteTest, OtherMerchantsAutoOfferDoesNotApply) {
  Offer offer = FixedOffer("o-1", Layer::kMerchant, 20'000);
  offer.merchant_id = "m-2";
  EXPECT_TRUE(QuoteFor({offer}, CartOf(500'000)).applied.empty());
}

TEST(QuoteTest, RestrictedPlatformOfferAppliesOnlyAtListedMerchants) {
  Offer offer = FixedOffer("o-1", Layer::kPlatform, 20'000);
  offer.merchant_ids = {{"m-1", "m-3"}};
  Cart elsewhere = CartOf(500'000);
  elsewhere.merchant_id = "m-2";
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, CartOf(500'000))), (Applied{{"o-1", 20'000}}));
  EXPECT_TRUE(QuoteFor({offer}, elsewhere).applied.empty());
}

TEST(QuoteTest, DigitalPaymentOfferAppliesToWallets) {
  Offer offer = FixedOffer("o-1", Layer::kPayment, 15'000);
  offer.payment_methods = {{"digital"}};
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, CartOf(500'000))), (Applied{{"o-1", 15'000}}));
}

TEST(QuoteTest, DigitalPaymentOfferDoesNotApplyToCashOnDelivery) {
  Offer offer = FixedOffer("o-1", Layer::kPayment, 15'000);
  offer.payment_methods = {{"digital"}};
  Cart cart = CartOf(500'000);
  cart.payment_method = PaymentMethod::kCod;
  EXPECT_TRUE(QuoteFor({offer}, cart).applied.empty());
}

// --- Layers and exclusivity -----------------------------------------------------------------

TEST(QuoteTest, AtMostOneOfferPerLayer) {
  // Given two merchant offers: 10% (50,000) and 20,000 off
  const Quote quote = QuoteFor(
      {PercentOffer("o-1", Layer::kMerchant, 10), FixedOffer("o-2", Layer::kMerchant, 20'000)},
      CartOf(500'000));
  // Then only the larger applies
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 50'000}}));
}

TEST(QuoteTest, OneOfferOfEachLayerCombineInLayerOrder) {
  // Given offers listed out of layer order
  const Quote quote = QuoteFor(
      {FreeShippingOffer("o-4"), FixedOffer("o-3", Layer::kPayment, 15'000),
       PercentOffer("o-2", Layer::kPlatform, 5), PercentOffer("o-1", Layer::kMerchant, 10)},
      CartOf(500'000));
  // Then all four apply, in layer order
  EXPECT_EQ(AppliedOf(quote),
            (Applied{{"o-1", 50'000}, {"o-2", 25'000}, {"o-3", 15'000}, {"o-4", 30'000}}));
  EXPECT_EQ(quote.discount_total, 120'000);
  EXPECT_EQ(quote.applied[3].offer->layer, Layer::kShipping);
}

TEST(QuoteTest, ExclusiveOfferAloneWinsWhenLarger) {
  // Given an exclusive 30% (150,000) against 10% + 5% + free shipping (50,000 + 25,000 + 30,000)
  Offer exclusive = PercentOffer("o-x", Layer::kMerchant, 30);
  exclusive.exclusive = true;
  const Quote quote = QuoteFor({exclusive, PercentOffer("o-1", Layer::kMerchant, 10),
                                PercentOffer("o-2", Layer::kPlatform, 5), FreeShippingOffer("o-3")},
                               CartOf(500'000));
  // Then it applies alone: nothing else, not even free shipping
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-x", 150'000}}));
}

TEST(QuoteTest, ExclusiveOfferLosesWhenTheCombinationIsLarger) {
  // Given an exclusive 20% (100,000) against 10% + 5% + free shipping (105,000)
  Offer exclusive = PercentOffer("o-x", Layer::kPlatform, 20);
  exclusive.exclusive = true;
  const Quote quote = QuoteFor({exclusive, PercentOffer("o-1", Layer::kMerchant, 10),
                                PercentOffer("o-2", Layer::kPlatform, 5), FreeShippingOffer("o-3")},
                               CartOf(500'000));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 50'000}, {"o-2", 25'000}, {"o-3", 30'000}}));
}

TEST(QuoteTest, ExclusiveOfferWinsATieWithHigherPriority) {
  Offer exclusive = FixedOffer("o-x", Layer::kMerchant, 75'000);
  exclusive.exclusive = true;
  exclusive.priority = 1;
  const Quote quote = QuoteFor({exclusive, PercentOffer("o-1", Layer::kMerchant, 10),
                                PercentOffer("o-2", Layer::kPlatform, 5)},
                               CartOf(500'000));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-x", 75'000}}));
}

// --- Trimming -------------------------------------------------------------------------------

TEST(QuoteTest, ItemDiscountsNeverExceedTheSubtotal) {
  // Given 70,000 + 50,000 off a 100,000 cart
  const Quote quote = QuoteFor(
      {FixedOffer("o-1", Layer::kMerchant, 70'000), FixedOffer("o-2", Layer::kPlatform, 50'000)},
      CartOf(100'000));
  // Then the platform layer gives only the 30,000 left
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 70'000}, {"o-2", 30'000}}));
  EXPECT_EQ(quote.discount_total, 100'000);
  EXPECT_EQ(quote.total(), 30'000);  // shipping only
}

TEST(QuoteTest, LastItemLayerIsTheOneTrimmed) {
  // Given 60,000 + 30,000 + 30,000 off a 100,000 cart
  const Quote quote = QuoteFor(
      {FixedOffer("o-3", Layer::kPayment, 30'000), FixedOffer("o-2", Layer::kPlatform, 30'000),
       FixedOffer("o-1", Layer::kMerchant, 60'000)},
      CartOf(100'000));
  // Then merchant and platform are whole and payment gets the 10,000 left
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 60'000}, {"o-2", 30'000}, {"o-3", 10'000}}));
}

TEST(QuoteTest, LayerTrimmedToZeroIsNotApplied) {
  // Given the merchant offer already takes the whole 100,000
  const Quote quote = QuoteFor(
      {FixedOffer("o-1", Layer::kMerchant, 100'000), FixedOffer("o-2", Layer::kPlatform, 10'000)},
      CartOf(100'000));
  // Then the platform offer is not applied with a zero discount
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 100'000}}));
}

TEST(QuoteTest, CodeOfferTrimmedToZeroIsSuperseded) {
  const Quote quote = QuoteFor({FixedOffer("o-1", Layer::kMerchant, 100'000),
                                WithCode(FixedOffer("o-2", Layer::kPlatform, 10'000), "SAN10")},
                               CartOf(100'000, {"SAN10"}));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 100'000}}));
  EXPECT_EQ(quote.rejected,
            (std::vector<CodeRejection>{{"SAN10", "o-2", RejectionReason::kSuperseded}}));
}

TEST(QuoteTest, ShippingDiscountIsNotTrimmedByItemDiscounts) {
  // Given the items are fully discounted
  const Quote quote = QuoteFor(
      {FixedOffer("o-1", Layer::kMerchant, 10'000), FreeShippingOffer("o-2")}, CartOf(10'000));
  // Then free shipping still covers the whole fee, and the total is zero
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 10'000}, {"o-2", 30'000}}));
  EXPECT_EQ(quote.total(), 0);
}

TEST(QuoteTest, TotalIsSubtotalPlusShippingMinusDiscounts) {
  const Quote quote = QuoteFor(
      {PercentOffer("o-1", Layer::kMerchant, 10), FreeShippingOffer("o-2", 20'000)}, MixedCart());
  EXPECT_EQ(quote.subtotal, 580'000);
  EXPECT_EQ(quote.shipping_fee, 30'000);
  EXPECT_EQ(quote.discount_total, 78'000);
  EXPECT_EQ(quote.total(), 532'000);
}

TEST(QuoteTest, QuoteWithoutOffersChargesEverything) {
  const Quote quote = QuoteFor({}, MixedCart());
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(quote.total(), 610'000);
}

// --- Tie-breaks -----------------------------------------------------------------------------

TEST(QuoteTest, EqualTotalsGoToHigherPriority) {
  Offer preferred = FixedOffer("o-2", Layer::kMerchant, 50'000);
  preferred.priority = 5;
  const Quote quote =
      QuoteFor({PercentOffer("o-1", Layer::kMerchant, 10), preferred}, CartOf(500'000));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-2", 50'000}}));
}

TEST(QuoteTest, EqualTotalsAndPrioritiesGoToTheSmallestId) {
  const Quote quote = QuoteFor(
      {FixedOffer("o-b", Layer::kMerchant, 50'000), PercentOffer("o-a", Layer::kMerchant, 10)},
      CartOf(500'000));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-a", 50'000}}));
}

TEST(QuoteTest, TotalPriorityOfACombinationBreaksTies) {
  // Given {o-1 (prio 3), o-2 (prio 3)} and exclusive {o-3 (prio 5)} both giving 75,000
  Offer a = FixedOffer("o-1", Layer::kMerchant, 50'000);
  a.priority = 3;
  Offer b = FixedOffer("o-2", Layer::kPlatform, 25'000);
  b.priority = 3;
  Offer c = FixedOffer("o-3", Layer::kMerchant, 75'000);
  c.priority = 5;
  c.exclusive = true;
  // Then the pair wins on 6 > 5
  EXPECT_EQ(AppliedOf(QuoteFor({c, b, a}, CartOf(500'000))),
            (Applied{{"o-1", 50'000}, {"o-2", 25'000}}));
}

TEST(QuoteTest, SmallestIdListWinsAcrossLayers) {
  // Given either offer alone takes the whole 100,000 and together the second trims to zero
  const Quote quote = QuoteFor({FixedOffer("z-merchant", Layer::kMerchant, 100'000),
                                FixedOffer("a-platform", Layer::kPlatform, 100'000)},
                               CartOf(100'000));
  // Then ["a-platform"] < ["z-merchant"]
  EXPECT_EQ(AppliedOf(quote), (Applied{{"a-platform", 100'000}}));
}

TEST(QuoteTest, ResultDoesNotDependOnCatalogOrder) {
  // Given offers with many ties: equal amounts, equal priorities, trimming
  std::vector<Offer> offers = {
      FixedOffer("m-c", Layer::kMerchant, 60'000),
      FixedOffer("m-a", Layer::kMerchant, 60'000),
      PercentOffer("m-b", Layer::kMerchant, 60),
      FixedOffer("p-b", Layer::kPlatform, 40'000),
      FixedOffer("p-a", Layer::kPlatform, 50'000),
      PercentOffer("p-c", Layer::kPlatform, 40),
      FixedOffer("y-b", Layer::kPayment, 10'000),
      FixedOffer("y-a", Layer::kPayment, 10'000),
      FreeShippingOffer("s-b"),
      FreeShippingOffer("s-a"),
  };
  const Applied expected = {{"m-a", 60'000}, {"p-a", 40'000}, {"s-a", 30'000}};
  std::mt19937 shuffle(2026);
  for (int round = 0; round < 50; ++round) {
    // When the catalog is built in another order
    std::shuffle(offers.begin(), offers.end(), shuffle);
    // Then the quote is the same
    ASSERT_EQ(AppliedOf(QuoteFor(offers, CartOf(100'000))), expected) << "round " << round;
  }
}

// --- Codes ----------------------------------------------------------------------------------

TEST(QuoteTest, PublicCodeAppliesItsOffer) {
  const Quote quote = QuoteFor({WithCode(PercentOffer("o-1", Layer::kPlatform, 10), "THANG10")},
                               CartOf(500'000, {"THANG10"}));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 50'000}}));
  EXPECT_EQ(quote.applied[0].code, "THANG10");
  EXPECT_TRUE(quote.rejected.empty());
}

TEST(QuoteTest, CodeOfferDoesNotApplyWithoutItsCode) {
  const Quote quote =
      QuoteFor({WithCode(PercentOffer("o-1", Layer::kPlatform, 10), "THANG10")}, CartOf(500'000));
  EXPECT_TRUE(quote.applied.empty());
}

TEST(QuoteTest, CodesMatchCaseInsensitively) {
  const Quote quote = QuoteFor({WithCode(PercentOffer("o-1", Layer::kPlatform, 10), "THANG10")},
                               CartOf(500'000, {"thang10"}));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 50'000}}));
  EXPECT_EQ(quote.applied[0].code, "THANG10");  // canonical spelling
}

TEST(QuoteTest, UniqueCodeAppliesInAnySpelling) {
  // Given an issued, available unique code
  Offer offer = FixedOffer("o-1", Layer::kMerchant, 20'000);
  offer.code_mode = CodeMode::kUnique;
  FakeUsageView usage;
  usage.AddUniqueCode("0123456789ABP", "o-1");
  // When supplied in lower case with hyphens and O for 0
  const Quote quote =
      QuoteFor({offer}, CartOf(500'000, {"o123-4567-89ab-p"}), testing::Oct10Noon(), &usage);
  // Then it applies, reported in its canonical spelling
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 20'000}}));
  EXPECT_EQ(quote.applied[0].code, "0123456789ABP");
}

TEST(QuoteTest, SecondCodeForTheSameOfferIsSuperseded) {
  const Quote quote = QuoteFor({WithCode(PercentOffer("o-1", Layer::kPlatform, 10), "THANG10")},
                               CartOf(500'000, {"THANG10", "thang10"}));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 50'000}}));
  EXPECT_EQ(quote.applied[0].code, "THANG10");
  EXPECT_EQ(quote.rejected,
            (std::vector<CodeRejection>{{"thang10", "o-1", RejectionReason::kSuperseded}}));
}

TEST(QuoteTest, SecondCodeForAnIneligibleOfferIsSuperseded) {
  // Given THANG10 supplied twice for a cart below its minimum
  Offer offer = WithCode(PercentOffer("o-1", Layer::kPlatform, 10), "THANG10");
  offer.min_order_amount = 1'000'000;
  const Quote quote = QuoteFor({offer}, CartOf(500'000, {"THANG10", "THANG10"}));
  // Then the first carries the reason and the repeat is superseded by it
  EXPECT_EQ(quote.rejected, (std::vector<CodeRejection>{
                                {"THANG10", "o-1", RejectionReason::kMinOrderAmount},
                                {"THANG10", "o-1", RejectionReason::kSuperseded},
                            }));
}

TEST(QuoteTest, SmallerCodeOfferOfTheSameLayerIsSuperseded) {
  const Quote quote = QuoteFor({WithCode(FixedOffer("o-1", Layer::kPlatform, 20'000), "SMALL"),
                                WithCode(FixedOffer("o-2", Layer::kPlatform, 30'000), "BIG")},
                               CartOf(500'000, {"SMALL", "BIG"}));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-2", 30'000}}));
  EXPECT_EQ(quote.rejected,
            (std::vector<CodeRejection>{{"SMALL", "o-1", RejectionReason::kSuperseded}}));
}

TEST(QuoteTest, CodeOfferCombinesWithAutoOffersOfOtherLayers) {
  const Quote quote = QuoteFor({PercentOffer("o-1", Layer::kMerchant, 10),
                                WithCode(FixedOffer("o-2", Layer::kPlatform, 30'000), "THANG10")},
                               CartOf(500'000, {"THANG10"}));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-1", 50'000}, {"o-2", 30'000}}));
}

TEST(QuoteTest, RejectionsAreReportedInSuppliedOrder) {
  // Given codes whose rejections are found at different stages
  Offer paused = WithCode(FixedOffer("o-3", Layer::kPayment, 5'000), "PAUSED");
  paused.status = OfferStatus::kPaused;
  const Quote quote =
      QuoteFor({WithCode(FixedOffer("o-1", Layer::kPlatform, 20'000), "SMALL"),
                WithCode(FixedOffer("o-2", Layer::kPlatform, 30'000), "BIG"), paused},
               CartOf(500'000, {"SMALL", "NOPE", "BIG", "PAUSED"}));
  // Then they come back in the order the codes were supplied
  EXPECT_EQ(quote.rejected, (std::vector<CodeRejection>{
                                {"SMALL", "o-1", RejectionReason::kSuperseded},
                                {"NOPE", std::nullopt, RejectionReason::kUnknownCode},
                                {"PAUSED", "o-3", RejectionReason::kPaused},
                            }));
}

TEST(QuoteTest, RepeatedCodeIsReportedAtItsOwnPosition) {
  // Given THANG10 supplied first and third, with an unknown code between
  const Quote quote = QuoteFor({WithCode(PercentOffer("o-1", Layer::kPlatform, 10), "THANG10")},
                               CartOf(500'000, {"THANG10", "NOPE", "THANG10"}));
  // Then the repeat is reported after NOPE, where it was supplied
  EXPECT_EQ(quote.rejected, (std::vector<CodeRejection>{
                                {"NOPE", std::nullopt, RejectionReason::kUnknownCode},
                                {"THANG10", "o-1", RejectionReason::kSuperseded},
                            }));
}

// --- Code scopes ----------------------------------------------------------------------------

// A merchant-layer offer of shop `merchant` behind the public code SALE10.
Offer ShopSale10(std::string id, std::string merchant, Money value) {
  Offer offer = WithCode(FixedOffer(std::move(id), Layer::kMerchant, value), "SALE10");
  offer.merchant_id = std::move(merchant);
  return offer;
}

// A 500,000 cart at `merchant` supplying `codes`.
Cart CartAt(std::string merchant, std::vector<std::string> codes) {
  Cart cart = CartOf(500'000, std::move(codes));
  cart.merchant_id = std::move(merchant);
  return cart;
}

TEST(QuoteTest, TwoShopsSharingACodeEachGetTheirOwnOffer) {
  // Given shops m-1 and m-2 both running SALE10
  const std::vector<Offer> offers = {ShopSale10("o-a", "m-1", 10'000),
                                     ShopSale10("o-b", "m-2", 30'000)};
  // When each shop's cart supplies it, then each gets its own shop's offer
  EXPECT_EQ(AppliedOf(QuoteFor(offers, CartAt("m-1", {"sale10"}))), (Applied{{"o-a", 10'000}}));
  EXPECT_EQ(AppliedOf(QuoteFor(offers, CartAt("m-2", {"SALE10"}))), (Applied{{"o-b", 30'000}}));
}

TEST(QuoteTest, AShopsCodeNeverAppliesToAnotherShopsCart) {
  // Given only m-2 runs SALE10
  const Quote quote = QuoteFor({ShopSale10("o-b", "m-2", 30'000)}, CartAt("m-1", {"SALE10"}));
  // Then m-1's cart finds nothing, and hears nothing of m-2's offer
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(quote.rejected,
            (std::vector<CodeRejection>{{"SALE10", std::nullopt, RejectionReason::kUnknownCode}}));
}

TEST(QuoteTest, ACodeOfTheShopAndOfThePlatformAppliesBoth) {
  // Given SALE10 is both m-1's merchant offer and a platform offer
  const std::vector<Offer> offers = {
      ShopSale10("o-m", "m-1", 10'000),
      WithCode(FixedOffer("o-p", Layer::kPlatform, 20'000), "SALE10")};
  // When m-1's cart supplies it once, then both apply (different layers)
  const Quote quote = QuoteFor(offers, CartAt("m-1", {"SALE10"}));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-m", 10'000}, {"o-p", 20'000}}));
  EXPECT_EQ(quote.applied[0].code, "SALE10");
  EXPECT_EQ(quote.applied[1].code, "SALE10");
  EXPECT_TRUE(quote.rejected.empty());
  // And another shop's cart gets only the platform's
  EXPECT_EQ(AppliedOf(QuoteFor(offers, CartAt("m-2", {"SALE10"}))), (Applied{{"o-p", 20'000}}));
}

TEST(QuoteTest, ACodeIsNotRejectedWhenOneOfItsOffersApplied) {
  // Given m-1's SALE10 needs 1,000,000 but the platform's SALE10 does not
  Offer shop = ShopSale10("o-m", "m-1", 10'000);
  shop.min_order_amount = 1'000'000;
  const Quote quote =
      QuoteFor({shop, WithCode(FixedOffer("o-p", Layer::kPlatform, 20'000), "SALE10")},
               CartAt("m-1", {"SALE10"}));
  // Then the platform's applies and the code is not reported
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-p", 20'000}}));
  EXPECT_TRUE(quote.rejected.empty());
}

TEST(QuoteTest, ACodeWhoseOffersAllFailReportsTheShopsReasonOnce) {
  // Given m-1's SALE10 below its minimum and the platform's SALE10 paused
  Offer shop = ShopSale10("o-m", "m-1", 10'000);
  shop.min_order_amount = 1'000'000;
  Offer platform = WithCode(FixedOffer("o-p", Layer::kPlatform, 20'000), "SALE10");
  platform.status = OfferStatus::kPaused;
  const Quote quote = QuoteFor({shop, platform}, CartAt("m-1", {"SALE10"}));
  // Then the code is reported once, with the shop's offer's reason
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(quote.rejected,
            (std::vector<CodeRejection>{{"SALE10", "o-m", RejectionReason::kMinOrderAmount}}));
}

TEST(QuoteTest, ACodeWithoutAShopOfferReportsThePlatformsReason) {
  // Given SALE10 is m-2's and the platform's, the latter not for m-1
  Offer platform = WithCode(FixedOffer("o-p", Layer::kPlatform, 20'000), "SALE10");
  platform.merchant_ids = {{"m-2"}};
  const Quote quote =
      QuoteFor({ShopSale10("o-b", "m-2", 10'000), platform}, CartAt("m-1", {"SALE10"}));
  // Then m-1's cart hears only of the platform offer
  EXPECT_EQ(quote.rejected,
            (std::vector<CodeRejection>{{"SALE10", "o-p", RejectionReason::kMerchant}}));
}

// --- Names ----------------------------------------------------------------------------------

TEST(QuoteTest, RejectionReasonsHaveTheirWireNames) {
  EXPECT_EQ(RejectionReasonName(RejectionReason::kUnknownCode), "unknown_code");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kCodeUsed), "code_used");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kPaused), "paused");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kNotStarted), "not_started");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kEnded), "ended");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kOutsideWindow), "outside_window");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kMerchant), "merchant");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kPaymentMethod), "payment_method");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kNoEligibleItems), "no_eligible_items");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kMinOrderAmount), "min_order_amount");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kQuotaExhausted), "quota_exhausted");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kBudgetExhausted), "budget_exhausted");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kPerShopperLimit), "per_shopper_limit");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kDailyLimit), "daily_limit");
  EXPECT_EQ(RejectionReasonName(RejectionReason::kSuperseded), "superseded");
}

TEST(QuoteTest, LimitReasonsMapToTheirConflictStatus) {
  EXPECT_EQ(LimitStatusFor(RejectionReason::kQuotaExhausted), StatusCode::kQuotaExhausted);
  EXPECT_EQ(LimitStatusFor(RejectionReason::kBudgetExhausted), StatusCode::kBudgetExhausted);
  EXPECT_EQ(LimitStatusFor(RejectionReason::kPerShopperLimit), StatusCode::kPerShopperLimit);
  EXPECT_EQ(LimitStatusFor(RejectionReason::kDailyLimit), StatusCode::kDailyLimit);
  EXPECT_EQ(LimitStatusFor(RejectionReason::kCodeUsed), StatusCode::kCodeUsed);
  EXPECT_EQ(LimitStatusFor(RejectionReason::kEnded), StatusCode::kNothingToRedeem);
}

}  // namespace
}  // namespace uudai
