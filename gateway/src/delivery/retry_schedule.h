// When a failed webhook delivery is tried again: exponential backoff with jitter.
#ifndef UUDAI_GATEWAY_DELIVERY_RETRY_SCHEDULE_H_
#define UUDAI_GATEWAY_DELIVERY_RETRY_SCHEDULE_H_

#include <chrono>
#include <random>

namespace uudai::gateway {

// The delay after an event's `attempt`-th failed attempt (1 for the first): `first` doubled
// per attempt, at most `most`, and of that ceiling a random part of its upper half (so that
// many webhooks failing at once spread their retries, yet each waits longer than the last).
std::chrono::milliseconds RetryDelay(int attempt, std::chrono::milliseconds first,
                                     std::chrono::milliseconds most, std::minstd_rand& random);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_DELIVERY_RETRY_SCHEDULE_H_
