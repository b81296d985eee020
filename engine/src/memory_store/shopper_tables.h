// Compact tables keyed by ShopperId (shopper_ids.h): the per-(offer, shopper) and
// per-(merchant, shopper) state of MemoryStore's counters, one slot array each.
//
// Open addressing with linear probing over a power-of-two slot array, at most 3/4 full; keys
// are dense numbers, spread by Fibonacci hashing. Nothing is ever erased: a set of committed
// shoppers only grows, and a count that falls back to zero keeps its slot (the pair was seen
// once; it costs 8 bytes). So a ShopperSet costs 5-11 bytes a shopper and ShopperCounts
// 11-22, against ~70 for a std::unordered_set<std::string> node.
//
// Thread-compatible: the owner's lock guards every call.
#ifndef UUDAI_ENGINE_MEMORY_STORE_SHOPPER_TABLES_H_
#define UUDAI_ENGINE_MEMORY_STORE_SHOPPER_TABLES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "memory_store/shopper_ids.h"

namespace uudai::internal {

namespace shopper_tables {

constexpr ShopperId kEmpty = ~ShopperId{0};  // no shopper gets it: ids are dense from 0

// The probing both tables share. `Slot` is a struct whose first member is
// `ShopperId shopper = kEmpty`; a slot holding kEmpty is free.
template <typename Slot>
class OpenTable {
 public:
  // The slot of `id`, or nullptr.
  const Slot* Find(ShopperId id) const {
    if (size_ == 0) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = HomeSlot(id);; i = (i + 1) & mask) {
      if (slots_[i].shopper == id) return &slots_[i];
      if (slots_[i].shopper == kEmpty) return nullptr;
    }
  }

  // The slot of `id`, taken (value-initialized but for the key) if it had none; `inserted`
  // says which.
  Slot& FindOrInsert(ShopperId id, bool& inserted) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();  // at most 3/4 full
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = HomeSlot(id);; i = (i + 1) & mask) {
      inserted = slots_[i].shopper == kEmpty;
      if (inserted) {
        slots_[i].shopper = id;
        ++size_;
      }
      if (inserted || slots_[i].shopper == id) return slots_[i];
    }
  }

  std::size_t size() const { return size_; }
  const std::vector<Slot>& slots() const { return slots_; }

 private:
  // Fibonacci hashing: the top bits of id × 2^32/φ index a table of 2^(32 - shift_) slots.
  std::size_t HomeSlot(ShopperId id) const {
    return static_cast<std::size_t>((id * 2654435769U) >> shift_);
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 8 : old.size() * 2, Slot{});
    shift_ = old.empty() ? 29 : shift_ - 1;
    size_ = 0;
    bool inserted = false;
    for (const Slot& slot : old) {
      if (slot.shopper != kEmpty) FindOrInsert(slot.shopper, inserted) = slot;
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  int shift_ = 32;
};

}  // namespace shopper_tables

class ShopperSet {
 public:
  // True when `id` was not in the set yet.
  bool Insert(ShopperId id) {
    bool inserted = false;
    table_.FindOrInsert(id, inserted);
    return inserted;
  }
  bool Contains(ShopperId id) const { return table_.Find(id) != nullptr; }
  void InsertAll(const ShopperSet& other) {
    for (const Slot& slot : other.table_.slots()) {
      if (slot.shopper != shopper_tables::kEmpty) Insert(slot.shopper);
    }
  }
  std::size_t size() const { return table_.size(); }

 private:
  struct Slot {
    ShopperId shopper = shopper_tables::kEmpty;
  };
  shopper_tables::OpenTable<Slot> table_;
};

class ShopperCounts {
 public:
  // The count of `id` (0 when it was never counted).
  std::int64_t Get(ShopperId id) const {
    const Slot* slot = table_.Find(id);
    return slot == nullptr ? 0 : slot->count;
  }
  void Add(ShopperId id, std::int32_t delta) {
    bool inserted = false;
    table_.FindOrInsert(id, inserted).count += delta;
  }
  // Shoppers ever counted (also those back at zero).
  std::size_t size() const { return table_.size(); }

 private:
  struct Slot {
    ShopperId shopper = shopper_tables::kEmpty;
    std::int32_t count = 0;
  };
  shopper_tables::OpenTable<Slot> table_;
};

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_MEMORY_STORE_SHOPPER_TABLES_H_
