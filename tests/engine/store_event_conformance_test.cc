// The Store conformance suite (see store_conformance.h) for events (store_event.h): every
// change is told once, in order, numbered by a store-wide seq; refused writes tell nothing;
// budget thresholds are announced once per offer, whatever the race.
#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/store_conformance.h"

namespace uudai::store_test {
namespace {

// Every event after `after`, page after page of `limit`.
std::vector<StoreEvent> AllEvents(SyncStore& store, std::uint64_t after = 0,
                                  std::size_t limit = 1000,
                                  std::optional<std::string> merchant = std::nullopt) {
  std::vector<StoreEvent> all;
  for (int pages = 0; pages < 1000; ++pages) {
    Result<EventPage> page = store.Events(EventQuery{after, limit, merchant});
    if (!page.ok()) {
      ADD_FAILURE() << "ReadEvents failed: " << page.status().message();
      break;
    }
    all.insert(all.end(), page->events.begin(), page->events.end());
    if (page->next_after == after) break;
    after = page->next_after;
  }
  return all;
}

std::vector<std::string> TypesOf(const std::vector<StoreEvent>& events) {
  std::vector<std::string> types;
  for (const StoreEvent& e : events) types.emplace_back(EventTypeName(e.type));
  return types;
}

// The thresholds announced, as "offer basis percent".
std::vector<std::string> ThresholdsOf(const std::vector<StoreEvent>& events) {
  std::vector<std::string> out;
  for (const StoreEvent& e : events) {
    if (e.type != EventType::kOfferBudgetThreshold) continue;
    out.push_back(e.offer_id + " " + std::string(ThresholdBasisName(e.threshold->basis)) + " " +
                  std::to_string(e.threshold->percent));
  }
  return out;
}

}  // namespace

TEST_P(StoreConformanceTest, AStoreWithNoChangesHasNoEvents) {
  Result<EventPage> page = this->store_.Events(EventQuery{});
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_TRUE(page->events.empty());
  EXPECT_EQ(page->last_seq, 0U);
  EXPECT_EQ(page->oldest_seq, 0U);
  EXPECT_EQ(page->next_after, 0U);
}

TEST_P(StoreConformanceTest, OfferWritesAreToldInOrderWithWhatChangedAndWho) {
  auto& store = this->store_;
  // Given an offer created by a merchant's key, then edited by an admin's
  Offer offer = MakeOffer("o-1");
  offer.updated_by = OfferAuthor{"a1b2c3d4e5f6", "merchant"};
  store.GivenOffer(offer);
  Offer edited = *store.store().FindOffer("o-1");
  edited.name = "Giảm 20%";
  edited.limits.total_budget = 5'000'000;
  edited.status = OfferStatus::kPaused;
  edited.updated_by = OfferAuthor{"0f0f0f0f0f0f", "admin"};
  ASSERT_TRUE(store.UpdateOffer(edited, 1).ok());
  // And two offers registered together, and an edit that was refused (stale version)
  ASSERT_TRUE(store.CreateOffers({MakeOffer("o-3"), MakePlatformOffer("o-2")}).ok());
  EXPECT_EQ(CodeOf(store.UpdateOffer(edited, 1)), StatusCode::kVersionMismatch);

  // When the events are read
  const std::vector<StoreEvent> events = AllEvents(store);

  // Then each write is one event, in order, numbered from 1; the refused edit is none
  ASSERT_EQ(TypesOf(events), (std::vector<std::string>{"offer.created", "offer.updated",
                                                       "offer.created", "offer.created"}));
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq, i + 1);
  // And each carries the offer as written, by whom, and an update what changed
  EXPECT_EQ(events[0].offer_id, "o-1");
  EXPECT_EQ(events[0].merchant_id, "m-1");
  ASSERT_NE(events[0].offer, nullptr);
  EXPECT_EQ(events[0].offer->version, 1);
  EXPECT_EQ(events[0].offer->updated_by, (OfferAuthor{"a1b2c3d4e5f6", "merchant"}));
  EXPECT_TRUE(events[0].changed.empty());
  ASSERT_NE(events[1].offer, nullptr);
  EXPECT_EQ(events[1].offer->version, 2);
  EXPECT_EQ(events[1].offer->updated_by, (OfferAuthor{"0f0f0f0f0f0f", "admin"}));
  EXPECT_EQ(events[1].changed, (std::vector<std::string>{"name", "limits.total_budget", "status"}));
  EXPECT_EQ(events[1].at, events[1].offer->updated_at);
  // And a batch tells its offers in the order given
  EXPECT_EQ(events[2].offer_id, "o-3");
  EXPECT_EQ(events[3].offer_id, "o-2");
}

