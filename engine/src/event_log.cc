#include "uudai/event_log.h"

#include <algorithm>
#include <utility>

namespace uudai {

void EventLog::Append(std::vector<StoreEvent> events) {
  if (events.empty()) return;
  std::lock_guard lock(mutex_);
  for (StoreEvent& event : events) {
    event.seq = ++last_seq_;
    if (retention_ > 0) held_.push_back(std::move(event));
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
    const StoreEvent& event = held_[i];
    page.next_after = event.seq;
    if (!query.merchant_id || event.merchant_id == *query.merchant_id) {
      page.events.push_back(event);
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
  return {held_.begin(), held_.end()};
}

void EventLog::Restore(std::vector<StoreEvent> held, std::uint64_t last_seq) {
  std::lock_guard lock(mutex_);
  held_.assign(std::make_move_iterator(held.begin()), std::make_move_iterator(held.end()));
  while (held_.size() > retention_) held_.pop_front();
  last_seq_ = last_seq;
}

}  // namespace uudai
