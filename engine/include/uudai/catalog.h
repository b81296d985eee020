// Catalog: the live offers, as an immutable indexed snapshot published by atomic swap.
//
// Readers call Catalog::Current() and keep the returned shared_ptr for as long as they need a
// consistent view; they never take a lock of ours. Writers derive a new snapshot from the
// current one and publish it; Apply() serializes writers. A snapshot's indexes share structure
// with the snapshot they were derived from (PersistentStringMap, and one list of auto-applied
// offers per shop), so a change copies only what it touches: an offer write costs O(log n) in
// the catalog's size (~3 µs at a thousand offers, ~10 µs at a million: cache misses, not
// copies) plus the size of its own shop's auto-applied lists (and, for a platform offer open to
// every shop, of the open lists, which every quote scans anyway).
#ifndef UUDAI_CATALOG_H_
#define UUDAI_CATALOG_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "uudai/offer.h"
#include "uudai/payment_method.h"
#include "uudai/persistent_string_map.h"

namespace uudai {

// One offer compiled for quoting: filters pre-parsed so the hot path never parses text, and
// the fields every eligibility check reads copied inline, so that scanning a shop's candidates
// walks one contiguous array instead of chasing a pointer per offer.
struct CatalogEntry {
  std::shared_ptr<const Offer> offer;
  std::string_view id;  // offer->id (which `offer` keeps alive), inline: compared on the hot path
  Timestamp starts_at;
  Timestamp ends_at;
  Money min_order_amount = 0;
  Discount discount;
  std::optional<DailyWindow> daily_window;
  std::int32_t priority = 0;
  Layer layer = Layer::kMerchant;
  OfferStatus status = OfferStatus::kActive;
  PaymentMethodSet payment_methods;  // meaningful only when !any_payment_method
  bool any_payment_method = true;
  bool has_item_filter = false;  // categories or skus present
  bool has_shopper_tags = false;
  bool first_order = false;
  bool has_limits = false;
  bool exclusive = false;
};

class CatalogSnapshot {
 public:
  using EntryList = std::vector<CatalogEntry>;  // by value: contiguous for scanning
  using LayerLists = std::array<EntryList, kLayerCount>;

  // Runs every task of a list and returns once all have run, in any order or side by side.
  // The engine starts no thread of its own: a caller with idle cores (start-up, building a
  // million offers) passes one that uses them; without one the tasks run in turn.
  using Tasks = std::vector<std::function<void()>>;
  using RunTasks = std::function<void(const Tasks&)>;

  // Indexes `offers` (archived ones are left out). For an id given more than once, the highest
  // version wins, as in With(). `run_tasks` runs the parts of the work that are independent.
  static std::shared_ptr<const CatalogSnapshot> Build(
      std::vector<std::shared_ptr<const Offer>> offers, const RunTasks& run_tasks = nullptr);

  // A new snapshot: this one with `changes` applied. Changes may come late and out of order:
  // per id the highest version seen wins (a lower one than the snapshot holds is ignored; an
  // equal one replaces). An archived offer leaves every index but its version is kept, so an
  // older change arriving after the archive never revives it. This snapshot is unchanged.
  std::shared_ptr<const CatalogSnapshot> With(
      const std::vector<std::shared_ptr<const Offer>>& changes) const;

  // Active or paused offer by id; nullptr when unknown or archived.
  const CatalogEntry* FindById(std::string_view id) const;
  // Active or paused public-code offer of code scope `scope` (CodeScopeOf: a shop's
  // merchant_id, or kPlatformCodeScope); `upper_code` must be upper-case. The store keeps a
  // code to one live offer per scope; should changes arriving out of order leave two holding
  // it for a moment, the one with the smaller id answers.
  const CatalogEntry* FindByPublicCode(std::string_view scope, std::string_view upper_code) const;

  // Active auto-applied offers that may apply to a cart at `merchant_id`: the merchant's own
  // and the platform offers restricted to it (per layer), ...
  const LayerLists& AutoOffersFor(std::string_view merchant_id) const;
  // ... and the platform offers open to every merchant (per layer). Each list is sorted by
  // offer id, without repeats.
  const LayerLists& AutoOffersForAllMerchants() const { return *open_auto_; }

  // Active and paused offers.
  std::size_t size() const { return by_id_.size(); }

 private:
  using EntryPtr = std::shared_ptr<const CatalogEntry>;
  // The live offers holding one public code within one scope, by id (almost always one).
  using CodeHolders = std::vector<EntryPtr>;

  CatalogSnapshot();

  // Applies one change under the version rules of With().
  void Put(std::shared_ptr<const Offer> offer);
  // Adds `entry` to, or takes it out of, the public-code and auto-applied indexes.
  void IndexCodeAndAuto(const EntryPtr& entry);
  void UnindexCodeAndAuto(const CatalogEntry& entry);
  // The auto-applied lists `entry` belongs in: its shop's, the listed shops', or the open
  // ones (fn(LayerLists&) for each, made writable first).
  template <typename Fn>
  void ForEachAutoListOf(const CatalogEntry& entry, bool create, Fn&& fn);

  PersistentStringMap<EntryPtr> by_id_;
  PersistentStringMap<PersistentStringMap<CodeHolders>> by_public_code_;  // scope → code → …
  PersistentStringMap<std::shared_ptr<const LayerLists>> auto_by_merchant_;
  std::shared_ptr<const LayerLists> open_auto_;
  PersistentStringMap<std::int64_t> archived_versions_;  // archived ids → version (tombstones)
  static const LayerLists kNoOffers;
};

class Catalog {
 public:
  Catalog();

  // The current snapshot. Lock-free for readers (std::atomic<std::shared_ptr>).
  std::shared_ptr<const CatalogSnapshot> Current() const { return current_.load(); }

  // Replaces the whole catalog (CatalogSnapshot::Build).
  void Reset(std::vector<std::shared_ptr<const Offer>> offers,
             const CatalogSnapshot::RunTasks& run_tasks = nullptr);
  // Upserts `changes` into a new snapshot and publishes it. Writers are serialized, so two
  // concurrent Apply calls never lose each other's changes.
  void Apply(const std::vector<std::shared_ptr<const Offer>>& changes);

 private:
  std::mutex writer_mutex_;
  std::atomic<std::shared_ptr<const CatalogSnapshot>> current_;
};

}  // namespace uudai

#endif  // UUDAI_CATALOG_H_
