// MemoryStore::State: the data of a MemoryStore and the functions that change it.
//
// Every piece of state has its own mutex: per-offer counters, and hash-sharded maps of
// redemptions, unique codes, order guards and idempotency records. Locks*() gather the
// mutexes a mutation touches into a LockSet; Apply*Locked() change the state and
// REQUIRE those locks to be held. The offers map has a reader/writer lock of its own.
#ifndef UUDAI_ENGINE_MEMORY_STORE_MEMORY_STORE_STATE_H_
#define UUDAI_ENGINE_MEMORY_STORE_MEMORY_STORE_STATE_H_

#include <array>
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "memory_store/campaign_counters.h"
#include "memory_store/lock_set.h"
#include "memory_store/offer_counters.h"
#include "memory_store/offers_in_order.h"
#include "memory_store/shopper_ids.h"
#include "memory_store/shopper_tables.h"
#include "memory_store/stored_redemption.h"
#include "uudai/memory_store.h"

namespace uudai {

class MemoryStore::State {
 public:
  static constexpr std::size_t kShards = 64;

  template <typename V>
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, V> map;
  };

  // A redemption id as the key of its entry in the redemptions map, which the other indexes
  // point at instead of keeping a copy each (an id is 18 characters: a copy costs 64 bytes).
  // Redemptions are never erased and a map's nodes never move, so the address stays valid and
  // the text never changes: it may be read without the redemption shard's lock.
  using IdRef = const std::string*;

  struct CodeState {
    std::string offer_id;
    std::string holder;  // id of the live redemption holding the code; empty when available
  };

  // A redemption as stored (compact); its id is its key in the redemptions map.
  using StoredRedemption = internal::StoredRedemption;

  // A claim (IdempotencyRecord) as kept; its scope key is the map's key. The response text is
  // kept only when it is not what MemoryStoreOptions::render_response makes of the redemption
  // as created: usually it is, and the text (most of a claim's size) is rendered again when
  // a replay needs it (ResponseOf).
  struct IdempotencyEntry {
    std::string fingerprint;
    std::optional<std::string> response;  // nullopt: render the redemption as created
    IdRef redemption_id = nullptr;
    Timestamp created_at;
    bool pending = false;  // created but not yet durable
  };

  State(CampaignZone zone, RenderResponse render_response, bool keep_redemptions)
      : zone_(zone),
        render_response_(std::move(render_response)),
        keep_redemptions_(keep_redemptions) {}

  // See MemoryStoreOptions::keep_redemptions.
  bool keep_redemptions() const { return keep_redemptions_; }

  // Whether a claim's `response` is left to render_response (empty) or is what it makes of
  // `created`: then the claim keeps no copy of it. Without render_response, never. Call it
  // without locks: a response given checks by rendering.
  bool RendersAs(const Redemption& created, const std::string& response) const {
    if (!render_response_) return false;
    return response.empty() || render_response_(created) == response;
  }
  bool renders() const { return static_cast<bool>(render_response_); }
  // The response `entry` replays: its text, or the rendering of the redemption it claims,
  // `r` (now), as it was created with status `created_as`.
  std::string ResponseOf(const IdempotencyEntry& entry, const Redemption& r,
                         RedemptionStatus created_as) const {
    return entry.response ? *entry.response : RenderAsCreated(r, created_as);
  }
  // REQUIRES: render_response was set.
  std::string RenderAsCreated(const Redemption& r, RedemptionStatus created_as) const {
    return render_response_(AsCreated(r, created_as));
  }
  // `r` as it was when created with status `created_as`: the later transitions' times cleared.
  static Redemption AsCreated(const Redemption& r, RedemptionStatus created_as);

  // What every write answers once the MutationLog has failed.
  static Status Unavailable() {
    return Status(StatusCode::kUnavailable,
                  "the store could not make a write durable; it refuses writes until restarted");
  }

  const CampaignZone& zone() const { return zone_; }

  Shard<StoredRedemption>& RedemptionShard(std::string_view id) {
    return redemptions_[ShardOf(id)];
  }
  Shard<CodeState>& CodeShard(std::string_view code) { return codes_[ShardOf(code)]; }
  Shard<IdRef>& OrderShard(std::string_view key) { return orders_[ShardOf(key)]; }
  Shard<IdempotencyEntry>& IdempotencyShard(std::string_view key) {
    return idempotency_[ShardOf(key)];
  }
  std::array<Shard<StoredRedemption>, kShards>& redemption_shards() { return redemptions_; }
  std::array<Shard<CodeState>, kShards>& code_shards() { return codes_; }
  std::array<Shard<IdempotencyEntry>, kShards>& idempotency_shards() { return idempotency_; }

