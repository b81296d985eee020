#include "uudai/redemption.h"

#include <array>

namespace uudai {
namespace {

constexpr std::array<std::string_view, kRedemptionStatusCount> kStatusNames = {
    "reserved", "committed", "released", "expired", "refunded"};
constexpr std::array<std::string_view, 4> kActionNames = {"commit", "cancel", "refund", "expire"};

}  // namespace

std::string_view RedemptionStatusName(RedemptionStatus status) {
  return kStatusNames[static_cast<std::size_t>(status)];
}

std::optional<RedemptionStatus> ParseRedemptionStatus(std::string_view text) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == text) return static_cast<RedemptionStatus>(i);
  }
  return std::nullopt;
}

std::string_view RedemptionActionName(RedemptionAction action) {
  return kActionNames[static_cast<std::size_t>(action)];
}

Result<RedemptionStatus> NextStatus(RedemptionStatus from, RedemptionAction action) {
  using S = RedemptionStatus;
  using A = RedemptionAction;
  if (from == S::kReserved) {
    switch (action) {
      case A::kCommit:
        return S::kCommitted;
      case A::kCancel:
        return S::kReleased;
      case A::kExpire:
        return S::kExpired;
      case A::kRefund:
        break;
    }
  } else if (from == S::kCommitted && action == A::kRefund) {
    return S::kRefunded;
  }
  return Status(StatusCode::kInvalidTransition,
                "cannot " + std::string(RedemptionActionName(action)) + " a redemption that is " +
                    std::string(RedemptionStatusName(from)));
}

void MoveTo(Redemption& r, RedemptionStatus to, Timestamp at) {
  r.status = to;
  switch (to) {
    case RedemptionStatus::kCommitted:
      r.committed_at = at;
      break;
    case RedemptionStatus::kReleased:
      r.released_at = at;
      break;
    case RedemptionStatus::kExpired:
      r.expired_at = at;
      break;
    case RedemptionStatus::kRefunded:
      r.refunded_at = at;
      break;
    case RedemptionStatus::kReserved:
      break;
  }
}

Redemption PlanRedemption(const Cart& cart, const Quote& quote, const RedemptionIntent& intent) {
  Redemption r;
  r.id = intent.id;
  r.status = intent.commit ? RedemptionStatus::kCommitted : RedemptionStatus::kReserved;
  r.shopper_id = cart.shopper_id;
  r.merchant_id = cart.merchant_id;
  r.order_id = intent.order_id;
  r.payment_method = cart.payment_method;
  r.subtotal = quote.subtotal;
  r.shipping_fee = quote.shipping_fee;
  r.discount_total = quote.discount_total;
  r.rejected = quote.rejected;
  r.created_at = intent.now;
  r.expires_at = Timestamp{intent.now.millis + intent.reservation_ttl_millis};
  if (intent.commit) r.committed_at = intent.now;
  r.applied.reserve(quote.applied.size());
  for (const AppliedOffer& a : quote.applied) {
    const Offer& offer = *a.offer;
    r.applied.push_back(RedeemedOffer{
        .offer_id = offer.id,
        .offer_version = offer.version,
        .offer_merchant_id = offer.merchant_id,
        .layer = offer.layer,
        .code_mode = offer.code_mode,
        .code = a.code,
        .discount = a.discount,
        .cashback = a.cashback,
        .restore_on_refund = offer.restore_on_refund,
        .funded_by = offer.funded_by,
        .funder = offer.funder,
    });
  }
  return r;
}

}  // namespace uudai
