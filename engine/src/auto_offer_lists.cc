#include "uudai/auto_offer_lists.h"

#include <algorithm>
#include <utility>

namespace uudai {
namespace {

std::size_t LayerIndex(Layer layer) { return static_cast<std::size_t>(layer); }

}  // namespace

AutoOfferLists AutoOfferLists::FromSorted(std::vector<CatalogEntry> entries) {
  AutoOfferLists lists;
  if (entries.empty()) return lists;
  auto array = std::make_shared<CatalogEntry[]>(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    ++lists.bounds_[LayerIndex(entries[i].layer) + 1];
    array[i] = std::move(entries[i]);
  }
  for (std::size_t layer = 1; layer <= kLayerCount; ++layer) {
    lists.bounds_[layer] += lists.bounds_[layer - 1];
  }
  lists.entries_ = std::move(array);
  return lists;
}

AutoOfferLists::Place AutoOfferLists::Locate(std::size_t layer, std::string_view id) const {
  const auto list = (*this)[layer];
  const auto it =
      std::lower_bound(list.begin(), list.end(), id,
                       [](const CatalogEntry& e, std::string_view v) { return e.id < v; });
  return {bounds_[layer] + static_cast<std::size_t>(it - list.begin()),
          it != list.end() && it->id == id};
}

std::shared_ptr<const CatalogEntry[]> AutoOfferLists::Spliced(std::size_t at, std::size_t removed,
                                                              const CatalogEntry* inserted) const {
  const auto old = all();
  const std::size_t size = old.size() - removed + (inserted != nullptr ? 1 : 0);
  if (size == 0) return nullptr;
  auto array = std::make_shared<CatalogEntry[]>(size);
  CatalogEntry* out =
      std::copy(old.begin(), old.begin() + static_cast<std::ptrdiff_t>(at), array.get());
  if (inserted != nullptr) *out++ = *inserted;
  std::copy(old.begin() + static_cast<std::ptrdiff_t>(at + removed), old.end(), out);
  return array;
}

AutoOfferLists AutoOfferLists::With(const CatalogEntry& entry) const {
  const std::size_t layer = LayerIndex(entry.layer);
  const Place place = Locate(layer, entry.id);
  AutoOfferLists next;
  next.entries_ = Spliced(place.at, place.found ? 1 : 0, &entry);
  next.bounds_ = bounds_;
  if (!place.found) {
    for (std::size_t l = layer + 1; l <= kLayerCount; ++l) ++next.bounds_[l];
  }
  return next;
}

AutoOfferLists AutoOfferLists::Without(Layer layer, std::string_view id) const {
  const std::size_t index = LayerIndex(layer);
  const Place place = Locate(index, id);
  if (!place.found) return *this;
  AutoOfferLists next;
  next.entries_ = Spliced(place.at, 1, nullptr);
  next.bounds_ = bounds_;
  for (std::size_t l = index + 1; l <= kLayerCount; ++l) --next.bounds_[l];
  return next;
}

}  // namespace uudai
