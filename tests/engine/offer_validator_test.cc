// Offer validation: each rule of docs/design.md §3 reported with the exact field path.
#include "uudai/offer_validator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/quote_test_support.h"

namespace uudai {
namespace {

using testing::At;
using testing::BaseOffer;
using testing::BuyXGetYOffer;
using testing::FixedOffer;
using testing::FixedTier;
using testing::FreeShippingOffer;
using testing::PercentOffer;
using testing::PercentTier;
using testing::TieredOffer;
using testing::WithCode;
using Paths = std::vector<std::string>;

Paths PathsOf(const Offer& offer) {
  Paths paths;
  for (const FieldError& error : ValidateOffer(offer)) {
    EXPECT_FALSE(error.message.empty()) << error.path;
    paths.push_back(error.path);
  }
  return paths;
}

Offer ValidPercent() { return PercentOffer("o-1", Layer::kMerchant, 10, 50'000); }

// "ư" is two bytes of UTF-8, one character.
std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// --- Valid offers ---------------------------------------------------------------------------

TEST(OfferValidatorTest, MerchantPercentOfferIsValid) {
  EXPECT_EQ(PathsOf(ValidPercent()), Paths{});
}

TEST(OfferValidatorTest, MerchantFixedOfferIsValid) {
  EXPECT_EQ(PathsOf(FixedOffer("o-1", Layer::kMerchant, 20'000)), Paths{});
}

TEST(OfferValidatorTest, PlatformOfferRestrictedToMerchantsIsValid) {
  Offer offer = PercentOffer("o-1", Layer::kPlatform, 5);
  offer.merchant_ids = {{"m-1", "m-2"}};
  offer.funded_by = FundedBy::kPlatform;
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, PaymentPartnerOfferForDigitalPaymentsIsValid) {
  Offer offer = FixedOffer("o-1", Layer::kPayment, 15'000);
  offer.payment_methods = {{"digital"}};
  offer.funded_by = FundedBy::kPaymentPartner;
  offer.funder = "momo";
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, ShippingOfferWithCapIsValid) {
  EXPECT_EQ(PathsOf(FreeShippingOffer("o-1", 20'000)), Paths{});
}

TEST(OfferValidatorTest, ShippingOfferWithoutCapIsValid) {
  EXPECT_EQ(PathsOf(FreeShippingOffer("o-1")), Paths{});
}

TEST(OfferValidatorTest, PublicCodeOfferWithFullConditionsIsValid) {
  Offer offer = WithCode(ValidPercent(), "THANG10");
  offer.min_order_amount = 200'000;
  offer.payment_methods = {{"momo", "vietqr", "cod"}};
  offer.categories = {{"electronics"}};
  offer.skus = {{"tv-55", "tv-65"}};
  offer.daily_window = DailyWindow{12 * 60, 14 * 60};
  offer.limits = {1'000, 50'000'000, 1, 100};
  offer.exclusive = true;
  offer.priority = kMaxPriority;
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, UniqueCodeOfferIsValid) {
  Offer offer = ValidPercent();
  offer.code_mode = CodeMode::kUnique;
  EXPECT_EQ(PathsOf(offer), Paths{});
}

// --- Identity and name ----------------------------------------------------------------------

TEST(OfferValidatorTest, EmptyIdIsRejected) {
  Offer offer = ValidPercent();
  offer.id = "";
  EXPECT_EQ(PathsOf(offer), Paths{"id"});
}

TEST(OfferValidatorTest, MerchantIdWithSpaceIsRejected) {
  Offer offer = ValidPercent();
  offer.merchant_id = "m 1";
  EXPECT_EQ(PathsOf(offer), Paths{"merchant_id"});
}

TEST(OfferValidatorTest, MerchantIdLongerThan128IsRejected) {
  Offer offer = ValidPercent();
  offer.merchant_id = std::string(129, 'm');
  EXPECT_EQ(PathsOf(offer), Paths{"merchant_id"});
  offer.merchant_id = std::string(128, 'm');
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, EmptyNameIsRejected) {
  Offer offer = ValidPercent();
  offer.name = "";
  EXPECT_EQ(PathsOf(offer), Paths{"name"});
}

TEST(OfferValidatorTest, NameOf200CharactersIsValid) {
  Offer offer = ValidPercent();
  offer.name = std::string(200, 'a');
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, NameOf201CharactersIsRejected) {
  Offer offer = ValidPercent();
  offer.name = std::string(201, 'a');
  EXPECT_EQ(PathsOf(offer), Paths{"name"});
}

TEST(OfferValidatorTest, VietnameseNameWithDiacriticsIsValid) {
  Offer offer = ValidPercent();
  offer.name = "Tháng 10 – Tháng tiêu dùng số: giảm 10% khi thanh toán bằng ví điện tử";
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, NameOf200VietnameseCharactersIsValid) {
  // 400 bytes, but 200 characters.
  Offer offer = ValidPercent();
  offer.name = Repeat("ư", 200);
  ASSERT_EQ(offer.name.size(), 400u);
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, NameOf201VietnameseCharactersIsRejected) {
  Offer offer = ValidPercent();
  offer.name = Repeat("ư", 201);
  EXPECT_EQ(PathsOf(offer), Paths{"name"});
}

TEST(OfferValidatorTest, NameWithInvalidUtf8IsRejected) {
  Offer offer = ValidPercent();
  offer.name = "Gi\xE1\xBA";  // truncated three-byte sequence
  EXPECT_EQ(PathsOf(offer), Paths{"name"});
}

TEST(OfferValidatorTest, NameWithStrayContinuationByteIsRejected) {
  Offer offer = ValidPercent();
  offer.name = "abc\x80";
  EXPECT_EQ(PathsOf(offer), Paths{"name"});
}

TEST(OfferValidatorTest, NameWithOverlongEncodingIsRejected) {
  Offer offer = ValidPercent();
  offer.name = "a\xC0\xAF";  // overlong "/"
  EXPECT_EQ(PathsOf(offer), Paths{"name"});
}

TEST(OfferValidatorTest, NameWithEncodedSurrogateIsRejected) {
  Offer offer = ValidPercent();
  offer.name = "a\xED\xA0\x80";  // U+D800
  EXPECT_EQ(PathsOf(offer), Paths{"name"});
}

TEST(OfferValidatorTest, NameWithNewlineIsRejected) {
  Offer offer = ValidPercent();
  offer.name = "Giảm\ngiá";
  EXPECT_EQ(PathsOf(offer), Paths{"name"});
}

TEST(OfferValidatorTest, NameWithDeleteCharacterIsRejected) {
  Offer offer = ValidPercent();
  offer.name = "Giảm\x7F";
  EXPECT_EQ(PathsOf(offer), Paths{"name"});
}

TEST(OfferValidatorTest, NameWithC1ControlCharacterIsRejected) {
  // U+0085 (NEXT LINE) is a control character, like "\n".
  Offer offer = ValidPercent();
  offer.name = "Giảm\xC2\x85giá";
  EXPECT_EQ(PathsOf(offer), Paths{"name"});
}

TEST(OfferValidatorTest, NameWithFourByteCharacterIsValid) {
  Offer offer = ValidPercent();
  offer.name = "Tháng 10 \xF0\x9F\x8E\x89";  // 🎉
  EXPECT_EQ(PathsOf(offer), Paths{});
}

// --- Discount -------------------------------------------------------------------------------

TEST(OfferValidatorTest, PercentOfZeroIsRejected) {
  EXPECT_EQ(PathsOf(PercentOffer("o-1", Layer::kMerchant, 0)), Paths{"discount.value"});
}

TEST(OfferValidatorTest, PercentAbove100IsRejected) {
  EXPECT_EQ(PathsOf(PercentOffer("o-1", Layer::kMerchant, 101)), Paths{"discount.value"});
}

TEST(OfferValidatorTest, PercentOf1And100AreValid) {
  EXPECT_EQ(PathsOf(PercentOffer("o-1", Layer::kMerchant, 1)), Paths{});
  EXPECT_EQ(PathsOf(PercentOffer("o-1", Layer::kMerchant, 100)), Paths{});
}

TEST(OfferValidatorTest, PercentCapOfZeroIsRejected) {
  EXPECT_EQ(PathsOf(PercentOffer("o-1", Layer::kMerchant, 10, 0)), Paths{"discount.max_amount"});
}

TEST(OfferValidatorTest, PercentCapAboveMaxAmountIsRejected) {
  EXPECT_EQ(PathsOf(PercentOffer("o-1", Layer::kMerchant, 10, kMaxAmount + 1)),
            Paths{"discount.max_amount"});
}

TEST(OfferValidatorTest, FixedValueOfZeroIsRejected) {
  EXPECT_EQ(PathsOf(FixedOffer("o-1", Layer::kMerchant, 0)), Paths{"discount.value"});
}

TEST(OfferValidatorTest, FixedValueAboveMaxAmountIsRejected) {
  EXPECT_EQ(PathsOf(FixedOffer("o-1", Layer::kMerchant, kMaxAmount + 1)), Paths{"discount.value"});
  EXPECT_EQ(PathsOf(FixedOffer("o-1", Layer::kMerchant, kMaxAmount)), Paths{});
}

TEST(OfferValidatorTest, FixedDiscountWithCapIsRejected) {
  Offer offer = FixedOffer("o-1", Layer::kMerchant, 20'000);
  offer.discount.max_amount = 10'000;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.max_amount"});
}

TEST(OfferValidatorTest, FreeShippingWithValueIsRejected) {
  Offer offer = FreeShippingOffer("o-1");
  offer.discount.value = 10;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.value"});
}

TEST(OfferValidatorTest, FreeShippingCapOfZeroIsRejected) {
  EXPECT_EQ(PathsOf(FreeShippingOffer("o-1", 0)), Paths{"discount.max_amount"});
}

TEST(OfferValidatorTest, FreeShippingOutsideShippingLayerIsRejected) {
  Offer offer = BaseOffer("o-1", Layer::kPlatform);
  offer.discount = Discount::FreeShipping();
  EXPECT_EQ(PathsOf(offer), Paths{"discount.type"});
}

TEST(OfferValidatorTest, ShippingLayerWithPercentDiscountIsRejected) {
  EXPECT_EQ(PathsOf(PercentOffer("o-1", Layer::kShipping, 10)), Paths{"discount.type"});
}

TEST(OfferValidatorTest, ShippingLayerWithFixedDiscountIsRejected) {
  EXPECT_EQ(PathsOf(FixedOffer("o-1", Layer::kShipping, 10'000)), Paths{"discount.type"});
}

// --- Cashback -------------------------------------------------------------------------------

// "Hoàn tiền 10% tối đa 25k qua MoMo", paid back by the payment partner.
Offer ValidCashback() {
  Offer offer = BaseOffer("o-1", Layer::kPayment);
  offer.discount = Discount::Cashback(10, 25'000);
  offer.payment_methods = {{"momo"}};
  offer.funded_by = FundedBy::kPaymentPartner;
  offer.funder = "momo";
  return offer;
}

TEST(OfferValidatorTest, CashbackOnThePaymentLayerWithACapIsValid) {
  EXPECT_EQ(PathsOf(ValidCashback()), Paths{});
  Offer uncapped = ValidCashback();
  uncapped.discount.max_amount.reset();
  EXPECT_EQ(PathsOf(uncapped), Paths{});
}

TEST(OfferValidatorTest, CashbackOnTheMerchantOrPlatformLayerIsRejectedAtTheType) {
  for (Layer layer : {Layer::kMerchant, Layer::kPlatform}) {
    Offer offer = ValidCashback();
    offer.layer = layer;
    EXPECT_EQ(PathsOf(offer), Paths{"discount.type"}) << LayerName(layer);
  }
}

TEST(OfferValidatorTest, CashbackOnTheShippingLayerIsRejectedAtTheType) {
  Offer offer = ValidCashback();
  offer.layer = Layer::kShipping;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.type"});  // once, not once per rule
}

TEST(OfferValidatorTest, CashbackPercentOutOfRangeIsRejected) {
  Offer offer = ValidCashback();
  for (std::int64_t value : {0, 101}) {
    offer.discount.value = value;
    EXPECT_EQ(PathsOf(offer), Paths{"discount.value"}) << value;
  }
  for (std::int64_t value : {1, 100}) {
    offer.discount.value = value;
    EXPECT_EQ(PathsOf(offer), Paths{}) << value;
  }
}

TEST(OfferValidatorTest, CashbackCapOfZeroIsRejected) {
  Offer offer = ValidCashback();
  offer.discount.max_amount = 0;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.max_amount"});
}

// --- Tiered and buy_x_get_y discounts -------------------------------------------------------

// "Giảm 20k cho đơn từ 200k, 10% (tối đa 60k) cho đơn từ 500k"
Offer ValidTieredBySubtotal() {
  return TieredOffer("o-1", Layer::kMerchant, TierBasis::kSubtotal,
                     {FixedTier(200'000, 20'000), PercentTier(500'000, 10, 60'000)});
}

// "Mua 2 tặng 1"
Offer ValidBuyTwoGetOne() { return BuyXGetYOffer("o-1", Layer::kMerchant, 2, 1, 100); }

TEST(OfferValidatorTest, TieredBySubtotalIsValid) {
  EXPECT_EQ(PathsOf(ValidTieredBySubtotal()), Paths{});
}

TEST(OfferValidatorTest, TieredByQuantityIsValid) {
  const Offer offer =
      TieredOffer("o-1", Layer::kPlatform, TierBasis::kQuantity,
                  {PercentTier(2, 5), PercentTier(5, 10, 100'000), FixedTier(10, 300'000)});
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, TieredWithOneTierAndWithTenTiersIsValid) {
  Offer offer = TieredOffer("o-1", Layer::kMerchant, TierBasis::kSubtotal, {FixedTier(1, 1)});
  EXPECT_EQ(PathsOf(offer), Paths{});
  offer.discount.tiers.clear();
  for (int i = 1; i <= 10; ++i) offer.discount.tiers.push_back(PercentTier(i * 100'000, i * 5));
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, BuyXGetYIsValid) {
  EXPECT_EQ(PathsOf(ValidBuyTwoGetOne()), Paths{});
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kPlatform, 1, 1, 50, 3)), Paths{});
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kPayment, 1'000, 1'000, 1, 1'000'000)), Paths{});
}

TEST(OfferValidatorTest, TieredWithoutTiersIsRejected) {
  Offer offer = ValidTieredBySubtotal();
  offer.discount.tiers.clear();
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers"});
}

TEST(OfferValidatorTest, TieredWithElevenTiersIsRejected) {
  Offer offer = ValidTieredBySubtotal();
  offer.discount.tiers.clear();
  for (int i = 1; i <= 11; ++i) offer.discount.tiers.push_back(FixedTier(i * 100'000, i * 1'000));
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers"});
}

TEST(OfferValidatorTest, TiersOutOfOrderAreRejectedAtTheLaterTier) {
  const Offer offer = TieredOffer("o-1", Layer::kMerchant, TierBasis::kSubtotal,
                                  {FixedTier(500'000, 60'000), FixedTier(200'000, 20'000)});
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers[1].min"});
}

TEST(OfferValidatorTest, TwoTiersWithTheSameMinAreRejected) {
  const Offer offer = TieredOffer("o-1", Layer::kMerchant, TierBasis::kQuantity,
                                  {PercentTier(2, 5), PercentTier(3, 10), PercentTier(3, 15)});
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers[2].min"});
}

TEST(OfferValidatorTest, SubtotalTierMinOfZeroIsRejected) {
  Offer offer = ValidTieredBySubtotal();
  offer.discount.tiers[0].min = 0;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers[0].min"});
}

TEST(OfferValidatorTest, SubtotalTierMinAboveMaxAmountIsRejected) {
  Offer offer = ValidTieredBySubtotal();
  offer.discount.tiers[1].min = kMaxAmount + 1;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers[1].min"});
  offer.discount.tiers[1].min = kMaxAmount;
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, QuantityTierMinOutOfRangeIsRejected) {
  Offer offer = TieredOffer("o-1", Layer::kMerchant, TierBasis::kQuantity,
                            {PercentTier(0, 5), PercentTier(1'000'001, 10)});
  EXPECT_EQ(PathsOf(offer), (Paths{"discount.tiers[0].min", "discount.tiers[1].min"}));
  offer.discount.tiers[0].min = 1;
  offer.discount.tiers[1].min = 1'000'000;
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, PercentTierOutOfRangeIsRejected) {
  Offer offer = TieredOffer("o-1", Layer::kMerchant, TierBasis::kSubtotal,
                            {PercentTier(100'000, 0), PercentTier(200'000, 101)});
  EXPECT_EQ(PathsOf(offer),
            (Paths{"discount.tiers[0].discount.value", "discount.tiers[1].discount.value"}));
  offer.discount.tiers[0].value = 1;
  offer.discount.tiers[1].value = 100;
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, PercentTierCapOfZeroIsRejected) {
  Offer offer = ValidTieredBySubtotal();
  offer.discount.tiers[1].max_amount = 0;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers[1].discount.max_amount"});
}

TEST(OfferValidatorTest, FixedTierValueOfZeroIsRejected) {
  Offer offer = ValidTieredBySubtotal();
  offer.discount.tiers[0].value = 0;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers[0].discount.value"});
}

TEST(OfferValidatorTest, FixedTierWithCapIsRejected) {
  Offer offer = ValidTieredBySubtotal();
  offer.discount.tiers[0].max_amount = 10'000;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers[0].discount.max_amount"});
}

TEST(OfferValidatorTest, TierOfAnotherTypeThanPercentOrFixedIsRejected) {
  for (const DiscountType type :
       {DiscountType::kFreeShipping, DiscountType::kTiered, DiscountType::kBuyXGetY}) {
    Offer offer = ValidTieredBySubtotal();
    offer.discount.tiers[1].type = type;
    offer.discount.tiers[1].max_amount.reset();
    EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers[1].discount.type"}) << DiscountTypeName(type);
  }
}

TEST(OfferValidatorTest, TieredWithValueIsRejected) {
  Offer offer = ValidTieredBySubtotal();
  offer.discount.value = 10;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.value"});
}

TEST(OfferValidatorTest, TieredWithWholeDiscountCapIsRejected) {
  Offer offer = ValidTieredBySubtotal();
  offer.discount.max_amount = 50'000;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.max_amount"});
}

TEST(OfferValidatorTest, TieredWithBuyXGetYFieldsIsRejected) {
  Offer offer = ValidTieredBySubtotal();
  offer.discount.max_sets = 2;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.buy"});
}

TEST(OfferValidatorTest, TiersOnAPercentDiscountAreRejected) {
  Offer offer = ValidPercent();
  offer.discount.tiers = {FixedTier(200'000, 20'000)};
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers"});
}

TEST(OfferValidatorTest, TiersOnAFixedDiscountAreRejected) {
  Offer offer = FixedOffer("o-1", Layer::kMerchant, 20'000);
  offer.discount.tiers = {PercentTier(200'000, 5)};
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers"});
}

TEST(OfferValidatorTest, BuyAndGetOnAPercentDiscountAreRejected) {
  Offer offer = ValidPercent();
  offer.discount.buy = 2;
  offer.discount.get = 1;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.buy"});
}

TEST(OfferValidatorTest, BuyZeroIsRejected) {
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kMerchant, 0, 1, 100)), Paths{"discount.buy"});
}

TEST(OfferValidatorTest, BuyAbove1000IsRejected) {
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kMerchant, 1'001, 1, 100)), Paths{"discount.buy"});
}

TEST(OfferValidatorTest, GetOutOfRangeIsRejected) {
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kMerchant, 2, 0, 100)), Paths{"discount.get"});
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kMerchant, 2, 1'001, 100)), Paths{"discount.get"});
}

TEST(OfferValidatorTest, BuyXGetYPercentOutOfRangeIsRejectedAsPercent) {
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kMerchant, 2, 1, 0)), Paths{"discount.percent"});
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kMerchant, 2, 1, 101)), Paths{"discount.percent"});
}

TEST(OfferValidatorTest, BuyXGetYMaxSetsOutOfRangeIsRejected) {
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kMerchant, 2, 1, 100, 0)),
            Paths{"discount.max_sets"});
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kMerchant, 2, 1, 100, 1'000'001)),
            Paths{"discount.max_sets"});
}

