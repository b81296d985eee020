#include "uudai/store_event.h"

#include <iterator>

#include "uudai/store_mutation.h"

namespace uudai {
namespace {

constexpr std::string_view kEventTypeNames[] = {
    "offer.created",       "offer.updated",      "redemption.reserved", "redemption.committed",
    "redemption.released", "redemption.expired", "redemption.refunded", "offer.budget_threshold",
};
static_assert(std::size(kEventTypeNames) == kEventTypeCount);

// Whether `used` is at least `percent` % of `limit`. Exact: used, limit ≤ 10^15.
bool Reaches(std::int64_t used, std::int64_t limit, int percent) {
  return used * 100 >= limit * percent;
}

}  // namespace

std::string_view EventTypeName(EventType type) {
  return kEventTypeNames[static_cast<std::size_t>(type)];
}

EventType RedemptionEventFor(RedemptionStatus status) {
  return static_cast<EventType>(static_cast<int>(EventType::kRedemptionReserved) +
                                static_cast<int>(status));
}

RedemptionStatus StatusOfRedemptionEvent(EventType type) {
  return static_cast<RedemptionStatus>(static_cast<int>(type) -
                                       static_cast<int>(EventType::kRedemptionReserved));
}

std::string_view ThresholdBasisName(ThresholdBasis basis) {
  return basis == ThresholdBasis::kTotalRedemptions ? "total_redemptions" : "total_budget";
}

std::uint8_t ThresholdBit(ThresholdBasis basis, int percent) {
  int index = 0;
  while (index < 2 && kBudgetThresholdPercents[index] != percent) ++index;
  return static_cast<std::uint8_t>(1u << (static_cast<int>(basis) * 3 + index));
}

std::vector<BudgetThreshold> NewThresholdsReached(const OfferLimits& limits, std::int64_t live,
                                                  Money budget_spent, std::uint8_t& announced) {
  std::vector<BudgetThreshold> reached;
  auto check = [&](ThresholdBasis basis, const std::optional<std::int64_t>& limit,
                   std::int64_t used) {
    if (!limit || *limit <= 0) return;
    for (int percent : kBudgetThresholdPercents) {
      const std::uint8_t bit = ThresholdBit(basis, percent);
      if ((announced & bit) != 0 || !Reaches(used, *limit, percent)) continue;
      announced |= bit;
      reached.push_back({basis, percent, used, *limit});
    }
  };
  check(ThresholdBasis::kTotalRedemptions, limits.total_redemptions, live);
  check(ThresholdBasis::kTotalBudget, limits.total_budget, budget_spent);
  return reached;
}

std::vector<std::string> OfferFieldsChanged(const Offer& before, const Offer& after) {
  std::vector<std::string> changed;
  auto note = [&](bool differs, const char* path) {
    if (differs) changed.emplace_back(path);
  };
  note(before.merchant_id != after.merchant_id, "merchant_id");
  note(before.name != after.name, "name");
  note(before.layer != after.layer, "layer");
  note(before.discount != after.discount, "discount");
  note(before.min_order_amount != after.min_order_amount, "min_order_amount");
  note(before.payment_methods != after.payment_methods, "payment_methods");
  note(before.categories != after.categories, "categories");
  note(before.skus != after.skus, "skus");
  note(before.merchant_ids != after.merchant_ids, "merchant_ids");
  note(before.shopper_tags != after.shopper_tags, "shopper_tags");
  note(before.first_order != after.first_order, "first_order");
  note(before.starts_at != after.starts_at, "starts_at");
  note(before.ends_at != after.ends_at, "ends_at");
  note(before.daily_window != after.daily_window, "daily_window");
  note(before.code_mode != after.code_mode, "code_mode");
  note(before.code != after.code, "code");
  const OfferLimits& a = before.limits;
  const OfferLimits& b = after.limits;
  note(a.total_redemptions != b.total_redemptions, "limits.total_redemptions");
  note(a.total_budget != b.total_budget, "limits.total_budget");
  note(a.per_shopper != b.per_shopper, "limits.per_shopper");
  note(a.per_day != b.per_day, "limits.per_day");
  note(before.exclusive != after.exclusive, "exclusive");
  note(before.priority != after.priority, "priority");
  note(before.funded_by != after.funded_by, "funded_by");
  note(before.funder != after.funder, "funder");
  note(before.restore_on_refund != after.restore_on_refund, "restore_on_refund");
  note(before.hot != after.hot, "hot");
  note(before.status != after.status, "status");
  return changed;
}

Redemption RedemptionAsOf(const Redemption& now, RedemptionStatus created_as,
                          RedemptionStatus status) {
  Redemption r = RedemptionAsCreated(now, created_as);
  for (const RedemptionTransitioned& t : TransitionsSince(created_as, now)) {
    if (r.status == status) break;
    const Result<RedemptionStatus> next = NextStatus(r.status, t.action);
    if (!next.ok()) break;
    MoveTo(r, next.value(), t.at);
  }
  return r;
}

}  // namespace uudai
