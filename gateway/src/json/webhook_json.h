// /v1/webhooks: webhooks and their delivery attempts as JSON, and a registration's body.
#ifndef UUDAI_GATEWAY_JSON_WEBHOOK_JSON_H_
#define UUDAI_GATEWAY_JSON_WEBHOOK_JSON_H_

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "json/field_reader.h"
#include "uudai/campaign_time.h"
#include "uudai/webhook.h"

namespace uudai::gateway {

// A POST /v1/webhooks body: {"url", "events", "secret"?, "merchant_id"?}. The url's target is
// checked by the caller (OutboundPolicy). nullopt with `problems` filled when it is not one.
struct WebhookRegistration {
  std::string url;
  std::vector<EventType> events;
  std::optional<std::string> secret;       // generated when absent
  std::optional<std::string> merchant_id;  // nullopt: every shop's events
};
std::optional<WebhookRegistration> WebhookRegistrationFromJson(const boost::json::object& body,
                                                               BodyProblems& problems);

// Every field but the secret, which no answer shows after the one to its registration.
boost::json::object WebhookToJson(const Webhook& webhook, const CampaignZone& zone);
boost::json::object DeliveryAttemptToJson(const DeliveryAttempt& attempt, const CampaignZone& zone);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_WEBHOOK_JSON_H_
