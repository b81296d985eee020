#include "uudai/webhook.h"

#include <algorithm>

namespace uudai {

bool WebhookWants(const Webhook& webhook, const StoreEvent& event) {
  if (webhook.merchant_id && *webhook.merchant_id != event.merchant_id) return false;
  return std::find(webhook.events.begin(), webhook.events.end(), event.type) !=
         webhook.events.end();
}

std::string_view DeliveryResultName(DeliveryResult result) {
  switch (result) {
    case DeliveryResult::kDelivered:
      return "delivered";
    case DeliveryResult::kRetrying:
      return "retrying";
    case DeliveryResult::kGivenUp:
      return "given_up";
  }
  return "delivered";
}

}  // namespace uudai