TEST(OfferValidatorTest, BuyXGetYWithCapIsRejected) {
  Offer offer = ValidBuyTwoGetOne();
  offer.discount.max_amount = 50'000;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.max_amount"});
}

TEST(OfferValidatorTest, BuyXGetYWithTiersIsRejected) {
  Offer offer = ValidBuyTwoGetOne();
  offer.discount.tiers = {FixedTier(200'000, 20'000)};
  EXPECT_EQ(PathsOf(offer), Paths{"discount.tiers"});
}

TEST(OfferValidatorTest, BuyXGetYReportsEveryBadField) {
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kMerchant, 0, 0, 0, 0)),
            (Paths{"discount.buy", "discount.get", "discount.percent", "discount.max_sets"}));
}

TEST(OfferValidatorTest, TieredOnShippingLayerIsRejected) {
  Offer offer = ValidTieredBySubtotal();
  offer.layer = Layer::kShipping;
  offer.funded_by = FundedBy::kPlatform;
  EXPECT_EQ(PathsOf(offer), Paths{"discount.type"});
}

TEST(OfferValidatorTest, BuyXGetYOnShippingLayerIsRejected) {
  EXPECT_EQ(PathsOf(BuyXGetYOffer("o-1", Layer::kShipping, 2, 1, 100)), Paths{"discount.type"});
}

