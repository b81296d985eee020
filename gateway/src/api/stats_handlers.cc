#include "api/stats_handlers.h"

#include <boost/json/serialize.hpp>

#include "api/offer_access.h"
#include "api/responses.h"
#include "json/stats_json.h"
#include "json/time_range_query.h"
#include "uudai/text_rules.h"

namespace uudai::gateway {

StatsHandlers::StatsHandlers(Store& store, CampaignZone zone) : store_(store), zone_(zone) {}

void StatsHandlers::Offer(const HttpRequest&, const Caller& caller, Respond& respond) {
  WithVisibleOffer(
      store_, caller.params[0], caller, respond,
      [this, respond](std::shared_ptr<const uudai::Offer> offer) {
        store_.GetOfferStats(offer->id, [respond](Result<OfferStats> result) {
          if (!result.ok()) return respond(StatusResponse(result.status()));
          respond(JsonResponse(200, boost::json::serialize(OfferStatsToJson(result.value()))));
        });
      });
}

void StatsHandlers::Campaign(const HttpRequest& request, const Caller&, Respond& respond) {
  CampaignQuery query;
  std::vector<FieldError> errors;
  const TimeRange range = ReadTimeRange(request, zone_, errors);
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
  store_.GetCampaignStats(query, [zone = zone_, query, group_by,
                                  respond](Result<CampaignStats> result) {
    if (!result.ok()) return respond(StatusResponse(result.status()));
    respond(JsonResponse(
        200, boost::json::serialize(CampaignStatsToJson(result.value(), query, zone, group_by))));
  });
}

}  // namespace uudai::gateway
