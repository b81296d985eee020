// The Redis clients' counters (RedisCounters) in Prometheus's text exposition format, for
// /metrics in Redis mode.
#ifndef UUDAI_GATEWAY_APP_REDIS_METRICS_H_
#define UUDAI_GATEWAY_APP_REDIS_METRICS_H_

#include <string>

#include "redis/redis_counters.h"

namespace uudai::gateway {

std::string RenderRedisMetrics(const RedisCounters& counters);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_APP_REDIS_METRICS_H_
