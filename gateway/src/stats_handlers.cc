// Api handler for campaign-wide stats.
#include <boost/json/serialize.hpp>

#include "api.h"
#include "stats_json.h"
#include "time_range_query.h"
#include "uudai/text_rules.h"

namespace uudai::gateway {

void Api::CampaignStats(const HttpRequest& request, const Caller&, Respond& respond) {
  CampaignQuery query;
  std::vector<FieldError> errors;
  const TimeRange range = ReadTimeRange(request, options_.zone, errors);
  query.from = range.from;
  query.to = range.to;
  if (auto merchant = request.Query("merchant_id")) {
    if (!IsValidIdentifier(*merchant)) {
      errors.push_back({"merchant_id", "must be a valid identifier"});
    } else {
      query.merchant_id = std::string(*merchant);
    }
  }
  std::string group_by(request.Query("group_by").value_or(""));
  if (!group_by.empty()) {
    if (auto grouping = ParseCampaignGrouping(group_by)) {
      query.group_by = *grouping;
    } else {
      errors.push_back(
          {"group_by", "must be one of day, hour, payment_method, merchant, offer, funded_by"});
    }
  }
  if (!errors.empty()) return respond(ProblemResponse(InvalidFields(std::move(errors))));
  store_.GetCampaignStats(
      query, [this, query, group_by, respond](Result<uudai::CampaignStats> result) {
        if (!result.ok()) return respond(ProblemResponse(ProblemFromStatus(result.status())));
        respond(JsonResponse(200, boost::json::serialize(CampaignStatsToJson(
                                      result.value(), query, options_.zone, group_by))));
      });
}

}  // namespace uudai::gateway
