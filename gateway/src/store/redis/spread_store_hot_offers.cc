// SpreadStore's hot offers (Offer::hot): their limits split into one share per data shard,
// their shares written with the offer and kept at its version, and redemptions that count
// them in their home's share first, then in the next shards'.
#include <algorithm>
#include <optional>
#include <utility>

#include "store/redis/cross_shard_create.h"
#include "store/redis/redis_store_core.h"
#include "store/redis/spread_store.h"

namespace uudai::gateway {

namespace {

// Runs `then` with the first failure of `count` parts (Ok when none failed) once all answered.
class Countdown {
 public:
  Countdown(std::size_t count, std::function<void(Status)> then)
      : left_(count), then_(std::move(then)) {}
  void Answer(Status status) {
    std::unique_lock lock(mutex_);
    if (!status.ok() && failure_.ok()) failure_ = std::move(status);
    if (--left_ > 0) return;
    lock.unlock();
    then_(std::move(failure_));
  }

 private:
  std::mutex mutex_;
  std::size_t left_;
  Status failure_ = Status::Ok();
  std::function<void(Status)> then_;
};

}  // namespace

// A redemption applying hot offers, tried share after share.
struct HotRedemption {
  CreateRedemptionRequest request;  // copied into each attempt
  std::size_t home = 0;
  std::vector<std::vector<std::size_t>> shards;  // per applied offer: the shards to try, in order
  std::vector<std::size_t> tried;                // per applied offer: index in shards[i] now
  Timestamp deadline;                            // of every attempt's holds
  Completion<CreateRedemptionOutcome> done;

