// The real clock and the real randomness, which the engine never has of its own.
#ifndef UUDAI_GATEWAY_APP_SYSTEM_SOURCES_H_
#define UUDAI_GATEWAY_APP_SYSTEM_SOURCES_H_

#include <chrono>
#include <span>

#include "uudai/clock.h"
#include "uudai/unique_code.h"

namespace uudai::gateway {

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    return Timestamp{std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count()};
  }
};

// OpenSSL's CSPRNG (RAND_bytes), drawn a block at a time per thread. Thread-safe. Aborts if the
// generator cannot be seeded: handing out guessable codes is worse than not running.
class SecureRandom final : public RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_APP_SYSTEM_SOURCES_H_
