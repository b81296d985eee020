#include "store/redis/store_mirror.h"

#include <spdlog/spdlog.h>

namespace uudai::gateway {

StoreMirror::StoreMirror(const Clock& clock, MemoryStoreOptions view_options, std::size_t batch,
                         Fetch fetch)
    : view_(clock, view_options), batch_(batch), fetch_(std::move(fetch)) {}

LogPosition StoreMirror::position() const {
  std::lock_guard lock(mutex_);
  return position_;
}

void StoreMirror::ApplyLocked(const LogEntry& entry, OfferChanges& changed) {
  view_.Replay(entry.mutation);
  position_ = entry.position;
  if (observer_) {
    for (auto& offer : OffersWrittenBy(entry.mutation)) changed.push_back(std::move(offer));
  }
}

void StoreMirror::NotifyLocked(OfferChanges& changed) {
  if (observer_ && !changed.empty()) observer_(changed);
  changed.clear();
}

void StoreMirror::ApplyState(const StoreMutation& mutation) {
  std::lock_guard lock(mutex_);
  view_.Replay(mutation);
  OfferChanges changed = OffersWrittenBy(mutation);
  NotifyLocked(changed);
}

void StoreMirror::ApplyStateOffers(const std::vector<std::shared_ptr<const Offer>>& offers) {
  std::lock_guard lock(mutex_);
  for (const auto& offer : offers) view_.Replay(OfferWritten{offer});
  if (observer_ && !offers.empty()) observer_(offers);
}

void StoreMirror::StartAt(LogPosition position) {
  std::lock_guard lock(mutex_);
  position_ = position;
}

void StoreMirror::ApplyPendingOwnLocked(OfferChanges& changed) {
  while (!pending_own_.empty()) {
    auto first = pending_own_.begin();
    if (position_ < first->first) return;  // a gap before it: wait for its predecessor
    if (first->first == position_) ApplyLocked(first->second, changed);
    pending_own_.erase(first);
  }
}

void StoreMirror::TakeReadyLocked(bool all, std::vector<std::function<void()>>& ready) {
  auto end = all ? waiters_.end() : waiters_.upper_bound(position_);
  for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
  waiters_.erase(waiters_.begin(), end);
}

void StoreMirror::ApplyOwn(LogPosition previous, LogPosition entry, const StoreMutation& mutation) {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mutex_);
    if (previous < position_) return;  // already past it: the log brought it
    if (position_ < previous) {
      pending_own_.emplace(previous, LogEntry{entry, mutation});
      return;
    }
    OfferChanges changed;
    ApplyLocked(LogEntry{entry, mutation}, changed);
    ApplyPendingOwnLocked(changed);
    NotifyLocked(changed);
    TakeReadyLocked(false, ready);
  }
  for (auto& then : ready) then();
}

void StoreMirror::WhenApplied(LogPosition entry, std::function<void()> then) {
  {
    std::lock_guard lock(mutex_);
    if (position_ < entry) {
      waiters_.emplace(entry, std::move(then));
      if (!fetching_) StartFetch();
      return;
    }
  }
  then();
}

void StoreMirror::CatchUp(std::function<void(Status)> then) {
  std::lock_guard lock(mutex_);
  if (fetching_) {
    next_round_.push_back(std::move(then));
    return;
  }
  this_round_.push_back(std::move(then));
  StartFetch();
}

void StoreMirror::StartFetch() {
  fetching_ = true;
  fetch_(position_, [this](Result<LogRead> fetched) { OnFetched(std::move(fetched)); });
}

void StoreMirror::OnFetched(Result<LogRead> fetched) {
  std::vector<std::function<void()>> ready;
  std::vector<std::function<void(Status)>> caught_up;
  Status status;
  {
    std::lock_guard lock(mutex_);
    // Entries up to the view's position are held (own changes may have moved it while the
    // read was in flight, and the log may since have been trimmed up to it): a gap is an entry
    // after it that neither the view nor this read holds.
    if (fetched.ok() && fetched->first && fetched->first->millis > position_.millis + 1) {
      if (!broken_.exchange(true)) {
        spdlog::critical(
            "store view: the change log no longer holds the entries after {} (the first it "
            "holds is {}): they were trimmed before this gateway read them. Its view cannot "
            "follow the store any more: restart the gateway",
            position_.ToString(), fetched->first->ToString());
      }
      fetched = Status(StatusCode::kUnavailable, "the change log was trimmed past this view");
    }
    status = fetched.status();
    log_readable_.store(fetched.ok(), std::memory_order_relaxed);
    bool more = false;
    if (fetched.ok()) {
      // The offers a page changes reach the catalog in one call: one new snapshot a page.
      OfferChanges changed;
      for (const LogEntry& entry : fetched->entries) {
        if (position_ < entry.position) ApplyLocked(entry, changed);
      }
      ApplyPendingOwnLocked(changed);
      NotifyLocked(changed);
      more = fetched->count >= batch_;
      TakeReadyLocked(false, ready);
    } else {
      if (!broken_) spdlog::warn("store view: cannot read the change log: {}", status.message());
      TakeReadyLocked(true, ready);  // the writes happened; their readers just wait no longer
    }
    if (more) {
      StartFetch();  // same round: its callers want the end of the log
    } else {
      caught_up.swap(this_round_);
      this_round_.swap(next_round_);
      fetching_ = false;
      if (!this_round_.empty() || !waiters_.empty()) StartFetch();
    }
  }
  for (auto& then : ready) then();
  for (auto& then : caught_up) then(status);
}

}  // namespace uudai::gateway
