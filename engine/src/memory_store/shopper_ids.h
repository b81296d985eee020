// ShopperIds: every shopper id a MemoryStore has counted, interned as a dense 32-bit number,
// so that the counters which hold one entry per (offer, shopper) or (merchant, shopper) pair
// (per-shopper limits, unique-shopper stats) keep 4 bytes a pair in compact tables
// (shopper_tables.h) instead of a copy of the id in a hash node (~70 bytes).
//
// Memory: one map entry per distinct shopper, ever; the pairs cost ~6-12 bytes each.
// Thread-safe: hash-sharded, one mutex per shard (innermost lock).
#ifndef UUDAI_ENGINE_MEMORY_STORE_SHOPPER_IDS_H_
#define UUDAI_ENGINE_MEMORY_STORE_SHOPPER_IDS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace uudai::internal {

using ShopperId = std::uint32_t;

class ShopperIds {
 public:
  // The number of `shopper_id`, given on first sight.
  ShopperId Intern(std::string_view shopper_id);
  // The number of `shopper_id`, if it was ever interned (a shopper never counted has none:
  // every count of theirs is zero).
  std::optional<ShopperId> Find(std::string_view shopper_id) const;

 private:
  static constexpr std::size_t kShards = 64;
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, ShopperId, StringHash, std::equal_to<>> ids;
  };
  Shard& ShardOf(std::string_view shopper_id) const {
    return shards_[StringHash{}(shopper_id) % kShards];
  }

  mutable std::array<Shard, kShards> shards_;
  std::atomic<ShopperId> next_{0};
};

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_MEMORY_STORE_SHOPPER_IDS_H_
