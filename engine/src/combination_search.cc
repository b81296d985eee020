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

// Best first: larger discount, then higher priority, then smaller id.
void SortByMerit(std::vector<std::size_t>& layer_list, const std::vector<Candidate>& all) {
  std::sort(layer_list.begin(), layer_list.end(), [&all](std::size_t x, std::size_t y) {
    const Candidate& a = all[x];
    const Candidate& b = all[y];
    if (a.discount != b.discount) return a.discount > b.discount;
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.offer_id < b.offer_id;
  });
}

// Drops candidates another candidate of the layer beats on discount, priority and id at once;
// keeps at most kMaxPerLayer. `layer_list` holds indexes into `all`.
void Prune(std::vector<std::size_t>& layer_list, const std::vector<Candidate>& all) {
  SortByMerit(layer_list, all);
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

// Keeps, of the candidates sharing a (discount, priority), only the one with the smallest id.
void DropInterchangeable(std::vector<std::size_t>& layer_list, const std::vector<Candidate>& all) {
  if (layer_list.size() < 2) return;
  SortByMerit(layer_list, all);
  auto same = [&all](std::size_t x, std::size_t y) {
    return all[x].discount == all[y].discount && all[x].priority == all[y].priority;
  };
  layer_list.erase(std::unique(layer_list.begin(), layer_list.end(), same), layer_list.end());
}

}  // namespace

std::vector<Choice> FindBestCombination(const std::vector<Candidate>& offered, Money items_subtotal,
                                        Money shipping_fee) {
  // A discount never gives more than its layer can (the items subtotal or the shipping fee), so
  // compare candidates on that amount: two that both cover the whole cart are interchangeable
  // but for priority and id, and deduplication and pruning then keep the one that wins the tie.
  // Trimming is unchanged: min(min(d, subtotal), left) = min(d, left) because left ≤ subtotal.
  std::vector<Candidate> candidates(offered);
  for (Candidate& c : candidates) {
    c.discount = std::min(c.discount, c.layer == Layer::kShipping ? shipping_fee : items_subtotal);
  }
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
  // The shipping layer is independent of the item layers: its trimmed amount depends only on
  // the shipping fee, and for any item combination the best addition is the same candidate
  // (largest amount, then priority, then smallest id; a smaller id always makes the merged
  // id list smaller). So pick it once instead of multiplying the search by it.
  std::vector<std::size_t>& shipping = by_layer[kShipping];
  if (shipping.size() > 1) {
    std::size_t best_shipping = shipping.front();
    for (std::size_t index : shipping) {
      const Candidate& c = candidates[index];
      const Candidate& b = candidates[best_shipping];
      const Money ca = std::min(c.discount, shipping_fee);
      const Money ba = std::min(b.discount, shipping_fee);
      if (ca > ba || (ca == ba && (c.priority > b.priority ||
                                   (c.priority == b.priority && c.offer_id < b.offer_id)))) {
        best_shipping = index;
      }
    }
    shipping.assign(1, best_shipping);
  }
  // Within a layer, candidates equal in discount and priority are interchangeable except for
  // the id, so only the smallest id of each such group can ever win.
  for (std::size_t l = 0; l < kShipping; ++l) DropInterchangeable(by_layer[l], candidates);
  std::size_t product = 1;
  for (const auto& list : by_layer) product *= list.size() + 1;
  if (product > kExhaustiveLimit) {
    for (auto& list : by_layer) Prune(list, candidates);
  }
  // Walk merchant × platform × payment choices (each may be none), trimming as we go; the
  // shipping choice, when there is one, always adds a positive amount, so it is always taken.
  const auto& merchant = by_layer[0];
  const auto& platform = by_layer[1];
  const auto& payment = by_layer[2];
  // A shipping candidate trimmed to zero (no shipping fee) is not applied.
  const std::size_t ship =
      shipping.empty() || candidates[shipping.front()].discount <= 0 ? kNone : shipping.front();
  const Money ship_amount = ship == kNone ? 0 : std::min(candidates[ship].discount, shipping_fee);
  const std::int64_t ship_priority = ship == kNone ? 0 : candidates[ship].priority;
  auto amount_of = [&candidates](const std::vector<std::size_t>& list, std::size_t k,
                                 Money left) -> Money {
    return k == 0 ? 0 : std::min(candidates[list[k - 1]].discount, left);
  };
  auto priority_of = [&candidates](const std::vector<std::size_t>& list, std::size_t k) {
    return k == 0 ? std::int64_t{0} : std::int64_t{candidates[list[k - 1]].priority};
  };
  for (std::size_t a = 0; a <= merchant.size(); ++a) {
    const Money amount_a = amount_of(merchant, a, items_subtotal);
    if (a != 0 && amount_a <= 0) continue;
    for (std::size_t b = 0; b <= platform.size(); ++b) {
      const Money amount_b = amount_of(platform, b, items_subtotal - amount_a);
      if (b != 0 && amount_b <= 0) continue;
      for (std::size_t c = 0; c <= payment.size(); ++c) {
        const Money amount_c = amount_of(payment, c, items_subtotal - amount_a - amount_b);
        if (c != 0 && amount_c <= 0) continue;
        const Money total = amount_a + amount_b + amount_c + ship_amount;
        if (total == 0 || (best.valid && total < best.total)) continue;
        Scored s;
        s.pick = {a == 0 ? kNone : merchant[a - 1], b == 0 ? kNone : platform[b - 1],
                  c == 0 ? kNone : payment[c - 1], ship};
        s.trimmed = {amount_a, amount_b, amount_c, ship_amount};
        s.total = total;
        s.priority = priority_of(merchant, a) + priority_of(platform, b) + priority_of(payment, c) +
                     ship_priority;
        s.valid = true;
        if (Better(s, best, candidates)) best = s;
      }
    }
  }
  std::vector<Choice> out;
  if (!best.valid) return out;
  for (std::size_t l = 0; l < kLayerCount; ++l) {
    if (best.pick[l] != kNone) out.push_back({candidates[best.pick[l]].source, best.trimmed[l]});
  }
  return out;
}

}  // namespace uudai::internal
