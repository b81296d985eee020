// Api: the v1 HTTP API (DESIGN §4) as a function from HttpRequest to HttpResponse.
//
// Handle() authenticates, checks role and merchant scope, applies the key's rate limit and
// dispatches to one handler per route. Handlers read the catalog snapshot and the store's
// in-memory usage for quotes, and go through the Store port for every write. `respond` is
// called exactly once, on whatever thread the store completes on. Thread-safe.
#ifndef UUDAI_GATEWAY_API_H_
#define UUDAI_GATEWAY_API_H_

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "http_message.h"
#include "in_flight_keys.h"
#include "key_ring.h"
#include "problem.h"
#include "rate_limiter.h"
#include "router.h"
#include "uudai/catalog.h"
#include "uudai/clock.h"
#include "uudai/quote.h"
#include "uudai/store.h"
#include "uudai/unique_code.h"

namespace uudai::gateway {

class Metrics;

struct ApiOptions {
  CampaignZone zone;
  std::int64_t reservation_ttl_millis = 900'000;
  std::size_t max_codes_per_request = 1'000'000;
  std::string openapi_yaml;  // served at /openapi.yaml
};

// What a handler knows about the caller. `key` is nullptr on routes that need no key.
struct Caller {
  const ApiKey* key = nullptr;
  std::vector<std::string> params;  // {param} path segments
  const Route* route = nullptr;
};

class Api {
 public:
  // RandomSource must be thread-safe here (the gateway's is).
  Api(Store& store, Catalog& catalog, const KeyRing& keys, const Clock& clock, RandomSource& random,
      Metrics& metrics, ApiOptions options);

  // Also records the request's latency and status under its route pattern in Metrics.
  void Handle(const HttpRequest& request, Respond respond);

 private:
  using Handler = void (Api::*)(const HttpRequest&, const Caller&, Respond&);

  void AddRoute(std::string method, std::string pattern, RoleSet roles, Handler handler);

  // Ops.
  void Healthz(const HttpRequest&, const Caller&, Respond&);
  void Readyz(const HttpRequest&, const Caller&, Respond&);
  void MetricsText(const HttpRequest&, const Caller&, Respond&);
  void OpenApi(const HttpRequest&, const Caller&, Respond&);
  // The analysts' dashboard: GET /dashboard and its scripts and stylesheet.
  void DashboardFile(const HttpRequest&, const Caller&, Respond&);
  // Offers (offer_handlers.cc).
  void CreateOffer(const HttpRequest&, const Caller&, Respond&);
  void ListOffers(const HttpRequest&, const Caller&, Respond&);
  void GetOffer(const HttpRequest&, const Caller&, Respond&);
  void PatchOffer(const HttpRequest&, const Caller&, Respond&);
  void IssueCodes(const HttpRequest&, const Caller&, Respond&);
  void OfferStats(const HttpRequest&, const Caller&, Respond&);
  // Campaign stats (stats_handlers.cc).
  void CampaignStats(const HttpRequest&, const Caller&, Respond&);
  // Export (export_handlers.cc).
  void ExportRedemptions(const HttpRequest&, const Caller&, Respond&);
  // Checkout (checkout_handlers.cc).
  void Quote(const HttpRequest&, const Caller&, Respond&);
  void CreateRedemption(const HttpRequest&, const Caller&, Respond&);
  void GetRedemption(const HttpRequest&, const Caller&, Respond&);
  void CommitRedemption(const HttpRequest&, const Caller&, Respond&);
  void CancelRedemption(const HttpRequest&, const Caller&, Respond&);
  void RefundRedemption(const HttpRequest&, const Caller&, Respond&);
  void Transition(const HttpRequest& request, const Caller& caller, RedemptionAction action,
                  Respond& respond);

  // The offer if this caller may see it; else answers 404/403 and returns nullptr.
  std::shared_ptr<const Offer> VisibleOffer(const std::string& id, const Caller& caller,
                                            Respond& respond);
  // The offer if this caller may change it (PATCH, issuing codes): visible, and for a merchant
  // key one of the kind it may register (merchant layer, funded by the merchant); else answers
  // 404/403 and returns nullptr.
  std::shared_ptr<const Offer> ChangeableOffer(const std::string& id, const Caller& caller,
                                               Respond& respond);
  // One attempt of a PATCH; without If-Match, merged again onto the newer version while
  // another writer moved it and attempts are left (then 409 version_conflict).
  void PatchWithRetry(std::string id, boost::json::object patch,
                      std::optional<std::int64_t> if_match, Caller caller, int attempts_left,
                      Respond respond);
  std::string NewId(std::string_view prefix);

  Store& store_;
  Catalog& catalog_;
  const KeyRing& keys_;
  const Clock& clock_;
  RandomSource& random_;
  Metrics& metrics_;
  ApiOptions options_;
  QuoteEvaluator evaluator_;
  RateLimiter rate_limiter_;
  InFlightKeys in_flight_;  // idempotency scopes of the redemption requests being answered
  Router router_;
  std::vector<Handler> handlers_;
};

// Response helpers shared by the handler files.
HttpResponse JsonResponse(int status, std::string body);
HttpResponse ProblemResponse(const Problem& problem);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_H_