  std::size_t ShardOf(std::size_t i) const { return shards[i][tried[i]]; }
  // The next of applied offer i's shards to try, or none. The holds of the other offers stay
  // counted between attempts, under the same id: a shard that holds some already adds this
  // one to them (hold, redis_store_holds.lua).
  std::optional<std::size_t> Next(std::size_t i) const {
    if (tried[i] + 1 < shards[i].size()) return tried[i] + 1;
    return std::nullopt;
  }
};

bool SpreadStore::IsHot(std::string_view id) const {
  std::lock_guard lock(hot_mutex_);
  return hot_offers_.contains(id);
}

void SpreadStore::NoteOffers(const std::vector<std::shared_ptr<const Offer>>& offers) {
  std::lock_guard lock(hot_mutex_);
  for (const auto& offer : offers) {
    if (offer && offer->hot) hot_offers_.insert(offer->id);
  }
}

std::vector<std::size_t> SpreadStore::SharesToTry(const RedeemedOffer& a, std::size_t home) const {
  if (!IsHot(a.offer_id)) return {layout_.OfOffer(a.layer, a.offer_merchant_id)};
  // The home's share first (no hold), then the next data shards' in turn.
  const std::size_t count = layout_.data_shards();
  std::vector<std::size_t> order;
  for (std::size_t step = 0; step < count; ++step) order.push_back(1 + (home - 1 + step) % count);
  return order;
}

void SpreadStore::CreateRedemption(CreateRedemptionRequest request,
                                   Completion<CreateRedemptionOutcome> done) {
  auto job = std::make_shared<HotRedemption>();
  job->home = layout_.OfShopper(request.redemption.shopper_id);
  for (const RedeemedOffer& a : request.redemption.applied) {
    job->shards.push_back(SharesToTry(a, job->home));
  }
  job->tried.assign(job->shards.size(), 0);
  // The holds' deadline is compared with the shards' clocks, not this store's Clock (a test's
  // may be anywhere): from the machine's.
  job->deadline = Timestamp{WallMillis() + options_.hold_deadline_millis};
  job->request = std::move(request);
  job->done = std::move(done);
  TryShares(std::move(job));
}

void SpreadStore::TryShares(std::shared_ptr<HotRedemption> job) {
  std::vector<const SagaShard*> placement;
  std::vector<bool> alternatives;
  bool any_alternative = false;
  for (std::size_t i = 0; i < job->shards.size(); ++i) {
    placement.push_back(&saga_shards_[job->ShardOf(i)]);
    alternatives.push_back(job->Next(i).has_value());
    any_alternative = any_alternative || alternatives.back();
  }
  if (!any_alternative) {
    // The last attempt (or the only one): its answer is the request's.
    return CreateAcrossShards(saga_shards_[job->home], placement, std::move(job->request),
                              job->deadline, std::move(job->done));
  }
  CreateAcrossShards(
      saga_shards_[job->home], placement, job->request, job->deadline,
      [this, job](Result<CreateRedemptionOutcome> created) mutable {
        if (!created.ok() && IsLimitReached(created.status()) && created.status().offer_id()) {
          const auto& applied = job->request.redemption.applied;
          for (std::size_t i = 0; i < applied.size(); ++i) {
            if (applied[i].offer_id != *created.status().offer_id()) continue;
            if (const auto next = job->Next(i)) {
              job->tried[i] = *next;
              return TryShares(std::move(job));
            }
          }
        }
        job->done(std::move(created));
      },
      std::move(alternatives));
}

void SpreadStore::PutShares(const Offer& offer, std::function<void(Status)> then) {
  const std::size_t owner = layout_.OfOffer(offer.layer, offer.merchant_id);
  // Every shard but the offer's own: the data shards' shares, and the hub's whole limits, from
  // which it announces the offer's thresholds (events_merge).
  auto countdown = std::make_shared<Countdown>(
      shards_.size() - 1, [id = offer.id, then = std::move(then)](Status status) {
        if (status.ok()) return then(std::move(status));
        // Written in its own shard: Poll's repair writes the shares that are missing.
        then(Status(StatusCode::kUnavailable,
                    "offer " + id + " was written, but not yet all its shares in the other " +
                        "shards (" + status.message() + "); they follow within seconds"));
      });
  for (std::size_t k = 0; k < shards_.size(); ++k) {
    if (k == owner) continue;
    shards_[k]->PutShare(offer, [countdown](Result<bool> put) {
      countdown->Answer(put.ok() ? Status::Ok() : put.status());
    });
  }
}

Completion<Offer> SpreadStore::WithShares(Completion<Offer> done) {
  return [this, done = std::move(done)](Result<Offer> stored) mutable {
    if (!stored.ok() || !stored->hot) return done(std::move(stored));
    // The shard's view took the offer before this answer, and told NoteOffers it is hot. A
    // copy: `stored` moves into the completion.
    const Offer offer = stored.value();
    PutShares(offer, [stored = std::move(stored), done = std::move(done)](Status shared) mutable {
      if (!shared.ok()) return done(std::move(shared));
      done(std::move(stored));
    });
  };
}

Completion<std::vector<Offer>> SpreadStore::WithSharesOfBatch(Completion<std::vector<Offer>> done) {
  return [this, done = std::move(done)](Result<std::vector<Offer>> stored) mutable {
    if (!stored.ok()) return done(std::move(stored));
    std::vector<const Offer*> hot;
    for (const Offer& offer : stored.value()) {
      if (offer.hot) hot.push_back(&offer);
    }
    if (hot.empty()) return done(std::move(stored));
    auto result = std::make_shared<Result<std::vector<Offer>>>(std::move(stored));
    auto countdown = std::make_shared<Countdown>(
        hot.size(), [result, done = std::move(done)](Status shared) mutable {
          if (!shared.ok()) return done(std::move(shared));
          done(std::move(*result));
        });
    for (const Offer* offer : hot) {
      PutShares(*offer, [countdown](Status shared) { countdown->Answer(std::move(shared)); });
    }
  };
}

void SpreadStore::RepairShares() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(hot_mutex_);
    ids.assign(hot_offers_.begin(), hot_offers_.end());
  }
  if (ids.empty()) {
    *repairing_ = false;
    return;
  }
  auto countdown = std::make_shared<Countdown>(
      shards_.size(), [repairing = repairing_](Status) { *repairing = false; });
  for (std::size_t k = 0; k < shards_.size(); ++k) {
    shards_[k]->ReadShareVersions(
        ids, [this, k, ids, countdown](Result<std::vector<std::int64_t>> versions) {
          if (!versions.ok() || versions->size() != ids.size()) {
            return countdown->Answer(versions.ok() ? Status::Ok() : versions.status());
          }
          std::vector<std::shared_ptr<const Offer>> behind;
          for (std::size_t i = 0; i < ids.size(); ++i) {
            auto offer = FindOffer(ids[i]);
            if (offer == nullptr || layout_.OfOffer(offer->layer, offer->merchant_id) == k)
              continue;
            if (versions.value()[i] < offer->version) behind.push_back(std::move(offer));
          }
          auto writes = std::make_shared<Countdown>(behind.size() + 1, [countdown](Status status) {
            countdown->Answer(std::move(status));
          });
          for (const auto& offer : behind) {
            shards_[k]->PutShare(*offer, [writes](Result<bool> put) {
              writes->Answer(put.ok() ? Status::Ok() : put.status());
            });
          }
          writes->Answer(Status::Ok());
        });
  }
}

}  // namespace uudai::gateway
