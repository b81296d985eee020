// OfferCounters: one offer's limit counters and analytics counters inside MemoryStore.
//
// Thread-compatible: the owner holds `mutex` around every call. Limit counters count live
// redemptions (reserved + committed, plus refunded ones that did not restore); stats count
// redemptions by current status, bucketed by local day of creation and payment method.
#ifndef UUDAI_ENGINE_MEMORY_STORE_OFFER_COUNTERS_H_
#define UUDAI_ENGINE_MEMORY_STORE_OFFER_COUNTERS_H_

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "memory_store/shopper_tables.h"
#include "uudai/offer_stats.h"
#include "uudai/redemption.h"
#include "uudai/status.h"
#include "uudai/store_event.h"
#include "uudai/usage_view.h"

namespace uudai::internal {

class OfferCounters {
 public:
  std::mutex mutex;

  // The offer as last written (nullptr before its first write): what a redemption is
  // re-checked against, under `mutex`, so that an edit and a redemption of the offer are
  // ordered. GUARDED_BY mutex.
  std::shared_ptr<const Offer> offer;

  // OK, or the first of `limits` (the offer's current ones) that one more redemption of
  // `applied` by `shopper` on `day` would break (Status::offer_id set); nullopt: a shopper
  // never counted. REQUIRES: mutex held.
  Status CheckRoomFor(const RedeemedOffer& applied, const OfferLimits& limits,
                      std::optional<ShopperId> shopper, LocalDay day) const;

  // REQUIRES: mutex held. `shopper` is r.shopper_id's number, `day` the local day of
  // r.created_at.
  void OnCreated(const Redemption& r, const RedeemedOffer& applied, ShopperId shopper,
                 LocalDay day);
  void OnTransition(const Redemption& r, const RedeemedOffer& applied, ShopperId shopper,
                    RedemptionStatus from, RedemptionStatus to, LocalDay day);

  // `applied` (one of this offer's) without its code and amounts, shared with every earlier
  // redemption recorded with the same terms (StoredRedemption). REQUIRES: mutex held.
  std::shared_ptr<const RedeemedOffer> InternTerms(const RedeemedOffer& applied);

  // The budget thresholds of `limits` (the offer's current ones) this offer's live redemptions
  // and budget spent reach and that it has not announced yet; marks them announced.
  // REQUIRES: mutex held.
  std::vector<BudgetThreshold> TakeNewThresholds(const OfferLimits& limits) {
    return NewThresholdsReached(limits, live_, budget_spent_, thresholds_announced);
  }
  // The thresholds announced (ThresholdBit mask). GUARDED_BY mutex.
  std::uint8_t thresholds_announced = 0;

  // REQUIRES: mutex held.
  OfferUsage Usage(std::optional<ShopperId> shopper, LocalDay day) const;
  OfferStats Stats(const std::string& offer_id, const OfferLimits& limits) const;

 private:
  // Adds `delta` (+1/-1) redemptions of status `status` to every bucket of `r`.
  void CountStatus(const Redemption& r, const RedeemedOffer& applied, ShopperId shopper,
                   RedemptionStatus status, int delta, LocalDay day);
  void HoldQuota(const RedeemedOffer& applied, ShopperId shopper, LocalDay day, int delta);

  std::int64_t live_ = 0;
  Money budget_spent_ = 0;
  ShopperCounts per_shopper_;  // live redemptions by shopper
  std::unordered_map<std::int32_t, std::int64_t> per_day_;

  StatsBucket totals_;
  std::map<std::int32_t, StatsBucket> by_day_;
  std::array<StatsBucket, kPaymentMethodCount> by_method_{};
  ShopperSet committed_shoppers_;
  // One per distinct terms this offer was redeemed with (a new one after an edit that changed
  // them); the newest last.
  std::vector<std::shared_ptr<const RedeemedOffer>> terms_;
};

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_MEMORY_STORE_OFFER_COUNTERS_H_
