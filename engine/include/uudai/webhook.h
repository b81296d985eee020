// Webhook: an endpoint that hears of a store's events (store_event.h), and the record of its
// deliveries.
//
// A webhook receives the events of the types it names, of one shop (merchant_id) or of every
// shop (an admin's webhook: no merchant_id). Each event is delivered at least once, one at a
// time in seq order (so in order per offer too): the store keeps, per webhook, the seq
// through which every wanted event was delivered or given up (`delivered_through`), moved only
// by a recorded attempt (Store::RecordWebhookAttempt) or a redeliver. The gateway process that
// delivers holds the webhook's lease (Store::LeaseWebhook), so one process delivers each
// webhook at a time; a process that dies leaves the lease to expire and another resumes from
// delivered_through (the event that was in flight is delivered again: at least once).
#ifndef UUDAI_WEBHOOK_H_
#define UUDAI_WEBHOOK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uudai/campaign_time.h"
#include "uudai/offer.h"
#include "uudai/store_event.h"

namespace uudai {

struct Webhook {
  std::string id;                          // server-generated: "wh_..."
  std::optional<std::string> merchant_id;  // that shop's events; nullopt: every shop's
  std::string url;                         // http or https (the gateway checks its target)
  std::vector<EventType> events;           // the types it receives: at least one, no repeats
  std::string secret;                      // signs deliveries; never shown after creation
  Timestamp created_at;
  std::optional<OfferAuthor> created_by;  // the key that registered it
  // Every wanted event with seq <= delivered_through was delivered or given up.
  std::uint64_t delivered_through = 0;
  std::uint64_t rewinds = 0;  // how many redelivers moved delivered_through back

  friend bool operator==(const Webhook&, const Webhook&) = default;
};

// Whether `webhook` receives `event` (its type and shop).
bool WebhookWants(const Webhook& webhook, const StoreEvent& event);

// How an attempt ended.
enum class DeliveryResult : std::uint8_t {
  kDelivered,  // a 2xx answer
  kRetrying,   // failed; another attempt follows after a backoff
  kGivenUp,    // failed, and the event was first tried more than the retry period ago
};
std::string_view DeliveryResultName(DeliveryResult result);

// One attempt to deliver one event to one webhook.
struct DeliveryAttempt {
  std::uint64_t event_seq = 0;
  EventType event_type = EventType::kOfferCreated;
  int attempt = 1;  // 1 for an event's first attempt
  Timestamp at;     // when it was sent
  DeliveryResult result = DeliveryResult::kDelivered;
  int status = 0;                   // the HTTP status; 0 when none came
  std::string error;                // the client's reason when no answer came ("timeout", ...)
  std::int64_t latency_millis = 0;  // from sending to the outcome

  friend bool operator==(const DeliveryAttempt&, const DeliveryAttempt&) = default;
};

// How many of a webhook's latest attempts a store keeps (Store::ReadWebhookDeliveries).
inline constexpr std::size_t kDeliveryLogLength = 1000;

}  // namespace uudai

#endif  // UUDAI_WEBHOOK_H_
