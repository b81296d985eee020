// AutoOfferLists: the auto-applied offers of one shop, or those open to every shop, as a
// catalog snapshot keeps them for quoting.
#ifndef UUDAI_AUTO_OFFER_LISTS_H_
#define UUDAI_AUTO_OFFER_LISTS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "uudai/catalog_entry.h"
#include "uudai/offer.h"

namespace uudai {

// Each layer's entries sorted by offer id, without repeats, the layers one after the other in
// ONE array: a quote reads its shop's offers front to back from one block instead of following
// a pointer per layer, which in a large catalog is a cache miss each. Immutable and cheap to
// copy (the array is shared); a change makes a new array, which costs the list's length (a
// shop holds a few dozen offers at most).
class AutoOfferLists {
 public:
  AutoOfferLists() = default;

  // From entries sorted by layer, then by id, without repeats.
  static AutoOfferLists FromSorted(std::vector<CatalogEntry> entries);

  // Every entry, layer by layer.
  std::span<const CatalogEntry> all() const { return {entries_.get(), bounds_[kLayerCount]}; }
  // The entries of layer number `layer` (static_cast<std::size_t>(Layer)).
  std::span<const CatalogEntry> operator[](std::size_t layer) const {
    return all().subspan(bounds_[layer], bounds_[layer + 1] - bounds_[layer]);
  }
  bool empty() const { return bounds_[kLayerCount] == 0; }

  // These lists with `entry` in its layer's, in id order, replacing the entry of the same id.
  AutoOfferLists With(const CatalogEntry& entry) const;
  // These lists without the entry of `id` in `layer` (the same lists when there is none).
  AutoOfferLists Without(Layer layer, std::string_view id) const;

 private:
  // Where an entry of `id` is, or would go, among layer `layer`'s: its index in the array.
  struct Place {
    std::size_t at;
    bool found;
  };
  Place Locate(std::size_t layer, std::string_view id) const;
  // This array with `removed` (0 or 1) entries at `at` taken out and `inserted` (when not
  // null) put there.
  std::shared_ptr<const CatalogEntry[]> Spliced(std::size_t at, std::size_t removed,
                                                const CatalogEntry* inserted) const;

  std::shared_ptr<const CatalogEntry[]> entries_;
  // Layer l's entries are [bounds_[l], bounds_[l + 1]); bounds_[kLayerCount]: how many in all.
  std::array<std::uint32_t, kLayerCount + 1> bounds_{};
};

}  // namespace uudai

#endif  // UUDAI_AUTO_OFFER_LISTS_H_
