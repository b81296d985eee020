#include "combination_search.h"

#include <algorithm>
#include <map>

namespace uudai::internal {
namespace {

constexpr std::size_t kShipping = static_cast<std::size_t>(Layer::kShipping);
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// A scored combination: chosen candidate per layer (kNone for none) and its merit.
struct Scored {
  std::array<std::size_t, kLayerCount> pick{kNone, kNone, kNone, kNone};
  std::array<Money, kLayerCount> trimmed{};
  Money total = 0;
  std::int64_t priority = 0;
  bool valid = false;
};

// Ascending offer ids of a combination (at most four).
std::array<std::string_view, kLayerCount> SortedIds(const Scored& s,
                                                    const std::vector<Candidate>& all,
                                                    std::size_t& count) {
  std::array<std::string_view, kLayerCount> ids{};
  count = 0;
  for (std::size_t p : s.pick) {
    if (p != kNone) ids[count++] = all[p].offer_id;
  }
  // Insertion sort of at most four ids (std::sort here trips a GCC 12 -Warray-bounds bug).
  for (std::size_t i = 1; i < count; ++i) {
    for (std::size_t j = i; j > 0 && ids[j] < ids[j - 1]; --j) std::swap(ids[j], ids[j - 1]);
  }
  return ids;
}

bool Better(const Scored& a, const Scored& b, const std::vector<Candidate>& all) {
  if (!b.valid) return a.valid;
  if (!a.valid) return false;
  if (a.total != b.total) return a.total > b.total;
  if (a.priority != b.priority) return a.priority > b.priority;
  std::size_t na = 0, nb = 0;
  const auto ia = SortedIds(a, all, na);
  const auto ib = SortedIds(b, all, nb);
  return std::lexicographical_compare(ia.begin(), ia.begin() + static_cast<std::ptrdiff_t>(na),
                                      ib.begin(), ib.begin() + static_cast<std::ptrdiff_t>(nb));
}

// Scores the combination `pick`, trimming item discounts in layer order.
Scored Score(const std::array<std::size_t, kLayerCount>& pick, const std::vector<Candidate>& all,
             Money items_subtotal, Money shipping_fee) {
  Scored s;
  s.pick = pick;
  Money items_left = items_subtotal;
  for (std::size_t layer = 0; layer < kLayerCount; ++layer) {
    if (pick[layer] == kNone) continue;
    const Candidate& c = all[pick[layer]];
    Money amount = c.discount;
    if (layer == kShipping) {
      amount = std::min(amount, shipping_fee);
    } else {
      amount = std::min(amount, items_left);
      items_left -= amount;
    }
    if (amount <= 0) return s;  // trimmed to zero: invalid
    s.trimmed[layer] = amount;
    s.total += amount;
    s.priority += c.priority;
  }
  s.valid = true;
  return s;
}

// Drops candidates another candidate of the layer beats on discount, priority and id at once;
// keeps at most kMaxPerLayer. `layer_list` holds indexes into `all`.
void Prune(std::vector<std::size_t>& layer_list, const std::vector<Candidate>& all) {
  std::sort(layer_list.begin(), layer_list.end(), [&all](std::size_t x, std::size_t y) {
    const Candidate& a = all[x];
    const Candidate& b = all[y];
    if (a.discount != b.discount) return a.discount > b.discount;
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.offer_id < b.offer_id;
  });
  std::vector<std::size_t> kept;
  std::int32_t max_priority_seen = 0;
  bool any_seen = false;
  std::map<std::int32_t, std::string_view> min_id_at_priority;
  for (std::size_t index : layer_list) {
    const Candidate& c = all[index];
    const auto same = min_id_at_priority.find(c.priority);
    const bool dominated = (any_seen && max_priority_seen > c.priority) ||
                           (same != min_id_at_priority.end() && same->second < c.offer_id);
    if (!dominated) kept.push_back(index);
    if (!any_seen || c.priority > max_priority_seen) max_priority_seen = c.priority;
    any_seen = true;
    if (same == min_id_at_priority.end() || c.offer_id < same->second) {
      min_id_at_priority[c.priority] = c.offer_id;
    }
  }
  if (kept.size() > kMaxPerLayer) kept.resize(kMaxPerLayer);
  layer_list = std::move(kept);
}

}  // namespace

std::vector<Choice> FindBestCombination(const std::vector<Candidate>& candidates,
                                        Money items_subtotal, Money shipping_fee) {
  std::array<std::vector<std::size_t>, kLayerCount> by_layer;
  Scored best;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    if (c.exclusive) {
      std::array<std::size_t, kLayerCount> alone{kNone, kNone, kNone, kNone};
      alone[static_cast<std::size_t>(c.layer)] = i;
      Scored s = Score(alone, candidates, items_subtotal, shipping_fee);
      if (Better(s, best, candidates)) best = s;
    } else {
      by_layer[static_cast<std::size_t>(c.layer)].push_back(i);
    }
  }
  std::size_t product = 1;
  for (const auto& list : by_layer) product *= list.size() + 1;
  if (product > kExhaustiveLimit) {
    for (auto& list : by_layer) Prune(list, candidates);
  }
  // Exhaustive walk over one-or-none per layer (an odometer over the four layers).
  std::array<std::size_t, kLayerCount> digit{};  // 0 = none, k = by_layer[l][k-1]
  while (true) {
    std::array<std::size_t, kLayerCount> pick{};
    for (std::size_t l = 0; l < kLayerCount; ++l) {
      pick[l] = digit[l] == 0 ? kNone : by_layer[l][digit[l] - 1];
    }
    Scored s = Score(pick, candidates, items_subtotal, shipping_fee);
    if (s.total > 0 && Better(s, best, candidates)) best = s;
    std::size_t l = 0;
    while (l < kLayerCount && ++digit[l] > by_layer[l].size()) digit[l++] = 0;
    if (l == kLayerCount) break;
  }
  std::vector<Choice> out;
  if (!best.valid) return out;
  for (std::size_t l = 0; l < kLayerCount; ++l) {
    if (best.pick[l] != kNone) out.push_back({candidates[best.pick[l]].source, best.trimmed[l]});
  }
  return out;
}

}  // namespace uudai::internal
