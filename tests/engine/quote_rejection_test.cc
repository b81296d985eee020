// Quote evaluation: why a supplied code is not applied — every reason, time windows and limits.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/quote_test_support.h"
#include "uudai/quote.h"

namespace uudai {
namespace {

using testing::Applied;
using testing::AppliedOf;
using testing::At;
using testing::CartOf;
using testing::FakeUsageView;
using testing::FixedOffer;
using testing::Oct10Noon;
using testing::OnlyRejection;
using testing::PercentOffer;
using testing::QuoteFor;
using testing::WithCode;

// A platform offer of 20,000 off with the public code THANG10.
Offer Thang10() { return WithCode(FixedOffer("o-1", Layer::kPlatform, 20'000), "THANG10"); }

// A 500,000 cart supplying THANG10.
Cart CartWithThang10() { return CartOf(500'000, {"THANG10"}); }

// The rejection of THANG10 when quoting `offer` at `at`.
CodeRejection RejectionOf(const Offer& offer, Timestamp at = Oct10Noon(),
                          const FakeUsageView& usage = FakeUsageView(),
                          const Cart& cart = CartWithThang10()) {
  const Quote quote = QuoteFor({offer}, cart, at, &usage);
  EXPECT_TRUE(quote.applied.empty());
  return OnlyRejection(quote);
}

CodeRejection Rejected(RejectionReason reason, std::string code = "THANG10") {
  return {std::move(code), "o-1", reason};
}

// True when THANG10 applies its 20,000 with no rejection.
bool Applies(const Offer& offer, Timestamp at = Oct10Noon(),
             const FakeUsageView& usage = FakeUsageView(), const Cart& cart = CartWithThang10()) {
  const Quote quote = QuoteFor({offer}, cart, at, &usage);
  return AppliedOf(quote) == Applied{{offer.id, 20'000}} && quote.rejected.empty();
}

Offer Unique(Offer offer) {
  offer.code_mode = CodeMode::kUnique;
  offer.code.reset();
  return offer;
}

constexpr const char* kUniqueCode = "0123456789ABP";

// --- Codes that name no usable offer --------------------------------------------------------

TEST(QuoteRejectionTest, UnknownCodeIsRejectedWithoutOffer) {
  const Quote quote = QuoteFor({Thang10()}, CartOf(500'000, {"THANG11"}));
  EXPECT_EQ(OnlyRejection(quote),
            (CodeRejection{"THANG11", std::nullopt, RejectionReason::kUnknownCode}));
}

TEST(QuoteRejectionTest, MalformedCodeIsUnknown) {
  const Quote quote = QuoteFor({Thang10()}, CartOf(500'000, {"??"}));
  EXPECT_EQ(OnlyRejection(quote),
            (CodeRejection{"??", std::nullopt, RejectionReason::kUnknownCode}));
}

TEST(QuoteRejectionTest, CodeOfArchivedOfferIsUnknown) {
  Offer offer = Thang10();
  offer.status = OfferStatus::kArchived;
  EXPECT_EQ(RejectionOf(offer),
            (CodeRejection{"THANG10", std::nullopt, RejectionReason::kUnknownCode}));
}

TEST(QuoteRejectionTest, UniqueCodeNeverIssuedIsUnknown) {
  const Quote quote = QuoteFor({Unique(Thang10())}, CartOf(500'000, {kUniqueCode}));
  EXPECT_EQ(OnlyRejection(quote),
            (CodeRejection{kUniqueCode, std::nullopt, RejectionReason::kUnknownCode}));
}

TEST(QuoteRejectionTest, UniqueCodeWithBadCheckSymbolIsUnknown) {
  FakeUsageView usage;
  usage.AddUniqueCode(kUniqueCode, "o-1");
  const Quote quote =
      QuoteFor({Unique(Thang10())}, CartOf(500'000, {"0123456789ABQ"}), Oct10Noon(), &usage);
  EXPECT_EQ(OnlyRejection(quote),
            (CodeRejection{"0123456789ABQ", std::nullopt, RejectionReason::kUnknownCode}));
}

TEST(QuoteRejectionTest, UniqueCodeOfANonUniqueOfferIsUnknown) {
  FakeUsageView usage;
  usage.AddUniqueCode(kUniqueCode, "o-1");
  const Quote quote = QuoteFor({Thang10()}, CartOf(500'000, {kUniqueCode}), Oct10Noon(), &usage);
  EXPECT_EQ(OnlyRejection(quote),
            (CodeRejection{kUniqueCode, std::nullopt, RejectionReason::kUnknownCode}));
}

TEST(QuoteRejectionTest, UniqueCodeInALiveRedemptionIsUsed) {
  FakeUsageView usage;
  usage.AddUniqueCode(kUniqueCode, "o-1", /*available=*/false);
  const Quote quote =
      QuoteFor({Unique(Thang10())}, CartOf(500'000, {kUniqueCode}), Oct10Noon(), &usage);
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(OnlyRejection(quote), Rejected(RejectionReason::kCodeUsed, kUniqueCode));
}

// --- Status and time ------------------------------------------------------------------------

TEST(QuoteRejectionTest, PausedOfferIsRejectedAsPaused) {
  Offer offer = Thang10();
  offer.status = OfferStatus::kPaused;
  EXPECT_EQ(RejectionOf(offer), Rejected(RejectionReason::kPaused));
}

TEST(QuoteRejectionTest, CodeBeforeStartsAtIsNotStarted) {
  const Offer offer = Thang10();
  EXPECT_EQ(RejectionOf(offer, Timestamp{offer.starts_at.millis - 1}),
            Rejected(RejectionReason::kNotStarted));
}

TEST(QuoteRejectionTest, CodeAtExactlyStartsAtApplies) {
  const Offer offer = Thang10();
  EXPECT_TRUE(Applies(offer, offer.starts_at));
}

TEST(QuoteRejectionTest, CodeOneMillisecondBeforeEndsAtApplies) {
  const Offer offer = Thang10();
  EXPECT_TRUE(Applies(offer, Timestamp{offer.ends_at.millis - 1}));
}

TEST(QuoteRejectionTest, CodeAtExactlyEndsAtIsEnded) {
  const Offer offer = Thang10();
  EXPECT_EQ(RejectionOf(offer, offer.ends_at), Rejected(RejectionReason::kEnded));
}

Offer LunchOnly() {
  Offer offer = Thang10();
  offer.daily_window = DailyWindow{12 * 60, 14 * 60};
  return offer;
}

TEST(QuoteRejectionTest, CodeAtDailyWindowStartApplies) {
  EXPECT_TRUE(Applies(LunchOnly(), At("2026-10-10T12:00:00+07:00")));
}

TEST(QuoteRejectionTest, CodeInLastMillisecondOfDailyWindowApplies) {
  EXPECT_TRUE(Applies(LunchOnly(), At("2026-10-10T13:59:59.999+07:00")));
}

TEST(QuoteRejectionTest, CodeAtDailyWindowEndIsOutsideWindow) {
  EXPECT_EQ(RejectionOf(LunchOnly(), At("2026-10-10T14:00:00+07:00")),
            Rejected(RejectionReason::kOutsideWindow));
}

TEST(QuoteRejectionTest, CodeBeforeDailyWindowIsOutsideWindow) {
  EXPECT_EQ(RejectionOf(LunchOnly(), At("2026-10-10T11:59:59+07:00")),
            Rejected(RejectionReason::kOutsideWindow));
}

TEST(QuoteRejectionTest, DailyWindowIsReadInLocalTime) {
  // 12:30 UTC is 19:30 in Vietnam
  EXPECT_EQ(RejectionOf(LunchOnly(), At("2026-10-10T12:30:00Z")),
            Rejected(RejectionReason::kOutsideWindow));
  EXPECT_TRUE(Applies(LunchOnly(), At("2026-10-10T05:30:00Z")));
}

TEST(QuoteRejectionTest, WrappingDailyWindowAppliesAfterLocalMidnight) {
  Offer offer = Thang10();
  offer.daily_window = DailyWindow{22 * 60, 2 * 60};
  EXPECT_TRUE(Applies(offer, At("2026-10-10T01:30:00+07:00")));
  EXPECT_TRUE(Applies(offer, At("2026-10-10T22:00:00+07:00")));
  EXPECT_EQ(RejectionOf(offer, At("2026-10-10T02:00:00+07:00")),
            Rejected(RejectionReason::kOutsideWindow));
}

// --- Merchant, payment method, items --------------------------------------------------------

// A shop's public code is looked up only in that shop's carts: elsewhere it names nothing, and
// the answer says nothing of the other shop's offer.
TEST(QuoteRejectionTest, OtherShopsPublicCodeIsUnknownCode) {
  Offer offer = WithCode(FixedOffer("o-1", Layer::kMerchant, 20'000), "THANG10");
  offer.merchant_id = "m-2";
  EXPECT_EQ(RejectionOf(offer),
            (CodeRejection{"THANG10", std::nullopt, RejectionReason::kUnknownCode}));
}

TEST(QuoteRejectionTest, OtherShopsUniqueCodeIsRejectedWithMerchant) {
  Offer offer = Unique(FixedOffer("o-1", Layer::kMerchant, 20'000));
  offer.merchant_id = "m-2";
  FakeUsageView usage;
  usage.AddUniqueCode(kUniqueCode, "o-1");
  EXPECT_EQ(RejectionOf(offer, Oct10Noon(), usage, CartOf(500'000, {kUniqueCode})),
            Rejected(RejectionReason::kMerchant, kUniqueCode));
}

TEST(QuoteRejectionTest, OwnMerchantsCodeApplies) {
  EXPECT_TRUE(Applies(WithCode(FixedOffer("o-1", Layer::kMerchant, 20'000), "THANG10")));
}

TEST(QuoteRejectionTest, RestrictedPlatformCodeIsRejectedAtOtherMerchants) {
  Offer offer = Thang10();
  offer.merchant_ids = {{"m-2", "m-3"}};
  EXPECT_EQ(RejectionOf(offer), Rejected(RejectionReason::kMerchant));
}

TEST(QuoteRejectionTest, CodeForOtherPaymentMethodsIsRejected) {
  Offer offer = Thang10();
  offer.payment_methods = {{"vietqr", "card"}};
  EXPECT_EQ(RejectionOf(offer), Rejected(RejectionReason::kPaymentMethod));
}

TEST(QuoteRejectionTest, DigitalCodeIsRejectedForCashOnDelivery) {
  Offer offer = Thang10();
  offer.payment_methods = {{"digital"}};
  Cart cart = CartWithThang10();
  cart.payment_method = PaymentMethod::kCod;
  EXPECT_EQ(RejectionOf(offer, Oct10Noon(), FakeUsageView(), cart),
            Rejected(RejectionReason::kPaymentMethod));
}

TEST(QuoteRejectionTest, CodeWithNoMatchingItemIsRejected) {
  Offer offer = Thang10();
  offer.categories = {{"books"}};
  EXPECT_EQ(RejectionOf(offer), Rejected(RejectionReason::kNoEligibleItems));
}

TEST(QuoteRejectionTest, CodeWhoseDiscountComesToZeroIsNoEligibleItems) {
  const Offer offer = WithCode(PercentOffer("o-1", Layer::kPlatform, 1), "THANG10");
  EXPECT_EQ(RejectionOf(offer, Oct10Noon(), FakeUsageView(), CartOf(99, {"THANG10"})),
            Rejected(RejectionReason::kNoEligibleItems));
}

TEST(QuoteRejectionTest, CodeBelowMinOrderAmountIsRejected) {
  Offer offer = Thang10();
  offer.min_order_amount = 500'001;
  EXPECT_EQ(RejectionOf(offer), Rejected(RejectionReason::kMinOrderAmount));
}

// --- Limits ---------------------------------------------------------------------------------

TEST(QuoteRejectionTest, CodeOfOfferOutOfRedemptionsIsQuotaExhausted) {
  Offer offer = Thang10();
  offer.limits.total_redemptions = 100;
  FakeUsageView usage;
  usage.SetRedemptions("o-1", 100);
  EXPECT_EQ(RejectionOf(offer, Oct10Noon(), usage), Rejected(RejectionReason::kQuotaExhausted));
}

TEST(QuoteRejectionTest, LastRedemptionOfQuotaApplies) {
  Offer offer = Thang10();
  offer.limits.total_redemptions = 100;
  FakeUsageView usage;
  usage.SetRedemptions("o-1", 99);
  EXPECT_TRUE(Applies(offer, Oct10Noon(), usage));
}

TEST(QuoteRejectionTest, DiscountBeyondRemainingBudgetIsBudgetExhausted) {
  // Given 19,999 left of the budget and a 20,000 discount
  Offer offer = Thang10();
  offer.limits.total_budget = 1'000'000;
  FakeUsageView usage;
  usage.SetBudgetSpent("o-1", 980'001);
  EXPECT_EQ(RejectionOf(offer, Oct10Noon(), usage), Rejected(RejectionReason::kBudgetExhausted));
}

TEST(QuoteRejectionTest, DiscountUsingExactlyTheRemainingBudgetApplies) {
  Offer offer = Thang10();
  offer.limits.total_budget = 1'000'000;
  FakeUsageView usage;
  usage.SetBudgetSpent("o-1", 980'000);
  EXPECT_TRUE(Applies(offer, Oct10Noon(), usage));
}

TEST(QuoteRejectionTest, ShopperAtTheirLimitIsRejected) {
  Offer offer = Thang10();
  offer.limits.per_shopper = 1;
  FakeUsageView usage;
  usage.SetShopperRedemptions("o-1", "s-1", 1);
  EXPECT_EQ(RejectionOf(offer, Oct10Noon(), usage), Rejected(RejectionReason::kPerShopperLimit));
}

TEST(QuoteRejectionTest, OtherShoppersUsageDoesNotCount) {
  Offer offer = Thang10();
  offer.limits.per_shopper = 1;
  FakeUsageView usage;
  usage.SetShopperRedemptions("o-1", "s-2", 1);
  EXPECT_TRUE(Applies(offer, Oct10Noon(), usage));
}

Offer FiftyADay() {
  Offer offer = Thang10();
  offer.limits.per_day = 50;
  return offer;
}

TEST(QuoteRejectionTest, DayAtItsLimitIsRejected) {
  FakeUsageView usage;
  usage.SetDayRedemptions("o-1", *ParseLocalDay("2026-10-10"), 50);
  EXPECT_EQ(RejectionOf(FiftyADay(), Oct10Noon(), usage), Rejected(RejectionReason::kDailyLimit));
}

TEST(QuoteRejectionTest, DailyLimitOfYesterdayDoesNotCountAfterLocalMidnight) {
  // Given 2026-10-09 (local) used up
  FakeUsageView usage;
  usage.SetDayRedemptions("o-1", *ParseLocalDay("2026-10-09"), 50);
  // Then its last second is rejected, and local midnight (17:00 UTC) starts a fresh day
  EXPECT_EQ(RejectionOf(FiftyADay(), At("2026-10-09T16:59:59Z"), usage),
            Rejected(RejectionReason::kDailyLimit));
  EXPECT_TRUE(Applies(FiftyADay(), At("2026-10-09T17:00:00Z"), usage));
}

TEST(QuoteRejectionTest, DailyLimitOfTheNewLocalDayStartsAtLocalMidnight) {
  // Given 2026-10-10 (local) used up, though it is still 2026-10-09 in UTC at 17:00Z
  FakeUsageView usage;
  usage.SetDayRedemptions("o-1", *ParseLocalDay("2026-10-10"), 50);
  EXPECT_TRUE(Applies(FiftyADay(), At("2026-10-09T16:59:59Z"), usage));
  EXPECT_EQ(RejectionOf(FiftyADay(), At("2026-10-09T17:00:00Z"), usage),
            Rejected(RejectionReason::kDailyLimit));
}

TEST(QuoteRejectionTest, UsageIsAskedForTheLocalDayOfTheQuote) {
  FakeUsageView usage;
  QuoteFor({FiftyADay()}, CartWithThang10(), At("2026-10-09T17:00:00Z"), &usage);
  EXPECT_EQ(usage.days_asked(), std::vector<LocalDay>{*ParseLocalDay("2026-10-10")});
}

TEST(QuoteRejectionTest, QuoteInAnotherZoneUsesThatZonesDay) {
  // Given a zone at UTC, 2026-10-09T17:00:00Z is still 2026-10-09
  FakeUsageView usage;
  usage.SetDayRedemptions("o-1", *ParseLocalDay("2026-10-09"), 50);
  const auto snapshot = testing::SnapshotOf({FiftyADay()});
  const Quote quote =
      QuoteEvaluator(CampaignZone(0))
          .Evaluate(*snapshot, CartWithThang10(), At("2026-10-09T17:00:00Z"), usage);
  EXPECT_EQ(OnlyRejection(quote), Rejected(RejectionReason::kDailyLimit));
}

TEST(QuoteRejectionTest, AutoOfferOutOfQuotaIsSkippedSilently) {
  // Given an exhausted auto offer and a smaller one of the same layer
  Offer exhausted = FixedOffer("o-1", Layer::kMerchant, 50'000);
  exhausted.limits.total_redemptions = 10;
  FakeUsageView usage;
  usage.SetRedemptions("o-1", 10);
  const Quote quote = QuoteFor({exhausted, FixedOffer("o-2", Layer::kMerchant, 20'000)},
                               CartOf(500'000), Oct10Noon(), &usage);
  // Then the smaller one applies and nothing is reported
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-2", 20'000}}));
  EXPECT_TRUE(quote.rejected.empty());
}

// --- Superseded -----------------------------------------------------------------------------

TEST(QuoteRejectionTest, EligibleCodeBeatenByAutoOfferIsSuperseded) {
  const Quote quote =
      QuoteFor({Thang10(), FixedOffer("o-2", Layer::kPlatform, 50'000)}, CartWithThang10());
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-2", 50'000}}));
  EXPECT_EQ(OnlyRejection(quote), Rejected(RejectionReason::kSuperseded));
}

TEST(QuoteRejectionTest, CodeBeatenByExclusiveOfferIsSuperseded) {
  Offer exclusive = FixedOffer("o-2", Layer::kMerchant, 100'000);
  exclusive.exclusive = true;
  const Quote quote = QuoteFor({Thang10(), exclusive}, CartWithThang10());
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-2", 100'000}}));
  EXPECT_EQ(OnlyRejection(quote), Rejected(RejectionReason::kSuperseded));
}

// --- Order of reasons -----------------------------------------------------------------------

TEST(QuoteRejectionTest, PausedIsReportedBeforeEnded) {
  Offer offer = Thang10();
  offer.status = OfferStatus::kPaused;
  EXPECT_EQ(RejectionOf(offer, offer.ends_at), Rejected(RejectionReason::kPaused));
}

TEST(QuoteRejectionTest, EndedIsReportedBeforeMerchant) {
  Offer offer = Thang10();
  offer.merchant_ids = {{"m-2"}};
  EXPECT_EQ(RejectionOf(offer, offer.ends_at), Rejected(RejectionReason::kEnded));
}

TEST(QuoteRejectionTest, PaymentMethodIsReportedBeforeMinOrderAmount) {
  Offer offer = Thang10();
  offer.payment_methods = {{"card"}};
  offer.min_order_amount = 1'000'000;
  EXPECT_EQ(RejectionOf(offer), Rejected(RejectionReason::kPaymentMethod));
}

TEST(QuoteRejectionTest, MinOrderAmountIsReportedBeforeLimits) {
  Offer offer = Thang10();
  offer.min_order_amount = 1'000'000;
  offer.limits.total_redemptions = 1;
  FakeUsageView usage;
  usage.SetRedemptions("o-1", 1);
  EXPECT_EQ(RejectionOf(offer, Oct10Noon(), usage), Rejected(RejectionReason::kMinOrderAmount));
}

TEST(QuoteRejectionTest, QuotaIsReportedBeforeDailyLimit) {
  Offer offer = FiftyADay();
  offer.limits.total_redemptions = 100;
  FakeUsageView usage;
  usage.SetRedemptions("o-1", 100);
  usage.SetDayRedemptions("o-1", *ParseLocalDay("2026-10-10"), 50);
  EXPECT_EQ(RejectionOf(offer, Oct10Noon(), usage), Rejected(RejectionReason::kQuotaExhausted));
}

}  // namespace
}  // namespace uudai
