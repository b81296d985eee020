// Api: the v1 HTTP API (docs/design.md §4) as a function from HttpRequest to HttpResponse.
//
// Handle() finds the route, authenticates, checks the key's role, applies its rate limit and
// hands the request to the route's handler; the handlers live by resource (offer_handlers.h,
// checkout_handlers.h, redemption_handlers.h, stats_handlers.h, export_handlers.h,
// ops_handlers.h). `respond` is called exactly once, on whatever thread the store completes
// on. Thread-safe.
#ifndef UUDAI_GATEWAY_API_API_H_
#define UUDAI_GATEWAY_API_API_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/checkout_handlers.h"
#include "api/event_handlers.h"
#include "api/export_handlers.h"
#include "api/handler.h"
#include "api/key_ring.h"
#include "api/offer_batch_handlers.h"
#include "api/offer_handlers.h"
#include "api/ops_handlers.h"
#include "api/rate_limiter.h"
#include "api/redemption_handlers.h"
#include "api/router.h"
#include "api/stats_handlers.h"
#include "api/webhook_handlers.h"
#include "uudai/catalog.h"
#include "uudai/clock.h"
#include "uudai/redemption.h"
#include "uudai/store.h"
#include "uudai/unique_code.h"

namespace uudai::gateway {

class Metrics;

// The route whose bodies may be as large as ServerOptions::bulk_body_limit (bulk_paths).
inline constexpr std::string_view kOfferBatchPath = "/v1/offers/batch";

struct ApiOptions {
  CampaignZone zone;
  std::int64_t reservation_ttl_millis = kDefaultReservationTtlMillis;
  std::size_t max_codes_per_request = 1'000'000;
  std::string openapi_yaml;  // served at /openapi.yaml
  // Runs GET /v1/events' later reads while it long-polls; without one, `wait` is not waited for.
  RunAfter run_after;
  // Where webhooks may be registered to (their URLs; the deliverer checks addresses too).
  OutboundPolicy webhook_policy;
};

class Api {
 public:
  // RandomSource must be thread-safe here (the gateway's is).
  Api(Store& store, Catalog& catalog, const KeyRing& keys, const Clock& clock, RandomSource& random,
      Metrics& metrics, ApiOptions options);

  // Also records the request's latency and status under its route pattern in Metrics.
  void Handle(const HttpRequest& request, Respond respond);

 private:
  void AddRoute(std::string method, std::string pattern, RoleSet roles, Handler handler);

  const KeyRing& keys_;
  const Clock& clock_;
  Metrics& metrics_;
  RateLimiter rate_limiter_;
  OpsHandlers ops_;
  OfferHandlers offers_;
  OfferBatchHandlers offer_batches_;
  CheckoutHandlers checkout_;
  RedemptionHandlers redemptions_;
  StatsHandlers stats_;
  ExportHandlers export_;
  EventHandlers events_;
  WebhookHandlers webhooks_;
  Router router_;
  std::vector<Handler> handlers_;  // by Route::handler
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_API_H_
