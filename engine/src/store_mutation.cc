#include "uudai/store_mutation.h"

namespace uudai {

std::vector<std::shared_ptr<const Offer>> OffersWrittenBy(const StoreMutation& mutation) {
  if (const auto* one = std::get_if<OfferWritten>(&mutation)) return {one->offer};
  if (const auto* many = std::get_if<OffersCreated>(&mutation)) return many->offers;
  return {};
}

Redemption RedemptionAsCreated(const Redemption& r, RedemptionStatus created_as) {
  Redemption created = r;
  created.status = created_as;
  if (created_as == RedemptionStatus::kReserved) created.committed_at.reset();
  if (created_as == RedemptionStatus::kReserved || created_as == RedemptionStatus::kCommitted) {
    created.released_at.reset();
    created.expired_at.reset();
    created.refunded_at.reset();
  }
  return created;
}

std::vector<RedemptionTransitioned> TransitionsSince(RedemptionStatus created_as,
                                                     const Redemption& r) {
  std::vector<RedemptionTransitioned> out;
  auto add = [&](RedemptionAction action, const std::optional<Timestamp>& at) {
    out.push_back(RedemptionTransitioned{r.id, action, at.value_or(r.created_at), std::nullopt});
  };
  if (created_as == r.status) return out;
  if (created_as == RedemptionStatus::kReserved) {
    switch (r.status) {
      case RedemptionStatus::kCommitted:
        add(RedemptionAction::kCommit, r.committed_at);
        break;
      case RedemptionStatus::kReleased:
        add(RedemptionAction::kCancel, r.released_at);
        break;
      case RedemptionStatus::kExpired:
        add(RedemptionAction::kExpire, r.expired_at);
        break;
      case RedemptionStatus::kRefunded:
        add(RedemptionAction::kCommit, r.committed_at);
        add(RedemptionAction::kRefund, r.refunded_at);
        break;
      case RedemptionStatus::kReserved:
        break;
    }
  } else if (created_as == RedemptionStatus::kCommitted &&
             r.status == RedemptionStatus::kRefunded) {
    add(RedemptionAction::kRefund, r.refunded_at);
  }
  return out;
}

}  // namespace uudai
