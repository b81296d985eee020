// The store is the authority: a redemption is re-checked, in the step that counts it, against
// each applied offer as it is now, not as the quote saw it (docs/design.md §1). And the store's
// lifetime sum of order amounts is bounded, so that no counter or stats sum can wrap around
// (money.h, kMaxLifetimeAmount). Run against every Store, like StoreConformanceTest (see
// store_conformance.h):
//
//   INSTANTIATE_TEST_SUITE_P(Memory, OfferRecheckConformanceTest,
//                            ::testing::Values(EnvironmentOf<MemoryStoreEnvironment>("memory")));
#include <functional>
#include <string>

#include "engine/store_conformance.h"

namespace uudai::store_test {

TEST_P(OfferRecheckConformanceTest, OfferPausedSinceTheQuoteIsRefusedPaused) {
  const Offer seen = this->GivenLimitedOffer("o-1");
  this->ExpectRefusedAfterEdit(
      seen, [](Offer& o) { o.status = OfferStatus::kPaused; }, StatusCode::kOfferPaused);
}

TEST_P(OfferRecheckConformanceTest, OfferArchivedSinceTheQuoteIsRefusedEnded) {
  const Offer seen = this->GivenLimitedOffer("o-1");
  this->ExpectRefusedAfterEdit(
      seen, [](Offer& o) { o.status = OfferStatus::kArchived; }, StatusCode::kOfferEnded);
}

TEST_P(OfferRecheckConformanceTest, LimitCutBelowTheUsageIsRefusedWithThatLimit) {
  const Offer seen = this->GivenLimitedOffer("o-1");
  this->store_.GivenRedemption(RedemptionBuilder("r-first").Apply(seen, 10'000).Build());
  const Redemption planned = RedemptionBuilder("r-late").Apply(seen, 10'000).Build();
  Offer edited = seen;
  edited.limits.total_redemptions = 1;
  ASSERT_TRUE(this->store_.UpdateOffer(edited, seen.version).ok());

  Result<CreateRedemptionOutcome> created = this->store_.Create(planned);
  ASSERT_EQ(CodeOf(created), StatusCode::kQuotaExhausted) << created.status().message();
  EXPECT_EQ(created.status().offer_id(), "o-1");
  EXPECT_EQ(this->store_.Usage(edited, "s-1", DayOf(CampaignNow())), (OfferUsage{1, 10'000, 1, 1}));
}

TEST_P(OfferRecheckConformanceTest, BudgetCutBelowTheDiscountIsRefusedBudgetExhausted) {
  const Offer seen = this->GivenLimitedOffer("o-1");
  this->ExpectRefusedAfterEdit(
      seen, [](Offer& o) { o.limits.total_budget = 9'999; }, StatusCode::kBudgetExhausted);
}

TEST_P(OfferRecheckConformanceTest, PerShopperLimitAddedSinceTheQuoteIsApplied) {
  const Offer seen = this->GivenLimitedOffer("o-1");
  this->store_.GivenRedemption(RedemptionBuilder("r-first").Apply(seen, 10'000).Build());
  const Redemption planned =
      RedemptionBuilder("r-late").Order("order-2").Apply(seen, 10'000).Build();
  Offer edited = seen;
  edited.limits.per_shopper = 1;
  ASSERT_TRUE(this->store_.UpdateOffer(edited, seen.version).ok());
  EXPECT_EQ(CodeOf(this->store_.Create(planned)), StatusCode::kPerShopperLimit);
}

TEST_P(OfferRecheckConformanceTest, LimitLoweredButNotReachedIsQuoteChanged) {
  const Offer seen = this->GivenLimitedOffer("o-1");
  this->ExpectRefusedAfterEdit(
      seen, [](Offer& o) { o.limits.total_redemptions = 500; }, StatusCode::kQuoteChanged);
}

TEST_P(OfferRecheckConformanceTest, DiscountChangedSinceTheQuoteIsQuoteChanged) {
  const Offer seen = this->GivenLimitedOffer("o-1");
  this->ExpectRefusedAfterEdit(
      seen, [](Offer& o) { o.discount.value = 5'000; }, StatusCode::kQuoteChanged);
}

TEST_P(OfferRecheckConformanceTest, WindowEndedSinceTheQuoteIsRefusedEnded) {
  const Offer seen = this->GivenLimitedOffer("o-1");
  this->ExpectRefusedAfterEdit(
      seen, [](Offer& o) { o.ends_at = At("2026-10-10T11:00:00+07:00"); }, StatusCode::kOfferEnded);
}

TEST_P(OfferRecheckConformanceTest, WindowMovedLaterSinceTheQuoteIsRefusedNotStarted) {
  const Offer seen = this->GivenLimitedOffer("o-1");
  this->ExpectRefusedAfterEdit(
      seen, [](Offer& o) { o.starts_at = At("2026-10-11T00:00:00+07:00"); },
      StatusCode::kOfferNotStarted);
}

TEST_P(OfferRecheckConformanceTest, DailyWindowAddedSinceTheQuoteIsRefusedOutsideWindow) {
  const Offer seen = this->GivenLimitedOffer("o-1");  // redeemed at local noon
  this->ExpectRefusedAfterEdit(
      seen,
      [](Offer& o) {
        o.daily_window = DailyWindow{22 * 60, 2 * 60};
      },
      StatusCode::kOutsideWindow);
}

TEST_P(OfferRecheckConformanceTest, DailyWindowWrappingPastMidnightHoldsItsHours) {
  Offer offer = MakeOffer("o-1");
  offer.daily_window = DailyWindow{22 * 60, 2 * 60};
  const Offer seen = this->store_.GivenOffer(offer);
  const Redemption late_night = RedemptionBuilder("r-1")
                                    .CreatedAt(At("2026-10-10T01:30:00+07:00"))
                                    .Apply(seen, 10'000)
                                    .Build();
  EXPECT_TRUE(this->store_.Create(late_night).ok());
}

TEST_P(OfferRecheckConformanceTest, PlanMadeAtTheCurrentVersionIsCounted) {
  const Offer seen = this->GivenLimitedOffer("o-1");
  Offer edited = seen;
  edited.discount.value = 5'000;
  const Offer current = this->store_.UpdateOffer(edited, seen.version).value();
  const Redemption planned = RedemptionBuilder("r-1").Apply(current, 5'000).Build();
  Result<CreateRedemptionOutcome> created = this->store_.Create(planned);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(this->store_.Usage(current, "s-1", DayOf(CampaignNow())), (OfferUsage{1, 5'000, 1, 1}));
}

TEST_P(OfferRecheckConformanceTest, OfferTheStoreDoesNotHoldIsQuoteChanged) {
  const Offer never_stored = MakeOffer("o-ghost");
  Result<CreateRedemptionOutcome> created =
      this->store_.Create(RedemptionBuilder("r-1").Apply(never_stored, 10'000).Build());
  EXPECT_EQ(CodeOf(created), StatusCode::kQuoteChanged);
  EXPECT_EQ(created.status().offer_id(), "o-ghost");
}

TEST_P(OfferRecheckConformanceTest, SecondOfferStaleChangesNothingOfTheFirst) {
  const Offer first = this->GivenLimitedOffer("o-a");
  const Offer second = this->store_.GivenOffer(MakePlatformOffer("o-b"));
  const Redemption planned =
      RedemptionBuilder("r-1").Apply(first, 10'000).Apply(second, 10'000).Build();
  Offer paused = second;
  paused.status = OfferStatus::kPaused;
  ASSERT_TRUE(this->store_.UpdateOffer(paused, second.version).ok());
  Result<CreateRedemptionOutcome> created = this->store_.Create(planned);
  ASSERT_EQ(CodeOf(created), StatusCode::kOfferPaused);
  EXPECT_EQ(created.status().offer_id(), "o-b");
  EXPECT_EQ(this->store_.Usage(first, "s-1", DayOf(CampaignNow())), (OfferUsage{0, 0, 0, 0}));
}

// Maximum-size carts (10^15 đồng each, the most a cart may hold) until the lifetime bound:
// every stats sum stays exact, and the redemption that would pass the bound is refused with
// nothing counted.
TEST_P(OfferRecheckConformanceTest, LifetimeAmountIsBoundedAndEveryStatsSumStaysExact) {
  SyncStore& store = this->store_;
  const Offer merchant = store.GivenOffer(MakeOffer("o-m"));
  const Offer platform = store.GivenOffer(MakePlatformOffer("o-p"));
  constexpr std::int64_t kFull = kMaxLifetimeAmount / kMaxAmount;  // 2,000 carts
  for (std::int64_t i = 0; i < kFull; ++i) {
    const std::string id = "r-" + std::to_string(i);
    Result<CreateRedemptionOutcome> created = store.Create(RedemptionBuilder(id)
                                                               .Subtotal(kMaxAmount)
                                                               .Committed()
                                                               .Apply(merchant, kMaxAmount / 2)
                                                               .Apply(platform, kMaxAmount / 2)
                                                               .Build());
    ASSERT_TRUE(created.ok()) << i << ": " << created.status().message();
  }
  Result<CreateRedemptionOutcome> past =
      store.Create(RedemptionBuilder("r-past").Subtotal(1).Committed().Apply(merchant, 1).Build());
  ASSERT_EQ(CodeOf(past), StatusCode::kAmountCeiling) << past.status().message();
  EXPECT_EQ(CodeOf(store.Get("r-past")), StatusCode::kNotFound);

  Result<OfferStats> stats = store.Stats("o-m");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->totals.by_status[static_cast<std::size_t>(RedemptionStatus::kCommitted)], kFull);
  EXPECT_EQ(stats->totals.discount_committed, kFull * (kMaxAmount / 2));
  EXPECT_EQ(stats->totals.gmv_committed, kMaxLifetimeAmount);
  CampaignQuery by_funder;
  by_funder.group_by = CampaignGrouping::kFundedBy;
  Result<CampaignStats> campaign = store.CampaignStatsFor(by_funder);
  ASSERT_TRUE(campaign.ok());
  EXPECT_EQ(campaign->totals.gmv_committed, kMaxLifetimeAmount);
  EXPECT_EQ(campaign->totals.discount_committed, kMaxLifetimeAmount);
  ASSERT_EQ(campaign->groups.size(), 2u);
  for (const CampaignGroup& group : campaign->groups) {
    EXPECT_EQ(group.bucket.gmv_committed, kMaxLifetimeAmount) << group.key;
  }
}

}  // namespace uudai::store_test
