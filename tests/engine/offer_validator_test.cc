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
using testing::FixedOffer;
using testing::FreeShippingOffer;
using testing::PercentOffer;
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
  offer.discount = {DiscountType::kFreeShipping, 0, std::nullopt};
  EXPECT_EQ(PathsOf(offer), Paths{"discount.type"});
}

TEST(OfferValidatorTest, ShippingLayerWithPercentDiscountIsRejected) {
  EXPECT_EQ(PathsOf(PercentOffer("o-1", Layer::kShipping, 10)), Paths{"discount.type"});
}

TEST(OfferValidatorTest, ShippingLayerWithFixedDiscountIsRejected) {
  EXPECT_EQ(PathsOf(FixedOffer("o-1", Layer::kShipping, 10'000)), Paths{"discount.type"});
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

}  // namespace
}  // namespace uudai