  // The counters of `offer_id`, created on first use (holding the offer as it is then: see
  // OfferCounters::offer). The address is stable. REQUIRES: offers_mutex not held.
  internal::OfferCounters& Counters(const std::string& offer_id);
  // nullptr when the offer never had a counter.
  internal::OfferCounters* FindCounters(std::string_view offer_id) const;
  // Calls `visit` with every offer's counters, each under its mutex.
  void ForEachCounters(
      const std::function<void(const std::string&, internal::OfferCounters&)>& visit) const;

  // The campaign counters of `merchant_id`, created on first use. The address is stable.
  internal::CampaignCounters& Campaign(const std::string& merchant_id);
  // nullptr when the merchant never had a redemption.
  internal::CampaignCounters* FindCampaign(const std::string& merchant_id) const;

  // Live (reserved or committed) redemptions by shopper over every merchant, sharded by the
  // shopper's id: what a platform-wide first_order offer asks. Every redemption's writes take
  // its shopper's shard (AddLocksFor), so a check and the count it guards are one step.
  struct ShopperOrders {
    std::mutex mutex;
    internal::ShopperCounts live;  // GUARDED_BY mutex
  };
  ShopperOrders& ShopperOrdersOf(std::string_view shopper_id) {
    return shopper_orders_[ShardOf(shopper_id)];
  }
  // The live redemptions of `shopper` (nullopt: never counted) at merchant `scope`, or at every
  // merchant when `scope` is kPlatformCodeScope. REQUIRES: the lock of that merchant's
  // campaign counters, or of the shopper's ShopperOrders shard, is held.
  std::int64_t LiveOrdersLocked(std::optional<internal::ShopperId> shopper,
                                std::string_view shopper_id, std::string_view scope);
  // Calls fn(merchant_id, counters) for every merchant (or just `only`, when set).
  void ForEachCampaign(
      const std::optional<std::string>& only,
      const std::function<void(const std::string&, internal::CampaignCounters&)>& fn);

  static std::string OrderKey(const Redemption& r) { return r.merchant_id + '\x1f' + r.order_id; }

  // Adds every mutex `r`'s creation or transitions touch (not the idempotency shard).
  void AddLocksFor(const Redemption& r, internal::LockSet& locks);

  // REQUIRE: the locks of AddLocksFor(m.redemption) (+ the idempotency shard) are held.
  // `response_renders`: RendersAs(m.redemption, m.idempotency->response), computed before
  // the locks were taken. Without keep_redemptions(), only counters, stats and code holders
  // change.
  // With `events`, appends the budget thresholds the redemption makes its offers reach
  // (offer.budget_threshold events, each once per offer).
  void ApplyCreatedLocked(const RedemptionCreated& m, bool pending, bool response_renders,
                          std::vector<StoreEvent>* events = nullptr);
  // REQUIRES: the locks of AddLocksFor(r) are held; the transition is valid.
  void ApplyTransitionLocked(Redemption& r, RedemptionAction action, Timestamp at);

  // Offers and public codes.
  mutable std::shared_mutex offers_mutex;
  std::unordered_map<std::string, std::shared_ptr<const Offer>> offers;  // GUARDED_BY offers_mutex
  // Ids of offers created but not durable yet (with a MutationLog): a create of one of them is
  // a retry racing its first attempt, which may still fail, and answers kRequestInProgress
  // rather than kAlreadyExists. GUARDED_BY offers_mutex.
  std::unordered_set<std::string> offers_not_durable;
  // The same offers in id order, all of them and by shop: what a page of ListOffersPage walks.
  // GUARDED_BY offers_mutex.
  internal::OffersInOrder offers_in_order;
  std::unordered_map<std::string, internal::OffersInOrder> offers_in_order_by_merchant;
  // Every version before the latest of each offer written more than once, oldest first
  // (ReadOfferHistory); empty without keep_redemptions(). GUARDED_BY offers_mutex.
  std::unordered_map<std::string, std::vector<std::shared_ptr<const Offer>>> earlier_versions;
  // Public codes of offers that are not archived: code scope (CodeScopeOf) → code → offer id.
  std::unordered_map<std::string, std::unordered_map<std::string, std::string>> public_codes;
  // Also makes `offer` the one its counters re-check redemptions against, and keeps the version
  // it replaces in earlier_versions.
  // REQUIRES: offers_mutex held exclusively; no counters mutex held.
  void PutOfferLocked(std::shared_ptr<const Offer> offer);
  // kCodeConflict when `offer` (to be stored) has a public code that, within its code scope,
  // belongs to another offer that is not archived or is a unique code issued for one. The
  // refusal names only that offer, which is of the same scope: the caller's own shop, or the
  // platform (whose codes only admins register). Codes of other scopes never conflict.
  // REQUIRES: offers_mutex held.
  Status CheckPublicCodeFreeLocked(const Offer& offer);