// --- Conditions -----------------------------------------------------------------------------

TEST(OfferValidatorTest, NegativeMinOrderAmountIsRejected) {
  Offer offer = ValidPercent();
  offer.min_order_amount = -1;
  EXPECT_EQ(PathsOf(offer), Paths{"min_order_amount"});
}

TEST(OfferValidatorTest, MinOrderAmountAboveMaxAmountIsRejected) {
  Offer offer = ValidPercent();
  offer.min_order_amount = kMaxAmount + 1;
  EXPECT_EQ(PathsOf(offer), Paths{"min_order_amount"});
}

TEST(OfferValidatorTest, EmptyPaymentMethodListIsRejected) {
  Offer offer = ValidPercent();
  offer.payment_methods = std::vector<std::string>{};
  EXPECT_EQ(PathsOf(offer), Paths{"payment_methods"});
}

TEST(OfferValidatorTest, UnknownPaymentMethodIsRejectedAtItsIndex) {
  Offer offer = ValidPercent();
  offer.payment_methods = {{"momo", "paypal", "cod"}};
  EXPECT_EQ(PathsOf(offer), Paths{"payment_methods[1]"});
}

TEST(OfferValidatorTest, UpperCasePaymentMethodIsRejected) {
  Offer offer = ValidPercent();
  offer.payment_methods = {{"MOMO"}};
  EXPECT_EQ(PathsOf(offer), Paths{"payment_methods[0]"});
}

