#include "json/event_json.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "json/checkout_json.h"
#include "json/offer_json.h"

namespace uudai::gateway {

namespace json = boost::json;

json::object EventToJson(const StoreEvent& event, const CampaignZone& zone) {
  json::object data;
  if (event.type == EventType::kOfferCreated || event.type == EventType::kOfferUpdated) {
    if (event.offer) data["offer"] = OfferToJson(*event.offer, zone);
    if (event.type == EventType::kOfferUpdated) {
      json::array changed;
      for (const std::string& path : event.changed) changed.emplace_back(path);
      data["changed"] = std::move(changed);
    }
    data["by"] = event.offer ? OfferAuthorToJson(event.offer->updated_by) : json::value(nullptr);
  } else if (event.type == EventType::kOfferBudgetThreshold && event.threshold) {
    data["offer_id"] = event.offer_id;
    data["basis"] = ThresholdBasisName(event.threshold->basis);
    data["percent"] = event.threshold->percent;
    data["used"] = event.threshold->used;
    data["limit"] = event.threshold->limit;
  } else if (IsRedemptionEvent(event.type)) {
    data["redemption_id"] = event.redemption_id;
    json::value redemption = nullptr;
    if (event.redemption) redemption = RedemptionToJson(*event.redemption, zone);
    data["redemption"] = std::move(redemption);
  }
  return json::object{{"seq", event.seq},
                      {"type", EventTypeName(event.type)},
                      {"at", FormatRfc3339(event.at, zone)},
                      {"merchant_id", event.merchant_id},
                      {"data", std::move(data)}};
}

std::string EventPageJsonText(const EventPage& page, const CampaignZone& zone) {
  json::array items;
  items.reserve(page.events.size());
  for (const StoreEvent& event : page.events) items.emplace_back(EventToJson(event, zone));
  return json::serialize(json::object{{"items", std::move(items)},
                                      {"next_after", page.next_after},
                                      {"last_seq", page.last_seq},
                                      {"oldest_seq", page.oldest_seq}});
}

}  // namespace uudai::gateway
