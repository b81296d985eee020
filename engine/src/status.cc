#include "uudai/status.h"

namespace uudai {

std::string_view CodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kValidation:
      return "validation_failed";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kVersionMismatch:
      return "version_mismatch";
    case StatusCode::kQuotaExhausted:
      return "quota_exhausted";
    case StatusCode::kBudgetExhausted:
      return "budget_exhausted";
    case StatusCode::kPerShopperLimit:
      return "per_shopper_limit";
    case StatusCode::kDailyLimit:
      return "daily_limit";
    case StatusCode::kNotFirstOrder:
      return "not_first_order";
    case StatusCode::kCodeUsed:
      return "code_used";
    case StatusCode::kInvalidTransition:
      return "invalid_transition";
    case StatusCode::kReservationExpired:
      return "reservation_expired";
    case StatusCode::kOrderAlreadyRedeemed:
      return "order_already_redeemed";
    case StatusCode::kRequestInProgress:
      return "request_in_progress";
    case StatusCode::kIdempotencyKeyReused:
      return "idempotency_key_reused";
    case StatusCode::kQuoteChanged:
      return "quote_changed";
    case StatusCode::kNothingToRedeem:
      return "nothing_to_redeem";
    case StatusCode::kOfferPaused:
      return "paused";
    case StatusCode::kOfferNotStarted:
      return "not_started";
    case StatusCode::kOfferEnded:
      return "ended";
    case StatusCode::kOutsideWindow:
      return "outside_window";
    case StatusCode::kAmountCeiling:
      return "amount_ceiling_reached";
    case StatusCode::kCodeConflict:
      return "code_conflict";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kUnavailable:
      return "store_unavailable";
    case StatusCode::kInternal:
      return "internal_error";
  }
  return "internal_error";
}

Status Status::Invalid(std::vector<FieldError> errors) {
  Status status(StatusCode::kValidation, "the request has invalid fields");
  status.field_errors_ = std::move(errors);
  return status;
}

Status Status::WithFieldErrors(StatusCode code, std::string message,
                               std::vector<FieldError> errors) {
  Status status(code, std::move(message));
  status.field_errors_ = std::move(errors);
  return status;
}

Status Status::ForOffer(StatusCode code, std::string offer_id, std::string message) {
  Status status(code, std::move(message));
  status.offer_id_ = std::move(offer_id);
  return status;
}

}  // namespace uudai
