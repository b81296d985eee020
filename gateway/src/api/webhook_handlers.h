// /v1/webhooks: register, list and delete webhooks, read their delivery logs and ask for a
// redeliver. Admin keys manage every webhook (and may register one for every shop's events);
// a merchant key its own shop's.
#ifndef UUDAI_GATEWAY_API_WEBHOOK_HANDLERS_H_
#define UUDAI_GATEWAY_API_WEBHOOK_HANDLERS_H_

#include <string>

#include "api/handler.h"
#include "uudai/campaign_time.h"
#include "uudai/clock.h"
#include "uudai/store.h"
#include "uudai/unique_code.h"
#include "webhook/outbound_policy.h"

namespace uudai::gateway {

class WebhookHandlers {
 public:
  // `policy` judges a new webhook's URL (the deliverer judges its addresses again each time).
  WebhookHandlers(Store& store, const Clock& clock, RandomSource& random, CampaignZone zone,
                  OutboundPolicy policy);

  void Create(const HttpRequest& request, const Caller& caller, Respond& respond);      // POST
  void List(const HttpRequest& request, const Caller& caller, Respond& respond);        // GET
  void Delete(const HttpRequest& request, const Caller& caller, Respond& respond);      // {id}
  void Deliveries(const HttpRequest& request, const Caller& caller, Respond& respond);  // log
  // POST {id}/redeliver {"after_seq": N}: the events after N are delivered again.
  void Redeliver(const HttpRequest& request, const Caller& caller, Respond& respond);

 private:
  // Calls `then` with webhook `id` when `caller` may manage it; else answers 404/403.
  void WithWebhook(const std::string& id, const Caller& caller, const Respond& respond,
                   std::function<void(Webhook)> then);

  Store& store_;
  const Clock& clock_;
  RandomSource& random_;
  CampaignZone zone_;
  OutboundPolicy policy_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_WEBHOOK_HANDLERS_H_
