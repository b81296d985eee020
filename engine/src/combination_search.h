// Combination search: picks the best set of candidate offers, at most one per layer.
//
// Internal to the engine (used by QuoteEvaluator). Order of merit (docs/design.md §3):
//   1. largest total discount after trimming (item discounts, applied in layer order, never
//      exceed the items subtotal; a shipping discount never exceeds the shipping fee). A
//      cashback (payment layer) counts here as a discount of the same đồng, trimmed alike: the
//      partner never pays back more than the shopper paid for the items;
//   2. then the higher sum of priorities;
//   3. then the lexicographically smallest ascending list of offer ids.
// An exclusive candidate only ever stands alone. A candidate trimmed to zero makes its
// combination invalid (the same combination without it is considered instead).
//
// Cost: the shipping layer is chosen on its own (it is independent of item trimming), and
// within each item layer only the smallest id of candidates equal in discount and priority is
// kept; both are exact. Then exhaustive over the product of per-layer choices while it is at most
// kExhaustiveLimit. Past it, each layer first drops candidates that another candidate of the
// same layer beats on discount, priority and id at once, and keeps at most kMaxPerLayer (the
// largest discounts, each first capped at what its layer can give); the result is still
// deterministic, and differs from the exhaustive one only where a tie hinges on a later layer
// being trimmed to zero, or where more than kMaxPerLayer candidates of one layer survive that
// first step and trimming makes totals tie.
#ifndef UUDAI_ENGINE_COMBINATION_SEARCH_H_
#define UUDAI_ENGINE_COMBINATION_SEARCH_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "uudai/money.h"
#include "uudai/offer.h"

namespace uudai::internal {

struct Candidate {
  Layer layer = Layer::kMerchant;
  Money discount = 0;  // before trimming, > 0
  std::int32_t priority = 0;
  bool exclusive = false;
  std::string_view offer_id;
  std::size_t source = 0;  // caller's index, returned in Choice
};

struct Choice {
  std::size_t source = 0;
  Money discount = 0;  // after trimming, > 0
};

inline constexpr std::size_t kExhaustiveLimit = 4096;
inline constexpr std::size_t kMaxPerLayer = 12;

// The best combination among `candidates` (in layer order), or empty when none applies.
std::vector<Choice> FindBestCombination(const std::vector<Candidate>& candidates,
                                        Money items_subtotal, Money shipping_fee);

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_COMBINATION_SEARCH_H_
