#include "store/redis/shard_layout.h"

#include <cstdint>

#include "redis/redis_slot.h"

namespace uudai::gateway {

namespace {

constexpr std::size_t kMaxShards = 64;

}  // namespace

Result<ShardLayout> ShardLayout::Make(std::string_view key_prefix, std::size_t shards) {
  if (shards < 1 || shards > kMaxShards) {
    return Status(StatusCode::kValidation,
                  "a store has 1 to " + std::to_string(kMaxShards) + " shards");
  }
  const std::size_t open = key_prefix.find('{');
  const std::size_t close = open == std::string_view::npos ? open : key_prefix.find('}', open);
  if (close == std::string_view::npos || close == open + 1) {
    return Status(StatusCode::kValidation,
                  "the key prefix " + std::string(key_prefix) + " has no {hash tag}");
  }
  const std::string head(key_prefix.substr(0, close));
  const std::string tail(key_prefix.substr(close));
  std::string shards_key = head + "/hub" + tail + "shards";
  if (shards == 1) return ShardLayout({std::string(key_prefix)}, std::move(shards_key));
  std::vector<std::string> prefixes = {head + "/hub" + tail};
  for (std::size_t k = 0; k < shards; ++k) {
    const std::size_t first = k * kRedisClusterSlots / shards;
    const std::size_t last = (k + 1) * kRedisClusterSlots / shards;  // exclusive
    // About `shards` tries a shard: a slot is uniform over the suffixes.
    for (std::uint64_t n = 0;; ++n) {
      std::string prefix = head + "/" + std::to_string(k + 1) + "." + std::to_string(n) + tail;
      const auto slot = static_cast<std::size_t>(RedisKeySlot(prefix));
      if (slot >= first && slot < last) {
        prefixes.push_back(std::move(prefix));
        break;
      }
    }
  }
  return ShardLayout(std::move(prefixes), std::move(shards_key));
}

std::size_t ShardLayout::OfText(std::string_view text) const {
  // FNV-1a: the same in every process and build.
  std::uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  if (prefixes_.size() == 1) return 0;
  return 1 + static_cast<std::size_t>(hash % (prefixes_.size() - 1));
}

std::size_t ShardLayout::OfShopper(std::string_view shopper_id) const { return OfText(shopper_id); }

std::size_t ShardLayout::OfOffer(Layer layer, std::string_view merchant_id) const {
  if (layer == Layer::kMerchant) return OfText(merchant_id);
  return prefixes_.size() == 1 ? 0 : 1;
}

}  // namespace uudai::gateway
