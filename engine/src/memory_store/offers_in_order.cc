#include "memory_store/offers_in_order.h"

#include <algorithm>
#include <iterator>

namespace uudai::internal {

std::size_t OffersInOrder::ChunkFor(std::string_view id) const {
  auto it =
      std::upper_bound(chunks_.begin(), chunks_.end(), id,
                       [](std::string_view key, const Chunk& c) { return key < c.front().first; });
  return it == chunks_.begin() ? 0
                               : static_cast<std::size_t>(std::distance(chunks_.begin(), it)) - 1;
}

OffersInOrder::Chunk::const_iterator OffersInOrder::UpperBound(const Chunk& chunk,
                                                               std::string_view id) {
  return std::upper_bound(chunk.begin(), chunk.end(), id,
                          [](std::string_view key, const Entry& e) { return key < e.first; });
}

void OffersInOrder::Insert(std::string_view id, Slot offer) {
  ++size_;
  if (chunks_.empty()) {
    // Grown as needed: most shops hold a few offers, and each has an index of its own.
    chunks_.emplace_back().emplace_back(id, offer);
    return;
  }
  const std::size_t c = ChunkFor(id);
  Chunk& chunk = chunks_[c];
  chunk.insert(UpperBound(chunk, id), Entry{id, offer});
  if (chunk.size() <= kMaxChunk) return;
  // Split in halves: both have room for kMaxChunk / 2 more before the next split.
  Chunk upper;
  upper.reserve(kMaxChunk + 1);
  upper.assign(chunk.begin() + static_cast<std::ptrdiff_t>(chunk.size() / 2), chunk.end());
  chunk.resize(chunk.size() / 2);
  chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(c) + 1, std::move(upper));
}

}  // namespace uudai::internal
