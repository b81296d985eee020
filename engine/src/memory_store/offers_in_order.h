// OffersInOrder: a store's offers by id, for reading them a page at a time (ListOffersPage).
//
// Sorted runs ("chunks") of at most kMaxChunk entries, found by binary search over the first id
// of each: an insert shifts part of one chunk (and, once per ~kMaxChunk/2 inserts, the list of
// chunks), so registering a million offers costs about a second in all, and an entry costs 24
// bytes (with the chunks' slack, ~32). A std::map would cost two to three times that, in
// memory and time, for the same answers.
//
// Entries view the id and point at the slot of the offer in the store's table, which must
// outlive them (an unordered_map's elements never move; the store never erases an offer).
// Not thread-safe: the store's offers lock guards it.
#ifndef UUDAI_ENGINE_MEMORY_STORE_OFFERS_IN_ORDER_H_
#define UUDAI_ENGINE_MEMORY_STORE_OFFERS_IN_ORDER_H_

#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "uudai/offer.h"

namespace uudai::internal {

class OffersInOrder {
 public:
  using Slot = const std::shared_ptr<const Offer>*;
  static constexpr std::size_t kMaxChunk = 256;

  // REQUIRES: `id` is not held yet.
  void Insert(std::string_view id, Slot offer);

  // fn(const std::shared_ptr<const Offer>&) for each offer whose id is greater than `after`, in
  // id order, until fn answers false.
  template <typename Fn>
  void ForEachAfter(std::string_view after, Fn&& fn) const {
    const std::size_t first = ChunkFor(after);
    for (std::size_t c = first; c < chunks_.size(); ++c) {
      const Chunk& chunk = chunks_[c];
      for (auto it = c == first ? UpperBound(chunk, after) : chunk.begin(); it != chunk.end();
           ++it) {
        if (!fn(*it->second)) return;
      }
    }
  }

  std::size_t size() const { return size_; }

 private:
  using Entry = std::pair<std::string_view, Slot>;
  using Chunk = std::vector<Entry>;

  // The chunk where `id` belongs: the last whose first id is not greater than it (0 when none).
  std::size_t ChunkFor(std::string_view id) const;
  static Chunk::const_iterator UpperBound(const Chunk& chunk, std::string_view id);

  std::vector<Chunk> chunks_;
  std::size_t size_ = 0;
};

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_MEMORY_STORE_OFFERS_IN_ORDER_H_
