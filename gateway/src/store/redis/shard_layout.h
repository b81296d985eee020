// ShardLayout: how a store spread over several shards (docs/design.md §1.6) names them and
// places what it keeps. Shard 0 is the hub (webhooks, and the events and ledger of every data
// shard in one order; tag suffix "/hub"); data shards 1..S keep offers and redemptions. Data
// shard k's keys start with the store's prefix whose {hash tag} gets a suffix "/<k>.<n>", n the
// smallest that puts the tag's Redis Cluster slot in the k-th of S equal ranges of slots: the
// data shards spread over the primaries of a cluster whose primaries hold equal ranges (as
// `redis-cli --cluster create` makes them), and a layout is the same in every process. A
// layout of one data shard is the store itself, with no hub. Thread-safe: immutable.
#ifndef UUDAI_GATEWAY_STORE_REDIS_SHARD_LAYOUT_H_
#define UUDAI_GATEWAY_STORE_REDIS_SHARD_LAYOUT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "uudai/offer.h"
#include "uudai/status.h"

namespace uudai::gateway {

class ShardLayout {
 public:
  // The layout of `data_shards` data shards (1..64) of the store whose one-shard prefix is
  // `key_prefix` (it must hold a {hash tag}, as "uudai:{main}:").
  static Result<ShardLayout> Make(std::string_view key_prefix, std::size_t data_shards);

  // Every shard: the hub and the data shards (1 when the store is not spread).
  std::size_t size() const { return prefixes_.size(); }
  bool spread() const { return prefixes_.size() > 1; }
  // Shard k's key prefix, e.g. "uudai:{main/1.7}:", "uudai:{main/hub}:".
  const std::string& prefix(std::size_t k) const { return prefixes_[k]; }
  // Its name, as holds and releases address it: "0", "1", ...
  std::string name(std::size_t k) const { return std::to_string(k); }

  // The key, in the hub, that records how many data shards the store was first written with:
  // gateways with another count (or one store of the same prefix unspread) must not share it.
  // Defined for every layout (the hub's name is derived from the prefix alone).
  const std::string& shards_key() const { return shards_key_; }
  std::size_t data_shards() const { return spread() ? prefixes_.size() - 1 : 1; }

  // The home of a shopper's redemptions (a data shard).
  std::size_t OfShopper(std::string_view shopper_id) const;
  // Where an offer is kept: a shop's offers in the shop's shard (its public codes stay unique
  // in one place); the platform's, payment partners' and shipping offers in the first data
  // shard.
  std::size_t OfOffer(Layer layer, std::string_view merchant_id) const;

 private:
  ShardLayout(std::vector<std::string> prefixes, std::string shards_key)
      : prefixes_(std::move(prefixes)), shards_key_(std::move(shards_key)) {}
  std::size_t OfText(std::string_view text) const;

  std::vector<std::string> prefixes_;
  std::string shards_key_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_SHARD_LAYOUT_H_
