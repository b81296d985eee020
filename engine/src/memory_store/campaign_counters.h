// CampaignCounters: one merchant's campaign-wide counters inside MemoryStore, bucketed by the
// local hour of creation. Thread-compatible: the owner holds `mutex` around every call.
#ifndef UUDAI_ENGINE_MEMORY_STORE_CAMPAIGN_COUNTERS_H_
#define UUDAI_ENGINE_MEMORY_STORE_CAMPAIGN_COUNTERS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "memory_store/shopper_tables.h"
#include "uudai/campaign_stats.h"
#include "uudai/redemption.h"

namespace uudai::internal {

class CampaignCounters {
 public:
  std::mutex mutex;

  // REQUIRES: mutex held. `shopper` is r.shopper_id's number; `hour` and `day` are the local
  // hour and day of r.created_at.
  void OnCreated(const Redemption& r, ShopperId shopper, LocalHour hour, LocalDay day);
  void OnTransition(const Redemption& r, ShopperId shopper, RedemptionStatus from,
                    RedemptionStatus to, LocalHour hour, LocalDay day);

  // The shopper's live (reserved or committed) redemptions at this merchant: what a
  // merchant-layer first_order offer asks. REQUIRES: mutex held.
  std::int64_t LiveOrdersOf(ShopperId shopper) const { return live_orders_.Get(shopper); }

  // Adds this merchant's buckets in [from_hour, to_hour) to `sums`, keyed for `group_by`,
  // and its committed shoppers: over a range, into `shoppers` (and `group_shoppers` for day
  // and merchant groups) by copying the hours' sets; over the whole campaign (no range, or
  // one that holds every committed shopper's hour: `whole_campaign`), as the counts kept while
  // they happen (`merchant_shoppers`, `group_shopper_counts` for
  // merchant groups, and `day_shopper_counts` for day groups when `one_merchant` is set:
  // across merchants the store's own day counts answer, where a shopper counts once), without
  // copying any shopper, so that the usual questions cost the same at any ledger size.
  // REQUIRES: mutex held.
  struct Sums {
    bool one_merchant = false;  // set by the caller: the query names one merchant
    StatsBucket totals;
    std::map<std::string, StatsBucket> groups;
    ShopperSet shoppers;
    std::map<std::string, ShopperSet> group_shoppers;
    std::int64_t merchant_shoppers = 0;  // whole campaign: this merchant's (one merchant asked)
    std::map<std::string, std::int64_t> group_shopper_counts;
    std::map<std::string, std::int64_t> day_shopper_counts;  // whole campaign, by local day
  };
  void AddTo(const std::string& merchant_id, LocalHour from_hour, LocalHour to_hour,
             bool whole_campaign, CampaignGrouping group_by, const CampaignZone& zone,
             Sums& sums) const;

 private:
  void Count(const Redemption& r, RedemptionStatus status, int delta, LocalHour hour);
  void NoteCommitted(ShopperId shopper, LocalHour hour, LocalDay day);

  // Redemption level: (hour, payment method) → bucket (discount = the redemption's total).
  std::map<std::pair<std::int64_t, std::uint8_t>, StatsBucket> by_hour_method_;
  // Offer level: (hour, offer id) → bucket (discount = that offer's share).
  std::map<std::pair<std::int64_t, std::string>, StatsBucket> by_hour_offer_;
  std::unordered_map<std::string, std::string> funder_of_offer_;  // offer id → funded_by key
  ShopperCounts live_orders_;                                     // live redemptions by shopper
  // Shoppers with a committed redemption created in that hour (kept after a refund).
  std::map<std::int64_t, ShopperSet> committed_shoppers_;
  ShopperSet all_committed_shoppers_;  // of every hour
  // The same by local day (day index → shoppers), for whole-campaign day groups.
  std::map<std::int32_t, ShopperSet> committed_shoppers_by_day_;
};

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_MEMORY_STORE_CAMPAIGN_COUNTERS_H_
