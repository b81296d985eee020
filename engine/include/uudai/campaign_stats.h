// Campaign statistics: sums over every offer (optionally one merchant's) in a time range,
// grouped by local day, local hour, payment method, merchant, offer or funder (docs/design.md §4).
//
// Bucketed by the local hour a redemption was created in, so ranges have hour resolution:
// [from, to) takes every hour bucket whose start lies in it. GMV is counted once per
// redemption in totals and in day/hour/payment_method/merchant groups, and once per offer in
// offer/funded_by groups (where a redemption applying two offers appears in both).
#ifndef UUDAI_CAMPAIGN_STATS_H_
#define UUDAI_CAMPAIGN_STATS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uudai/campaign_time.h"
#include "uudai/offer_stats.h"

namespace uudai {

enum class CampaignGrouping : std::uint8_t {
  kNone,
  kDay,
  kHour,
  kPaymentMethod,
  kMerchant,
  kOffer,
  kFundedBy,
};

std::optional<CampaignGrouping> ParseCampaignGrouping(std::string_view text);

struct CampaignQuery {
  std::optional<Timestamp> from;  // inclusive; nullopt = since the beginning
  std::optional<Timestamp> to;    // exclusive; nullopt = until now and beyond
  std::optional<std::string> merchant_id;
  CampaignGrouping group_by = CampaignGrouping::kNone;
};

struct CampaignGroup {
  std::string key;  // "2026-10-10", "2026-10-10T12:00:00+07:00", "momo", "shop-1", "o-1",
                    // "merchant", "platform", "payment_partner:momo"
  StatsBucket bucket;
  // Distinct committed shoppers, for day and merchant groups; nullopt for the others.
  std::optional<std::int64_t> unique_shoppers;
};

struct CampaignStats {
  StatsBucket totals;
  std::int64_t unique_shoppers = 0;   // distinct shoppers with a committed redemption
  std::vector<CampaignGroup> groups;  // sorted by key
};

}  // namespace uudai

#endif  // UUDAI_CAMPAIGN_STATS_H_
