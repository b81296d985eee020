// RateLimiter: one token bucket per API key (rate N per second, burst N). Thread-safe.
#ifndef UUDAI_GATEWAY_API_RATE_LIMITER_H_
#define UUDAI_GATEWAY_API_RATE_LIMITER_H_

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "uudai/campaign_time.h"

namespace uudai::gateway {

class RateLimiter {
 public:
  // Takes one token from `key_id`'s bucket (created full on first use). Returns 0 when
  // allowed, else the whole seconds (≥ 1) after which a token will be there.
  int Acquire(const std::string& key_id, double rate_per_second, Timestamp now);

 private:
  struct Bucket {
    std::mutex mutex;
    double tokens = 0;
    std::int64_t last_millis = 0;
  };

  std::mutex buckets_mutex_;
  std::unordered_map<std::string, std::unique_ptr<Bucket>> buckets_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_RATE_LIMITER_H_