TEST(OfferValidatorTest, MorePaymentMethodsThanExistIsRejected) {
  Offer offer = ValidPercent();
  offer.payment_methods = std::vector<std::string>(11, "momo");
  EXPECT_EQ(PathsOf(offer), Paths{"payment_methods"});
}

TEST(OfferValidatorTest, EmptyCategoryListIsRejected) {
  Offer offer = ValidPercent();
  offer.categories = std::vector<std::string>{};
  EXPECT_EQ(PathsOf(offer), Paths{"categories"});
}

TEST(OfferValidatorTest, InvalidCategoryIsRejectedAtItsIndex) {
  Offer offer = ValidPercent();
  offer.categories = {{"electronics", "đồ gia dụng"}};
  EXPECT_EQ(PathsOf(offer), Paths{"categories[1]"});
}

TEST(OfferValidatorTest, ShopperTagsAreIdentifiersAndNotAnEmptyList) {
  Offer offer = ValidPercent();
  offer.shopper_tags = {{"new_user", "student"}};
  EXPECT_EQ(PathsOf(offer), Paths{});
  offer.shopper_tags = std::vector<std::string>{};
  EXPECT_EQ(PathsOf(offer), Paths{"shopper_tags"});
  offer.shopper_tags = {{"new_user", "sinh viên"}};
  EXPECT_EQ(PathsOf(offer), Paths{"shopper_tags[1]"});
}

