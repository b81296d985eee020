// WebhookDispatcher: delivers the store's events to the registered webhooks (webhook.h).
//
// One thread of its own runs everything: every poll_interval it lists the webhooks, and for
// each one it may deliver (it holds the webhook's lease: Store::LeaseWebhook, so with a shared
// store one gateway delivers each webhook at a time) it reads the events after the webhook's
// delivered_through, sends the first one the webhook wants, records the attempt
// (Store::RecordWebhookAttempt) and goes on with the next; a failed attempt is retried after an
// exponential backoff with jitter until retry_period has passed since its first attempt, and
// then given up. Events are delivered one at a time per webhook, in seq order. A gateway that
// dies leaves its lease to expire and another resumes from delivered_through: the event that
// was in flight is delivered again (at least once).
//
// A delivery is `POST <url>` with the event as GET /v1/events shows it, signed
// `Uudai-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, and the
// headers Uudai-Webhook-Id, Uudai-Event-Seq, Uudai-Event-Type and Uudai-Delivery-Attempt.
#ifndef UUDAI_GATEWAY_DELIVERY_WEBHOOK_DISPATCHER_H_
#define UUDAI_GATEWAY_DELIVERY_WEBHOOK_DISPATCHER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "uudai/campaign_time.h"
#include "uudai/clock.h"
#include "uudai/store.h"
#include "webhook/webhook_client.h"

namespace uudai::gateway {

struct WebhookDispatcherOptions {
  std::string owner;  // this process, as the lease names it (unique per gateway)
  CampaignZone zone;  // how events' times are written
  std::chrono::milliseconds poll_interval{200};
  std::chrono::milliseconds lease{15'000};
  std::chrono::milliseconds first_backoff{1'000};
  std::chrono::milliseconds max_backoff{3'600'000};
  std::chrono::milliseconds retry_period{24 * 3'600'000};
  WebhookClientOptions client;
};

// What /metrics shows of the deliveries.
struct DeliveryMetrics {
  std::uint64_t attempts = 0;  // since start
  std::uint64_t failures = 0;  // attempts without a 2xx
  std::uint64_t given_up = 0;  // events given up after retry_period
  // Events after the delivered_through of the webhooks this gateway delivers (an upper bound
  // of those still to deliver: a webhook skips the types and shops it does not want).
  std::uint64_t pending = 0;
  double oldest_undelivered_seconds = 0;  // age of the oldest event being tried, 0 when none
};

class WebhookDispatcher {
 public:
  WebhookDispatcher(Store& store, const Clock& clock, WebhookDispatcherOptions options);
  ~WebhookDispatcher();  // stops
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void Start();
  // Stops polling, abandons the deliveries under way (their events are delivered again by
  // whoever takes the leases next) and joins the thread.
  void Stop();

  DeliveryMetrics metrics() const;
  // The metrics in Prometheus text.
  std::string RenderMetrics() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_DELIVERY_WEBHOOK_DISPATCHER_H_
