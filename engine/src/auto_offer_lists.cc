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

AutoOfferLists AutoOfferLists::With(const CatalogEntry& entry) const {
  const std::size_t layer = LayerIndex(entry.layer);
  const auto list = (*this)[layer];
  const auto at =
      std::lower_bound(list.begin(), list.end(), entry.id,
                       [](const CatalogEntry& e, std::string_view id) { return e.id < id; });
  const std::size_t position = bounds_[layer] + static_cast<std::size_t>(at - list.begin());
  const bool replaces = at != list.end() && at->id == entry.id;
  const std::size_t size = bounds_[kLayerCount] + (replaces ? 0 : 1);
  auto array = std::make_shared<CatalogEntry[]>(size);
  const auto old = all();
  std::copy(old.begin(), old.begin() + static_cast<std::ptrdiff_t>(position), array.get());
  array[position] = entry;
  const std::size_t rest = position + (replaces ? 1 : 0);
  std::copy(old.begin() + static_cast<std::ptrdiff_t>(rest), old.end(), array.get() + position + 1);
  AutoOfferLists next;
  next.entries_ = std::move(array);
  next.bounds_ = bounds_;
  if (!replaces) {
    for (std::size_t l = layer + 1; l <= kLayerCount; ++l) ++next.bounds_[l];
  }
  return next;
}

AutoOfferLists AutoOfferLists::Without(Layer layer, std::string_view id) const {
  const std::size_t index = LayerIndex(layer);
  const auto list = (*this)[index];
  const auto at =
      std::lower_bound(list.begin(), list.end(), id,
                       [](const CatalogEntry& e, std::string_view v) { return e.id < v; });
  if (at == list.end() || at->id != id) return *this;
  const std::size_t position = bounds_[index] + static_cast<std::size_t>(at - list.begin());
  AutoOfferLists next;
  next.bounds_ = bounds_;
  for (std::size_t l = index + 1; l <= kLayerCount; ++l) --next.bounds_[l];
  if (next.empty()) return next;
  auto array = std::make_shared<CatalogEntry[]>(bounds_[kLayerCount] - 1);
  const auto old = all();
  std::copy(old.begin(), old.begin() + static_cast<std::ptrdiff_t>(position), array.get());
  std::copy(old.begin() + static_cast<std::ptrdiff_t>(position) + 1, old.end(),
            array.get() + position);
  next.entries_ = std::move(array);
  return next;
}

}  // namespace uudai
