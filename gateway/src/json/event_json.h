// Events (store_event.h) as the API shows them (GET /v1/events, and webhook bodies).
#ifndef UUDAI_GATEWAY_JSON_EVENT_JSON_H_
#define UUDAI_GATEWAY_JSON_EVENT_JSON_H_

#include <boost/json/object.hpp>
#include <string>

#include "uudai/campaign_time.h"
#include "uudai/store_event.h"

namespace uudai::gateway {

// {"seq","type","at","merchant_id","data":{...}}; data by type: offer.created | updated:
// {"offer", "changed" (updated only), "by": {"key_id","role"} | null}; redemption.*:
// {"redemption"} as it was right after the event; offer.budget_threshold: {"offer_id",
// "basis","percent","used","limit"}.
boost::json::object EventToJson(const StoreEvent& event, const CampaignZone& zone);

// {"items":[...],"next_after","last_seq","oldest_seq"}.
std::string EventPageJsonText(const EventPage& page, const CampaignZone& zone);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_EVENT_JSON_H_
