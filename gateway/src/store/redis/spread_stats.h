// The stats of a spread store, summed from its shards' views: each shard counts the
// redemptions whose home it is, and shoppers have one home each, so counts, amounts and
// distinct shoppers all add up.
#ifndef UUDAI_GATEWAY_STORE_REDIS_SPREAD_STATS_H_
#define UUDAI_GATEWAY_STORE_REDIS_SPREAD_STATS_H_

#include <vector>

#include "uudai/campaign_stats.h"
#include "uudai/offer_stats.h"

namespace uudai::gateway {

// The parts' sums; the remaining figures are left as the first part has them (the caller
// knows the offer's limits and its use over every shard).
OfferStats SumOfferStats(const std::vector<OfferStats>& parts);
CampaignStats SumCampaignStats(const std::vector<CampaignStats>& parts);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_SPREAD_STATS_H_
