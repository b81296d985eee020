#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace uudai::gateway {

int RateLimiter::Acquire(const std::string& key_id, double rate_per_second, Timestamp now) {
  Bucket* bucket = nullptr;
  bool fresh = false;
  {
    std::lock_guard lock(buckets_mutex_);
    auto& slot = buckets_[key_id];
    if (!slot) {
      slot = std::make_unique<Bucket>();
      fresh = true;
    }
    bucket = slot.get();
  }
  const double burst = std::max(1.0, rate_per_second);
  std::lock_guard lock(bucket->mutex);
  if (fresh) {
    bucket->tokens = burst;
    bucket->last_millis = now.millis;
  }
  const double elapsed =
      static_cast<double>(std::max<std::int64_t>(0, now.millis - bucket->last_millis));
  bucket->tokens = std::min(burst, bucket->tokens + elapsed * rate_per_second / 1000.0);
  bucket->last_millis = std::max(bucket->last_millis, now.millis);
  if (bucket->tokens >= 1.0) {
    bucket->tokens -= 1.0;
    return 0;
  }
  const double wait_seconds = (1.0 - bucket->tokens) / rate_per_second;
  return std::max(1, static_cast<int>(std::ceil(wait_seconds)));
}

}  // namespace uudai::gateway