TEST_P(StoreConformanceTest, RedemptionEventsTellEachStatusAsTheRedemptionWasThen) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  // Given a redemption reserved, committed and refunded; one released; one committed at once;
  // one expired by the store; and one refused (its order is taken)
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  this->clock_.Advance(1'000);
  ASSERT_TRUE(store.Commit("r-1").ok());
  this->clock_.Advance(1'000);
  ASSERT_TRUE(store.Refund("r-1").ok());
  store.GivenRedemption(RedemptionBuilder("r-2").Apply(offer, 10'000).Build());
  ASSERT_TRUE(store.Cancel("r-2").ok());
  store.GivenRedemption(RedemptionBuilder("r-3").Apply(offer, 10'000).Committed().Build());
  store.GivenRedemption(RedemptionBuilder("r-4").Apply(offer, 10'000).TtlMillis(1'000).Build());
  EXPECT_EQ(
      CodeOf(store.Create(RedemptionBuilder("r-5").Order("order-r-3").Apply(offer, 1).Build())),
      StatusCode::kOrderAlreadyRedeemed);
  this->clock_.Advance(60'000);
  ASSERT_EQ(store.ExpireDue().value(), 1U);

  // When the events after the offer's are read
  const std::vector<StoreEvent> events = AllEvents(store, 1);

  // Then every status each redemption reached is one event, in order
  ASSERT_EQ(TypesOf(events),
            (std::vector<std::string>{"redemption.reserved", "redemption.committed",
                                      "redemption.refunded", "redemption.reserved",
                                      "redemption.released", "redemption.committed",
                                      "redemption.reserved", "redemption.expired"}));
  const std::vector<std::string> ids = {"r-1", "r-1", "r-1", "r-2", "r-2", "r-3", "r-4", "r-4"};
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq, i + 2);
    EXPECT_EQ(events[i].redemption_id, ids[i]);
    EXPECT_EQ(events[i].merchant_id, "m-1");
    ASSERT_TRUE(events[i].redemption.has_value()) << i;
    EXPECT_EQ(events[i].redemption->id, ids[i]);
    EXPECT_EQ(events[i].redemption->status, StatusOfRedemptionEvent(events[i].type)) << i;
  }
  // And each redemption is as it was right after its event, not as it is now
  const Redemption& reserved = *events[0].redemption;
  EXPECT_FALSE(reserved.committed_at.has_value());
  EXPECT_FALSE(reserved.refunded_at.has_value());
  EXPECT_EQ(events[0].at, reserved.created_at);
  const Redemption& committed = *events[1].redemption;
  ASSERT_TRUE(committed.committed_at.has_value());
  EXPECT_FALSE(committed.refunded_at.has_value());
  EXPECT_EQ(events[1].at, *committed.committed_at);
  EXPECT_EQ(events[1].at.millis, CampaignNow().millis + 1'000);
  EXPECT_EQ(events[2].at.millis, CampaignNow().millis + 2'000);
  EXPECT_TRUE(events[2].redemption->refunded_at.has_value());
  EXPECT_EQ(events[1].redemption->applied.size(), 1U);
  EXPECT_EQ(events[1].redemption->discount_total, 10'000);
}

TEST_P(StoreConformanceTest, BudgetThresholdsAreAnnouncedOncePerOffer) {
  auto& store = this->store_;
  // Given an offer of 10 redemptions and 100,000 đồng of budget
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 10;
  limited.limits.total_budget = 100'000;
  limited = store.GivenOffer(limited);
  const Offer other = store.GivenOffer(MakeOffer("o-2"));  // no limits: never announced
  auto redeem = [&](int n, Money discount) {
    store.GivenRedemption(RedemptionBuilder("r-" + std::to_string(n))
                              .Apply(limited, discount)
                              .Apply(other, 1'000)
                              .Build());
  };
  // When 8 redemptions of 9,000 đồng count (80 % of the redemptions, 72 % of the budget)
  for (int n = 1; n <= 8; ++n) redeem(n, 9'000);
  const std::uint64_t after_eight = store.Events(EventQuery{}).value().last_seq;
  EXPECT_EQ(ThresholdsOf(AllEvents(store)), (std::vector<std::string>{"o-1 total_redemptions 80"}));
  // And one is released and counted again (80 % reached a second time: no new alert)
  ASSERT_TRUE(store.Cancel("r-8").ok());
  redeem(9, 17'000);  // 80,000 đồng: 80 % of the budget
  // And one more of 15,000 takes the budget to 95 % and the redemptions to 90 %
  redeem(10, 15'000);
  // And the last takes the redemptions to 100 % and the budget to exactly 100 %
  redeem(11, 5'000);

  // Then each threshold was announced once, in the order reached
  const std::vector<StoreEvent> events = AllEvents(store);
  EXPECT_EQ(ThresholdsOf(events),
            (std::vector<std::string>{"o-1 total_redemptions 80", "o-1 total_budget 80",
                                      "o-1 total_budget 95", "o-1 total_redemptions 95",
                                      "o-1 total_redemptions 100", "o-1 total_budget 100"}));
  // And right after the redemption that reached it, with what was used of what
  std::vector<StoreEvent> thresholds;
  for (const StoreEvent& e : events) {
    if (e.type == EventType::kOfferBudgetThreshold) thresholds.push_back(e);
  }
  ASSERT_EQ(thresholds.size(), 6U);
  EXPECT_EQ(thresholds[0].merchant_id, "m-1");
  EXPECT_EQ(thresholds[0].threshold->used, 8);
  EXPECT_EQ(thresholds[0].threshold->limit, 10);
  EXPECT_LE(thresholds[0].seq, after_eight);
  EXPECT_EQ(events[thresholds[0].seq - 2].type, EventType::kRedemptionReserved);
  EXPECT_EQ(thresholds[1].threshold->used, 80'000);
  EXPECT_EQ(thresholds[1].threshold->limit, 100'000);
  EXPECT_EQ(thresholds[5].threshold->used, 100'000);
}

TEST_P(StoreConformanceTest, RacingRedemptionsAnnounceEachThresholdExactlyOnce) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 40;
  limited = store.GivenOffer(limited);
  // When 4 threads race 60 redemptions at a quota of 40
  std::atomic<int> next{0};
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int n; (n = next.fetch_add(1)) < 60;) {
        auto created = store.Create(RedemptionBuilder("r-" + std::to_string(n))
                                        .Shopper("s-" + std::to_string(n))
                                        .Apply(limited, 1'000)
                                        .Build());
        if (created.ok()) granted.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  // Then 40 were granted, each told once, and each threshold announced exactly once
  EXPECT_EQ(granted.load(), 40);
  const std::vector<StoreEvent> events = AllEvents(store);
  int reserved = 0;
  for (const StoreEvent& e : events) reserved += e.type == EventType::kRedemptionReserved;
  EXPECT_EQ(reserved, 40);
  EXPECT_EQ(ThresholdsOf(events),
            (std::vector<std::string>{"o-1 total_redemptions 80", "o-1 total_redemptions 95",
                                      "o-1 total_redemptions 100"}));
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq, i + 1);
}

// A hot offer's thresholds are the whole offer's, however a store splits it (a spread store
// counts it in a share per shard): announced once each, with the offer's use and limit.
TEST_P(StoreConformanceTest, AHotOffersThresholdsAreTheWholeOffersOnceEach) {
  auto& store = this->store_;
  Offer hot = MakePlatformOffer("o-1");
  hot.hot = true;
  hot.limits.total_redemptions = 10;
  hot.limits.total_budget = 1'000'000;
  hot = store.GivenOffer(hot);
  auto redeem = [&](int n) {
    store.GivenRedemption(RedemptionBuilder("r-" + std::to_string(n))
                              .Shopper("s-" + std::to_string(n % 4))
                              .Apply(hot, 3'000)
                              .Build());
  };
  for (int n = 1; n <= 8; ++n) redeem(n);
  EXPECT_EQ(ThresholdsOf(AllEvents(store)), (std::vector<std::string>{"o-1 total_redemptions 80"}));
  // Released and counted again: 80 % is not announced twice.
  ASSERT_TRUE(store.Cancel("r-8").ok());
  redeem(9);
  redeem(10);
  redeem(11);
  const std::vector<StoreEvent> events = AllEvents(store);
  EXPECT_EQ(ThresholdsOf(events),
            (std::vector<std::string>{"o-1 total_redemptions 80", "o-1 total_redemptions 95",
                                      "o-1 total_redemptions 100"}));
  std::vector<StoreEvent> thresholds;
  for (const StoreEvent& e : events) {
    if (e.type == EventType::kOfferBudgetThreshold) thresholds.push_back(e);
  }
  ASSERT_EQ(thresholds.size(), 3U);
  EXPECT_EQ(thresholds[0].merchant_id, "platform");
  EXPECT_EQ(thresholds[0].threshold->used, 8);
  EXPECT_EQ(thresholds[0].threshold->limit, 10);
  EXPECT_EQ(thresholds[2].threshold->used, 10);
  EXPECT_EQ(thresholds[2].threshold->limit, 10);
}

// A redemption that grants a hot offer nothing (0 đồng) is counted and given back like any.
TEST_P(StoreConformanceTest, AHotOfferRedeemedForNothingIsToldOnce) {
  auto& store = this->store_;
  Offer hot = MakePlatformOffer("o-1");
  hot.hot = true;
  hot.limits.total_redemptions = 5;
  hot = store.GivenOffer(hot);
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(hot, 0).Build());
  ASSERT_TRUE(store.Cancel("r-1").ok());
  const std::vector<std::string> expected = {"offer.created", "redemption.reserved",
                                             "redemption.released"};
  EXPECT_EQ(TypesOf(AllEvents(store)), expected);
  EXPECT_EQ(TypesOf(AllEvents(store)), expected) << "read again";
}

TEST_P(StoreConformanceTest, AMerchantReadsOnlyItsShopsEventsPageByPage) {
  auto& store = this->store_;
  // Given events of two shops, interleaved
  Offer mine = MakeOffer("o-1");
  Offer theirs = MakeOffer("o-2");
  theirs.merchant_id = "m-2";
  mine = store.GivenOffer(mine);
  theirs = store.GivenOffer(theirs);
  for (int n = 0; n < 5; ++n) {
    store.GivenRedemption(RedemptionBuilder("r-a" + std::to_string(n)).Apply(mine, 1'000).Build());
    store.GivenRedemption(
        RedemptionBuilder("r-b" + std::to_string(n)).Merchant("m-2").Apply(theirs, 1'000).Build());
  }
  // When m-2 reads them two at a time
  const std::vector<StoreEvent> events = AllEvents(store, 0, 2, "m-2");
  // Then it sees its offer and its 5 redemptions, in order, and none of m-1's
  ASSERT_EQ(events.size(), 6U);
  EXPECT_EQ(events[0].offer_id, "o-2");
  for (const StoreEvent& e : events) EXPECT_EQ(e.merchant_id, "m-2");
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_GT(events[i].seq, events[i - 1].seq);
  // And a page after the last event is empty, and says where the log stands
  Result<EventPage> end = store.Events(EventQuery{12, 10, std::nullopt});
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->events.empty());
  EXPECT_EQ(end->last_seq, 12U);
  EXPECT_EQ(end->oldest_seq, 1U);
  EXPECT_EQ(end->next_after, 12U);
  // And a page of 3 from the start holds seqs 1..3 and says to go on from 3
  Result<EventPage> first = store.Events(EventQuery{0, 3, std::nullopt});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->events.size(), 3U);
  EXPECT_EQ(first->events[2].seq, 3U);
  EXPECT_EQ(first->next_after, 3U);
}

}  // namespace uudai::store_test
