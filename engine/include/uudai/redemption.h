// A redemption: one order's use of a combination of offers, and its lifecycle.
//
//   reserved ──commit──► committed ──refund──► refunded
//      │ └────cancel──► released
//      └──────expire──► expired
// Creating with commit=true starts at committed. Every other transition is refused.
#ifndef UUDAI_REDEMPTION_H_
#define UUDAI_REDEMPTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uudai/campaign_time.h"
#include "uudai/money.h"
#include "uudai/offer.h"
#include "uudai/payment_method.h"
#include "uudai/quote.h"
#include "uudai/status.h"

namespace uudai {

enum class RedemptionStatus : std::uint8_t {
  kReserved,
  kCommitted,
  kReleased,
  kExpired,
  kRefunded
};
inline constexpr std::size_t kRedemptionStatusCount = 5;

enum class RedemptionAction : std::uint8_t { kCommit, kCancel, kRefund, kExpire };

std::string_view RedemptionStatusName(RedemptionStatus status);
std::optional<RedemptionStatus> ParseRedemptionStatus(std::string_view text);
std::string_view RedemptionActionName(RedemptionAction action);

// The status `action` leads to from `from`, or kInvalidTransition.
Result<RedemptionStatus> NextStatus(RedemptionStatus from, RedemptionAction action);

// Reserved and committed redemptions hold quota; so does a refunded one whose offer does not
// restore on refund (tracked per applied offer).
constexpr bool IsLive(RedemptionStatus status) {
  return status == RedemptionStatus::kReserved || status == RedemptionStatus::kCommitted;
}

// One applied offer as recorded at creation: everything later transitions need (refund
// policy, funder for analytics) is copied so they never depend on later offer edits, and the
// offer's version as the quote saw it, which the store re-checks when it counts the
// redemption (an offer edited since is refused: see Store::CreateRedemption).
struct RedeemedOffer {
  std::string offer_id;
  // The offer's version the plan was made from; 0 = not known (a record written before
  // versions were recorded), which the store does not check.
  std::int64_t offer_version = 0;
  std::string offer_merchant_id;
  Layer layer = Layer::kMerchant;
  CodeMode code_mode = CodeMode::kAuto;
  std::optional<std::string> code;  // canonical
  // As AppliedOffer: exactly one is > 0.
  Money discount = 0;
  Money cashback = 0;
  bool restore_on_refund = true;
  FundedBy funded_by = FundedBy::kMerchant;
  std::optional<std::string> funder;

  Money reward() const { return discount + cashback; }  // what the offer's budget counts
  friend bool operator==(const RedeemedOffer&, const RedeemedOffer&) = default;
};

struct Redemption {
  std::string id;
  RedemptionStatus status = RedemptionStatus::kReserved;
  std::string shopper_id;
  std::string merchant_id;
  std::string order_id;
  PaymentMethod payment_method = PaymentMethod::kMomo;
  Money subtotal = 0;
  Money shipping_fee = 0;
  Money discount_total = 0;
  std::vector<RedeemedOffer> applied;
  std::vector<CodeRejection> rejected;
  Timestamp created_at;
  Timestamp expires_at;  // end of the reservation
  std::optional<Timestamp> committed_at;
  std::optional<Timestamp> released_at;
  std::optional<Timestamp> expired_at;
  std::optional<Timestamp> refunded_at;

  Money total() const { return subtotal + shipping_fee - discount_total; }
  // What the payment partners credit the shopper once the payment succeeds.
  Money cashback_total() const {
    Money sum = 0;
    for (const RedeemedOffer& a : applied) sum += a.cashback;
    return sum;
  }
  friend bool operator==(const Redemption&, const Redemption&) = default;
};

// Moves `r` to `to` at `at`: its status, and the time of reaching it (committed_at, ...).
// REQUIRES: `to` is where a transition of r.status leads (NextStatus).
void MoveTo(Redemption& r, RedemptionStatus to, Timestamp at);

// How long a reservation holds what it took unless the caller says otherwise
// (`uudai serve --reservation-ttl`).
inline constexpr std::int64_t kDefaultReservationTtlMillis = 15 * kMillisPerMinute;

// How long a redemption's Idempotency-Key replays its first response unless the operator says
// otherwise (`uudai serve --idempotency-retention`; docs/design.md §3: at least 24 h).
inline constexpr std::int64_t kDefaultIdempotencyRetentionMillis = 24 * kMillisPerHour;

// What the caller knows when it asks for a redemption: the order, the instant, and whether to
// commit at once. The quote supplies the rest.
struct RedemptionIntent {
  std::string id;  // caller-generated, unique
  std::string order_id;
  Timestamp now;
  std::int64_t reservation_ttl_millis = kDefaultReservationTtlMillis;
  bool commit = false;
};

// Builds the redemption a quote describes. REQUIRES: quote.applied is not empty.
Redemption PlanRedemption(const Cart& cart, const Quote& quote, const RedemptionIntent& intent);

}  // namespace uudai

#endif  // UUDAI_REDEMPTION_H_
