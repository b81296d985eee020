#include "app/redis_metrics.h"

namespace uudai::gateway {

std::string RenderRedisMetrics(const RedisCounters& counters) {
  auto value = [](const std::atomic<std::uint64_t>& counter) {
    return std::to_string(counter.load(std::memory_order_relaxed));
  };
  return "# HELP uudai_redis_redirects_total Redis Cluster redirects followed, by kind (ASK and "
         "MOVED to another primary; TRYAGAIN sent again after a pause).\n"
         "# TYPE uudai_redis_redirects_total counter\n"
         "uudai_redis_redirects_total{kind=\"moved\"} " +
         value(counters.moved) +
         "\n"
         "uudai_redis_redirects_total{kind=\"ask\"} " +
         value(counters.asked) +
         "\n"
         "uudai_redis_redirects_total{kind=\"tryagain\"} " +
         value(counters.tried_again) +
         "\n"
         "# HELP uudai_redis_cluster_maps_read_total Maps of slots read from the Redis Cluster.\n"
         "# TYPE uudai_redis_cluster_maps_read_total counter\n"
         "uudai_redis_cluster_maps_read_total " +
         value(counters.maps_read) +
         "\n"
         "# HELP uudai_redis_replica_waits_short_total Calls answered 503 because fewer replicas "
         "than --redis-wait-replicas acknowledged them in time.\n"
         "# TYPE uudai_redis_replica_waits_short_total counter\n"
         "uudai_redis_replica_waits_short_total " +
         value(counters.replica_waits_short) + "\n";
}

std::string RenderRedisBucketMetrics(std::uint32_t buckets, std::uint64_t fill) {
  return "# HELP uudai_redis_buckets How many buckets the Redis store keeps live orders and "
         "shoppers' counts in (--redis-buckets).\n"
         "# TYPE uudai_redis_buckets gauge\n"
         "uudai_redis_buckets " +
         std::to_string(buckets) +
         "\n"
         "# HELP uudai_redis_bucket_fill Live redemptions a bucket of the Redis store, on average "
         "over a sample of its fuller kind, read at start and every minute (sized for ~128; past "
         "256, move the store to more buckets: uudai redis-rebucket).\n"
         "# TYPE uudai_redis_bucket_fill gauge\n"
         "uudai_redis_bucket_fill " +
         std::to_string(fill) + "\n";
}

}  // namespace uudai::gateway
