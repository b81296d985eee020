#include "memory_store/shopper_ids.h"

namespace uudai::internal {

ShopperId ShopperIds::Intern(std::string_view shopper_id) {
  Shard& shard = ShardOf(shopper_id);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.ids.find(shopper_id); it != shard.ids.end()) return it->second;
  const ShopperId id = next_.fetch_add(1, std::memory_order_relaxed);
  shard.ids.emplace(std::string(shopper_id), id);
  return id;
}

std::optional<ShopperId> ShopperIds::Find(std::string_view shopper_id) const {
  Shard& shard = ShardOf(shopper_id);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.ids.find(shopper_id); it != shard.ids.end()) return it->second;
  return std::nullopt;
}

}  // namespace uudai::internal
