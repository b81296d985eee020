#include "applied_offer_check.h"

namespace uudai::internal {

Status CheckOfferRedeemable(const Offer* current, const std::string& offer_id, Timestamp at,
                            const CampaignZone& zone) {
  auto refuse = [&offer_id](StatusCode code, const std::string& why) {
    return Status::ForOffer(code, offer_id, "offer " + offer_id + " " + why);
  };
  if (current == nullptr) return refuse(StatusCode::kQuoteChanged, "does not exist");
  switch (current->status) {
    case OfferStatus::kActive:
      break;
    case OfferStatus::kPaused:
      return refuse(StatusCode::kOfferPaused, "is paused");
    case OfferStatus::kArchived:
      return refuse(StatusCode::kOfferEnded, "was archived");
  }
  if (at < current->starts_at) return refuse(StatusCode::kOfferNotStarted, "has not started");
  if (at >= current->ends_at) return refuse(StatusCode::kOfferEnded, "has ended");
  if (current->daily_window && !current->daily_window->Contains(zone.MinuteOfDay(at))) {
    return refuse(StatusCode::kOutsideWindow, "is outside its daily window");
  }
  return Status::Ok();
}

Status CheckOfferVersion(const Offer& current, const RedeemedOffer& planned) {
  if (planned.offer_version == 0 || planned.offer_version == current.version) return Status::Ok();
  return Status::ForOffer(StatusCode::kQuoteChanged, planned.offer_id,
                          "offer " + planned.offer_id + " changed (version " +
                              std::to_string(current.version) + ") since the quote saw version " +
                              std::to_string(planned.offer_version) + "; quote again");
}

}  // namespace uudai::internal
