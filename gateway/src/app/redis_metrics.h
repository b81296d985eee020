// The Redis clients' counters (RedisCounters) and the Redis store's buckets in Prometheus's text
// exposition format, for /metrics in Redis mode.
#ifndef UUDAI_GATEWAY_APP_REDIS_METRICS_H_
#define UUDAI_GATEWAY_APP_REDIS_METRICS_H_

#include <cstdint>
#include <string>

#include "redis/redis_counters.h"

namespace uudai::gateway {

std::string RenderRedisMetrics(const RedisCounters& counters);

// The store's bucket count and how full its buckets are (RedisStore::buckets, bucket_fill).
std::string RenderRedisBucketMetrics(std::uint32_t buckets, std::uint64_t fill);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_APP_REDIS_METRICS_H_
