// Clock: the engine's only source of "now", injected so tests control time.
#ifndef UUDAI_CLOCK_H_
#define UUDAI_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "uudai/campaign_time.h"

namespace uudai {

class Clock {
 public:
  virtual ~Clock() = default;
  // Thread-safe.
  virtual Timestamp Now() const = 0;
};

// A clock that only moves when told. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : millis_(start.millis) {}
  Timestamp Now() const override { return Timestamp{millis_.load()}; }
  void Set(Timestamp t) { millis_.store(t.millis); }
  void Advance(std::int64_t millis) { millis_.fetch_add(millis); }

 private:
  std::atomic<std::int64_t> millis_;
};

}  // namespace uudai

#endif  // UUDAI_CLOCK_H_
