#include "memory_store/memory_store_state.h"

#include <algorithm>
#include <vector>

#include "uudai/unique_code.h"

namespace uudai {

namespace {

// The value at `key`, created on first use; readers share the lock, creators take it alone.
template <typename Map>
typename Map::mapped_type::element_type& GetOrCreate(Map& map, std::shared_mutex& mutex,
                                                     const std::string& key) {
  {
    std::shared_lock read(mutex);
    if (auto it = map.find(key); it != map.end()) return *it->second;
  }
  std::unique_lock write(mutex);
  auto& slot = map[key];
  if (!slot) slot = std::make_unique<typename Map::mapped_type::element_type>();
  return *slot;
}

}  // namespace

internal::OfferCounters& MemoryStore::State::Counters(const std::string& offer_id) {
  {
    std::shared_lock read(counters_mutex_);
    if (auto it = counters_.find(offer_id); it != counters_.end()) return *it->second;
  }
  // Created with the offer as it is now. The offers lock comes first (PutOfferLocked's order),
  // so an offer write lands either before this (and is copied) or after (and finds these
  // counters to update).
  std::shared_lock offers_read(offers_mutex);
  std::unique_lock write(counters_mutex_);
  auto& slot = counters_[offer_id];
  if (!slot) {
    slot = std::make_unique<internal::OfferCounters>();
    if (auto offer = offers.find(offer_id); offer != offers.end()) slot->offer = offer->second;
  }
  return *slot;
}

internal::OfferCounters* MemoryStore::State::FindCounters(std::string_view offer_id) const {
  std::shared_lock read(counters_mutex_);
  auto it = counters_.find(offer_id);
  return it == counters_.end() ? nullptr : it->second.get();
}

void MemoryStore::State::ForEachCounters(
    const std::function<void(const std::string&, internal::OfferCounters&)>& visit) const {
  std::shared_lock read(counters_mutex_);
  for (const auto& [offer_id, counters] : counters_) {
    std::lock_guard lock(counters->mutex);
    visit(offer_id, *counters);
  }
}

internal::CampaignCounters& MemoryStore::State::Campaign(const std::string& merchant_id) {
  return GetOrCreate(campaign_, campaign_mutex_, merchant_id);
}

internal::CampaignCounters* MemoryStore::State::FindCampaign(const std::string& merchant_id) const {
  std::shared_lock read(campaign_mutex_);
  auto it = campaign_.find(merchant_id);
  return it == campaign_.end() ? nullptr : it->second.get();
}

std::int64_t MemoryStore::State::LiveOrdersLocked(std::optional<internal::ShopperId> shopper,
                                                  std::string_view shopper_id,
                                                  std::string_view scope) {
  if (!shopper) return 0;
  if (scope == kPlatformCodeScope) return ShopperOrdersOf(shopper_id).live.Get(*shopper);
  const internal::CampaignCounters* campaign = FindCampaign(std::string(scope));
  return campaign == nullptr ? 0 : campaign->LiveOrdersOf(*shopper);
}

void MemoryStore::State::ForEachCampaign(
    const std::optional<std::string>& only,
    const std::function<void(const std::string&, internal::CampaignCounters&)>& fn) {
  std::vector<std::pair<std::string, internal::CampaignCounters*>> merchants;
  {
    std::shared_lock read(campaign_mutex_);
    for (const auto& [id, counters] : campaign_) {
      if (!only || *only == id) merchants.emplace_back(id, counters.get());
    }
  }
  for (const auto& [id, counters] : merchants) fn(id, *counters);
}

void MemoryStore::State::AddLocksFor(const Redemption& r, internal::LockSet& locks) {
  locks.Add(Campaign(r.merchant_id).mutex);
  locks.Add(ShopperOrdersOf(r.shopper_id).mutex);
  locks.Add(RedemptionShard(r.id).mutex);
  locks.Add(OrderShard(OrderKey(r)).mutex);
  for (const RedeemedOffer& applied : r.applied) {
    locks.Add(Counters(applied.offer_id).mutex);
    if (applied.code_mode == CodeMode::kUnique && applied.code) {
      locks.Add(CodeShard(*applied.code).mutex);
    }
  }
}

Redemption MemoryStore::State::AsCreated(const Redemption& r, RedemptionStatus created_as) {
  return RedemptionAsCreated(r, created_as);
}

void MemoryStore::State::ApplyCreatedLocked(const RedemptionCreated& m, bool pending,
                                            bool response_renders,
                                            std::vector<StoreEvent>* events) {
  const Redemption& r = m.redemption;
  const LocalDay day = zone_.DayOf(r.created_at);
  const internal::ShopperId shopper = shopper_ids.Intern(r.shopper_id);
  Campaign(r.merchant_id).OnCreated(r, shopper, zone_.HourOf(r.created_at), day);
  if (IsLive(r.status)) ShopperOrdersOf(r.shopper_id).live.Add(shopper, +1);
  if (r.status == RedemptionStatus::kCommitted) {
    NoteCommittedShopper(shopper, day, zone_.HourOf(r.created_at));
  }
  std::vector<StoredRedemption::Terms> terms;
  terms.reserve(r.applied.size());
  for (const RedeemedOffer& applied : r.applied) {
    internal::OfferCounters& counters = Counters(applied.offer_id);
    counters.OnCreated(r, applied, shopper, day);
    if (events != nullptr && counters.offer != nullptr) {
      for (const BudgetThreshold& reached : counters.TakeNewThresholds(counters.offer->limits)) {
        StoreEvent event;
        event.type = EventType::kOfferBudgetThreshold;
        event.at = r.created_at;
        event.merchant_id = counters.offer->merchant_id;
        event.offer_id = applied.offer_id;
        event.threshold = reached;
        events->push_back(std::move(event));
      }
    }
    if (keep_redemptions_) terms.push_back(counters.InternTerms(applied));
    if (applied.code_mode == CodeMode::kUnique && applied.code) {
      auto& code = CodeShard(*applied.code).map[*applied.code];
      if (code.offer_id.empty()) code.offer_id = applied.offer_id;  // replayed without issue
      code.holder = r.id;
    }
  }
  if (!keep_redemptions_) return;
  // The stored redemption first: the other indexes point at its id (see IdRef).
  auto [stored, inserted] =
      RedemptionShard(r.id).map.insert_or_assign(r.id, StoredRedemption(r, terms));
  const IdRef id = &stored->first;
  OrderShard(OrderKey(r)).map[OrderKey(r)] = id;
  if (r.status == RedemptionStatus::kReserved) {
    std::lock_guard lock(expiry_mutex);
    expiry.emplace(r.expires_at.millis, r.id);
  }
  if (m.idempotency) {
    const IdempotencyRecord& claim = *m.idempotency;
    auto& entry = IdempotencyShard(claim.scope_key).map[claim.scope_key];
    entry = IdempotencyEntry{claim.fingerprint,
                             response_renders ? std::nullopt : std::optional(claim.response), id,
                             claim.created_at, pending};
    std::lock_guard lock(retention_mutex);
    idempotency_by_age.emplace_back(m.idempotency->created_at.millis, m.idempotency->scope_key);
  }
  // Taken under the locks of every piece of state `r` shares with other redemptions, so
  // the sequence orders conflicting creations as they happened.
  {
    std::lock_guard lock(ledger_mutex_);
    stored->second.set_sequence(ledger_order_.size());
    ledger_order_.push_back(id);
  }
}

void MemoryStore::State::NoteCommittedShopper(internal::ShopperId shopper, LocalDay day,
                                              LocalHour hour) {
  std::lock_guard lock(shoppers_mutex_);
  committed_shoppers_.Insert(shopper);
  committed_shoppers_by_day_[day.index].Insert(shopper);
  if (!committed_hours_) {
    committed_hours_.emplace(hour.index, hour.index);
  } else {
    committed_hours_->first = std::min(committed_hours_->first, hour.index);
    committed_hours_->second = std::max(committed_hours_->second, hour.index);
  }
}

bool MemoryStore::State::CommittedShoppersWithin(LocalHour from, LocalHour to) const {
  std::lock_guard lock(shoppers_mutex_);
  return !committed_hours_ ||
         (committed_hours_->first >= from.index && committed_hours_->second < to.index);
}

std::int64_t MemoryStore::State::CommittedShopperCount() const {
  std::lock_guard lock(shoppers_mutex_);
  return static_cast<std::int64_t>(committed_shoppers_.size());
}

std::map<std::string, std::int64_t> MemoryStore::State::CommittedShopperCountsByDay() const {
  std::lock_guard lock(shoppers_mutex_);
  std::map<std::string, std::int64_t> counts;
  for (const auto& [day, shoppers] : committed_shoppers_by_day_) {
    counts.emplace(FormatLocalDay(LocalDay{day}), static_cast<std::int64_t>(shoppers.size()));
  }
  return counts;
}

std::uint64_t MemoryStore::State::LedgerSize() const {
  std::lock_guard lock(ledger_mutex_);
  return ledger_order_.size();
}

std::vector<std::string> MemoryStore::State::LedgerIds(std::uint64_t start, std::uint64_t end,
                                                       std::size_t count) const {
  std::lock_guard lock(ledger_mutex_);
  end = std::min<std::uint64_t>({end, ledger_order_.size(), start + count});
  std::vector<std::string> ids;
  if (start >= end) return ids;
  ids.reserve(end - start);
  for (auto i = start; i < end; ++i) ids.push_back(*ledger_order_[i]);
  return ids;
}

void MemoryStore::State::ApplyTransitionLocked(Redemption& r, RedemptionAction action,
                                               Timestamp at) {
  const RedemptionStatus from = r.status;
  const RedemptionStatus to = NextStatus(from, action).value();
  MoveTo(r, to, at);
  if (from == RedemptionStatus::kReserved) {
    std::lock_guard lock(expiry_mutex);
    expiry.erase({r.expires_at.millis, r.id});
  }
  const LocalDay day = zone_.DayOf(r.created_at);
  const internal::ShopperId shopper = shopper_ids.Intern(r.shopper_id);
  Campaign(r.merchant_id).OnTransition(r, shopper, from, to, zone_.HourOf(r.created_at), day);
  if (IsLive(from) && !IsLive(to)) ShopperOrdersOf(r.shopper_id).live.Add(shopper, -1);
  if (to == RedemptionStatus::kCommitted) {
    NoteCommittedShopper(shopper, day, zone_.HourOf(r.created_at));
  }
  for (const RedeemedOffer& applied : r.applied) {
    Counters(applied.offer_id).OnTransition(r, applied, shopper, from, to, day);
    const bool frees_code = to == RedemptionStatus::kReleased || to == RedemptionStatus::kExpired ||
                            (to == RedemptionStatus::kRefunded && applied.restore_on_refund);
    if (frees_code && applied.code_mode == CodeMode::kUnique && applied.code) {
      auto& codes = CodeShard(*applied.code).map;
      if (auto it = codes.find(*applied.code); it != codes.end() && it->second.holder == r.id) {
        it->second.holder.clear();
      }
    }
  }
  if (!IsLive(to)) {
    auto& orders = OrderShard(OrderKey(r)).map;
    if (auto it = orders.find(OrderKey(r)); it != orders.end() && *it->second == r.id) {
      orders.erase(it);
    }
  }
}

void MemoryStore::State::PutOfferLocked(std::shared_ptr<const Offer> offer) {
  // merchant_id and layer never change, so an offer's code scope is that of its old version.
  const std::string scope(CodeScopeOf(*offer));
  if (auto old = offers.find(offer->id); old != offers.end() && old->second->code) {
    if (auto codes = public_codes.find(scope); codes != public_codes.end()) {
      auto code = codes->second.find(*old->second->code);
      if (code != codes->second.end() && code->second == offer->id) codes->second.erase(code);
    }
  }
  if (offer->code_mode == CodeMode::kPublic && offer->code &&
      offer->status != OfferStatus::kArchived) {
    public_codes[scope][*offer->code] = offer->id;
  }
  // Counters are made on first use (most offers of a large catalog are never redeemed); those
  // that exist re-check redemptions against this version from now on.
  if (internal::OfferCounters* counters = FindCounters(offer->id)) {
    std::lock_guard lock(counters->mutex);
    counters->offer = offer;
  }
  const auto [it, added] = offers.try_emplace(offer->id);
  std::shared_ptr<const Offer>& slot = it->second;
  if (slot != nullptr && keep_redemptions_) earlier_versions[offer->id].push_back(std::move(slot));
  slot = std::move(offer);
  if (added) {
    offers_in_order.Insert(&slot);
    offers_in_order_by_merchant[slot->merchant_id].Insert(&slot);
  }
}

bool MemoryStore::State::TakeLifetimeAmount(Money amount) {
  Money before = lifetime_amount_.load(std::memory_order_relaxed);
  do {
    if (amount > kMaxLifetimeAmount - before) return false;
  } while (
      !lifetime_amount_.compare_exchange_weak(before, before + amount, std::memory_order_relaxed));
  return true;
}

Status MemoryStore::State::CheckPublicCodeFreeLocked(const Offer& offer) {
  if (offer.code_mode != CodeMode::kPublic || !offer.code ||
      offer.status == OfferStatus::kArchived) {
    return Status::Ok();
  }
  const std::string_view scope = CodeScopeOf(offer);
  if (auto codes = public_codes.find(std::string(scope)); codes != public_codes.end()) {
    auto it = codes->second.find(*offer.code);
    if (it != codes->second.end() && it->second != offer.id) {
      return Status::ForOffer(StatusCode::kCodeConflict, it->second,
                              "code " + *offer.code + " already belongs to offer " + it->second);
    }
  }
  // A shopper typing the public code would also name this unique code (ResolveCode).
  if (auto unique = CanonicalUniqueCode(*offer.code)) {
    std::string owner;
    {
      auto& shard = CodeShard(*unique);
      std::lock_guard lock(shard.mutex);
      if (auto it = shard.map.find(*unique); it != shard.map.end()) owner = it->second.offer_id;
    }
    auto it = offers.find(owner);
    if (it != offers.end() && it->second->status != OfferStatus::kArchived &&
        CodeScopeOf(*it->second) == scope) {
      return Status::ForOffer(StatusCode::kCodeConflict, owner,
                              "code " + *offer.code + " is a unique code of offer " + owner);
    }
  }
  return Status::Ok();
}

}  // namespace uudai
