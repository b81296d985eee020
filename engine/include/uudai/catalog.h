// Catalog: the live offers, as an immutable indexed snapshot published by atomic swap.
//
// Readers call Catalog::Current() and keep the returned shared_ptr for as long as they need a
// consistent view; they never take a lock of ours. Writers derive a new snapshot from the
// current one and publish it; Apply() serializes writers. A snapshot's indexes share structure
// with the snapshot they were derived from (PersistentStringMap, and one array of auto-applied
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

#include "uudai/auto_offer_lists.h"
#include "uudai/catalog_entry.h"
#include "uudai/offer.h"
#include "uudai/persistent_string_map.h"

namespace uudai {

class CatalogSnapshot {
 public:
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
  const AutoOfferLists& AutoOffersFor(std::string_view merchant_id) const;
  // ... and the platform offers open to every merchant (per layer). Each layer's list is
  // sorted by offer id, without repeats.
  const AutoOfferLists& AutoOffersForAllMerchants() const { return open_auto_; }

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
  // ones (fn(AutoOfferLists&) for each, this snapshot's own to replace).
  template <typename Fn>
  void ForEachAutoListOf(const CatalogEntry& entry, bool create, Fn&& fn);

  PersistentStringMap<EntryPtr> by_id_;
  PersistentStringMap<PersistentStringMap<CodeHolders>> by_public_code_;  // scope → code → …
  PersistentStringMap<AutoOfferLists> auto_by_merchant_;
  AutoOfferLists open_auto_;
  PersistentStringMap<std::int64_t> archived_versions_;  // archived ids → version (tombstones)
  static const AutoOfferLists kNoOffers;
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
