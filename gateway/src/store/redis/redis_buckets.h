// How many buckets a Redis store keeps its live orders and shoppers' counts in (ob:<bucket>,
// sb:<bucket>; redis_store.lua, bucket_place). Fixed when the store is created; changed only
// by moving the store, its gateways stopped (RedisStore::MoveBuckets, uudai redis-rebucket).
#ifndef UUDAI_GATEWAY_STORE_REDIS_REDIS_BUCKETS_H_
#define UUDAI_GATEWAY_STORE_REDIS_REDIS_BUCKETS_H_

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace uudai::gateway {

// The counts a store may have. Each suits up to about 128 live redemptions a bucket (4,096:
// ~500,000; 65,536: ~8 million): a bucket is searched field by field, and past 512 fields Redis
// turns it into a hash table of ~70 % more memory.
inline constexpr std::uint32_t kRedisBucketCounts[] = {4'096, 65'536, 1'048'576};

// Live redemptions a bucket (the fuller kind's, on average over a sample) past which a gateway
// warns that its store has outgrown its count: twice what a count is sized for.
inline constexpr std::uint64_t kFullBucket = 256;

inline bool IsRedisBucketCount(std::int64_t count) {
  return std::find(std::begin(kRedisBucketCounts), std::end(kRedisBucketCounts), count) !=
         std::end(kRedisBucketCounts);
}

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_REDIS_BUCKETS_H_
