#include "delivery/retry_schedule.h"

#include <algorithm>
#include <cstdint>

namespace uudai::gateway {

std::chrono::milliseconds RetryDelay(int attempt, std::chrono::milliseconds first,
                                     std::chrono::milliseconds most, std::minstd_rand& random) {
  const int doublings = std::clamp(attempt - 1, 0, 30);
  const std::int64_t base = std::max<std::int64_t>(first.count(), 1);
  // base << 30 stays far below 2^63 for any base under a year in milliseconds.
  const std::int64_t ceiling = std::min<std::int64_t>(base << doublings, most.count());
  std::uniform_int_distribution<std::int64_t> upper_half(ceiling - ceiling / 2, ceiling);
  return std::chrono::milliseconds(upper_half(random));
}

}  // namespace uudai::gateway
