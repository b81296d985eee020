#include "memory_store/offer_counters.h"

#include <algorithm>

namespace uudai::internal {
namespace {

std::size_t Index(RedemptionStatus s) { return static_cast<std::size_t>(s); }

}  // namespace

Status OfferCounters::CheckRoomFor(const RedeemedOffer& applied, const OfferLimits& limits,
                                   std::optional<ShopperId> shopper, LocalDay day) const {
  auto fail = [&applied](StatusCode code, const char* what) {
    return Status::ForOffer(code, applied.offer_id,
                            std::string("offer ") + applied.offer_id + " " + what);
  };
  if (limits.total_redemptions && live_ + 1 > *limits.total_redemptions) {
    return fail(StatusCode::kQuotaExhausted, "has no redemptions left");
  }
  if (limits.total_budget && budget_spent_ + applied.reward() > *limits.total_budget) {
    return fail(StatusCode::kBudgetExhausted, "has not enough budget left for this discount");
  }
  if (limits.per_shopper && shopper && per_shopper_.Get(*shopper) + 1 > *limits.per_shopper) {
    return fail(StatusCode::kPerShopperLimit, "reached its per-shopper limit for this shopper");
  }
  if (limits.per_day) {
    auto it = per_day_.find(day.index);
    if (it != per_day_.end() && it->second + 1 > *limits.per_day) {
      return fail(StatusCode::kDailyLimit, "reached its limit for today");
    }
  }
  return Status::Ok();
}

void OfferCounters::HoldQuota(const RedeemedOffer& applied, ShopperId shopper, LocalDay day,
                              int delta) {
  live_ += delta;
  budget_spent_ += delta * applied.reward();
  per_shopper_.Add(shopper, delta);
  auto& on_day = per_day_[day.index];
  if ((on_day += delta) == 0) per_day_.erase(day.index);
}

void OfferCounters::CountStatus(const Redemption& r, const RedeemedOffer& applied,
                                ShopperId shopper, RedemptionStatus status, int delta,
                                LocalDay day) {
  const bool committed = status == RedemptionStatus::kCommitted;
  const Money discount = committed ? delta * applied.discount : 0;
  const Money cashback = committed ? delta * applied.cashback : 0;
  const Money gmv = committed ? delta * r.subtotal : 0;
  for (StatsBucket* bucket :
       {&totals_, &by_day_[day.index], &by_method_[static_cast<std::size_t>(r.payment_method)]}) {
    bucket->by_status[Index(status)] += delta;
    bucket->discount_committed += discount;
    bucket->cashback_committed += cashback;
    bucket->gmv_committed += gmv;
  }
  if (status == RedemptionStatus::kCommitted && delta > 0) committed_shoppers_.Insert(shopper);
}

void OfferCounters::OnCreated(const Redemption& r, const RedeemedOffer& applied, ShopperId shopper,
                              LocalDay day) {
  HoldQuota(applied, shopper, day, +1);
  CountStatus(r, applied, shopper, r.status, +1, day);
}

void OfferCounters::OnTransition(const Redemption& r, const RedeemedOffer& applied,
                                 ShopperId shopper, RedemptionStatus from, RedemptionStatus to,
                                 LocalDay day) {
  const bool gives_quota_back = to == RedemptionStatus::kReleased ||
                                to == RedemptionStatus::kExpired ||
                                (to == RedemptionStatus::kRefunded && applied.restore_on_refund);
  if (gives_quota_back) HoldQuota(applied, shopper, day, -1);
  CountStatus(r, applied, shopper, from, -1, day);
  CountStatus(r, applied, shopper, to, +1, day);
}

OfferUsage OfferCounters::Usage(std::optional<ShopperId> shopper, LocalDay day) const {
  OfferUsage usage;
  usage.redemptions = live_;
  usage.budget_spent = budget_spent_;
  if (shopper) usage.shopper_redemptions = per_shopper_.Get(*shopper);
  if (auto it = per_day_.find(day.index); it != per_day_.end()) usage.day_redemptions = it->second;
  return usage;
}

OfferStats OfferCounters::Stats(const std::string& offer_id, const OfferLimits& limits) const {
  OfferStats stats;
  stats.offer_id = offer_id;
  stats.totals = totals_;
  stats.unique_shoppers = static_cast<std::int64_t>(committed_shoppers_.size());
  if (limits.total_redemptions) {
    stats.remaining_redemptions = std::max<std::int64_t>(0, *limits.total_redemptions - live_);
  }
  if (limits.total_budget) {
    stats.remaining_budget = std::max<Money>(0, *limits.total_budget - budget_spent_);
  }
  for (const auto& [day, bucket] : by_day_) {
    if (bucket != StatsBucket{}) stats.by_day.emplace_back(LocalDay{day}, bucket);
  }
  for (PaymentMethod m : kAllPaymentMethods) {
    const StatsBucket& bucket = by_method_[static_cast<std::size_t>(m)];
    if (bucket != StatsBucket{}) stats.by_payment_method.emplace_back(m, bucket);
  }
  return stats;
}

std::shared_ptr<const RedeemedOffer> OfferCounters::InternTerms(const RedeemedOffer& applied) {
  RedeemedOffer terms = applied;
  terms.code.reset();
  terms.discount = 0;
  terms.cashback = 0;
  for (auto it = terms_.rbegin(); it != terms_.rend(); ++it) {
    if (**it == terms) return *it;
  }
  return terms_.emplace_back(std::make_shared<const RedeemedOffer>(std::move(terms)));
}

}  // namespace uudai::internal
