#include "uudai/event_log.h"

#include <algorithm>
#include <utility>

namespace uudai {

EventLog::Kept EventLog::Keep(StoreEvent event) {
  // Four to a block of libstdc++'s deque (512 bytes), as the header says.
  static_assert(sizeof(Kept) <= 128);
  Kept held;
  held.seq = event.seq;
  held.at = event.at;
  held.type = event.type;
  held.merchant_id = std::move(event.merchant_id);
  held.offer = std::move(event.offer);
  held.id_is_redemption = event.offer_id.empty() && !event.redemption_id.empty();
  const bool rare = !event.changed.empty() || event.threshold || event.redemption ||
                    (!held.id_is_redemption && !event.redemption_id.empty());
  if (held.id_is_redemption) {
    held.id = std::move(event.redemption_id);
    event.redemption_id.clear();
  } else {
    held.id = std::move(event.offer_id);
  }
  if (rare) {
    held.rare =
        std::make_unique<Rare>(Rare{std::move(event.changed), event.threshold,
                                    std::move(event.redemption_id), std::move(event.redemption)});
  }
  return held;
}

StoreEvent EventLog::Expand(const Kept& held) {
  StoreEvent event;
  event.seq = held.seq;
  event.at = held.at;
  event.type = held.type;
  event.merchant_id = held.merchant_id;
  event.offer = held.offer;
  (held.id_is_redemption ? event.redemption_id : event.offer_id) = held.id;
  if (held.rare) {
    event.changed = held.rare->changed;
    event.threshold = held.rare->threshold;
    if (!held.id_is_redemption) event.redemption_id = held.rare->redemption_id;
    event.redemption = held.rare->redemption;
  }
  return event;
}

void EventLog::Append(std::vector<StoreEvent> events) {
  if (events.empty()) return;
  std::lock_guard lock(mutex_);
  for (StoreEvent& event : events) {
    event.seq = ++last_seq_;
    if (retention_ > 0) held_.push_back(Keep(std::move(event)));
  }
  while (held_.size() > retention_) held_.pop_front();
}

EventPage EventLog::Read(const EventQuery& query, std::uint64_t up_to) const {
  std::lock_guard lock(mutex_);
  EventPage page;
  page.next_after = query.after;
  page.last_seq = std::min(last_seq_, up_to);
  if (held_.empty()) return page;
  const std::uint64_t first = held_.front().seq;
  page.oldest_seq = first;
  const std::uint64_t start = std::max(query.after + 1, first);
  const std::size_t limit = std::max<std::size_t>(query.limit, 1);
  std::size_t looked = 0;
  for (std::size_t i = start - first; i < held_.size() && held_[i].seq <= up_to; ++i) {
    const Kept& event = held_[i];
    page.next_after = event.seq;
    if (!query.merchant_id || event.merchant_id == *query.merchant_id) {
      page.events.push_back(Expand(event));
      if (page.events.size() >= limit) break;
    }
    if (query.merchant_id && ++looked >= kEventScanLimit) break;
  }
  return page;
}

std::uint64_t EventLog::last_seq() const {
  std::lock_guard lock(mutex_);
  return last_seq_;
}

std::vector<StoreEvent> EventLog::Held() const {
  std::lock_guard lock(mutex_);
  std::vector<StoreEvent> events;
  events.reserve(held_.size());
  for (const Kept& held : held_) events.push_back(Expand(held));
  return events;
}

void EventLog::Restore(std::vector<StoreEvent> held, std::uint64_t last_seq) {
  std::lock_guard lock(mutex_);
  held_.clear();
  const std::size_t skipped = held.size() > retention_ ? held.size() - retention_ : 0;
  for (std::size_t i = skipped; i < held.size(); ++i) held_.push_back(Keep(std::move(held[i])));
  last_seq_ = last_seq;
}

}  // namespace uudai