  // Adds `amount` (a redemption's items subtotal + shipping fee) to the lifetime sum of order
  // amounts, unless that would pass kMaxLifetimeAmount (then false, and nothing is added).
  bool TakeLifetimeAmount(Money amount);
  // The same without the bound, for redemptions read back from a log.
  void AddLifetimeAmount(Money amount) {
    lifetime_amount_.fetch_add(amount, std::memory_order_relaxed);
  }

  // Redemption ids in creation order: entry i was created i-th (StoredRedemption::sequence).
  // Innermost lock.
  std::uint64_t LedgerSize() const;
  // Ids at positions [start, min(end, start + count)).
  std::vector<std::string> LedgerIds(std::uint64_t start, std::uint64_t end,
                                     std::size_t count) const;

  // Distinct shoppers with a committed redemption at any merchant, ever (campaign stats over
  // the whole campaign read this instead of merging every merchant's sets). Innermost lock.
  // Shoppers with a committed redemption, over every merchant: in all and by the local day
  // their redemption was created (the keys of the map are "YYYY-MM-DD").
  void NoteCommittedShopper(internal::ShopperId shopper, LocalDay day, LocalHour hour);
  std::int64_t CommittedShopperCount() const;
  std::map<std::string, std::int64_t> CommittedShopperCountsByDay() const;
  // Whether every committed shopper's redemption was created in a local hour in [from, to)
  // (true when there is none).
  bool CommittedShoppersWithin(LocalHour from, LocalHour to) const;

  // Every shopper counted, as the numbers the counters key their per-shopper state by.
  internal::ShopperIds shopper_ids;

  // Reservations by expiry, and idempotency records by age. Innermost locks.
  std::mutex expiry_mutex;
  std::set<std::pair<std::int64_t, std::string>> expiry;  // (expires_at, redemption id)
  std::mutex retention_mutex;
  std::deque<std::pair<std::int64_t, std::string>> idempotency_by_age;  // (created_at, scope)

 private:
  static std::size_t ShardOf(std::string_view key) {
    return std::hash<std::string_view>{}(key) % kShards;
  }

  CampaignZone zone_;
  std::atomic<Money> lifetime_amount_{0};  // see TakeLifetimeAmount
  const RenderResponse render_response_;
  const bool keep_redemptions_;
  mutable std::mutex shoppers_mutex_;
  internal::ShopperSet committed_shoppers_;  // GUARDED_BY shoppers_mutex_
  std::map<std::int32_t, internal::ShopperSet>
      committed_shoppers_by_day_;  // GUARDED_BY shoppers_mutex_
  // First and last local hour (index) of a committed shopper's redemption; empty when none.
  std::optional<std::pair<std::int64_t, std::int64_t>>
      committed_hours_;  // GUARDED_BY shoppers_mutex_
  mutable std::mutex ledger_mutex_;
  std::deque<IdRef> ledger_order_;  // GUARDED_BY ledger_mutex_
  std::array<Shard<StoredRedemption>, kShards> redemptions_;
  std::array<Shard<CodeState>, kShards> codes_;
  std::array<Shard<IdRef>, kShards> orders_;  // merchant \x1f order → its live redemption
  std::array<Shard<IdempotencyEntry>, kShards> idempotency_;
  std::array<ShopperOrders, kShards> shopper_orders_;

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  mutable std::shared_mutex campaign_mutex_;
  std::unordered_map<std::string, std::unique_ptr<internal::CampaignCounters>> campaign_;

  mutable std::shared_mutex counters_mutex_;
  std::unordered_map<std::string, std::unique_ptr<internal::OfferCounters>, StringHash,
                     std::equal_to<>>
      counters_;
};

}  // namespace uudai

#endif  // UUDAI_ENGINE_MEMORY_STORE_MEMORY_STORE_STATE_H_
