#include "store/redis/saga_sweeper.h"

#include <memory>
#include <mutex>
#include <utility>

namespace uudai::gateway {

namespace {

// One pass: counts its steps in flight, and answers when the last one ends.
class Pass : public std::enable_shared_from_this<Pass> {
 public:
  Pass(std::vector<SagaShard> shards, Completion<SagaSweep> done)
      : shards_(std::move(shards)), done_(std::move(done)) {}

  // Every shard's due holds (when `holds`) and queued releases; only `home`'s releases when
  // it names a shard.
  void Run(std::size_t max_count, bool holds, const std::string& home = "") {
    for (const SagaShard& shard : shards_) {
      if (!home.empty() && shard.name != home) continue;
      if (holds) {
        Begin();
        shard.holds->Due(max_count, [self = shared_from_this(), &shard](auto due) {
          if (!due.ok()) return self->End(&SagaSweep::failed);
          for (const DueHold& hold : due.value()) self->Settle(shard, hold);
          self->End(nullptr);
        });
      }
      Begin();
      shard.holds->PendingReleases(max_count, [self = shared_from_this(), &shard](auto pending) {
        if (!pending.ok()) return self->End(&SagaSweep::failed);
        for (const PendingRelease& release : pending.value()) self->Send(shard, release);
        self->End(nullptr);
      });
    }
  }

  // Ends the pass's own step, once Run has started every first call: the pass answers when
  // they all have, never before.
  void Finish() { End(nullptr); }

 private:
  const SagaShard* Named(const std::string& name) const {
    for (const SagaShard& shard : shards_) {
      if (shard.name == name) return &shard;
    }
    return nullptr;
  }

  // Asks the hold's home whether its redemption exists, then confirms or releases it.
  void Settle(const SagaShard& shard, const DueHold& hold) {
    const SagaShard* home = Named(hold.home);
    Begin();
    if (home == nullptr) return End(&SagaSweep::failed);
    home->holds->Claim(
        hold.redemption_id, hold.deadline,
        [self = shared_from_this(), &shard, hold](Result<ClaimOutcome> claimed) {
          if (!claimed.ok()) return self->End(&SagaSweep::failed);
          if (claimed.value() == ClaimOutcome::kExists) {
            return shard.holds->Confirm(hold.redemption_id, [self](Status confirmed) {
              self->End(confirmed.ok() ? &SagaSweep::confirmed : &SagaSweep::failed);
            });
          }
          shard.holds->Release(
              hold.redemption_id, HoldRelease::kAll, hold.deadline,
              [self](Result<ReleaseOutcome> released) {
                self->End(released.ok() ? &SagaSweep::released : &SagaSweep::failed);
              });
        });
  }

  // Sends a release `home` queued, then takes it off the queue.
  void Send(const SagaShard& home, const PendingRelease& release) {
    const SagaShard* target = Named(release.shard);
    Begin();
    if (target == nullptr) return End(&SagaSweep::failed);
    target->holds->Release(
        release.redemption_id, release.what, release.deadline,
        [self = shared_from_this(), &home, entry = release.entry](Result<ReleaseOutcome> done) {
          if (!done.ok()) return self->End(&SagaSweep::failed);
          home.holds->ReleaseSent(entry, [self](Status sent) {
            self->End(sent.ok() ? &SagaSweep::sent : &SagaSweep::failed);
          });
        });
  }

  void Begin() {
    std::lock_guard lock(mutex_);
    ++in_flight_;
  }
  // A step ended, counted in `counter` (none: nothing to count).
  void End(std::size_t SagaSweep::*counter) {
    Completion<SagaSweep> done;
    SagaSweep result;
    {
      std::lock_guard lock(mutex_);
      if (counter != nullptr) ++(sweep_.*counter);
      if (--in_flight_ > 0) return;
      done = std::move(done_);
      result = sweep_;
    }
    done(result);
  }

  const std::vector<SagaShard> shards_;  // steps refer to these
  Completion<SagaSweep> done_;
  std::mutex mutex_;
  SagaSweep sweep_;            // GUARDED_BY mutex_
  std::size_t in_flight_ = 1;  // GUARDED_BY mutex_; the pass's own, until Run has started all
};

}  // namespace

SagaSweeper::SagaSweeper(std::vector<SagaShard> shards) : shards_(std::move(shards)) {}

void SagaSweeper::Sweep(std::size_t max_count, Completion<SagaSweep> done) const {
  auto pass = std::make_shared<Pass>(shards_, std::move(done));
  pass->Run(max_count, true);
  pass->Finish();
}

void SagaSweeper::SendReleases(std::size_t max_count, const std::string& home,
                               Completion<SagaSweep> done) const {
  auto pass = std::make_shared<Pass>(shards_, std::move(done));
  pass->Run(max_count, false, home);
  pass->Finish();
}

}  // namespace uudai::gateway
