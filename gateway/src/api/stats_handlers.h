// /v1/stats: one offer's figures, and the campaign's totals and groups.
#ifndef UUDAI_GATEWAY_API_STATS_HANDLERS_H_
#define UUDAI_GATEWAY_API_STATS_HANDLERS_H_

#include "api/handler.h"
#include "uudai/campaign_time.h"
#include "uudai/store.h"

namespace uudai::gateway {

class StatsHandlers {
 public:
  StatsHandlers(Store& store, CampaignZone zone);

  // GET /v1/stats/offers/{id}
  void Offer(const HttpRequest& request, const Caller& caller, Respond& respond);
  // GET /v1/stats/campaign
  void Campaign(const HttpRequest& request, const Caller& caller, Respond& respond);

 private:
  Store& store_;
  CampaignZone zone_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_STATS_HANDLERS_H_
