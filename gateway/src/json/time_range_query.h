// The `from` / `to` query parameters of stats and exports: each an RFC 3339 instant or a local
// date ("2026-10-10" = its local midnight in the campaign zone), `to` after `from`.
#ifndef UUDAI_GATEWAY_JSON_TIME_RANGE_QUERY_H_
#define UUDAI_GATEWAY_JSON_TIME_RANGE_QUERY_H_

#include <optional>
#include <vector>

#include "http/http_message.h"
#include "json/problem.h"
#include "uudai/campaign_time.h"

namespace uudai::gateway {

struct TimeRange {
  std::optional<Timestamp> from;  // inclusive
  std::optional<Timestamp> to;    // exclusive
};

// Reads `from` and `to` from the query; each bad value adds a FieldError named after it.
TimeRange ReadTimeRange(const HttpRequest& request, const CampaignZone& zone,
                        std::vector<FieldError>& errors);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_TIME_RANGE_QUERY_H_
