// OffersInOrder: a store's offers by id, for reading them a page at a time (ListOffersPage).
//
// Sorted runs ("chunks") of at most kMaxChunk entries; the first entry of each is also kept in
// one contiguous list, searched first. An entry is the first 16 bytes of the offer's id (as
// two integers that compare as the bytes do) and a pointer to the offer's slot in the store's
// table: 24 bytes, and a comparison reads the id itself only when those 16 bytes are equal
// (ids that long and alike), so inserting or finding an id costs no cache miss per step.
// Insert only appends: the ids are put in order by the next read (sorted together, then
// merged in), so that start-up and bulk registration, which insert a million offers and read
// none, pay nothing for the order; the first page read after start-up sorts them all once
// (one sort of 24-byte entries by two integers; the ids are read only on ties).
//
// The slots must outlive the entries (an unordered_map's elements never move; the store never
// erases an offer), and hold the offer by the time it is inserted. Insert needs the index to
// itself (the store's offers lock, exclusive); any number of ForEachAfter may run at once (the
// same lock, shared), the first one putting what was inserted in order under a mutex of the
// index's own.
#ifndef UUDAI_ENGINE_MEMORY_STORE_OFFERS_IN_ORDER_H_
#define UUDAI_ENGINE_MEMORY_STORE_OFFERS_IN_ORDER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "uudai/offer.h"

namespace uudai::internal {

class OffersInOrder {
 public:
  using Slot = const std::shared_ptr<const Offer>*;
  static constexpr std::size_t kMaxChunk = 256;

  // REQUIRES: `*offer` holds the offer, whose id is not held yet.
  void Insert(Slot offer) {
    pending_.push_back(Entry{KeyOf((*offer)->id).head, offer});
    ++size_;
  }

  // fn(const std::shared_ptr<const Offer>&) for each offer whose id is greater than `after`, in
  // id order, until fn answers false.
  template <typename Fn>
  void ForEachAfter(std::string_view after, Fn&& fn) const {
    Settle();
    const Key key = KeyOf(after);
    const std::size_t first = ChunkFor(key);
    for (std::size_t c = first; c < chunks_.size(); ++c) {
      const Chunk& chunk = chunks_[c];
      for (auto it = c == first ? UpperBound(chunk, key) : chunk.begin(); it != chunk.end(); ++it) {
        if (!fn(*it->slot)) return;
      }
    }
  }

  std::size_t size() const { return size_; }

 private:
  struct Head {
    std::uint64_t high = 0;  // bytes 0-7 of the id, big-endian, zero-padded
    std::uint64_t low = 0;   // bytes 8-15
  };
  struct Entry {
    Head head;
    Slot slot;
  };
  struct Key {
    Head head;
    std::string_view id;
  };
  using Chunk = std::vector<Entry>;

  static Key KeyOf(std::string_view id);
  static bool Less(const Key& key, const Entry& entry);
  static bool EntryLess(const Entry& a, const Entry& b);
  // Puts the entries inserted since the last read in order.
  void Settle() const;
  void InsertInOrder(const Entry& entry) const;
  // The chunk where `key` belongs: the last whose first id is not greater than it (0 if none).
  std::size_t ChunkFor(const Key& key) const;
  static Chunk::const_iterator UpperBound(const Chunk& chunk, const Key& key);

  // Settled entries (mutable: Settle runs on reads, under settle_mutex_).
  mutable std::vector<Chunk> chunks_;
  mutable std::vector<Entry> fronts_;   // chunks_[i].front(), side by side
  mutable std::vector<Entry> pending_;  // inserted, not in order yet
  mutable std::mutex settle_mutex_;
  std::size_t size_ = 0;
};

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_MEMORY_STORE_OFFERS_IN_ORDER_H_
