#include "api/api.h"

#include <chrono>
#include <functional>

#include "api/dashboard_assets.h"
#include "api/responses.h"
#include "ops/metrics.h"

namespace uudai::gateway {

Api::Api(Store& store, Catalog& catalog, const KeyRing& keys, const Clock& clock,
         RandomSource& random, Metrics& metrics, ApiOptions options)
    : keys_(keys),
      clock_(clock),
      metrics_(metrics),
      ops_(store, metrics, std::move(options.openapi_yaml)),
      offers_(store, clock, random, options.zone, options.max_codes_per_request),
      offer_batches_(store, clock, random, options.zone),
      checkout_(store, catalog, clock, options.zone),
      redemptions_(store, catalog, clock, random, metrics, options.zone,
                   options.reservation_ttl_millis),
      stats_(store, options.zone),
      export_(store, options.zone),
      events_(store, options.zone, std::move(options.run_after)),
      webhooks_(store, clock, random, options.zone, std::move(options.webhook_policy)) {
  using R = Role;
  using std::bind_front;
  const RoleSet kAll{R::kAdmin, R::kMerchant, R::kCheckout, R::kAnalyst};
  const RoleSet kOfferWriters{R::kAdmin, R::kMerchant};
  const RoleSet kCheckout{R::kAdmin, R::kCheckout};
  AddRoute("GET", "/healthz", {}, bind_front(&OpsHandlers::Healthz, &ops_));
  AddRoute("GET", "/readyz", {}, bind_front(&OpsHandlers::Readyz, &ops_));
  AddRoute("GET", "/metrics", {}, bind_front(&OpsHandlers::MetricsText, &ops_));
  AddRoute("GET", "/openapi.yaml", {}, bind_front(&OpsHandlers::OpenApi, &ops_));
  // The dashboard's files need no key; the data its scripts fetch does.
  for (const WebAsset& asset : DashboardAssets()) {
    AddRoute("GET", std::string(asset.path), {}, bind_front(&OpsHandlers::DashboardFile, &ops_));
  }
  AddRoute("POST", "/v1/offers", kOfferWriters, bind_front(&OfferHandlers::Create, &offers_));
  AddRoute("POST", std::string(kOfferBatchPath), kOfferWriters,
           bind_front(&OfferBatchHandlers::Create, &offer_batches_));
  AddRoute("GET", "/v1/offers", kAll, bind_front(&OfferHandlers::List, &offers_));
  AddRoute("GET", "/v1/offers/{id}", kAll, bind_front(&OfferHandlers::Get, &offers_));
  AddRoute("PATCH", "/v1/offers/{id}", kOfferWriters, bind_front(&OfferHandlers::Patch, &offers_));
  AddRoute("GET", "/v1/offers/{id}/history", {R::kAdmin, R::kAnalyst, R::kMerchant},
           bind_front(&OfferHandlers::History, &offers_));
  AddRoute("POST", "/v1/offers/{id}/codes", kOfferWriters,
           bind_front(&OfferHandlers::IssueCodes, &offers_));
  AddRoute("POST", "/v1/checkout/quote", kCheckout,
           bind_front(&CheckoutHandlers::Quote, &checkout_));
  AddRoute("POST", "/v1/redemptions", kCheckout,
           bind_front(&RedemptionHandlers::Create, &redemptions_));
  // Before /v1/redemptions/{id}, which would take "export" for an id (the first match wins).
  AddRoute("GET", "/v1/redemptions/export", {R::kAdmin, R::kAnalyst},
           bind_front(&ExportHandlers::Redemptions, &export_));
  AddRoute("GET", "/v1/redemptions/{id}", {R::kAdmin, R::kCheckout, R::kAnalyst},
           bind_front(&RedemptionHandlers::Get, &redemptions_));
  AddRoute("POST", "/v1/redemptions/{id}/commit", kCheckout,
           bind_front(&RedemptionHandlers::Commit, &redemptions_));
  AddRoute("POST", "/v1/redemptions/{id}/cancel", kCheckout,
           bind_front(&RedemptionHandlers::Cancel, &redemptions_));
  AddRoute("POST", "/v1/redemptions/{id}/refund", kCheckout,
           bind_front(&RedemptionHandlers::Refund, &redemptions_));
  AddRoute("GET", "/v1/stats/offers/{id}", {R::kAdmin, R::kAnalyst, R::kMerchant},
           bind_front(&StatsHandlers::Offer, &stats_));
  AddRoute("GET", "/v1/stats/campaign", {R::kAdmin, R::kAnalyst},
           bind_front(&StatsHandlers::Campaign, &stats_));
  const RoleSet kWebhookOwners{R::kAdmin, R::kMerchant};
  AddRoute("POST", "/v1/webhooks", kWebhookOwners,
           bind_front(&WebhookHandlers::Create, &webhooks_));
  AddRoute("GET", "/v1/webhooks", kWebhookOwners, bind_front(&WebhookHandlers::List, &webhooks_));
  AddRoute("DELETE", "/v1/webhooks/{id}", kWebhookOwners,
           bind_front(&WebhookHandlers::Delete, &webhooks_));
  AddRoute("GET", "/v1/webhooks/{id}/deliveries", kWebhookOwners,
           bind_front(&WebhookHandlers::Deliveries, &webhooks_));
  AddRoute("POST", "/v1/webhooks/{id}/redeliver", kWebhookOwners,
           bind_front(&WebhookHandlers::Redeliver, &webhooks_));
  AddRoute("GET", "/v1/events", {R::kAdmin, R::kAnalyst, R::kMerchant},
           bind_front(&EventHandlers::List, &events_));
}

void Api::AddRoute(std::string method, std::string pattern, RoleSet roles, Handler handler) {
  router_.Add(
      Route{std::move(method), std::move(pattern), roles, static_cast<int>(handlers_.size())});
  handlers_.push_back(std::move(handler));
}

void Api::Handle(const HttpRequest& request, Respond answer) {
  RouteMatch match = router_.Match(request.method, request.path);
  // Every answer is counted under its route pattern ("unmatched" keeps label values bounded).
  static const std::string kUnmatched = "unmatched";
  // The pattern lives in router_ as long as this Api: a pointer, not a copy per request.
  Respond respond = [this, start = std::chrono::steady_clock::now(),
                     route = match.route != nullptr ? &match.route->pattern : &kUnmatched,
                     answer = std::move(answer)](HttpResponse response) {
    metrics_.ObserveRequest(
        *route, response.status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    answer(std::move(response));
  };
  if (match.route == nullptr) {
    if (!match.allowed.empty()) {
      HttpResponse response = ProblemResponse(MethodNotAllowed(match.allowed));
      response.headers.emplace_back("Allow", match.allowed);
      return respond(std::move(response));
    }
    return respond(ProblemResponse(NotFoundProblem("no route for " + request.path)));
  }
  Caller caller;
  caller.route = match.route;
  caller.params = std::move(match.params);
  if (!match.route->roles.empty()) {
    const auto authorization = request.Header("authorization");
    if (!authorization || !authorization->starts_with("Bearer ") || authorization->size() <= 7) {
      HttpResponse response = ProblemResponse(Unauthorized("send Authorization: Bearer <key>"));
      response.headers.emplace_back("WWW-Authenticate", "Bearer");
      return respond(std::move(response));
    }
    caller.key = keys_.Authenticate(authorization->substr(7));
    if (caller.key == nullptr) {
      HttpResponse response = ProblemResponse(Unauthorized("unknown API key"));
      response.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return respond(std::move(response));
    }
    if (!match.route->roles.Contains(caller.key->role)) {
      return respond(ProblemResponse(Forbidden("role " + std::string(RoleName(caller.key->role)) +
                                               " may not call " + request.method + " " +
                                               match.route->pattern)));
    }
    if (caller.key->rate_limit) {
      const int retry_after =
          rate_limiter_.Acquire(caller.key->key_id, *caller.key->rate_limit, clock_.Now());
      if (retry_after > 0) return respond(ProblemResponse(RateLimited(retry_after)));
    }
  }
  handlers_[static_cast<std::size_t>(match.route->handler)](request, caller, respond);
}

}  // namespace uudai::gateway
