// Api handler for campaign-wide stats.
#include <boost/json/serialize.hpp>

#include "api.h"
#include "stats_json.h"
#include "uudai/text_rules.h"

namespace uudai::gateway {
namespace {

// An RFC 3339 instant, or a local date ("2026-10-10" = its local midnight).
std::optional<Timestamp> ParseInstantOrDate(std::string_view text, const CampaignZone& zone) {
  if (auto t = ParseRfc3339(text)) return t;
  if (auto day = ParseLocalDay(text)) return zone.StartOf(*day);
  return std::nullopt;
}

}  // namespace

void Api::CampaignStats(const HttpRequest& request, const Caller&, Respond& respond) {
  CampaignQuery query;
  std::vector<FieldError> errors;
  for (auto [name, slot] : {std::pair{"from", &query.from}, std::pair{"to", &query.to}}) {
    if (auto text = request.Query(name)) {
      *slot = ParseInstantOrDate(*text, options_.zone);
      if (!*slot) {
        errors.push_back({name, "must be an RFC 3339 timestamp or a local date YYYY-MM-DD"});
      }
    }
  }
  if (query.from && query.to && *query.to <= *query.from) {
    errors.push_back({"to", "must be after from"});
  }
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
