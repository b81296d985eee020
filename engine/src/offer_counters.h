// OfferCounters: one offer's limit counters and analytics counters inside MemoryStore.
//
// Thread-compatible: the owner holds `mutex` around every call. Limit counters count live
// redemptions (reserved + committed, plus refunded ones that did not restore); stats count
// redemptions by current status, bucketed by local day of creation and payment method.
#ifndef UUDAI_ENGINE_OFFER_COUNTERS_H_
#define UUDAI_ENGINE_OFFER_COUNTERS_H_

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "uudai/offer_stats.h"
#include "uudai/redemption.h"
#include "uudai/status.h"
#include "uudai/usage_view.h"

namespace uudai::internal {

class OfferCounters {
 public:
  std::mutex mutex;

  // OK, or the first limit that one more redemption of `applied` by `shopper_id` on `day`
  // would break (Status::offer_id set). REQUIRES: mutex held.
  Status CheckRoomFor(const RedeemedOffer& applied, std::string_view shopper_id,
                      LocalDay day) const;

  // REQUIRES: mutex held. `day` is the local day of r.created_at.
  void OnCreated(const Redemption& r, const RedeemedOffer& applied, LocalDay day);
  void OnTransition(const Redemption& r, const RedeemedOffer& applied, RedemptionStatus from,
                    RedemptionStatus to, LocalDay day);

  // `applied` (one of this offer's) without its code and discount, shared with every earlier
  // redemption recorded with the same terms (StoredRedemption). REQUIRES: mutex held.
  std::shared_ptr<const RedeemedOffer> InternTerms(const RedeemedOffer& applied);

  // REQUIRES: mutex held.
  OfferUsage Usage(std::string_view shopper_id, LocalDay day) const;
  OfferStats Stats(const std::string& offer_id, const OfferLimits& limits) const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  // Adds `delta` (+1/-1) redemptions of status `status` to every bucket of `r`.
  void CountStatus(const Redemption& r, const RedeemedOffer& applied, RedemptionStatus status,
                   int delta, LocalDay day);
  void HoldQuota(const Redemption& r, const RedeemedOffer& applied, LocalDay day, int delta);

  std::int64_t live_ = 0;
  Money budget_spent_ = 0;
  std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> per_shopper_;
  std::unordered_map<std::int32_t, std::int64_t> per_day_;

  StatsBucket totals_;
  std::map<std::int32_t, StatsBucket> by_day_;
  std::array<StatsBucket, kPaymentMethodCount> by_method_{};
  std::unordered_set<std::string> committed_shoppers_;
  // One per distinct terms this offer was redeemed with (a new one after an edit that changed
  // them); the newest last.
  std::vector<std::shared_ptr<const RedeemedOffer>> terms_;
};

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_OFFER_COUNTERS_H_
