// Statistics analysts read, kept as counters by the store (never computed by scanning).
#ifndef UUDAI_OFFER_STATS_H_
#define UUDAI_OFFER_STATS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "uudai/campaign_time.h"
#include "uudai/money.h"
#include "uudai/payment_method.h"
#include "uudai/redemption.h"

namespace uudai {

// Redemption counts by current status, and the money of the committed ones: discounts,
// cashback and GMV, the items subtotal (a refund takes each back out).
struct StatsBucket {
  std::array<std::int64_t, kRedemptionStatusCount> by_status{};  // indexed by RedemptionStatus
  Money discount_committed = 0;
  Money cashback_committed = 0;
  Money gmv_committed = 0;

  std::int64_t count(RedemptionStatus s) const { return by_status[static_cast<std::size_t>(s)]; }
  friend bool operator==(const StatsBucket&, const StatsBucket&) = default;
};

struct OfferStats {
  std::string offer_id;
  StatsBucket totals;
  // Distinct shoppers with at least one committed redemption (a later refund keeps them).
  std::int64_t unique_shoppers = 0;
  std::optional<std::int64_t> remaining_redemptions;     // nullopt when unlimited
  std::optional<Money> remaining_budget;                 // nullopt when unlimited
  std::vector<std::pair<LocalDay, StatsBucket>> by_day;  // by local day of creation, ascending
  std::vector<std::pair<PaymentMethod, StatsBucket>> by_payment_method;  // methods with any use
};

}  // namespace uudai

#endif  // UUDAI_OFFER_STATS_H_
