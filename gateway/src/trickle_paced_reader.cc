#include "trickle_paced_reader.h"

namespace uudai::gateway {

std::chrono::steady_clock::duration TricklePacedReader::NextPause() {
  // xorshift64: the jitter only needs to spread pauses, not to be unpredictable.
  if (jitter_state_ == 0) {
    jitter_state_ = reinterpret_cast<std::uintptr_t>(this) ^
                    static_cast<std::uint64_t>(
                        std::chrono::steady_clock::now().time_since_epoch().count()) ^
                    0x9E3779B97F4A7C15ULL;
    if (jitter_state_ == 0) jitter_state_ = 1;
  }
  jitter_state_ ^= jitter_state_ << 13;
  jitter_state_ ^= jitter_state_ >> 7;
  jitter_state_ ^= jitter_state_ << 17;
  const auto span = pacing_.max_pause - pacing_.min_pause;
  const auto range = static_cast<std::uint64_t>(span.count()) + 1;
  return pacing_.min_pause + std::chrono::milliseconds(jitter_state_ % range);
}

}  // namespace uudai::gateway
