// The Store conformance suite (see store_conformance.h) for the rewards that are not plain
// discounts: cashback (a payment-layer reward credited after payment, counted against the
// offer's budget and reported apart in stats) and first-order offers (only for a shopper with
// no live redemption at the shop, or on the platform; the store re-checks it atomically).
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engine/store_conformance.h"

namespace uudai::store_test {
namespace {

using S = RedemptionStatus;

const LocalDay kToday = DayOf(CampaignNow());

// A payment-partner cashback: 10 % back, at most 50,000 đ, paid by MoMo.
Offer CashbackOffer(std::string id) { return MakeCashbackOffer(std::move(id), 10, 50'000); }

Offer FirstOrderOffer(std::string id, std::string merchant = "m-1") {
  Offer offer = MakeOffer(std::move(id));
  offer.merchant_id = std::move(merchant);
  offer.first_order = true;
  return offer;
}

Offer PlatformFirstOrderOffer(std::string id) {
  Offer offer = MakePlatformOffer(std::move(id));
  offer.first_order = true;
  return offer;
}

}  // namespace

// --- Cashback --------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, CashbackIsKeptApartFromTheDiscountAndReadBackAsCreated) {
  auto& store = this->store_;
  const Offer merchant = store.GivenOffer(MakeOffer("o-shop"));
  const Offer cashback = store.GivenOffer(CashbackOffer("o-cb"));
  const Redemption created = store.GivenRedemption(RedemptionBuilder("r-1")
                                                       .Subtotal(300'000)
                                                       .Apply(merchant, 10'000)
                                                       .ApplyCashback(cashback, 30'000)
                                                       .Build());
  Result<Redemption> read = store.Get("r-1");
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read.value(), created);
  ASSERT_EQ(read->applied.size(), 2U);
  EXPECT_EQ(read->applied[1].offer_id, "o-cb");
  EXPECT_EQ(read->applied[1].discount, 0);
  EXPECT_EQ(read->applied[1].cashback, 30'000);
  EXPECT_EQ(read->discount_total, 10'000);
  EXPECT_EQ(read->cashback_total(), 30'000);
  EXPECT_EQ(read->total(), 290'000);  // the cashback is not taken off what the shopper pays
}

TEST_P(StoreConformanceTest, CashbackCountsAgainstTheOffersBudget) {
  auto& store = this->store_;
  Offer limited = CashbackOffer("o-cb");
  limited.limits.total_budget = 50'000;
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(
      RedemptionBuilder("r-1").Shopper("s-1").ApplyCashback(offer, 30'000).Build());
  EXPECT_EQ(store.Usage(offer, "s-1", kToday).budget_spent, 30'000);
  Result<CreateRedemptionOutcome> over =
      store.Create(RedemptionBuilder("r-2").Shopper("s-2").ApplyCashback(offer, 20'001).Build());
  ASSERT_EQ(CodeOf(over), StatusCode::kBudgetExhausted);
  EXPECT_EQ(over.status().offer_id(), "o-cb");
  // Exactly the rest of the budget still fits.
  store.GivenRedemption(
      RedemptionBuilder("r-3").Shopper("s-3").ApplyCashback(offer, 20'000).Build());
  EXPECT_EQ(store.Usage(offer, "s-3", kToday).budget_spent, 50'000);
  EXPECT_EQ(store.Stats("o-cb")->remaining_budget, 0);
}

TEST_P(StoreConformanceTest, CommittedCashbackIsInTheStatsApartFromDiscounts) {
  auto& store = this->store_;
  const Offer merchant = store.GivenOffer(MakeOffer("o-shop"));
  const Offer cashback = store.GivenOffer(CashbackOffer("o-cb"));
  store.GivenRedemption(RedemptionBuilder("r-1")
                            .Subtotal(300'000)
                            .Committed()
                            .Apply(merchant, 10'000)
                            .ApplyCashback(cashback, 30'000)
                            .Build());
  store.GivenRedemption(
      RedemptionBuilder("r-2").Subtotal(100'000).ApplyCashback(cashback, 10'000).Build());

  StatsBucket cashback_offer;
  cashback_offer.by_status[static_cast<std::size_t>(S::kCommitted)] = 1;
  cashback_offer.by_status[static_cast<std::size_t>(S::kReserved)] = 1;
  cashback_offer.cashback_committed = 30'000;
  cashback_offer.gmv_committed = 300'000;
  EXPECT_EQ(store.Stats("o-cb")->totals, cashback_offer);
  EXPECT_EQ(store.Stats("o-shop")->totals.discount_committed, 10'000);
  EXPECT_EQ(store.Stats("o-shop")->totals.cashback_committed, 0);

  Result<CampaignStats> campaign = store.CampaignStatsFor(
      CampaignQuery{std::nullopt, std::nullopt, std::nullopt, CampaignGrouping::kFundedBy});
  ASSERT_TRUE(campaign.ok()) << campaign.status().message();
  EXPECT_EQ(campaign->totals.discount_committed, 10'000);
  EXPECT_EQ(campaign->totals.cashback_committed, 30'000);
  ASSERT_EQ(campaign->groups.size(), 2U);
  EXPECT_EQ(campaign->groups[0].key, "merchant");
  EXPECT_EQ(campaign->groups[0].bucket.discount_committed, 10'000);
  EXPECT_EQ(campaign->groups[0].bucket.cashback_committed, 0);
  EXPECT_EQ(campaign->groups[1].key, "payment_partner:momo");
  EXPECT_EQ(campaign->groups[1].bucket.discount_committed, 0);
  EXPECT_EQ(campaign->groups[1].bucket.cashback_committed, 30'000);
}

TEST_P(StoreConformanceTest, RefundTakesCashbackOutOfTheStatsAndRestoresTheBudget) {
  auto& store = this->store_;
  Offer restoring = CashbackOffer("o-cb");
  restoring.limits.total_budget = 100'000;
  Offer keeping = CashbackOffer("o-cb-keep");
  keeping.limits.total_budget = 100'000;
  keeping.restore_on_refund = false;
  const Offer a = store.GivenOffer(restoring);
  const Offer b = store.GivenOffer(keeping);
  store.GivenRedemption(RedemptionBuilder("r-1").Committed().ApplyCashback(a, 40'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-2").Committed().ApplyCashback(b, 40'000).Build());
  store.GivenTransition("r-1", RedemptionAction::kRefund);
  store.GivenTransition("r-2", RedemptionAction::kRefund);
  for (const char* id : {"o-cb", "o-cb-keep"}) {
    const OfferStats stats = store.Stats(id).value();
    EXPECT_EQ(stats.totals.cashback_committed, 0) << id;
    EXPECT_EQ(stats.totals.count(S::kRefunded), 1) << id;
  }
  EXPECT_EQ(store.Stats("o-cb")->remaining_budget, 100'000);
  EXPECT_EQ(store.Stats("o-cb-keep")->remaining_budget, 60'000);
  EXPECT_EQ(store.CampaignStatsFor(CampaignQuery{})->totals.cashback_committed, 0);
}

// --- First order -----------------------------------------------------------------------------

TEST_P(StoreConformanceTest, FirstOrderIsRefusedWhileTheShopperHasALiveRedemptionAtTheShop) {
  auto& store = this->store_;
  const Offer plain = store.GivenOffer(MakeOffer("o-plain"));
  const Offer first = store.GivenOffer(FirstOrderOffer("o-first"));
  const Offer elsewhere = store.GivenOffer(FirstOrderOffer("o-first-m2", "m-2"));
  // s-1 has a reservation at m-1 that applied no first-order offer: any live redemption counts.
  store.GivenRedemption(RedemptionBuilder("r-1").Shopper("s-1").Apply(plain, 10'000).Build());
  EXPECT_EQ(store.store().usage().ShopperOrders("s-1", "m-1"), 1);
  EXPECT_EQ(store.store().usage().ShopperOrders("s-1", kPlatformCodeScope), 1);
  EXPECT_EQ(store.store().usage().ShopperOrders("s-1", "m-2"), 0);

  Result<CreateRedemptionOutcome> second =
      store.Create(RedemptionBuilder("r-2").Shopper("s-1").Apply(first, 10'000).Build());
  ASSERT_EQ(CodeOf(second), StatusCode::kNotFirstOrder);
  EXPECT_EQ(second.status().offer_id(), "o-first");
  EXPECT_EQ(CodeOf(store.Get("r-2")), StatusCode::kNotFound);  // nothing was written
  EXPECT_EQ(store.Usage(first, "s-1", kToday), (OfferUsage{0, 0, 0, 0}));
  // The shopper's first order at another shop, and another shopper's here, still qualify.
  store.GivenRedemption(
      RedemptionBuilder("r-3").Shopper("s-1").Merchant("m-2").Apply(elsewhere, 10'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-4").Shopper("s-2").Apply(first, 10'000).Build());
  EXPECT_EQ(store.store().usage().ShopperOrders("s-1", kPlatformCodeScope), 2);
}

TEST_P(StoreConformanceTest, FirstOrderComesBackWhenTheLiveRedemptionIsCancelledExpiredOrRefunded) {
  auto& store = this->store_;
  auto& clock = this->clock_;
  const Offer first = store.GivenOffer(FirstOrderOffer("o-first"));
  auto attempt = [&](const char* id) {
    return CodeOf(store.Create(
        RedemptionBuilder(id).Shopper("s-1").CreatedAt(clock.Now()).Apply(first, 10'000).Build()));
  };
  ASSERT_EQ(attempt("r-1"), StatusCode::kOk);
  EXPECT_EQ(attempt("r-2"), StatusCode::kNotFirstOrder);  // r-1 is reserved
  store.GivenTransition("r-1", RedemptionAction::kCancel);
  EXPECT_EQ(store.store().usage().ShopperOrders("s-1", "m-1"), 0);
  ASSERT_EQ(attempt("r-3"), StatusCode::kOk);
  // An expired reservation stops counting too.
  clock.Advance(16 * kMillisPerMinute);
  ASSERT_EQ(store.ExpireDue().value(), 1U);
  ASSERT_EQ(attempt("r-4"), StatusCode::kOk);
  store.GivenTransition("r-4", RedemptionAction::kCommit);
  EXPECT_EQ(attempt("r-5"), StatusCode::kNotFirstOrder);  // a committed order counts
  store.GivenTransition("r-4", RedemptionAction::kRefund);
  EXPECT_EQ(store.store().usage().ShopperOrders("s-1", kPlatformCodeScope), 0);
  EXPECT_EQ(attempt("r-6"), StatusCode::kOk);
}

TEST_P(StoreConformanceTest, PlatformFirstOrderCountsTheShoppersRedemptionsAtEveryShop) {
  auto& store = this->store_;
  const Offer shop_two = store.GivenOffer(MakeOffer("o-m2"));
  const Offer first = store.GivenOffer(PlatformFirstOrderOffer("o-first"));
  store.GivenRedemption(
      RedemptionBuilder("r-1").Shopper("s-1").Merchant("m-2").Apply(shop_two, 10'000).Build());
  Result<CreateRedemptionOutcome> refused = store.Create(
      RedemptionBuilder("r-2").Shopper("s-1").Merchant("m-1").Apply(first, 20'000).Build());
  EXPECT_EQ(CodeOf(refused), StatusCode::kNotFirstOrder);
  EXPECT_EQ(refused.status().offer_id(), "o-first");
  store.GivenTransition("r-1", RedemptionAction::kCancel);
  EXPECT_EQ(
      CodeOf(store.Create(
          RedemptionBuilder("r-3").Shopper("s-1").Merchant("m-1").Apply(first, 20'000).Build())),
      StatusCode::kOk);
}

// However many attempts race, one shopper gets a first-order offer once.
TEST_P(StoreConformanceTest, RacingFirstOrdersOfOneShopperGetTheOfferOnce) {
  auto& store = this->store_;
  const Offer first = store.GivenOffer(FirstOrderOffer("o-first"));
  constexpr int kAttempts = 16;
  std::atomic<int> granted{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kAttempts; ++i) {
    threads.emplace_back([&, i] {
      const std::string id = "r-" + std::to_string(i);
      const StatusCode code =
          CodeOf(store.Create(RedemptionBuilder(id).Shopper("s-1").Apply(first, 10'000).Build()));
      (code == StatusCode::kOk              ? granted
       : code == StatusCode::kNotFirstOrder ? refused
                                            : other)
          .fetch_add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(granted.load(), 1);
  EXPECT_EQ(refused.load(), kAttempts - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(store.Usage(first, "s-1", kToday).redemptions, 1);
  EXPECT_EQ(store.store().usage().ShopperOrders("s-1", "m-1"), 1);
}

}  // namespace uudai::store_test
