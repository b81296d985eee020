// Status and Result<T>: the engine's error values. Errors are returned, never thrown.
//
// A StatusCode names a domain outcome (quota_exhausted, invalid_transition, ...). Its stable
// wire name (CodeName) is what API clients switch on; the gateway maps each code to an HTTP
// status in exactly one function. Thread-safe: these are plain values.
#ifndef UUDAI_STATUS_H_
#define UUDAI_STATUS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uudai {

enum class StatusCode {
  kOk,
  kValidation,            // 422: one or more field errors
  kNotFound,              // 404
  kVersionMismatch,       // 412: If-Match did not match the offer's version
  kQuotaExhausted,        // 409: total_redemptions reached
  kBudgetExhausted,       // 409: total_budget would be exceeded
  kPerShopperLimit,       // 409
  kDailyLimit,            // 409: per_day reached for the local day
  kNotFirstOrder,         // 409: a first_order offer, and the shopper has a live redemption
  kCodeUsed,              // 409: single-use code already in a live redemption
  kInvalidTransition,     // 409: lifecycle transition not allowed from the current status
  kReservationExpired,    // 409: commit after the reservation's TTL
  kOrderAlreadyRedeemed,  // 409: (merchant_id, order_id) already has a live redemption
  kRequestInProgress,     // 409: same idempotency key, first request not finished
  kIdempotencyKeyReused,  // 422: same idempotency key, different body
  kQuoteChanged,          // 409: expected_discount_total differs from the recomputed one
  kNothingToRedeem,       // 409: the best combination applies no offer
  // 409: an applied offer is no longer redeemable as the quote saw it (the store re-checks
  // each applied offer's current state when it counts the redemption).
  kOfferPaused,      // "paused"
  kOfferNotStarted,  // "not_started": its window now starts later
  kOfferEnded,       // "ended": its window is over, or it was archived
  kOutsideWindow,    // "outside_window": outside its daily window
  // 409: counting the redemption would take the store's lifetime sum of order amounts past
  // kMaxLifetimeAmount (store.h), the bound that keeps every stats sum within int64.
  kAmountCeiling,
  kCodeConflict,   // 409: public code already belongs to another live offer
  kAlreadyExists,  // 409: id already taken
  kUnavailable,    // 503: the store cannot count the write; fail closed
  kInternal,       // 500
};

// Stable snake_case name of a code, e.g. "quota_exhausted". Part of the API contract.
std::string_view CodeName(StatusCode code);

// One validation problem: the JSON path of the field and a human-readable message.
struct FieldError {
  std::string path;     // e.g. "limits.per_shopper", "items[2].unit_price"
  std::string message;  // e.g. "must be at least 1"

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status Invalid(std::vector<FieldError> errors);
  // A limit or state conflict attributed to one offer (the API reports its offer_id).
  static Status ForOffer(StatusCode code, std::string offer_id, std::string message);
  // A refusal of several items at once (a batch), each named by its field path.
  static Status WithFieldErrors(StatusCode code, std::string message,
                                std::vector<FieldError> errors);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& field_errors() const { return field_errors_; }
  const std::optional<std::string>& offer_id() const { return offer_id_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::vector<FieldError> field_errors_;
  std::optional<std::string> offer_id_;
};

// Either a T or a non-OK Status. REQUIRES: ok() before value().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;  // OK when value_ is set
};

}  // namespace uudai

#endif  // UUDAI_STATUS_H_
