// Money: the accepted range and checked arithmetic.
#include "uudai/money.h"

#include <gtest/gtest.h>

#include <limits>

namespace uudai {
namespace {

constexpr Money kInt64Max = std::numeric_limits<Money>::max();
constexpr Money kInt64Min = std::numeric_limits<Money>::min();

TEST(MoneyTest, MaxAmountIsTenToTheFifteenth) { EXPECT_EQ(kMaxAmount, 1'000'000'000'000'000); }

TEST(MoneyTest, ZeroAndMaxAmountAreValid) {
  EXPECT_TRUE(IsValidAmount(0));
  EXPECT_TRUE(IsValidAmount(kMaxAmount));
}

TEST(MoneyTest, NegativeAmountIsInvalid) { EXPECT_FALSE(IsValidAmount(-1)); }

TEST(MoneyTest, AmountAboveMaxIsInvalid) { EXPECT_FALSE(IsValidAmount(kMaxAmount + 1)); }

TEST(MoneyTest, CheckedAddReturnsTheSum) { EXPECT_EQ(CheckedAdd(250'000, 30'000), 280'000); }

TEST(MoneyTest, CheckedAddReachesInt64MaxExactly) {
  EXPECT_EQ(CheckedAdd(kInt64Max - 1, 1), kInt64Max);
}

TEST(MoneyTest, CheckedAddDetectsOverflow) {
  EXPECT_FALSE(CheckedAdd(kInt64Max, 1).has_value());
  EXPECT_FALSE(CheckedAdd(kInt64Max / 2 + 1, kInt64Max / 2 + 1).has_value());
}

TEST(MoneyTest, CheckedAddDetectsNegativeOverflow) {
  EXPECT_FALSE(CheckedAdd(kInt64Min, -1).has_value());
}

TEST(MoneyTest, CheckedMulReturnsTheProduct) { EXPECT_EQ(CheckedMul(250'000, 2), 500'000); }

TEST(MoneyTest, CheckedMulOfMaxAmountByMaxQuantityOverflows) {
  // 10^15 × 10^5 = 10^20 > 9.2 × 10^18.
  EXPECT_FALSE(CheckedMul(kMaxAmount, 100'000).has_value());
}

TEST(MoneyTest, CheckedMulJustBelowOverflowSucceeds) {
  EXPECT_EQ(CheckedMul(kMaxAmount, 9'000), 9'000'000'000'000'000'000);
  EXPECT_FALSE(CheckedMul(kMaxAmount, 9'224).has_value());
}

TEST(MoneyTest, CheckedMulDetectsOverflowAtInt64Max) {
  EXPECT_FALSE(CheckedMul(kInt64Max, 2).has_value());
  EXPECT_EQ(CheckedMul(kInt64Max, 1), kInt64Max);
}

}  // namespace
}  // namespace uudai
