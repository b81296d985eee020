// The Store conformance suite (see store_conformance.h) for hot offers (Offer::hot): what an
// update may change of them, and that their limits hold exactly whatever the store does with
// them (a spread store splits them into one share per data shard; a redemption is counted in
// its home's share first, then in the others').
#include <string>

#include "engine/store_conformance.h"

namespace uudai::store_test {
namespace {

Offer HotOffer(const std::string& id) {
  Offer offer = MakePlatformOffer(id);
  offer.hot = true;
  return offer;
}

// Redeems `offer` (discount `discount`) for one shopper `attempts` times, each a new order
// with an Idempotency-Key of its own; the number of redemptions created.
int RedeemRepeatedly(SyncStore& store, const Offer& offer, Money discount, int attempts,
                     const std::string& prefix = "r-") {
  int created = 0;
  for (int i = 0; i < attempts; ++i) {
    const std::string id = prefix + std::to_string(i);
    Result<CreateRedemptionOutcome> outcome =
        store.Create(RedemptionBuilder(id).Apply(offer, discount).Build(),
                     Claim("key-" + id, "fp-" + id, "response of " + id));
    if (outcome.ok()) {
      ++created;
    } else {
      EXPECT_TRUE(CodeOf(outcome) == StatusCode::kQuotaExhausted ||
                  CodeOf(outcome) == StatusCode::kBudgetExhausted ||
                  CodeOf(outcome) == StatusCode::kDailyLimit)
          << outcome.status().message();
      EXPECT_EQ(outcome.status().offer_id(), offer.id);
    }
  }
  return created;
}

TEST_P(StoreConformanceTest, HotCannotChange) {
  auto& store = this->store_;
  Offer plain = store.GivenOffer(MakePlatformOffer("o-plain"));
  plain.hot = true;
  Offer hot = store.GivenOffer(HotOffer("o-hot"));
  hot.hot = false;
  for (const Offer& offer : {plain, hot}) {
    Result<Offer> updated = store.UpdateOffer(offer, 1);
    ASSERT_EQ(CodeOf(updated), StatusCode::kValidation) << offer.id;
    ASSERT_EQ(updated.status().field_errors().size(), 1U);
    EXPECT_EQ(updated.status().field_errors()[0].path, "hot");
  }
  EXPECT_FALSE(store.store().FindOffer("o-plain")->hot);
  EXPECT_TRUE(store.store().FindOffer("o-hot")->hot);
}

TEST_P(StoreConformanceTest, AHotOffersLimitsCanBeRaisedOrRemoved) {
  auto& store = this->store_;
  Offer offer = HotOffer("o-1");
  offer.limits.total_redemptions = 10;
  offer.limits.total_budget = 100'000;
  offer.limits.per_day = 5;
  offer.limits.per_shopper = 3;
  offer = store.GivenOffer(offer);
  offer.limits.total_redemptions = 11;
  offer.limits.total_budget.reset();
  offer.limits.per_day = 50;
  offer.limits.per_shopper = 1;  // not split: it may go down
  Result<Offer> updated = store.UpdateOffer(offer, 1);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(store.store().FindOffer("o-1")->limits, offer.limits);
}

TEST_P(StoreConformanceTest, AHotOffersLimitsCannotBeLoweredOrAdded) {
  auto& store = this->store_;
  Offer offer = HotOffer("o-1");
  offer.limits.total_redemptions = 10;
  offer.limits.total_budget = 100'000;
  offer = store.GivenOffer(offer);
  Offer lowered = offer;
  lowered.limits.total_redemptions = 9;
  lowered.limits.total_budget = 99'999;
  lowered.limits.per_day = 100;  // none before
  Result<Offer> updated = store.UpdateOffer(lowered, 1);
  ASSERT_EQ(CodeOf(updated), StatusCode::kValidation);
  std::vector<std::string> paths;
  for (const FieldError& e : updated.status().field_errors()) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"limits.total_redemptions", "limits.total_budget",
                                             "limits.per_day"}));
  EXPECT_EQ(store.store().FindOffer("o-1")->limits, offer.limits);
  EXPECT_EQ(store.store().FindOffer("o-1")->version, 1);
}

