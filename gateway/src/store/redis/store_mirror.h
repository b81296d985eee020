// StoreMirror: this process's in-memory view of a shared store — a MemoryStore fed, in log
// order, from the store's change log (offers, codes, redemptions and their transitions).
//
// Quotes read usage and unique codes from it without I/O, the catalog is rebuilt from the
// offer changes it applies, and stats are computed from it exactly as MemoryStore computes
// them. The shared store (Redis) stays the authority for every limit: a view that is behind
// can make a quote too optimistic (the redemption then gets its 409), never over-grant.
//
// Positions: every change has a LogPosition; the view applies changes strictly in order.
// A change this process made is applied at once when the view already holds the entry before
// it (ApplyOwn). Replies on different connections (one per I/O thread) arrive in any order, so
// an own change whose predecessor is not there yet is kept aside and applied as soon as the
// predecessor is (usually another thread's own change, a few microseconds later); meanwhile
// the view also reads the log (the `fetch` function), in case the gap is another gateway's.
// Entries are numbered without gaps (RedisStore's log: "<n>-0"), so a read that starts past
// the entry after the view's position finds that the entries in between were trimmed before
// this view read them: the view is then broken for good (broken(); the gateway must restart
// and build a new view), since it can no longer tell what changed.
//
// Thread-safe.
#ifndef UUDAI_GATEWAY_STORE_REDIS_STORE_MIRROR_H_
#define UUDAI_GATEWAY_STORE_REDIS_STORE_MIRROR_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "store/redis/redis_store_codec.h"
#include "uudai/memory_store.h"

namespace uudai::gateway {

class StoreMirror {
 public:
  // Reads up to a batch of entries after `after` and calls `done` with them (in order; a
  // count below a batch means the end of the log), or with an error when the log cannot be
  // read. It may leave out entries the view already holds (see position()).
  using FetchDone = std::function<void(Result<LogRead>)>;
  using Fetch = std::function<void(LogPosition after, FetchDone done)>;

  StoreMirror(const Clock& clock, MemoryStoreOptions view_options, std::size_t batch, Fetch fetch);
  StoreMirror(const StoreMirror&) = delete;
  StoreMirror& operator=(const StoreMirror&) = delete;

  // The view. Read it freely; never write to it (only the mirror applies changes).
  const MemoryStore& view() const { return view_; }
  MemoryStore& view() { return view_; }

  // Called with every offer the view applies. REQUIRES: set before the first change.
  void SetOfferObserver(Store::OfferObserver observer) { observer_ = std::move(observer); }

  // A change this process made, logged at `entry` right after `previous`: applied now if the
  // view is at `previous`; kept aside until it is, if the view is behind `previous`.
  void ApplyOwn(LogPosition previous, LogPosition entry, const StoreMutation& mutation);

  // Runs `then` once the view holds `entry`, or once a fetch fails (the change happened
  // either way; only reads of this view may not show it yet). May run it before returning.
  void WhenApplied(LogPosition entry, std::function<void()> then);

  // Reads the log from the view's position to its end (one fetch at a time; a caller arriving
  // during a fetch waits for the next one), then calls `then` with OK or the fetch's error.
  void CatchUp(std::function<void(Status)> then);

  // For a view built from the store's state rather than from the whole log: applies one
  // piece of that state (an offer, codes, a redemption or its transition) without moving the
  // position, then StartAt() the log entry the state was taken at.
  // REQUIRES: before any other change, and no read of the log running.
  void ApplyState(const StoreMutation& mutation);
  // Offers in one go: the observer hears of them all at once.
  void ApplyStateOffers(const std::vector<std::shared_ptr<const Offer>>& offers);
  void StartAt(LogPosition position);

  LogPosition position() const;
  // True once a read of the log found entries missing after the view's position (see above).
  bool broken() const { return broken_.load(std::memory_order_relaxed); }
  // Whether the last read of the log succeeded (false e.g. while Redis answers LOADING).
  bool log_readable() const { return log_readable_.load(std::memory_order_relaxed); }

 private:
  void StartFetch();  // REQUIRES: mutex_ held, no fetch running
  void OnFetched(Result<LogRead> fetched);
  using OfferChanges = std::vector<std::shared_ptr<const Offer>>;
  // REQUIRES: mutex_ held.
  // Applies `entry` to the view; the offers it writes are added to `changed`, for one
  // NotifyLocked (the observer) after a run of entries.
  void ApplyLocked(const LogEntry& entry, OfferChanges& changed);
  void NotifyLocked(OfferChanges& changed);
  // Applies the kept-aside own changes that now follow the view's position, in order, and
  // drops the ones the view has already passed (the log brought them).
  void ApplyPendingOwnLocked(OfferChanges& changed);
  // Moves the waiters the view has reached (all of them when `all`) into `ready`.
  void TakeReadyLocked(bool all, std::vector<std::function<void()>>& ready);

  MemoryStore view_;
  const std::size_t batch_;
  Fetch fetch_;
  Store::OfferObserver observer_;
  std::atomic<bool> log_readable_{true};
  std::atomic<bool> broken_{false};

  mutable std::mutex mutex_;
  LogPosition position_;                                       // GUARDED_BY mutex_
  std::multimap<LogPosition, std::function<void()>> waiters_;  // GUARDED_BY mutex_
  std::map<LogPosition, LogEntry> pending_own_;  // by the entry before each; GUARDED_BY mutex_
  bool fetching_ = false;                        // GUARDED_BY mutex_
  std::vector<std::function<void(Status)>> this_round_;  // GUARDED_BY mutex_
  std::vector<std::function<void(Status)>> next_round_;  // GUARDED_BY mutex_
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_STORE_MIRROR_H_
