// StoreEvent: what happened in the store, numbered by a store-wide increasing `seq`.
//
// Every change a store makes is told as events: an offer created or updated, a redemption
// reserved, committed, released (cancelled), expired or refunded, and an offer's use of its
// total_redemptions or total_budget crossing 80, 95 or 100 % (each once per offer). A store
// writes its events in the same atomic step as the change they describe (MemoryStore: derived
// from the journalled mutation, in journal order; RedisStore: by the same script call), so
// none is lost or invented, and keeps the latest ones up to its retention (EventLog).
#ifndef UUDAI_STORE_EVENT_H_
#define UUDAI_STORE_EVENT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uudai/campaign_time.h"
#include "uudai/offer.h"
#include "uudai/redemption.h"

namespace uudai {

enum class EventType : std::uint8_t {
  kOfferCreated,
  kOfferUpdated,
  kRedemptionReserved,
  kRedemptionCommitted,
  kRedemptionReleased,
  kRedemptionExpired,
  kRedemptionRefunded,
  kOfferBudgetThreshold,
};
inline constexpr std::size_t kEventTypeCount =
    static_cast<std::size_t>(EventType::kOfferBudgetThreshold) + 1;

// "offer.created", "redemption.committed", "offer.budget_threshold", ...
std::string_view EventTypeName(EventType type);

// The event telling that a redemption now has `status`.
EventType RedemptionEventFor(RedemptionStatus status);
// The status a redemption event tells of (REQUIRES: a redemption event).
RedemptionStatus StatusOfRedemptionEvent(EventType type);
constexpr bool IsRedemptionEvent(EventType type) {
  return type >= EventType::kRedemptionReserved && type <= EventType::kRedemptionRefunded;
}

// Which limit a budget threshold is of.
enum class ThresholdBasis : std::uint8_t { kTotalRedemptions, kTotalBudget };
std::string_view ThresholdBasisName(ThresholdBasis basis);

// The percentages of a limit announced, in increasing order.
inline constexpr int kBudgetThresholdPercents[] = {80, 95, 100};

struct BudgetThreshold {
  ThresholdBasis basis = ThresholdBasis::kTotalRedemptions;
  int percent = 80;
  std::int64_t used = 0;   // live redemptions, or budget spent (đồng), when it was crossed
  std::int64_t limit = 0;  // the limit then
};

// One bit per (basis, percent): which thresholds an offer has announced.
std::uint8_t ThresholdBit(ThresholdBasis basis, int percent);

// The thresholds of `limits` that `live` redemptions and `budget_spent` reach and that
// `announced` (ThresholdBit mask) does not hold yet, in order (redemptions first, then budget;
// lower percentages first); adds their bits to `announced`.
std::vector<BudgetThreshold> NewThresholdsReached(const OfferLimits& limits, std::int64_t live,
                                                  Money budget_spent, std::uint8_t& announced);

struct StoreEvent {
  std::uint64_t seq = 0;  // store-wide, increasing, from 1
  EventType type = EventType::kOfferCreated;
  Timestamp at;
  std::string merchant_id;  // the shop the event concerns (the offer's or the redemption's)
  // Offer events and thresholds: the offer. Redemption events: empty.
  std::string offer_id;
  // offer.created / offer.updated: the offer as written (its updated_by says by which key).
  std::shared_ptr<const Offer> offer;
  // offer.updated: the fields that changed (OfferFieldsChanged).
  std::vector<std::string> changed;
  // Redemption events: the redemption's id, and (filled by Store::ReadEvents) the redemption
  // as it was right after this event.
  std::string redemption_id;
  std::optional<Redemption> redemption;
  // offer.budget_threshold.
  std::optional<BudgetThreshold> threshold;
};

// The fields an update changed, as API paths in the offer's field order ("name",
// "limits.total_budget", "status", ...). Version and timestamps are not fields a writer
// changes, and updated_by is who changed them: none of them is listed.
std::vector<std::string> OfferFieldsChanged(const Offer& before, const Offer& after);

// `now` (a redemption created with status `created_as`) as it was right after it reached
// `status` (one of the statuses it went through): later transitions' times cleared.
Redemption RedemptionAsOf(const Redemption& now, RedemptionStatus created_as,
                          RedemptionStatus status);

// What a page of events is read with.
struct EventQuery {
  std::uint64_t after = 0;                 // events with seq > after
  std::size_t limit = 100;                 // the most events returned (at least 1)
  std::optional<std::string> merchant_id;  // only this shop's events
};

struct EventPage {
  std::vector<StoreEvent> events;
  // Where the next page starts: the seq of the last event looked at (a merchant's page may
  // have skipped other shops' events after its last one). `after` when nothing was looked at.
  std::uint64_t next_after = 0;
  std::uint64_t oldest_seq = 0;  // the oldest event still held (0: none held)
  std::uint64_t last_seq = 0;    // the newest event written (0: none yet)
};

// Of a page read with `query`: whether events after `query.after` were dropped (retention)
// before they could be read.
inline bool MissedEvents(const EventQuery& query, const EventPage& page) {
  return page.oldest_seq > query.after + 1 || (page.oldest_seq == 0 && page.last_seq > query.after);
}

}  // namespace uudai

#endif  // UUDAI_STORE_EVENT_H_
