#include "store/redis/cross_shard_create.h"

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <optional>
#include <utility>

namespace uudai::gateway {

namespace {

// The applied offers one other shard keeps, and what its hold answered.
struct HeldGroup {
  const SagaShard* shard;
  std::vector<std::size_t> applied;  // indexes in redemption.applied
  std::optional<Result<HoldOutcome>> outcome;
};

class Saga : public std::enable_shared_from_this<Saga> {
 public:
  Saga(SagaShard home, std::vector<HeldGroup> groups, CreateRedemptionRequest request,
       Timestamp deadline, std::vector<bool> alternatives, Completion<CreateRedemptionOutcome> done)
      : home_(std::move(home)),
        groups_(std::move(groups)),
        request_(std::move(request)),
        deadline_(deadline),
        alternatives_(std::move(alternatives)),
        done_(std::move(done)) {}

  void Start() {
    const Redemption& r = request_.redemption;
    waiting_ = groups_.size();
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      HoldRequest hold{r.id, home_.name, r.created_at, deadline_, {}};
      for (std::size_t i : groups_[g].applied) hold.offers.push_back(r.applied[i]);
      groups_[g].shard->holds->Hold(hold, [self = shared_from_this(), g](Result<HoldOutcome> held) {
        self->Held(g, std::move(held));
      });
    }
  }

 private:
  void Held(std::size_t g, Result<HoldOutcome> outcome) {
    {
      std::lock_guard lock(mutex_);
      groups_[g].outcome = std::move(outcome);
      if (--waiting_ > 0) return;
    }
    // Every hold answered (this thread saw the last; the others wrote before it).
    std::optional<Status> refusal;
    bool unknown = false;
    for (const HeldGroup& group : groups_) {
      if (group.outcome->ok()) continue;
      if (group.outcome->status().code() == StatusCode::kUnavailable) {
        unknown = true;
      } else if (!refusal) {
        refusal = group.outcome->status();
      }
    }
    if (refusal && !unknown && HasAlternative(*refusal)) {
      // The caller tries another share of that offer with the same id: the holds that were
      // counted stay, and are found again (a hold of the same id and offers counts nothing
      // twice); a refused hold wrote nothing.
      return done_(*refusal);
    }
    if (refusal || unknown) {
      // No create follows: every hold may go (one whose outcome is unknown too; its release
      // leaves a tombstone, so that it is refused if it arrives later).
      ReleaseAll();
      if (!refusal) return done_(Status(StatusCode::kUnavailable, "a shard did not answer"));
      if (!request_.idempotency) return done_(*refusal);
      const Redemption& r = request_.redemption;
      return home_.store->SettleRefusalAsCreate(
          RefusalCheck{request_.idempotency->scope_key, request_.idempotency->fingerprint,
                       r.merchant_id, r.order_id},
          *refusal, std::move(done_));
    }
    std::vector<std::optional<HeldElsewhere>> held(request_.redemption.applied.size());
    for (const HeldGroup& group : groups_) {
      const HoldOutcome& outcome = group.outcome->value();
      for (std::size_t k = 0; k < group.applied.size(); ++k) {
        held[group.applied[k]] = HeldElsewhere{group.shard->name, outcome.offers[k]};
      }
    }
    std::vector<bool> local_alternatives(held.size(), false);
    for (std::size_t i = 0; i < alternatives_.size() && i < held.size(); ++i) {
      local_alternatives[i] = alternatives_[i] && !held[i];
    }
    home_.store->CreateRedemptionWithHolds(
        std::move(request_), deadline_, std::move(held),
        [self = shared_from_this()](Result<CreateRedemptionOutcome> created) {
          self->Created(std::move(created));
        },
        std::move(local_alternatives));
  }

  // Whether `refusal` is of a limit reached by a share with alternatives.
  bool HasAlternative(const Status& refusal) const {
    if (!IsLimitReached(refusal) || !refusal.offer_id()) return false;
    for (std::size_t i = 0; i < alternatives_.size(); ++i) {
      if (alternatives_[i] && applied_ids_[i] == *refusal.offer_id()) return true;
    }
    return false;
  }

  void Created(Result<CreateRedemptionOutcome> created) {
    if (!created.ok() && HasAlternative(created.status())) {
      return done_(std::move(created));  // the holds stay for the next attempt (see Held)
    }
    if (created.ok() && !created->replayed) {
      ConfirmAll();
    } else if (created.ok() || created.status().code() != StatusCode::kUnavailable) {
      // Refused, or a retry answered with the first outcome: this attempt's holds go. When
      // the home did not answer, the create may have happened: the sweeper settles it.
      ReleaseAll();
    }
    done_(std::move(created));
  }

  // Best effort: a hold neither confirmed nor released comes due after its deadline, and the
  // sweeper settles it with the home.
  void ConfirmAll() {
    for (const HeldGroup& group : groups_) {
      group.shard->holds->Confirm(redemption_id_, [](Status) {});
    }
  }
  void ReleaseAll() {
    for (const HeldGroup& group : groups_) {
      group.shard->holds->Release(redemption_id_, HoldRelease::kAll, deadline_,
                                  [](Result<ReleaseOutcome>) {});
    }
  }
  const SagaShard home_;
  std::vector<HeldGroup> groups_;
  CreateRedemptionRequest request_;  // moved into the create
  const std::string redemption_id_ = request_.redemption.id;
  // The applied offers' ids, kept: the request is moved into the create.
  const std::vector<std::string> applied_ids_ = [this] {
    std::vector<std::string> ids;
    for (const RedeemedOffer& a : request_.redemption.applied) ids.push_back(a.offer_id);
    return ids;
  }();
  const Timestamp deadline_;
  const std::vector<bool> alternatives_;
  Completion<CreateRedemptionOutcome> done_;
  std::mutex mutex_;
  std::size_t waiting_ = 0;  // GUARDED_BY mutex_
};

}  // namespace

bool IsLimitReached(const Status& refusal) {
  return refusal.code() == StatusCode::kQuotaExhausted ||
         refusal.code() == StatusCode::kBudgetExhausted ||
         refusal.code() == StatusCode::kDailyLimit;
}

void CreateAcrossShards(const SagaShard& home, const std::vector<const SagaShard*>& placement,
                        CreateRedemptionRequest request, Timestamp deadline,
                        Completion<CreateRedemptionOutcome> done, std::vector<bool> alternatives) {
  if (placement.size() != request.redemption.applied.size()) {
    return done(Status(StatusCode::kInternal, "every applied offer needs its shard"));
  }
  std::vector<HeldGroup> groups;
  for (std::size_t i = 0; i < placement.size(); ++i) {
    if (placement[i]->name == home.name) continue;
    auto group = std::find_if(groups.begin(), groups.end(), [&](const HeldGroup& g) {
      return g.shard->name == placement[i]->name;
    });
    if (group == groups.end()) group = groups.insert(groups.end(), HeldGroup{placement[i], {}, {}});
    group->applied.push_back(i);
  }
  if (groups.empty()) {
    return home.store->CreateRedemptionWithHolds(std::move(request), Timestamp{}, {},
                                                 std::move(done), std::move(alternatives));
  }
  std::make_shared<Saga>(home, std::move(groups), std::move(request), deadline,
                         std::move(alternatives), std::move(done))
      ->Start();
}

}  // namespace uudai::gateway
