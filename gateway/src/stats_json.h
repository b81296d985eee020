// JSON mapping of analytics: offer stats (DESIGN §4).
#ifndef UUDAI_GATEWAY_STATS_JSON_H_
#define UUDAI_GATEWAY_STATS_JSON_H_

#include <boost/json/object.hpp>

#include "uudai/offer_stats.h"

namespace uudai::gateway {

// {"reserved":..,"committed":..,"released":..,"expired":..,"refunded":..}
boost::json::object StatusCountsToJson(const StatsBucket& bucket);
boost::json::object OfferStatsToJson(const OfferStats& stats);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STATS_JSON_H_
