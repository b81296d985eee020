// MemoryStore: ExportMutations, the current state as a short sequence of mutations.
//
// Redemptions are written in creation order, each followed at once by its own transitions,
// although the original journal interleaved them. Replay accepts that order because state
// that two redemptions share only passes from one to the other once the first has let go of
// it: a unique code or an order guard is taken by the next redemption only after the
// holder's release, expiry or refund, and the campaign counters keep the funder of an offer
// from its first redemption. The creation sequence is taken under the locks of all that
// state (State::ApplyCreatedLocked), so the holder always comes first.
#include <algorithm>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "memory_store/memory_store_state.h"
#include "memory_store/offer_counters.h"
#include "memory_store/webhook_registry.h"
#include "uudai/memory_store.h"

namespace uudai {
namespace {

// How many transitions TransitionsSince returns, without building them.
std::size_t TransitionCount(RedemptionStatus created_as, RedemptionStatus now) {
  if (created_as == now) return 0;
  if (created_as == RedemptionStatus::kReserved && now == RedemptionStatus::kRefunded) return 2;
  if (created_as == RedemptionStatus::kReserved) return 1;
  return created_as == RedemptionStatus::kCommitted && now == RedemptionStatus::kRefunded ? 1 : 0;
}

}  // namespace

std::size_t MemoryStore::ExportMutations(
    const std::function<void(const StoreMutation&)>& sink) const {
  return Export(&sink);
}

std::size_t MemoryStore::ExportedMutationCount() const { return Export(nullptr); }

std::size_t MemoryStore::Export(const std::function<void(const StoreMutation&)>* sink) const {
  std::size_t count = 0;
  auto emit = [&](const auto& make) {
    ++count;
    if (sink != nullptr) (*sink)(StoreMutation(make()));
  };

  // 1. Offers by id, each with its earlier versions (history only) before its latest, so that a
  // replay keeps the offer's history (counting needs no order: start-up counts a million).
  if (sink == nullptr) {
    std::shared_lock lock(state_->offers_mutex);
    count += state_->offers.size() + state_->earlier_versions.size();
  } else {
    for (const auto& offer : ListOffers()) {
      OfferHistoryCarried history{offer->id, {}};
      {
        std::shared_lock lock(state_->offers_mutex);
        if (auto it = state_->earlier_versions.find(offer->id);
            it != state_->earlier_versions.end()) {
          history.versions = it->second;
        }
      }
      if (!history.versions.empty()) emit([&] { return std::move(history); });
      emit([&] { return OfferWritten{offer}; });
    }
  }

  // 2. Unique codes, by offer (in id order), in batches.
  auto batches_of = [](std::size_t codes) {
    return (codes + kExportedCodesPerBatch - 1) / kExportedCodesPerBatch;
  };
  if (sink == nullptr) {
    std::unordered_map<std::string_view, std::size_t> codes_per_offer;
    for (auto& shard : state_->code_shards()) {
      std::lock_guard lock(shard.mutex);
      for (const auto& entry : shard.map) ++codes_per_offer[entry.second.offer_id];
    }
    for (const auto& entry : codes_per_offer) count += batches_of(entry.second);
  }
  std::map<std::string_view, std::vector<const std::string*>> codes_by_offer;
  if (sink != nullptr) {
    for (auto& shard : state_->code_shards()) {
      std::lock_guard lock(shard.mutex);
      for (const auto& [code, state] : shard.map) codes_by_offer[state.offer_id].push_back(&code);
    }
  }
  for (const auto& [offer_id, codes] : codes_by_offer) {
    for (std::size_t begin = 0; begin < codes.size(); begin += kExportedCodesPerBatch) {
      const std::size_t end = std::min(codes.size(), begin + kExportedCodesPerBatch);
      emit([&, begin = begin, offer_id = offer_id, &codes = codes] {
        CodesIssued batch{std::string(offer_id), {}};
        batch.codes.reserve(end - begin);
        for (std::size_t i = begin; i < end; ++i) batch.codes.push_back(*codes[i]);
        return batch;
      });
    }
  }

  // 3. Redemptions in creation order, each with its claim and then its transitions.
  std::vector<std::pair<const std::string*, const State::StoredRedemption*>> redemptions;
  for (auto& shard : state_->redemption_shards()) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [id, stored] : shard.map) redemptions.emplace_back(&id, &stored);
  }
  const bool carries_events = keeps_events() && events_.last_seq() > 0;
  if (sink == nullptr) {
    for (const auto& [id, stored] : redemptions) {
      count += 1 + TransitionCount(stored->created_as(), stored->status());
    }
    return count + (carries_events ? 1 : 0) + webhooks_->size();
  }
  std::sort(redemptions.begin(), redemptions.end(), [](const auto& a, const auto& b) {
    return a.second->sequence() < b.second->sequence();
  });
  // Claims still within retention, by redemption id. A pruned claim is gone from the map; one
  // past retention but not yet pruned is already as good as gone (CreateRedemption).
  const std::int64_t now = clock_.Now().millis;
  std::unordered_map<std::string_view,
                     std::pair<const std::string*, const State::IdempotencyEntry*>>
      claims;  // redemption id → (scope key, claim)
  for (auto& shard : state_->idempotency_shards()) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [scope, entry] : shard.map) {
      if (entry.created_at.millis + options_.idempotency_retention_millis > now) {
        claims.emplace(*entry.redemption_id, std::pair(&scope, &entry));
      }
    }
  }
  for (const auto& id_and_stored : redemptions) {
    const State::StoredRedemption* stored = id_and_stored.second;
    const Redemption r = stored->Expand(*id_and_stored.first);
    emit([&] {
      RedemptionCreated created{State::AsCreated(r, stored->created_as()), std::nullopt};
      if (auto it = claims.find(r.id); it != claims.end()) {
        const auto& [scope, entry] = it->second;
        // A rendered response stays so (empty): replaying the export renders it.
        created.idempotency = IdempotencyRecord{
            *scope, entry->fingerprint, entry->response.value_or(std::string()), entry->created_at};
      }
      return created;
    });
    for (RedemptionTransitioned& t : TransitionsSince(stored->created_as(), r)) {
      emit([&t] { return std::move(t); });
    }
  }

  // 4. The events held and the thresholds announced, which the mutations above would not
  // derive again in the same order.
  if (carries_events) {
    emit([&] {
      EventsCarried carried;
      carried.held = events_.Held();
      carried.last_seq = events_.last_seq();
      state_->ForEachCounters([&](const std::string& offer_id, internal::OfferCounters& c) {
        if (c.thresholds_announced != 0) {
          carried.thresholds_announced.emplace_back(offer_id, c.thresholds_announced);
        }
      });
      std::sort(carried.thresholds_announced.begin(), carried.thresholds_announced.end());
      return carried;
    });
  }

  // 5. Each webhook as it is, with its delivery log.
  for (WebhookCreated& webhook : webhooks_->Export()) {
    emit([&webhook] { return std::move(webhook); });
  }
  return count;
}

}  // namespace uudai
