// MemoryStore: redemptions and expiry (offers and codes are in memory_store.cc, stats in
// memory_store_stats.cc).
#include <algorithm>

#include "applied_offer_check.h"
#include "memory_store/lock_set.h"
#include "memory_store/memory_store_state.h"
#include "uudai/memory_store.h"

namespace uudai {
namespace {

Status RedemptionNotFound(const std::string& id) {
  return Status(StatusCode::kNotFound, "redemption " + id + " does not exist");
}

Status CheckPlan(const Redemption& r) {
  if (r.applied.empty()) {
    return Status(StatusCode::kNothingToRedeem, "the redemption applies no offer");
  }
  if (r.status != RedemptionStatus::kReserved && r.status != RedemptionStatus::kCommitted) {
    return Status(StatusCode::kInvalidTransition, "a redemption starts reserved or committed");
  }
  return Status::Ok();
}

}  // namespace

void MemoryStore::CreateRedemption(CreateRedemptionRequest request,
                                   Completion<CreateRedemptionOutcome> done) {
  if (failed()) return done(State::Unavailable());
  if (!state_->keep_redemptions()) {
    return done(Status(StatusCode::kInternal,
                       "this store keeps no redemptions: it is a view, written by Replay only"));
  }
  const Redemption& r = request.redemption;
  if (Status plan = CheckPlan(r); !plan.ok()) return done(std::move(plan));
  const Timestamp now = clock_.Now();
  const LocalDay day = state_->zone().DayOf(r.created_at);

  // A claim's response left to the renderer, or checked against it (rendering is the slow part:
  // before the locks).
  const IdempotencyClaim* claim = request.idempotency ? &*request.idempotency : nullptr;
  if (claim != nullptr && claim->response.empty() && !state_->renders()) {
    return done(Status(StatusCode::kInternal,
                       "an idempotency claim without its response needs a store that renders "
                       "responses (MemoryStoreOptions::render_response)"));
  }
  const bool response_renders = claim != nullptr && state_->RendersAs(r, claim->response);

  internal::LockSet locks;
  state_->AddLocksFor(r, locks);
  State::Shard<State::IdempotencyEntry>* idempotency_shard = nullptr;
  if (request.idempotency) {
    idempotency_shard = &state_->IdempotencyShard(request.idempotency->scope_key);
    locks.Add(idempotency_shard->mutex);
  }
  locks.Lock();
  // Callbacks never run under our locks: they may call back into the store.
  auto fail = [&locks, &done](Status status) {
    locks.Unlock();
    done(std::move(status));
  };

  // 1. Idempotency: a known key is answered from its record, before any limit is looked at.
  if (request.idempotency) {
    auto& map = idempotency_shard->map;
    auto it = map.find(request.idempotency->scope_key);
    if (it != map.end() &&
        it->second.created_at.millis + options_.idempotency_retention_millis <= now.millis) {
      map.erase(it);  // past retention: forget it
      it = map.end();
    }
    if (it != map.end()) {
      const State::IdempotencyEntry& entry = it->second;
      if (entry.fingerprint != request.idempotency->fingerprint) {
        return fail(Status(StatusCode::kIdempotencyKeyReused,
                           "this Idempotency-Key was used with a different request body"));
      }
      if (entry.pending) {
        return fail(Status(StatusCode::kRequestInProgress,
                           "the first request with this Idempotency-Key is still running"));
      }
      std::optional<std::string> response = entry.response;
      const std::string redemption_id = *entry.redemption_id;
      locks.Unlock();
      auto replayed = ReplayedClaim(redemption_id, std::move(response));
      if (!replayed.ok()) return done(replayed.status());
      auto& [redemption, text] = replayed.value();
      return done(CreateRedemptionOutcome{std::move(redemption), true, std::move(text)});
    }
  }
  // 2. Every other check, before the first change.
  if (state_->RedemptionShard(r.id).map.count(r.id) != 0) {
    return fail(Status(StatusCode::kAlreadyExists, "redemption " + r.id + " already exists"));
  }
  const std::string order_key = State::OrderKey(r);
  if (state_->OrderShard(order_key).map.count(order_key) != 0) {
    return fail(Status(StatusCode::kOrderAlreadyRedeemed, "order " + r.order_id + " of merchant " +
                                                              r.merchant_id +
                                                              " already has a live redemption"));
  }
  // Looked up under the counters' locks: a concurrent first redemption of this shopper at the
  // same offer has then either counted (and numbered the shopper) or not started.
  // Each applied offer is re-checked against the offer as it is now (a quote may have been
  // made from a catalog that is behind): under its counters' lock, which every offer write
  // also takes, so an acknowledged pause or limit cut is never passed.
  const auto shopper = state_->shopper_ids.Find(r.shopper_id);
  for (const RedeemedOffer& applied : r.applied) {
    const internal::OfferCounters& counters = state_->Counters(applied.offer_id);
    const Offer* current = counters.offer.get();
    Status state =
        internal::CheckOfferRedeemable(current, applied.offer_id, r.created_at, state_->zone());
    if (!state.ok()) return fail(std::move(state));
    Status room = counters.CheckRoomFor(applied, current->limits, shopper, day);
    if (!room.ok()) return fail(std::move(room));
    Status version = internal::CheckOfferVersion(*current, applied);
    if (!version.ok()) return fail(std::move(version));
    // Under the locks of the redemption's merchant and of its shopper's shard: a racing first
    // order of the same shopper has either counted or not started.
    if (current->first_order &&
        state_->LiveOrdersLocked(shopper, r.shopper_id, FirstOrderScope(*current, r.merchant_id)) >
            0) {
      return fail(Status::ForOffer(
          StatusCode::kNotFirstOrder, applied.offer_id,
          "offer " + applied.offer_id + " is for a first order, and the shopper already has one"));
    }
    if (applied.code_mode == CodeMode::kUnique && applied.code) {
      auto& codes = state_->CodeShard(*applied.code).map;
      auto code = codes.find(*applied.code);
      if (code == codes.end() || code->second.offer_id != applied.offer_id ||
          !code->second.holder.empty()) {
        return fail(Status::ForOffer(StatusCode::kCodeUsed, applied.offer_id,
                                     "code " + *applied.code + " is already used"));
      }
    }
  }
  // The last check: it takes its share of the lifetime bound, and nothing can fail after it.
  if (!state_->TakeLifetimeAmount(r.subtotal + r.shipping_fee)) {
    return fail(Status(StatusCode::kAmountCeiling,
                       "counting this redemption would take the store's lifetime sum of order "
                       "amounts past 2 * 10^18 dong"));
  }
  // 3. One mutation applies everything; log it while the locks still order it.
  RedemptionCreated mutation{r, std::nullopt};
  if (claim != nullptr) {
    // A rendered response is not logged either: a replay of the log renders it.
    mutation.idempotency =
        IdempotencyRecord{claim->scope_key, claim->fingerprint,
                          response_renders ? std::string() : claim->response, now};
  }
  const bool durable_later = options_.log != nullptr;
  std::vector<StoreEvent> events;
  if (keeps_events()) events.push_back(RedemptionEvent(r, r.created_at));
  state_->ApplyCreatedLocked(mutation, /*pending=*/durable_later, response_renders,
                             keeps_events() ? &events : nullptr);
  const std::uint64_t sequence = Record(mutation, std::move(events));
  locks.Unlock();

  // The first answer: the claim's response, or rendered now, out of the locks.
  std::string response;
  if (claim != nullptr) {
    response = claim->response.empty() ? state_->RenderAsCreated(r, r.status) : claim->response;
  }
  CreateRedemptionOutcome outcome{r, false, std::move(response)};
  AfterDurable(
      sequence,
      [this,
       scope = request.idempotency ? std::optional(request.idempotency->scope_key) : std::nullopt,
       outcome = std::move(outcome), done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        if (scope && options_.log != nullptr) {
          auto& shard = state_->IdempotencyShard(*scope);
          std::lock_guard lock(shard.mutex);
          if (auto it = shard.map.find(*scope); it != shard.map.end()) it->second.pending = false;
        }
        done(outcome);
      });
}

void MemoryStore::FindIdempotentResponse(std::string scope_key, std::string fingerprint,
                                         Completion<std::optional<std::string>> done) {
  auto& shard = state_->IdempotencyShard(scope_key);
  std::unique_lock lock(shard.mutex);
  auto it = shard.map.find(scope_key);
  if (it == shard.map.end() ||
      it->second.created_at.millis + options_.idempotency_retention_millis <= clock_.Now().millis) {
    lock.unlock();
    return done(std::optional<std::string>());
  }
  if (it->second.fingerprint != fingerprint) {
    lock.unlock();
    return done(Status(StatusCode::kIdempotencyKeyReused,
                       "this Idempotency-Key was used with a different request body"));
  }
  if (it->second.pending) {
    lock.unlock();
    return done(Status(StatusCode::kRequestInProgress,
                       "the first request with this Idempotency-Key is still running"));
  }
  std::optional<std::string> response = it->second.response;
  const std::string redemption_id = *it->second.redemption_id;
  lock.unlock();
  auto replayed = ReplayedClaim(redemption_id, std::move(response));
  if (!replayed.ok()) return done(replayed.status());
  done(std::optional<std::string>(std::move(replayed.value().second)));
}

Result<std::pair<Redemption, std::string>> MemoryStore::ReplayedClaim(
    const std::string& redemption_id, std::optional<std::string> response) const {
  auto& shard = state_->RedemptionShard(redemption_id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.map.find(redemption_id);
  if (it == shard.map.end()) return RedemptionNotFound(redemption_id);
  const State::StoredRedemption& stored = it->second;
  Redemption redemption = stored.Expand(redemption_id);
  std::string text =
      response ? std::move(*response) : state_->RenderAsCreated(redemption, stored.created_as());
  return std::pair(std::move(redemption), std::move(text));
}

void MemoryStore::TransitionRedemption(std::string id, RedemptionAction action,
                                       Completion<Redemption> done) {
  if (action == RedemptionAction::kExpire) {
    return done(Status(StatusCode::kInvalidTransition, "expiry is the store's own business"));
  }
  Transition(id, action, clock_.Now(), std::move(done));
}

void MemoryStore::Transition(const std::string& id, RedemptionAction action, Timestamp at,
                             Completion<Redemption> done) {
  if (failed()) return done(State::Unavailable());
  // Peek to learn which state the redemption touches, then lock all of it and look again.
  std::optional<Redemption> peek;
  {
    auto& shard = state_->RedemptionShard(id);
    std::lock_guard lock(shard.mutex);
    if (auto it = shard.map.find(id); it != shard.map.end()) peek = it->second.Expand(id);
  }
  if (!peek) return done(RedemptionNotFound(id));
  internal::LockSet locks;
  state_->AddLocksFor(*peek, locks);
  locks.Lock();
  State::StoredRedemption& stored = state_->RedemptionShard(id).map.at(id);
  Redemption r = stored.Expand(id);
  Status outcome = Status::Ok();
  if (action == RedemptionAction::kCommit && r.status == RedemptionStatus::kReserved &&
      at >= r.expires_at) {
    action = RedemptionAction::kExpire;  // too late: expire it now, and say so
    outcome = Status(StatusCode::kReservationExpired,
                     "redemption " + id + " expired at its reservation deadline");
  }
  if (action == RedemptionAction::kCommit && r.status == RedemptionStatus::kExpired) {
    // Already expired (by ExpireDue or an earlier late commit): a commit is late all the same,
    // and the answer must not depend on whether expiry ran first.
    locks.Unlock();
    return done(Status(StatusCode::kReservationExpired,
                       "redemption " + id + " expired at its reservation deadline"));
  }
  if (Result<RedemptionStatus> next = NextStatus(r.status, action); !next.ok()) {
    locks.Unlock();
    return done(next.status());
  }
  state_->ApplyTransitionLocked(r, action, at);
  stored.TakeStateOf(r);
  Redemption after = std::move(r);
  std::vector<StoreEvent> events;
  if (keeps_events()) events.push_back(RedemptionEvent(after, at));
  const std::uint64_t sequence =
      Record(RedemptionTransitioned{id, action, at, std::nullopt}, std::move(events));
  locks.Unlock();
  AfterDurable(sequence, [outcome = std::move(outcome), after = std::move(after),
                          done = std::move(done)](Status status) {
    if (!status.ok()) return done(std::move(status));
    if (!outcome.ok()) return done(outcome);
    done(after);
  });
}

void MemoryStore::ReplayTransition(const RedemptionTransitioned& m) {
  if (!state_->keep_redemptions()) return ReplayCarriedTransition(m);
  Redemption peek;
  {
    auto& shard = state_->RedemptionShard(m.redemption_id);
    std::lock_guard lock(shard.mutex);
    auto it = shard.map.find(m.redemption_id);
    if (it == shard.map.end()) return;
    peek = it->second.Expand(m.redemption_id);
  }
  internal::LockSet locks;
  state_->AddLocksFor(peek, locks);
  locks.Lock();
  State::StoredRedemption& stored =
      state_->RedemptionShard(m.redemption_id).map.at(m.redemption_id);
  if (!NextStatus(stored.status(), m.action).ok()) return;
  Redemption r = stored.Expand(m.redemption_id);
  state_->ApplyTransitionLocked(r, m.action, m.at);
  stored.TakeStateOf(r);
  if (keeps_events()) AppendReplayed({RedemptionEvent(r, m.at)});
}

void MemoryStore::ReplayCarriedTransition(const RedemptionTransitioned& m) {
  if (!m.redemption) return;
  Redemption r = *m.redemption;
  r.id = m.redemption_id;
  // The one status `m.action` moves from (the log holds only transitions that happened).
  r.status = m.action == RedemptionAction::kRefund ? RedemptionStatus::kCommitted
                                                   : RedemptionStatus::kReserved;
  internal::LockSet locks;
  state_->AddLocksFor(r, locks);
  locks.Lock();
  state_->ApplyTransitionLocked(r, m.action, m.at);
}

void MemoryStore::GetRedemption(std::string id, Completion<Redemption> done) {
  auto& shard = state_->RedemptionShard(id);
  std::unique_lock lock(shard.mutex);
  auto it = shard.map.find(id);
  if (it == shard.map.end()) {
    lock.unlock();
    return done(RedemptionNotFound(id));
  }
  Redemption copy = it->second.Expand(id);
  lock.unlock();
  done(std::move(copy));
}

void MemoryStore::ExpireDue(std::size_t max_count, Completion<std::size_t> done) {
  if (failed()) return done(State::Unavailable());
  const Timestamp now = clock_.Now();
  PruneIdempotency(now);
  std::vector<std::string> due;
  {
    std::lock_guard lock(state_->expiry_mutex);
    for (auto it = state_->expiry.begin();
         it != state_->expiry.end() && it->first <= now.millis && due.size() < max_count; ++it) {
      due.push_back(it->second);
    }
  }
  if (due.empty()) return done(std::size_t{0});
  struct Progress {
    std::mutex mutex;
    std::size_t waiting;
    std::size_t expired = 0;
    Status failure;
  };
  auto progress = std::make_shared<Progress>();
  progress->waiting = due.size();
  auto shared_done = std::make_shared<Completion<std::size_t>>(std::move(done));
  for (const std::string& id : due) {
    Transition(id, RedemptionAction::kExpire, now,
               [progress, shared_done](Result<Redemption> result) {
                 std::unique_lock lock(progress->mutex);
                 if (result.ok()) ++progress->expired;
                 if (result.status().code() == StatusCode::kUnavailable) {
                   progress->failure = result.status();
                 }
                 if (--progress->waiting != 0) return;
                 lock.unlock();
                 if (!progress->failure.ok()) return (*shared_done)(progress->failure);
                 (*shared_done)(progress->expired);
               });
  }
}

void MemoryStore::PruneIdempotency(Timestamp now) {
  const std::int64_t cutoff = now.millis - options_.idempotency_retention_millis;
  while (true) {
    std::pair<std::int64_t, std::string> oldest;
    {
      std::lock_guard lock(state_->retention_mutex);
      if (state_->idempotency_by_age.empty() || state_->idempotency_by_age.front().first > cutoff) {
        return;
      }
      oldest = std::move(state_->idempotency_by_age.front());
      state_->idempotency_by_age.pop_front();
    }
    auto& shard = state_->IdempotencyShard(oldest.second);
    std::lock_guard lock(shard.mutex);
    auto it = shard.map.find(oldest.second);
    // Only the record this queue entry was made for (a key may be reused after expiry).
    if (it != shard.map.end() && it->second.created_at.millis == oldest.first &&
        !it->second.pending) {
      shard.map.erase(it);
    }
  }
}

}  // namespace uudai
