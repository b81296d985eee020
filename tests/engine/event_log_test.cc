// EventLog: what it keeps of each kind of event comes back whole (pages, Held, Restore), in
// seq order, and it keeps only the newest `retention` events.
#include "uudai/event_log.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace uudai {
namespace {

// Every field of a StoreEvent, so that a field the log dropped or mixed up fails.
void ExpectSameEvent(const StoreEvent& got, const StoreEvent& want) {
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.at, want.at);
  EXPECT_EQ(got.merchant_id, want.merchant_id);
  EXPECT_EQ(got.offer_id, want.offer_id);
  EXPECT_EQ(got.offer, want.offer);
  EXPECT_EQ(got.changed, want.changed);
  EXPECT_EQ(got.redemption_id, want.redemption_id);
  EXPECT_EQ(got.redemption, want.redemption);
  ASSERT_EQ(got.threshold.has_value(), want.threshold.has_value());
  if (want.threshold) {
    EXPECT_EQ(got.threshold->basis, want.threshold->basis);
    EXPECT_EQ(got.threshold->percent, want.threshold->percent);
    EXPECT_EQ(got.threshold->used, want.threshold->used);
    EXPECT_EQ(got.threshold->limit, want.threshold->limit);
  }
}

// One event of each shape a store appends, and one that carries every field at once.
std::vector<StoreEvent> EveryShape() {
  auto offer = std::make_shared<Offer>();
  offer->id = "o-1";
  offer->merchant_id = "m-1";
  std::vector<StoreEvent> events(5);
  events[0].type = EventType::kOfferCreated;
  events[0].at = Timestamp{1000};
  events[0].merchant_id = "m-1";
  events[0].offer_id = "o-1";
  events[0].offer = offer;
  events[1].type = EventType::kOfferUpdated;
  events[1].merchant_id = "m-1";
  events[1].offer_id = "o-1";
  events[1].offer = offer;
  events[1].changed = {"name", "limits.total_budget"};
  events[2].type = EventType::kRedemptionCommitted;
  events[2].at = Timestamp{2000};
  events[2].merchant_id = "m-2";
  events[2].redemption_id = "r_abc";
  events[3].type = EventType::kOfferBudgetThreshold;
  events[3].at = Timestamp{3000};
  events[3].merchant_id = "m-1";
  events[3].offer_id = "o-1";
  events[3].threshold = BudgetThreshold{ThresholdBasis::kTotalBudget, 95, 950, 1000};
  events[4] = events[1];
  events[4].type = EventType::kRedemptionRefunded;
  events[4].redemption_id = "r_both";
  Redemption r;
  r.id = "r_both";
  r.merchant_id = "m-1";
  events[4].redemption = r;
  events[4].threshold = events[3].threshold;
  return events;
}

TEST(EventLogTest, EveryKindOfEventComesBackWholeInSeqOrder) {
  EventLog log(100);
  std::vector<StoreEvent> want = EveryShape();
  log.Append(want);
  for (std::size_t i = 0; i < want.size(); ++i) want[i].seq = i + 1;

  const EventPage page = log.Read(EventQuery{0, 100, std::nullopt});
  ASSERT_EQ(page.events.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) ExpectSameEvent(page.events[i], want[i]);
  EXPECT_EQ(page.last_seq, 5u);
  EXPECT_EQ(page.oldest_seq, 1u);

  // A shop's page: only its events.
  const EventPage shop = log.Read(EventQuery{0, 100, std::string("m-2")});
  ASSERT_EQ(shop.events.size(), 1u);
  ExpectSameEvent(shop.events[0], want[2]);

  // Carried over a compaction: Held, then Restore into another log.
  const std::vector<StoreEvent> held = log.Held();
  ASSERT_EQ(held.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) ExpectSameEvent(held[i], want[i]);
  EventLog restored(100);
  restored.Restore(held, log.last_seq());
  const EventPage again = restored.Read(EventQuery{2, 100, std::nullopt});
  ASSERT_EQ(again.events.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) ExpectSameEvent(again.events[i], want[i + 2]);
}

TEST(EventLogTest, KeepsTheNewestRetentionEventsAndCountsOn) {
  EventLog log(3);
  for (int i = 0; i < 2; ++i) log.Append(EveryShape());  // seqs 1..10
  const EventPage page = log.Read(EventQuery{0, 100, std::nullopt});
  ASSERT_EQ(page.events.size(), 3u);
  EXPECT_EQ(page.events.front().seq, 8u);
  EXPECT_EQ(page.oldest_seq, 8u);
  EXPECT_EQ(page.last_seq, 10u);
  EXPECT_EQ(page.events.back().redemption_id, "r_both");

  // Restoring more than the retention keeps the newest.
  EventLog restored(2);
  restored.Restore(log.Held(), log.last_seq());
  const EventPage kept = restored.Read(EventQuery{0, 100, std::nullopt});
  ASSERT_EQ(kept.events.size(), 2u);
  EXPECT_EQ(kept.events.front().seq, 9u);
  EXPECT_EQ(kept.last_seq, 10u);
}

}  // namespace
}  // namespace uudai
