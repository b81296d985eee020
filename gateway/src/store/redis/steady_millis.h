// SteadyMillis: the steady clock in milliseconds, for the Redis stores' "every N ms on Poll()"
// timers (the log's heartbeat, the buckets' fill, a spread store's merges, sweeps and repairs).
#ifndef UUDAI_GATEWAY_STORE_REDIS_STEADY_MILLIS_H_
#define UUDAI_GATEWAY_STORE_REDIS_STEADY_MILLIS_H_

#include <chrono>
#include <cstdint>

namespace uudai::gateway {

inline std::int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_STEADY_MILLIS_H_
