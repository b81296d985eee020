// JSON mapping of analytics: offer stats (docs/design.md §4).
#ifndef UUDAI_GATEWAY_JSON_STATS_JSON_H_
#define UUDAI_GATEWAY_JSON_STATS_JSON_H_

#include <boost/json/object.hpp>

#include "uudai/campaign_stats.h"
#include "uudai/offer_stats.h"

namespace uudai::gateway {

// {"reserved":..,"committed":..,"released":..,"expired":..,"refunded":..}
boost::json::object StatusCountsToJson(const StatsBucket& bucket);
boost::json::object OfferStatsToJson(const OfferStats& stats);
// {"from","to","merchant_id","group_by","totals":{...},"groups":[{"key",...}]}
boost::json::object CampaignStatsToJson(const CampaignStats& stats, const CampaignQuery& query,
                                        const CampaignZone& zone, std::string_view group_by);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_STATS_JSON_H_
