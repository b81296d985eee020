// Money: whole Vietnamese đồng (VND) in int64, with checked arithmetic.
//
// Every amount the API accepts lies in [0, kMaxAmount]; products and sums of such amounts are
// computed with overflow checks so that a hostile cart can never wrap around.
#ifndef UUDAI_MONEY_H_
#define UUDAI_MONEY_H_

#include <cstdint>
#include <optional>

namespace uudai {

using Money = std::int64_t;

// Largest amount accepted anywhere in the API: 10^15 đồng.
inline constexpr Money kMaxAmount = 1'000'000'000'000'000;

constexpr bool IsValidAmount(Money amount) { return amount >= 0 && amount <= kMaxAmount; }

// The most that the order amounts (items subtotal + shipping fee, each at most 2 × 10^15) of
// every redemption a store ever counted may add up to: 2 × 10^18 đồng, thousands of years of
// Vietnam's whole e-commerce. Every stats sum adds up at most four of them per redemption
// (GMV counts once per applied offer in offer and funder groups, and a redemption applies at
// most one offer per layer), so no sum can pass 8 × 10^18 < 2^63. A store refuses the
// redemption that would pass it (StatusCode::kAmountCeiling) instead of wrapping around.
inline constexpr Money kMaxLifetimeAmount = 2'000'000'000'000'000'000;

// a + b, or nullopt on int64 overflow.
inline std::optional<Money> CheckedAdd(Money a, Money b) {
  Money out = 0;
  if (__builtin_add_overflow(a, b, &out)) return std::nullopt;
  return out;
}

// a * b, or nullopt on int64 overflow.
inline std::optional<Money> CheckedMul(Money a, std::int64_t b) {
  Money out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

}  // namespace uudai

#endif  // UUDAI_MONEY_H_
