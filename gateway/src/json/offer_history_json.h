// GET /v1/offers/{id}/history: an offer's versions as JSON.
#ifndef UUDAI_GATEWAY_JSON_OFFER_HISTORY_JSON_H_
#define UUDAI_GATEWAY_JSON_OFFER_HISTORY_JSON_H_

#include <string>

#include "uudai/campaign_time.h"
#include "uudai/offer.h"
#include "uudai/store.h"

namespace uudai::gateway {

// {"offer_id", "latest_version", "items": [{"version", "at", "by", "change", "changed",
// "offer"}], "next_after_version"}. `before` is the version just before the page's first (what
// that one's `changed` is worked out against), nullptr when the page starts at version 1 or
// the store no longer holds it.
std::string OfferHistoryJsonText(const std::string& offer_id, const OfferHistoryPage& page,
                                 const Offer* before, const CampaignZone& zone);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_OFFER_HISTORY_JSON_H_