TEST_P(StoreConformanceTest, AHotOfferGrantsExactlyItsTotalRedemptions) {
  Offer offer = HotOffer("o-1");
  offer.limits.total_redemptions = 7;
  offer = this->store_.GivenOffer(offer);
  // One shopper: every redemption has the same home, so a spread store must take from the
  // other shards' shares once its home's is used.
  EXPECT_EQ(RedeemRepeatedly(this->store_, offer, 10'000, 12), 7);
  EXPECT_EQ(this->store_.Usage(offer, "s-1", DayOf(CampaignNow())).redemptions, 7);
}

TEST_P(StoreConformanceTest, ARetryOfARedemptionOfAHotOfferGetsItsFirstAnswer) {
  Offer offer = HotOffer("o-1");
  offer.limits.total_redemptions = 3;
  offer = this->store_.GivenOffer(offer);
  ASSERT_EQ(RedeemRepeatedly(this->store_, offer, 10'000, 5), 3);
  // Replays, whichever share counted the redemption or refused the request last.
  for (int i = 0; i < 5; ++i) {
    const std::string id = "r-" + std::to_string(i);
    Result<CreateRedemptionOutcome> again =
        this->store_.Create(RedemptionBuilder(id).Apply(offer, 10'000).Build(),
                            Claim("key-" + id, "fp-" + id, "response of " + id));
    if (i < 3) {
      ASSERT_TRUE(again.ok()) << id << ": " << again.status().message();
      EXPECT_TRUE(again->replayed) << id;
      EXPECT_EQ(again->response, "response of " + id);
    } else {
      EXPECT_FALSE(again.ok()) << id;
    }
  }
  EXPECT_EQ(this->store_.Usage(offer, "s-1", DayOf(CampaignNow())).redemptions, 3);
}

TEST_P(StoreConformanceTest, AHotOfferRegisteredInABatchGrantsExactlyItsTotalRedemptions) {
  Offer hot = HotOffer("o-hot");
  hot.limits.total_redemptions = 5;
  Result<std::vector<Offer>> stored =
      this->store_.CreateOffers({MakeOffer("o-plain"), hot, MakePlatformOffer("o-platform")});
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  ASSERT_TRUE(stored->at(1).hot);
  EXPECT_EQ(RedeemRepeatedly(this->store_, stored->at(1), 10'000, 8), 5);
}

// In a spread store the shop's offer is kept in its shop's shard and held there, while the hot
// ones go from share to share: the counts stay exact for every offer of the cart.
TEST_P(StoreConformanceTest, CartsOfHotOffersAndAShopsOfferGrantEachExactly) {
  Offer first = HotOffer("o-hot-1");
  first.limits.total_redemptions = 4;
  first = this->store_.GivenOffer(first);
  Offer second = HotOffer("o-hot-2");
  second.limits.total_redemptions = 6;
  second = this->store_.GivenOffer(second);
  const Offer shop = this->store_.GivenOffer(MakeOffer("o-shop"));
  int created = 0;
  for (int i = 0; i < 9; ++i) {
    const std::string id = "r-" + std::to_string(i);
    RedemptionBuilder redemption(id);
    redemption.Apply(shop, 1'000);
    if (i < 6) redemption.Apply(first, 2'000);  // the first runs out after 4
    redemption.Apply(second, 3'000);
    Result<CreateRedemptionOutcome> outcome = this->store_.Create(
        redemption.Build(), Claim("key-" + id, "fp-" + id, "response of " + id));
    if (outcome.ok()) {
      ++created;
    } else {
      EXPECT_EQ(CodeOf(outcome), StatusCode::kQuotaExhausted) << outcome.status().message();
    }
  }
  // Carts 0-3 take both hot offers; 4 and 5 are refused for the first; 6-7 take the second's
  // last two; 8 is refused for the second.
  EXPECT_EQ(created, 6);
  const LocalDay day = DayOf(CampaignNow());
  EXPECT_EQ(this->store_.Usage(first, "s-1", day).redemptions, 4);
  EXPECT_EQ(this->store_.Usage(second, "s-1", day).redemptions, 6);
  EXPECT_EQ(this->store_.Usage(shop, "s-1", day).redemptions, 6);
}

TEST_P(StoreConformanceTest, AHotOfferGrantsExactlyItsBudget) {
  Offer offer = HotOffer("o-1");
  offer.limits.total_budget = 60'000;
  offer = this->store_.GivenOffer(offer);
  EXPECT_EQ(RedeemRepeatedly(this->store_, offer, 10'000, 9), 6);
  EXPECT_EQ(this->store_.Usage(offer, "s-1", DayOf(CampaignNow())).budget_spent, 60'000);
}

TEST_P(StoreConformanceTest, AHotOfferGrantsExactlyItsDailyLimit) {
  Offer offer = HotOffer("o-1");
  offer.limits.per_day = 4;
  offer = this->store_.GivenOffer(offer);
  EXPECT_EQ(RedeemRepeatedly(this->store_, offer, 10'000, 6), 4);
}

TEST_P(StoreConformanceTest, AHotOfferGivesBackWhatACancelReleases) {
  Offer offer = HotOffer("o-1");
  offer.limits.total_redemptions = 2;
  offer = this->store_.GivenOffer(offer);
  ASSERT_EQ(RedeemRepeatedly(this->store_, offer, 10'000, 3), 2);
  // Each cancelled redemption gives its unit back to the share that counted it.
  ASSERT_TRUE(this->store_.Cancel("r-0").ok());
  ASSERT_TRUE(this->store_.Cancel("r-1").ok());
  EXPECT_EQ(RedeemRepeatedly(this->store_, offer, 10'000, 3, "again-"), 2);
}

TEST_P(StoreConformanceTest, AHotOfferRaisedGrantsTheNewLimitExactly) {
  Offer offer = HotOffer("o-1");
  offer.limits.total_redemptions = 2;
  offer = this->store_.GivenOffer(offer);
  ASSERT_EQ(RedeemRepeatedly(this->store_, offer, 10'000, 3), 2);
  offer.limits.total_redemptions = 5;
  offer = this->store_.UpdateOffer(offer, 1).value();
  EXPECT_EQ(RedeemRepeatedly(this->store_, offer, 10'000, 5, "raised-"), 3);
}

TEST_P(StoreConformanceTest, APausedHotOfferIsRefusedForEveryShopper) {
  Offer offer = HotOffer("o-1");
  offer.limits.total_redemptions = 100;
  offer = this->store_.GivenOffer(offer);
  offer.status = OfferStatus::kPaused;
  ASSERT_TRUE(this->store_.UpdateOffer(offer, 1).ok());
  // Shoppers of every shard of a spread store: each share was paused before the answer.
  for (int i = 0; i < 12; ++i) {
    const std::string shopper = "shopper-" + std::to_string(i);
    Result<CreateRedemptionOutcome> outcome = this->store_.Create(
        RedemptionBuilder("r-" + std::to_string(i)).Shopper(shopper).Apply(offer, 10'000).Build());
    EXPECT_EQ(CodeOf(outcome), StatusCode::kOfferPaused) << shopper;
  }
}

}  // namespace
}  // namespace uudai::store_test
