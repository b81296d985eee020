// Combination search: FindBestCombination directly, against a brute-force oracle.
#include "combination_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace uudai::internal {
namespace {

using Picks = std::vector<std::pair<std::size_t, Money>>;  // (source, trimmed discount)

Picks PicksOf(const std::vector<Choice>& choices) {
  Picks picks;
  for (const Choice& c : choices) picks.emplace_back(c.source, c.discount);
  return picks;
}

// Candidates own their ids here; Candidate only views them.
class Candidates {
 public:
  Candidates& Add(Layer layer, Money discount, std::string id, std::int32_t priority = 0,
                  bool exclusive = false) {
    ids_.push_back(std::make_unique<std::string>(std::move(id)));
    list_.push_back({layer, discount, priority, exclusive, *ids_.back(), list_.size()});
    return *this;
  }
  const std::vector<Candidate>& list() const { return list_; }
  std::vector<Candidate>& list() { return list_; }

 private:
  std::vector<std::unique_ptr<std::string>> ids_;
  std::vector<Candidate> list_;
};

Picks Best(const Candidates& c, Money items_subtotal, Money shipping_fee) {
  return PicksOf(FindBestCombination(c.list(), items_subtotal, shipping_fee));
}

// The docs/design.md §3 rule written out the slow way: every one-or-none-per-layer combination of
// non-exclusive candidates and every exclusive candidate alone; item layers trimmed in layer
// order, shipping to the fee; a member trimmed to zero invalidates the combination; best by
// total, then priority sum, then the sorted id list.
Picks Oracle(const std::vector<Candidate>& all, Money items_subtotal, Money shipping_fee) {
  struct Scored {
    Picks picks;
    Money total = 0;
    std::int64_t priority = 0;
    std::vector<std::string_view> ids;
  };
  std::optional<Scored> best;
  auto consider = [&](const std::array<int, kLayerCount>& pick) {
    Scored s;
    Money left = items_subtotal;
    for (std::size_t layer = 0; layer < kLayerCount; ++layer) {
      if (pick[layer] < 0) continue;
      const Candidate& c = all[static_cast<std::size_t>(pick[layer])];
      Money amount = c.layer == Layer::kShipping ? std::min(c.discount, shipping_fee)
                                                 : std::min(c.discount, left);
      if (c.layer != Layer::kShipping) left -= amount;
      if (amount <= 0) return;
      s.picks.emplace_back(c.source, amount);
      s.total += amount;
      s.priority += c.priority;
      s.ids.push_back(c.offer_id);
    }
    if (s.total == 0) return;
    std::sort(s.ids.begin(), s.ids.end());
    if (!best || s.total > best->total ||
        (s.total == best->total &&
         (s.priority > best->priority || (s.priority == best->priority && s.ids < best->ids)))) {
      best = std::move(s);
    }
  };
  std::array<std::vector<int>, kLayerCount> by_layer;
  for (std::size_t i = 0; i < all.size(); ++i) {
    std::array<int, kLayerCount> alone{-1, -1, -1, -1};
    alone[static_cast<std::size_t>(all[i].layer)] = static_cast<int>(i);
    if (all[i].exclusive) {
      consider(alone);
    } else {
      by_layer[static_cast<std::size_t>(all[i].layer)].push_back(static_cast<int>(i));
    }
  }
  for (auto& list : by_layer) list.push_back(-1);
  for (int m : by_layer[0]) {
    for (int p : by_layer[1]) {
      for (int y : by_layer[2]) {
        for (int s : by_layer[3]) consider({m, p, y, s});
      }
    }
  }
  return best ? best->picks : Picks{};
}

// --- Basics ---------------------------------------------------------------------------------

TEST(CombinationTest, NoCandidatesGiveNoChoice) {
  EXPECT_TRUE(FindBestCombination({}, 100'000, 30'000).empty());
}

TEST(CombinationTest, SingleCandidateIsChosenWithItsSource) {
  Candidates c;
  c.Add(Layer::kPlatform, 20'000, "o-1");
  c.list()[0].source = 7;
  EXPECT_EQ(Best(c, 100'000, 30'000), (Picks{{7, 20'000}}));
}

TEST(CombinationTest, ChoicesComeInLayerOrder) {
  Candidates c;
  c.Add(Layer::kShipping, 30'000, "o-s")
      .Add(Layer::kPayment, 10'000, "o-y")
      .Add(Layer::kMerchant, 20'000, "o-m")
      .Add(Layer::kPlatform, 15'000, "o-p");
  EXPECT_EQ(Best(c, 100'000, 30'000), (Picks{{2, 20'000}, {3, 15'000}, {1, 10'000}, {0, 30'000}}));
}

TEST(CombinationTest, ItemDiscountsAreTrimmedToTheSubtotalInLayerOrder) {
  Candidates c;
  c.Add(Layer::kPayment, 30'000, "o-y")
      .Add(Layer::kPlatform, 30'000, "o-p")
      .Add(Layer::kMerchant, 60'000, "o-m");
  EXPECT_EQ(Best(c, 100'000, 0), (Picks{{2, 60'000}, {1, 30'000}, {0, 10'000}}));
}

TEST(CombinationTest, ShippingDiscountIsTrimmedToTheFee) {
  Candidates c;
  c.Add(Layer::kShipping, 50'000, "o-s");
  EXPECT_EQ(Best(c, 100'000, 30'000), (Picks{{0, 30'000}}));
}

TEST(CombinationTest, ShippingCandidateWithoutShippingFeeIsNotChosen) {
  // Given a shipping candidate that trims to zero on a cart without shipping fee
  Candidates c;
  c.Add(Layer::kMerchant, 20'000, "o-m").Add(Layer::kShipping, 30'000, "o-s");
  // Then it is left out rather than chosen with a zero discount
  EXPECT_EQ(Best(c, 100'000, 0), (Picks{{0, 20'000}}));
}

TEST(CombinationTest, OnlyShippingCandidateWithoutShippingFeeGivesNoChoice) {
  Candidates c;
  c.Add(Layer::kShipping, 30'000, "o-s");
  EXPECT_TRUE(FindBestCombination(c.list(), 100'000, 0).empty());
}

TEST(CombinationTest, ShippingIsChosenByAmountThenPriorityThenId) {
  Candidates c;
  c.Add(Layer::kShipping, 20'000, "o-1", 9)
      .Add(Layer::kShipping, 40'000, "o-4")  // trims to 30,000
      .Add(Layer::kShipping, 30'000, "o-3", 1)
      .Add(Layer::kShipping, 35'000, "o-2", 1);
  EXPECT_EQ(Best(c, 100'000, 30'000), (Picks{{3, 30'000}}));
}

TEST(CombinationTest, CandidateTrimmedToZeroIsLeftOut) {
  Candidates c;
  c.Add(Layer::kMerchant, 100'000, "o-m").Add(Layer::kPlatform, 10'000, "o-p");
  EXPECT_EQ(Best(c, 100'000, 0), (Picks{{0, 100'000}}));
}

TEST(CombinationTest, ExclusiveCandidateStandsAloneWhenLarger) {
  Candidates c;
  c.Add(Layer::kMerchant, 50'000, "o-m")
      .Add(Layer::kPlatform, 60'000, "o-x", 0, /*exclusive=*/true)
      .Add(Layer::kShipping, 5'000, "o-s");
  EXPECT_EQ(Best(c, 100'000, 30'000), (Picks{{1, 60'000}}));
}

TEST(CombinationTest, ExclusiveCandidateLosesToALargerCombination) {
  Candidates c;
  c.Add(Layer::kMerchant, 50'000, "o-m")
      .Add(Layer::kPlatform, 54'000, "o-x", 0, /*exclusive=*/true)
      .Add(Layer::kShipping, 5'000, "o-s");
  EXPECT_EQ(Best(c, 100'000, 30'000), (Picks{{0, 50'000}, {2, 5'000}}));
}

TEST(CombinationTest, ExclusiveShippingCandidateStandsAlone) {
  Candidates c;
  c.Add(Layer::kMerchant, 10'000, "o-m").Add(Layer::kShipping, 30'000, "o-x", 0, true);
  EXPECT_EQ(Best(c, 100'000, 30'000), (Picks{{1, 30'000}}));
}

TEST(CombinationTest, EqualTotalsGoToHigherPrioritySum) {
  Candidates c;
  c.Add(Layer::kMerchant, 50'000, "o-a", 1).Add(Layer::kMerchant, 50'000, "o-b", 2);
  EXPECT_EQ(Best(c, 100'000, 0), (Picks{{1, 50'000}}));
}

TEST(CombinationTest, EqualTotalsAndPrioritiesGoToTheSmallestIdList) {
  // {a-1, b-2} and {a-2, b-1} both give 100,000: ["a-1","b-2"] < ["a-2","b-1"]
  Candidates c;
  c.Add(Layer::kMerchant, 60'000, "a-2")
      .Add(Layer::kMerchant, 50'000, "a-1")
      .Add(Layer::kPlatform, 40'000, "b-1")
      .Add(Layer::kPlatform, 50'000, "b-2");
  EXPECT_EQ(Best(c, 100'000, 0), (Picks{{1, 50'000}, {3, 50'000}}));
}

TEST(CombinationTest, InterchangeableCandidatesResolveToTheSmallestId) {
  Candidates c;
  c.Add(Layer::kPlatform, 30'000, "o-c")
      .Add(Layer::kPlatform, 30'000, "o-a")
      .Add(Layer::kPlatform, 30'000, "o-b");
  EXPECT_EQ(Best(c, 100'000, 0), (Picks{{1, 30'000}}));
}

// --- Against the oracle ---------------------------------------------------------------------

// Random candidates with many ties: few distinct discounts and priorities, short ids.
Candidates RandomCandidates(std::mt19937_64& rng, int per_item_layer_max, int shipping_max) {
  Candidates c;
  std::uniform_int_distribution<int> discount_step(1, 6);
  std::uniform_int_distribution<int> priority(0, 2);
  std::uniform_int_distribution<int> letter(0, 25);
  std::bernoulli_distribution exclusive(0.1);
  int serial = 0;
  for (Layer layer : {Layer::kMerchant, Layer::kPlatform, Layer::kPayment, Layer::kShipping}) {
    const int max = layer == Layer::kShipping ? shipping_max : per_item_layer_max;
    const int n = std::uniform_int_distribution<int>(0, max)(rng);
    for (int i = 0; i < n; ++i) {
      std::string id(1, static_cast<char>('a' + letter(rng)));
      id += "-" + std::to_string(serial++);
      c.Add(layer, 10'000 * discount_step(rng), std::move(id), priority(rng), exclusive(rng));
    }
  }
  return c;
}

TEST(CombinationTest, ExhaustivePathMatchesTheOracleOnRandomCases) {
  std::mt19937_64 rng(20261010);
  for (int round = 0; round < 3'000; ++round) {
    const Candidates c = RandomCandidates(rng, 6, 3);
    const Money subtotal = 10'000 * std::uniform_int_distribution<int>(1, 12)(rng);
    const Money shipping = 10'000 * std::uniform_int_distribution<int>(0, 4)(rng);
    ASSERT_EQ(PicksOf(FindBestCombination(c.list(), subtotal, shipping)),
              Oracle(c.list(), subtotal, shipping))
        << "round " << round;
  }
}

// Candidates of `layer` that no other non-exclusive candidate of the layer beats on discount,
// priority and id at once (what pruning keeps before its kMaxPerLayer cap).
std::size_t Undominated(const std::vector<Candidate>& all, Layer layer) {
  std::size_t count = 0;
  for (const Candidate& c : all) {
    if (c.layer != layer || c.exclusive) continue;
    const bool dominated = std::any_of(all.begin(), all.end(), [&c](const Candidate& d) {
      return &d != &c && d.layer == c.layer && !d.exclusive && d.discount >= c.discount &&
             (d.priority > c.priority || (d.priority == c.priority && d.offer_id < c.offer_id));
    });
    if (!dominated) ++count;
  }
  return count;
}

TEST(CombinationTest, PruningPathMatchesTheOracleWithoutZeroTrimTies) {
  // Given more than kExhaustiveLimit combinations (20 distinct candidates per item layer), no
  // layer that can be trimmed to zero (merchant + platform maxima stay below the subtotal), and
  // no more undominated candidates per layer than pruning keeps
  std::mt19937_64 rng(505);
  int checked = 0;
  for (int round = 0; round < 400; ++round) {
    Candidates c;
    int serial = 0;
    for (Layer layer : {Layer::kMerchant, Layer::kPlatform, Layer::kPayment}) {
      std::vector<Money> discounts;
      for (int k = 1; k <= 40; ++k) discounts.push_back(1'000 * k);
      std::shuffle(discounts.begin(), discounts.end(), rng);
      for (int i = 0; i < 20; ++i) {
        const Money discount = discounts[static_cast<std::size_t>(i)];  // distinct per layer
        const int priority = std::uniform_int_distribution<int>(0, 3)(rng);
        std::string id(1, static_cast<char>('a' + std::uniform_int_distribution<int>(0, 25)(rng)));
        c.Add(layer, discount, id + "-" + std::to_string(serial++), priority);
      }
    }
    c.Add(Layer::kShipping, 30'000, "s-1");
    bool small_frontier = true;
    for (Layer layer : {Layer::kMerchant, Layer::kPlatform, Layer::kPayment}) {
      small_frontier = small_frontier && Undominated(c.list(), layer) <= kMaxPerLayer;
    }
    if (!small_frontier) continue;
    // 40,000 + 40,000 < 85,000: only the payment layer is ever trimmed, never to zero
    const Money subtotal = 85'000;
    // When searched, then the pruned search agrees with the oracle
    ASSERT_EQ(PicksOf(FindBestCombination(c.list(), subtotal, 30'000)),
              Oracle(c.list(), subtotal, 30'000))
        << "round " << round;
    ++checked;
  }
  EXPECT_GE(checked, 100);
}

TEST(CombinationTest, PruningPathPicksTheLargestCombination) {
  // Given 20 candidates per item layer (21^3 > kExhaustiveLimit), the best of each unique
  Candidates c;
  for (int i = 0; i < 20; ++i) {
    c.Add(Layer::kMerchant, 1'000 * (i + 1), "m-" + std::to_string(100 + i));
    c.Add(Layer::kPlatform, 500 * (i + 1), "p-" + std::to_string(100 + i));
    c.Add(Layer::kPayment, 100 * (i + 1), "y-" + std::to_string(100 + i));
  }
  // When the subtotal covers every discount, then the largest of each layer is chosen:
  // sources 57 (m, 20,000), 58 (p, 10,000), 59 (y, 2,000)
  EXPECT_EQ(Best(c, 1'000'000, 0), (Picks{{57, 20'000}, {58, 10'000}, {59, 2'000}}));
}

TEST(CombinationTest, PruningPathKeepsHigherPriorityWhenTrimmingEqualizesTotals) {
  // Given 20 merchant candidates each covering the whole 10,000 subtotal, one with priority 1,
  // and 20 candidates on each other item layer
  Candidates c;
  for (int i = 0; i < 20; ++i) {
    c.Add(Layer::kMerchant, 10'000 + 1'000 * i, "m-" + std::to_string(100 + i), i == 7 ? 1 : 0);
    c.Add(Layer::kPlatform, 100 * (i + 1), "p-" + std::to_string(100 + i));
    c.Add(Layer::kPayment, 100 * (i + 1), "y-" + std::to_string(100 + i));
  }
  // Then the merchant candidate with priority 1 takes it all (source 21), the others left out
  EXPECT_EQ(Best(c, 10'000, 0), (Picks{{21, 10'000}}));
}

}  // namespace
}  // namespace uudai::internal
