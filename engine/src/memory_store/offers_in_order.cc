#include "memory_store/offers_in_order.h"

#include <algorithm>
#include <iterator>

namespace uudai::internal {

OffersInOrder::Key OffersInOrder::KeyOf(std::string_view id) {
  Key key{{}, id};
  for (std::size_t i = 0; i < 16; ++i) {
    const std::uint64_t byte = i < id.size() ? static_cast<unsigned char>(id[i]) : 0;
    std::uint64_t& half = i < 8 ? key.head.high : key.head.low;
    half = (half << 8) | byte;
  }
  return key;
}

bool OffersInOrder::Less(const Key& key, const Entry& entry) {
  if (key.head.high != entry.head.high) return key.head.high < entry.head.high;
  if (key.head.low != entry.head.low) return key.head.low < entry.head.low;
  // The same first 16 bytes (ids hold no NUL, so the zero padding never ties two different
  // shorter ids): the ids themselves decide.
  return key.id < std::string_view((*entry.slot)->id);
}

std::size_t OffersInOrder::ChunkFor(const Key& key) const {
  auto it = std::upper_bound(fronts_.begin(), fronts_.end(), key, Less);
  return it == fronts_.begin() ? 0
                               : static_cast<std::size_t>(std::distance(fronts_.begin(), it)) - 1;
}

OffersInOrder::Chunk::const_iterator OffersInOrder::UpperBound(const Chunk& chunk, const Key& key) {
  return std::upper_bound(chunk.begin(), chunk.end(), key, Less);
}

bool OffersInOrder::EntryLess(const Entry& a, const Entry& b) {
  if (a.head.high != b.head.high) return a.head.high < b.head.high;
  if (a.head.low != b.head.low) return a.head.low < b.head.low;
  return (*a.slot)->id < (*b.slot)->id;
}

void OffersInOrder::Settle() const {
  std::lock_guard lock(settle_mutex_);
  if (pending_.empty()) return;
  std::sort(pending_.begin(), pending_.end(), EntryLess);
  if (chunks_.empty()) {
    // Built in one pass, each chunk three quarters full.
    constexpr std::size_t kFill = kMaxChunk * 3 / 4;
    for (std::size_t i = 0; i < pending_.size(); i += kFill) {
      const auto from = pending_.begin() + static_cast<std::ptrdiff_t>(i);
      const auto to =
          pending_.begin() + static_cast<std::ptrdiff_t>(std::min(i + kFill, pending_.size()));
      Chunk& chunk = chunks_.emplace_back(from, to);
      fronts_.push_back(chunk.front());
    }
  } else {
    for (const Entry& entry : pending_) InsertInOrder(entry);
  }
  pending_.clear();
  pending_.shrink_to_fit();
}

void OffersInOrder::InsertInOrder(const Entry& entry) const {
  const Key key{entry.head, (*entry.slot)->id};
  const std::size_t c = ChunkFor(key);
  Chunk& chunk = chunks_[c];
  chunk.insert(UpperBound(chunk, key), entry);
  fronts_[c] = chunk.front();
  if (chunk.size() <= kMaxChunk) return;
  // Split in halves: both have room for kMaxChunk / 2 more before the next split.
  Chunk upper;
  upper.reserve(kMaxChunk + 1);
  upper.assign(chunk.begin() + static_cast<std::ptrdiff_t>(chunk.size() / 2), chunk.end());
  chunk.resize(chunk.size() / 2);
  const auto at = static_cast<std::ptrdiff_t>(c) + 1;
  fronts_.insert(fronts_.begin() + at, upper.front());
  chunks_.insert(chunks_.begin() + at, std::move(upper));
}

}  // namespace uudai::internal
