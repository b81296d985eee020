// RetryDelay: each retry of a failing webhook waits in the upper half of a ceiling that doubles
// per attempt up to its most, so retries spread out and never come sooner than the last one's.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "delivery/retry_schedule.h"

namespace uudai::gateway {
namespace {

using std::chrono::milliseconds;

TEST(RetryScheduleTest, EachDelayIsInTheUpperHalfOfACeilingThatDoubles) {
  std::minstd_rand random(7);
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const std::int64_t ceiling = std::min<std::int64_t>(1'000LL << (attempt - 1), 3'600'000);
    for (int draw = 0; draw < 200; ++draw) {
      const auto delay = RetryDelay(attempt, milliseconds(1'000), milliseconds(3'600'000), random);
      EXPECT_GE(delay.count(), ceiling / 2) << "attempt " << attempt;
      EXPECT_LE(delay.count(), ceiling) << "attempt " << attempt;
    }
  }
}

TEST(RetryScheduleTest, DelaysGrowUntilTheMostThenStayThere) {
  std::minstd_rand random(11);
  // Attempt n + 2 always waits longer than attempt n (its lowest is twice n's highest / 2)
  for (int attempt = 1; attempt <= 8; ++attempt) {
    const auto now = RetryDelay(attempt, milliseconds(100), milliseconds(3'600'000), random);
    const auto later = RetryDelay(attempt + 2, milliseconds(100), milliseconds(3'600'000), random);
    EXPECT_GT(later, now) << attempt;
  }
  for (int attempt : {13, 20, 31, 1'000}) {
    const auto delay = RetryDelay(attempt, milliseconds(1'000), milliseconds(3'600'000), random);
    EXPECT_GE(delay.count(), 1'800'000);
    EXPECT_LE(delay.count(), 3'600'000);
  }
}

TEST(RetryScheduleTest, TheDrawsSpreadOverTheUpperHalf) {
  std::minstd_rand random(3);
  std::int64_t low = 1'000'000;
  std::int64_t high = 0;
  for (int draw = 0; draw < 500; ++draw) {
    const auto delay = RetryDelay(5, milliseconds(1'000), milliseconds(3'600'000), random).count();
    low = std::min(low, delay);
    high = std::max(high, delay);
  }
  EXPECT_LT(low, 8'000 + 800);  // ceiling 16 s: the draws reach both ends of 8-16 s
  EXPECT_GT(high, 16'000 - 800);
}

}  // namespace
}  // namespace uudai::gateway
