// RedisCounters: what the Redis clients of one process count for /metrics: Redis Cluster
// redirects followed, maps of slots read, and calls answered kUnavailable because fewer
// replicas than --redis-wait-replicas acknowledged them. Shared (RedisOptions::counters) by
// every client and node connection made from the same options. Thread-safe: atomics.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_COUNTERS_H_
#define UUDAI_GATEWAY_REDIS_REDIS_COUNTERS_H_

#include <atomic>
#include <cstdint>

namespace uudai::gateway {

struct RedisCounters {
  std::atomic<std::uint64_t> moved{0};                // MOVED followed
  std::atomic<std::uint64_t> asked{0};                // ASK followed
  std::atomic<std::uint64_t> tried_again{0};          // TRYAGAIN: sent again after a pause
  std::atomic<std::uint64_t> maps_read{0};            // CLUSTER SLOTS read and applied
  std::atomic<std::uint64_t> replica_waits_short{0};  // WAIT saw fewer replicas than wanted
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_COUNTERS_H_
