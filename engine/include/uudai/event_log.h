// EventLog: a store's latest events, numbered in the order they are appended.
//
// Keeps the newest `retention` events (older ones are dropped as new ones come) and counts
// every event ever appended, so that seq keeps increasing after a drop. Thread-safe; the
// caller orders Append calls (a store appends under the same lock as it journals, so that
// events are numbered in journal order).
#ifndef UUDAI_EVENT_LOG_H_
#define UUDAI_EVENT_LOG_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "uudai/store_event.h"

namespace uudai {

// How many events a store keeps unless the operator says otherwise (`--event-retention`).
inline constexpr std::size_t kDefaultEventRetention = 1'000'000;
// The most events one page read looks at for a merchant before it answers with what it
// found (next_after says where it stopped).
inline constexpr std::size_t kEventScanLimit = 10'000;

class EventLog {
 public:
  explicit EventLog(std::size_t retention) : retention_(retention) {}

  // Numbers `events` from last_seq() + 1 on, in order, and keeps them.
  void Append(std::vector<StoreEvent> events);
  // The events after query.after (at most query.limit; the merchant's only when it names one,
  // looking at no more than kEventScanLimit events), as if the log ended at `up_to`.
  // Redemptions are left unfilled.
  EventPage Read(const EventQuery& query,
                 std::uint64_t up_to = std::numeric_limits<std::uint64_t>::max()) const;
  std::uint64_t last_seq() const;

  // Every event held, oldest first, and the last seq (to carry them over a journal compaction).
  std::vector<StoreEvent> Held() const;
  // Replaces what is held: `held` (oldest first, numbered) and the last seq.
  void Restore(std::vector<StoreEvent> held, std::uint64_t last_seq);

 private:
  // An event as the log keeps it: a store keeps up to a million of them, most of them an
  // offer's creation or a redemption's step, so what those need is inline (112 bytes, four to
  // a deque block) and the rest, which few events carry, is behind a pointer. A StoreEvent is
  // nearly 500 bytes: its redemption, filled only when a page is read, is inline.
  struct Rare {
    std::vector<std::string> changed;
    std::optional<BudgetThreshold> threshold;
    std::string redemption_id;  // when the event names an offer too
    std::optional<Redemption> redemption;
  };
  struct Kept {
    std::uint64_t seq = 0;
    Timestamp at;
    EventType type = EventType::kOfferCreated;
    bool id_is_redemption = false;  // `id` is the redemption's (else the offer's, or empty)
    std::string merchant_id;
    std::string id;
    std::shared_ptr<const Offer> offer;
    std::unique_ptr<Rare> rare;
  };
  static Kept Keep(StoreEvent event);
  static StoreEvent Expand(const Kept& kept);

  const std::size_t retention_;
  mutable std::mutex mutex_;
  std::deque<Kept> held_;  // consecutive seqs, oldest first
  std::uint64_t last_seq_ = 0;
};

}  // namespace uudai

#endif  // UUDAI_EVENT_LOG_H_
