// Catalog: the live offers, as an immutable indexed snapshot published by atomic swap.
//
// Readers call Catalog::Current() and keep the returned shared_ptr for as long as they need a
// consistent view; they never take a lock of ours. Writers build a new snapshot (sharing the
// offers themselves, copying only the indexes) and publish it; Apply() serializes writers.
#ifndef UUDAI_CATALOG_H_
#define UUDAI_CATALOG_H_

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "uudai/offer.h"
#include "uudai/payment_method.h"

namespace uudai {

// One offer compiled for quoting: filters pre-parsed so the hot path never parses text, and
// the fields every eligibility check reads copied inline, so that scanning a shop's candidates
// walks one contiguous array instead of chasing a pointer per offer.
struct CatalogEntry {
  std::shared_ptr<const Offer> offer;
  std::string id;  // offer->id, inline: ids are compared on the hot path
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
  bool has_limits = false;
  bool exclusive = false;
};

class CatalogSnapshot {
 public:
  using EntryList = std::vector<CatalogEntry>;  // by value: contiguous for scanning
  using LayerLists = std::array<EntryList, kLayerCount>;

  // Indexes `offers` (archived ones are left out). Ids must be unique.
  static std::shared_ptr<const CatalogSnapshot> Build(
      std::vector<std::shared_ptr<const Offer>> offers);

  // A new snapshot: this one with `changes` replacing offers of the same id or added.
  std::shared_ptr<const CatalogSnapshot> With(
      const std::vector<std::shared_ptr<const Offer>>& changes) const;

  // Active or paused offer by id; nullptr when unknown or archived.
  const CatalogEntry* FindById(std::string_view id) const;
  // Active or paused public-code offer of code scope `scope` (CodeScopeOf: a shop's
  // merchant_id, or kPlatformCodeScope); `upper_code` must be upper-case.
  const CatalogEntry* FindByPublicCode(std::string_view scope, std::string_view upper_code) const;

  // Active auto-applied offers that may apply to a cart at `merchant_id`: the merchant's own
  // and the platform offers restricted to it (per layer), ...
  const LayerLists& AutoOffersFor(std::string_view merchant_id) const;
  // ... and the platform offers open to every merchant (per layer).
  const LayerLists& AutoOffersForAllMerchants() const { return open_auto_; }

  std::size_t size() const { return entries_.size(); }
  // Every entry, in no particular order.
  const std::vector<CatalogEntry>& entries() const { return entries_; }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  CatalogSnapshot() = default;
  void Index();

  std::vector<CatalogEntry> entries_;
  StringMap<const CatalogEntry*> by_id_;
  StringMap<StringMap<const CatalogEntry*>> by_public_code_;  // code scope → code → entry
  StringMap<LayerLists> auto_by_merchant_;
  LayerLists open_auto_;
  StringMap<std::int64_t> archived_versions_;  // archived ids → version, to order late changes
  static const LayerLists kNoOffers;
};

class Catalog {
 public:
  Catalog();

  // The current snapshot. Lock-free for readers (std::atomic<std::shared_ptr>).
  std::shared_ptr<const CatalogSnapshot> Current() const { return current_.load(); }

  // Replaces the whole catalog.
  void Reset(std::vector<std::shared_ptr<const Offer>> offers);
  // Upserts `changes` into a new snapshot and publishes it. Writers are serialized, so two
  // concurrent Apply calls never lose each other's changes.
  void Apply(const std::vector<std::shared_ptr<const Offer>>& changes);

 private:
  std::mutex writer_mutex_;
  std::atomic<std::shared_ptr<const CatalogSnapshot>> current_;
};

}  // namespace uudai

#endif  // UUDAI_CATALOG_H_