TEST(OfferValidatorTest, MoreThan1000CategoriesIsRejected) {
  Offer offer = ValidPercent();
  offer.categories = std::vector<std::string>(1'001, "books");
  EXPECT_EQ(PathsOf(offer), Paths{"categories"});
  offer.categories->pop_back();
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, InvalidSkuIsRejectedAtItsIndex) {
  Offer offer = ValidPercent();
  offer.skus = {{"tv-55", "tv-65", ""}};
  EXPECT_EQ(PathsOf(offer), Paths{"skus[2]"});
}

TEST(OfferValidatorTest, EmptySkuListIsRejected) {
  Offer offer = ValidPercent();
  offer.skus = std::vector<std::string>{};
  EXPECT_EQ(PathsOf(offer), Paths{"skus"});
}

TEST(OfferValidatorTest, MerchantIdsOnMerchantLayerAreRejected) {
  Offer offer = ValidPercent();
  offer.merchant_ids = {{"m-1"}};
  EXPECT_EQ(PathsOf(offer), Paths{"merchant_ids"});
}

TEST(OfferValidatorTest, EmptyMerchantIdsOnPlatformLayerAreRejected) {
  Offer offer = PercentOffer("o-1", Layer::kPlatform, 5);
  offer.merchant_ids = std::vector<std::string>{};
  EXPECT_EQ(PathsOf(offer), Paths{"merchant_ids"});
}

TEST(OfferValidatorTest, InvalidMerchantIdInListIsRejectedAtItsIndex) {
  Offer offer = PercentOffer("o-1", Layer::kPlatform, 5);
  offer.merchant_ids = {{"m 1"}};
  EXPECT_EQ(PathsOf(offer), Paths{"merchant_ids[0]"});
}

// --- Time -----------------------------------------------------------------------------------

TEST(OfferValidatorTest, EndsAtEqualToStartsAtIsRejected) {
  Offer offer = ValidPercent();
  offer.ends_at = offer.starts_at;
  EXPECT_EQ(PathsOf(offer), Paths{"ends_at"});
}

TEST(OfferValidatorTest, EndsAtBeforeStartsAtIsRejected) {
  Offer offer = ValidPercent();
  offer.ends_at = At("2026-09-30T00:00:00+07:00");
  EXPECT_EQ(PathsOf(offer), Paths{"ends_at"});
}

TEST(OfferValidatorTest, EndsAtOneMillisecondAfterStartsAtIsValid) {
  Offer offer = ValidPercent();
  offer.ends_at = Timestamp{offer.starts_at.millis + 1};
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, DailyWindowStartAt2400IsRejected) {
  Offer offer = ValidPercent();
  offer.daily_window = DailyWindow{kMinutesPerDay, 60};
  EXPECT_EQ(PathsOf(offer), Paths{"daily_window.from"});
}

TEST(OfferValidatorTest, NegativeDailyWindowStartIsRejected) {
  Offer offer = ValidPercent();
  offer.daily_window = DailyWindow{-1, 60};
  EXPECT_EQ(PathsOf(offer), Paths{"daily_window.from"});
}

TEST(OfferValidatorTest, DailyWindowEndAfter2400IsRejected) {
  Offer offer = ValidPercent();
  offer.daily_window = DailyWindow{60, kMinutesPerDay + 1};
  EXPECT_EQ(PathsOf(offer), Paths{"daily_window.to"});
}

TEST(OfferValidatorTest, EmptyDailyWindowIsRejected) {
  Offer offer = ValidPercent();
  offer.daily_window = DailyWindow{12 * 60, 12 * 60};
  EXPECT_EQ(PathsOf(offer), Paths{"daily_window"});
}

TEST(OfferValidatorTest, WholeDayDailyWindowIsRejected) {
  Offer offer = ValidPercent();
  offer.daily_window = DailyWindow{0, kMinutesPerDay};
  EXPECT_EQ(PathsOf(offer), Paths{"daily_window"});
}

TEST(OfferValidatorTest, DailyWindowWrappingPastMidnightIsValid) {
  Offer offer = ValidPercent();
  offer.daily_window = DailyWindow{22 * 60, 2 * 60};
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, DailyWindowEndingAt2400IsValid) {
  Offer offer = ValidPercent();
  offer.daily_window = DailyWindow{20 * 60, kMinutesPerDay};
  EXPECT_EQ(PathsOf(offer), Paths{});
}

// --- Codes ----------------------------------------------------------------------------------

TEST(OfferValidatorTest, CodeOnAutoOfferIsRejected) {
  Offer offer = ValidPercent();
  offer.code = "THANG10";
  EXPECT_EQ(PathsOf(offer), Paths{"code"});
}

TEST(OfferValidatorTest, CodeOnUniqueCodeOfferIsRejected) {
  Offer offer = ValidPercent();
  offer.code_mode = CodeMode::kUnique;
  offer.code = "THANG10";
  EXPECT_EQ(PathsOf(offer), Paths{"code"});
}

TEST(OfferValidatorTest, PublicOfferWithoutCodeIsRejected) {
  Offer offer = ValidPercent();
  offer.code_mode = CodeMode::kPublic;
  EXPECT_EQ(PathsOf(offer), Paths{"code"});
}

TEST(OfferValidatorTest, PublicCodeWithForeignCharacterIsRejected) {
  EXPECT_EQ(PathsOf(WithCode(ValidPercent(), "THÁNG10")), Paths{"code"});
  EXPECT_EQ(PathsOf(WithCode(ValidPercent(), "THANG 10")), Paths{"code"});
}

TEST(OfferValidatorTest, PublicCodeShorterThanThreeIsRejected) {
  EXPECT_EQ(PathsOf(WithCode(ValidPercent(), "T1")), Paths{"code"});
  EXPECT_EQ(PathsOf(WithCode(ValidPercent(), "T10")), Paths{});
}

TEST(OfferValidatorTest, PublicCodeLongerThan32IsRejected) {
  EXPECT_EQ(PathsOf(WithCode(ValidPercent(), std::string(33, 'A'))), Paths{"code"});
  EXPECT_EQ(PathsOf(WithCode(ValidPercent(), std::string(32, 'A'))), Paths{});
}

TEST(OfferValidatorTest, LowerCasePublicCodeIsRejected) {
  EXPECT_EQ(PathsOf(WithCode(ValidPercent(), "thang10")), Paths{"code"});
}

TEST(OfferValidatorTest, PublicCodeWithUnderscoreAndHyphenIsValid) {
  EXPECT_EQ(PathsOf(WithCode(ValidPercent(), "THANG_10-2026")), Paths{});
}

// --- Limits, priority, funding, version -----------------------------------------------------

TEST(OfferValidatorTest, ZeroTotalRedemptionsIsRejected) {
  Offer offer = ValidPercent();
  offer.limits.total_redemptions = 0;
  EXPECT_EQ(PathsOf(offer), Paths{"limits.total_redemptions"});
}

TEST(OfferValidatorTest, TotalRedemptionsAboveTenToTheTwelfthIsRejected) {
  Offer offer = ValidPercent();
  offer.limits.total_redemptions = 1'000'000'000'001;
  EXPECT_EQ(PathsOf(offer), Paths{"limits.total_redemptions"});
  offer.limits.total_redemptions = 1'000'000'000'000;
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, ZeroTotalBudgetIsRejected) {
  Offer offer = ValidPercent();
  offer.limits.total_budget = 0;
  EXPECT_EQ(PathsOf(offer), Paths{"limits.total_budget"});
}

TEST(OfferValidatorTest, TotalBudgetAboveMaxAmountIsRejected) {
  Offer offer = ValidPercent();
  offer.limits.total_budget = kMaxAmount + 1;
  EXPECT_EQ(PathsOf(offer), Paths{"limits.total_budget"});
}

TEST(OfferValidatorTest, ZeroPerShopperLimitIsRejected) {
  Offer offer = ValidPercent();
  offer.limits.per_shopper = 0;
  EXPECT_EQ(PathsOf(offer), Paths{"limits.per_shopper"});
}

TEST(OfferValidatorTest, NegativePerDayLimitIsRejected) {
  Offer offer = ValidPercent();
  offer.limits.per_day = -5;
  EXPECT_EQ(PathsOf(offer), Paths{"limits.per_day"});
}

TEST(OfferValidatorTest, PriorityOutOfRangeIsRejected) {
  Offer offer = ValidPercent();
  offer.priority = kMaxPriority + 1;
  EXPECT_EQ(PathsOf(offer), Paths{"priority"});
  offer.priority = kMinPriority - 1;
  EXPECT_EQ(PathsOf(offer), Paths{"priority"});
}

TEST(OfferValidatorTest, PriorityAtItsBoundsIsValid) {
  Offer offer = ValidPercent();
  offer.priority = kMinPriority;
  EXPECT_EQ(PathsOf(offer), Paths{});
  offer.priority = kMaxPriority;
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, PaymentPartnerFundingWithoutFunderIsRejected) {
  Offer offer = FixedOffer("o-1", Layer::kPayment, 15'000);
  offer.funded_by = FundedBy::kPaymentPartner;
  EXPECT_EQ(PathsOf(offer), Paths{"funder"});
}

TEST(OfferValidatorTest, InvalidFunderIsRejected) {
  Offer offer = FixedOffer("o-1", Layer::kPayment, 15'000);
  offer.funded_by = FundedBy::kPaymentPartner;
  offer.funder = "mo mo";
  EXPECT_EQ(PathsOf(offer), Paths{"funder"});
}

TEST(OfferValidatorTest, FunderIsOptionalForPlatformFunding) {
  Offer offer = FixedOffer("o-1", Layer::kPayment, 15'000);
  offer.funded_by = FundedBy::kPlatform;
  EXPECT_EQ(PathsOf(offer), Paths{});
}

TEST(OfferValidatorTest, VersionZeroIsRejected) {
  Offer offer = ValidPercent();
  offer.version = 0;
  EXPECT_EQ(PathsOf(offer), Paths{"version"});
}

// --- Several at once ------------------------------------------------------------------------

TEST(OfferValidatorTest, ReportsEveryViolatedRule) {
  // Given an offer breaking six unrelated rules
  Offer offer = ValidPercent();
  offer.name = std::string(201, 'x');
  offer.discount.value = 0;
  offer.payment_methods = {{"momo", "paypal"}};
  offer.ends_at = offer.starts_at;
  offer.limits.per_shopper = 0;
  offer.funded_by = FundedBy::kPaymentPartner;
  // When validated, then all six are reported, in field order
  EXPECT_EQ(PathsOf(offer), (Paths{"name", "discount.value", "payment_methods[1]", "ends_at",
                                   "limits.per_shopper", "funder"}));
}

TEST(OfferValidatorTest, ReportsEveryBadEntryOfAList) {
  Offer offer = ValidPercent();
  offer.payment_methods = {{"paypal", "momo", "cash"}};
  EXPECT_EQ(PathsOf(offer), (Paths{"payment_methods[0]", "payment_methods[2]"}));
}

// --- What an update may change (ValidateOfferChange) ----------------------------------------

std::vector<FieldError> Fixed(const std::string& path) {
  return {FieldError{path, "cannot change after creation"}};
}

Paths ChangePaths(const Offer& current, const Offer& next) {
  Paths paths;
  for (const FieldError& error : ValidateOfferChange(current, next)) {
    EXPECT_FALSE(error.message.empty()) << error.path;
    paths.push_back(error.path);
  }
  return paths;
}

Offer HotPercent() {
  Offer offer = ValidPercent();
  offer.hot = true;
  offer.limits = {900, 9'000'000, 2, 90};
  return offer;
}

TEST(OfferValidatorTest, ChangeKeepingEverythingFixedIsAllowed) {
  Offer next = ValidPercent();
  next.name = "Renamed";
  next.status = OfferStatus::kPaused;
  EXPECT_EQ(ValidateOfferChange(ValidPercent(), next), std::vector<FieldError>{});
  EXPECT_EQ(ValidateOfferChange(HotPercent(), HotPercent()), std::vector<FieldError>{});
}

TEST(OfferValidatorTest, ChangingMerchantIdIsRefused) {
  Offer next = ValidPercent();
  next.merchant_id = "m-2";
  EXPECT_EQ(ValidateOfferChange(ValidPercent(), next), Fixed("merchant_id"));
}

TEST(OfferValidatorTest, ChangingCodeModeIsRefused) {
  Offer next = ValidPercent();
  next.code_mode = CodeMode::kUnique;
  EXPECT_EQ(ValidateOfferChange(ValidPercent(), next), Fixed("code_mode"));
}

TEST(OfferValidatorTest, ChangingLayerIsRefused) {
  Offer next = ValidPercent();
  next.layer = Layer::kPlatform;
  EXPECT_EQ(ValidateOfferChange(ValidPercent(), next), Fixed("layer"));
}

TEST(OfferValidatorTest, ChangingHotEitherWayIsRefused) {
  Offer hot = ValidPercent();
  hot.hot = true;
  EXPECT_EQ(ValidateOfferChange(ValidPercent(), hot), Fixed("hot"));
  EXPECT_EQ(ValidateOfferChange(hot, ValidPercent()), Fixed("hot"));
}

TEST(OfferValidatorTest, NonHotOfferMayLowerOrAddAnyLimit) {
  Offer current = ValidPercent();
  current.limits = {900, 9'000'000, 2, 90};
  Offer lowered = current;
  lowered.limits = {1, 1, 1, 1};
  EXPECT_EQ(ValidateOfferChange(current, lowered), std::vector<FieldError>{});
  Offer unlimited = ValidPercent();
  unlimited.limits = {};
  EXPECT_EQ(ValidateOfferChange(unlimited, lowered), std::vector<FieldError>{});
}

TEST(OfferValidatorTest, HotOfferLoweringTotalRedemptionsIsRefused) {
  Offer next = HotPercent();
  next.limits.total_redemptions = 899;
  EXPECT_EQ(ChangePaths(HotPercent(), next), Paths{"limits.total_redemptions"});
}

TEST(OfferValidatorTest, HotOfferLoweringTotalBudgetIsRefused) {
  Offer next = HotPercent();
  next.limits.total_budget = 8'999'999;
  EXPECT_EQ(ChangePaths(HotPercent(), next), Paths{"limits.total_budget"});
}

TEST(OfferValidatorTest, HotOfferLoweringPerDayIsRefused) {
  Offer next = HotPercent();
  next.limits.per_day = 89;
  EXPECT_EQ(ChangePaths(HotPercent(), next), Paths{"limits.per_day"});
}

TEST(OfferValidatorTest, HotOfferLoweringEverySplitLimitReportsEach) {
  Offer next = HotPercent();
  next.limits = {1, 1, 2, 1};
  EXPECT_EQ(ChangePaths(HotPercent(), next),
            (Paths{"limits.total_redemptions", "limits.total_budget", "limits.per_day"}));
}

TEST(OfferValidatorTest, HotOfferAddingASplitLimitIsRefused) {
  Offer current = HotPercent();
  current.limits = {};
  Offer next = current;
  next.limits.total_redemptions = 1'000'000;
  EXPECT_EQ(ChangePaths(current, next), Paths{"limits.total_redemptions"});
  next = current;
  next.limits.total_budget = kMaxAmount;
  EXPECT_EQ(ChangePaths(current, next), Paths{"limits.total_budget"});
  next = current;
  next.limits.per_day = 1'000'000;
  EXPECT_EQ(ChangePaths(current, next), Paths{"limits.per_day"});
}

TEST(OfferValidatorTest, HotOfferRemovingSplitLimitsIsAllowed) {
  Offer next = HotPercent();
  next.limits.total_redemptions.reset();
  next.limits.total_budget.reset();
  next.limits.per_day.reset();
  EXPECT_EQ(ValidateOfferChange(HotPercent(), next), std::vector<FieldError>{});
}

TEST(OfferValidatorTest, HotOfferRaisingSplitLimitsIsAllowed) {
  Offer next = HotPercent();
  next.limits = {901, 9'000'001, 2, 91};
  EXPECT_EQ(ValidateOfferChange(HotPercent(), next), std::vector<FieldError>{});
}

TEST(OfferValidatorTest, HotOfferMayLowerOrAddPerShopper) {
  Offer next = HotPercent();
  next.limits.per_shopper = 1;
  EXPECT_EQ(ValidateOfferChange(HotPercent(), next), std::vector<FieldError>{});
  Offer current = HotPercent();
  current.limits.per_shopper.reset();
  EXPECT_EQ(ValidateOfferChange(current, next), std::vector<FieldError>{});
}

TEST(OfferValidatorTest, HotOfferCannotUseUniqueCodes) {
  Offer offer = HotPercent();
  offer.code_mode = CodeMode::kUnique;
  EXPECT_EQ(PathsOf(offer), Paths{"hot"});
  offer.hot = false;
  EXPECT_EQ(PathsOf(offer), Paths{});
  Offer public_code = HotPercent();
  public_code.code_mode = CodeMode::kPublic;
  public_code.code = "THANG10";
  EXPECT_EQ(PathsOf(public_code), Paths{});
}

}  // namespace
}  // namespace uudai
