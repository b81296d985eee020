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
#ifndef UUDAI_ENGINE_SHOPPER_TABLES_H_
#define UUDAI_ENGINE_SHOPPER_TABLES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "shopper_ids.h"

namespace uudai::internal {

namespace shopper_tables {

constexpr ShopperId kEmpty = ~ShopperId{0};  // no shopper gets it: ids are dense from 0

// The first slot to probe for `id` in a table of 2^(32 - shift) slots.
inline std::size_t HomeSlot(ShopperId id, int shift) {
  return static_cast<std::size_t>((id * 2654435769U) >> shift);
}

// Whether one more key would make a table of `slots` slots more than 3/4 full.
inline bool TooFull(std::size_t size, std::size_t slots) { return (size + 1) * 4 > slots * 3; }

}  // namespace shopper_tables

class ShopperSet {
 public:
  // True when `id` was not in the set yet.
  bool Insert(ShopperId id) {
    if (shopper_tables::TooFull(size_, slots_.size())) Grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = shopper_tables::HomeSlot(id, shift_);; i = (i + 1) & mask) {
      if (slots_[i] == id) return false;
      if (slots_[i] == shopper_tables::kEmpty) {
        slots_[i] = id;
        ++size_;
        return true;
      }
    }
  }

  bool Contains(ShopperId id) const {
    if (size_ == 0) return false;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = shopper_tables::HomeSlot(id, shift_);; i = (i + 1) & mask) {
      if (slots_[i] == id) return true;
      if (slots_[i] == shopper_tables::kEmpty) return false;
    }
  }

  void InsertAll(const ShopperSet& other) {
    for (ShopperId id : other.slots_) {
      if (id != shopper_tables::kEmpty) Insert(id);
    }
  }

  std::size_t size() const { return size_; }

 private:
  void Grow() {
    std::vector<ShopperId> old = std::move(slots_);
    slots_.assign(old.empty() ? 8 : old.size() * 2, shopper_tables::kEmpty);
    shift_ = old.empty() ? 29 : shift_ - 1;
    size_ = 0;
    for (ShopperId id : old) {
      if (id != shopper_tables::kEmpty) Insert(id);
    }
  }

  std::vector<ShopperId> slots_;
  std::size_t size_ = 0;
  int shift_ = 32;
};

class ShopperCounts {
 public:
  // The count of `id` (0 when it was never counted).
  std::int64_t Get(ShopperId id) const {
    if (size_ == 0) return 0;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = shopper_tables::HomeSlot(id, shift_);; i = (i + 1) & mask) {
      if (slots_[i].shopper == id) return slots_[i].count;
      if (slots_[i].shopper == shopper_tables::kEmpty) return 0;
    }
  }

  void Add(ShopperId id, std::int32_t delta) {
    if (shopper_tables::TooFull(size_, slots_.size())) Grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = shopper_tables::HomeSlot(id, shift_);; i = (i + 1) & mask) {
      if (slots_[i].shopper == id) {
        slots_[i].count += delta;
        return;
      }
      if (slots_[i].shopper == shopper_tables::kEmpty) {
        slots_[i] = Slot{id, delta};
        ++size_;
        return;
      }
    }
  }

  // Shoppers ever counted (also those back at zero).
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    ShopperId shopper = shopper_tables::kEmpty;
    std::int32_t count = 0;
  };

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 8 : old.size() * 2, Slot{});
    shift_ = old.empty() ? 29 : shift_ - 1;
    size_ = 0;
    for (const Slot& slot : old) {
      if (slot.shopper != shopper_tables::kEmpty) Add(slot.shopper, slot.count);
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  int shift_ = 32;
};

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_SHOPPER_TABLES_H_
