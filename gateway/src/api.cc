#include "api.h"

#include <chrono>

#include "dashboard_assets.h"
#include "metrics.h"

namespace uudai::gateway {

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse ProblemResponse(const Problem& problem) {
  HttpResponse response;
  response.status = problem.status;
  response.content_type = "application/problem+json";
  response.body = problem.ToJson();
  if (problem.retry_after_seconds) {
    response.headers.emplace_back("Retry-After", std::to_string(*problem.retry_after_seconds));
  }
  return response;
}

Api::Api(Store& store, Catalog& catalog, const KeyRing& keys, const Clock& clock,
         RandomSource& random, Metrics& metrics, ApiOptions options)
    : store_(store),
      catalog_(catalog),
      keys_(keys),
      clock_(clock),
      random_(random),
      metrics_(metrics),
      options_(std::move(options)),
      evaluator_(options_.zone) {
  using R = Role;
  const RoleSet kAll{R::kAdmin, R::kMerchant, R::kCheckout, R::kAnalyst};
  const RoleSet kOfferWriters{R::kAdmin, R::kMerchant};
  const RoleSet kCheckout{R::kAdmin, R::kCheckout};
  AddRoute("GET", "/healthz", {}, &Api::Healthz);
  AddRoute("GET", "/readyz", {}, &Api::Readyz);
  AddRoute("GET", "/metrics", {}, &Api::MetricsText);
  AddRoute("GET", "/openapi.yaml", {}, &Api::OpenApi);
  // The dashboard's files need no key; the data its scripts fetch does.
  for (const WebAsset& asset : DashboardAssets()) {
    AddRoute("GET", std::string(asset.path), {}, &Api::DashboardFile);
  }
  AddRoute("POST", "/v1/offers", kOfferWriters, &Api::CreateOffer);
  AddRoute("GET", "/v1/offers", kAll, &Api::ListOffers);
  AddRoute("GET", "/v1/offers/{id}", kAll, &Api::GetOffer);
  AddRoute("PATCH", "/v1/offers/{id}", kOfferWriters, &Api::PatchOffer);
  AddRoute("POST", "/v1/offers/{id}/codes", kOfferWriters, &Api::IssueCodes);
  AddRoute("POST", "/v1/checkout/quote", kCheckout, &Api::Quote);
  AddRoute("POST", "/v1/redemptions", kCheckout, &Api::CreateRedemption);
  // Before /v1/redemptions/{id}, which would take "export" for an id (the first match wins).
  AddRoute("GET", "/v1/redemptions/export", {R::kAdmin, R::kAnalyst}, &Api::ExportRedemptions);
  AddRoute("GET", "/v1/redemptions/{id}", {R::kAdmin, R::kCheckout, R::kAnalyst},
           &Api::GetRedemption);
  AddRoute("POST", "/v1/redemptions/{id}/commit", kCheckout, &Api::CommitRedemption);
  AddRoute("POST", "/v1/redemptions/{id}/cancel", kCheckout, &Api::CancelRedemption);
  AddRoute("POST", "/v1/redemptions/{id}/refund", kCheckout, &Api::RefundRedemption);
  AddRoute("GET", "/v1/stats/offers/{id}", {R::kAdmin, R::kAnalyst, R::kMerchant},
           &Api::OfferStats);
  AddRoute("GET", "/v1/stats/campaign", {R::kAdmin, R::kAnalyst}, &Api::CampaignStats);
}

void Api::AddRoute(std::string method, std::string pattern, RoleSet roles, Handler handler) {
  router_.Add(
      Route{std::move(method), std::move(pattern), roles, static_cast<int>(handlers_.size())});
  handlers_.push_back(handler);
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
  (this->*handlers_[static_cast<std::size_t>(match.route->handler)])(request, caller, respond);
}

void Api::Healthz(const HttpRequest&, const Caller&, Respond& respond) {
  respond(JsonResponse(200, R"({"status":"ok"})"));
}

void Api::Readyz(const HttpRequest&, const Caller&, Respond& respond) {
  if (!store_.ready()) {
    return respond(ProblemResponse(
        ProblemFromStatus(Status(StatusCode::kUnavailable, "the store cannot take writes"))));
  }
  respond(JsonResponse(200, R"({"status":"ready"})"));
}

void Api::MetricsText(const HttpRequest&, const Caller&, Respond& respond) {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics_.Render();
  respond(std::move(response));
}

void Api::OpenApi(const HttpRequest&, const Caller&, Respond& respond) {
  HttpResponse response;
  response.content_type = "application/yaml";
  response.body = options_.openapi_yaml;
  respond(std::move(response));
}

void Api::DashboardFile(const HttpRequest&, const Caller& caller, Respond& respond) {
  // Routes are registered from DashboardAssets(), so the pattern always names an asset.
  respond(WebAssetResponse(*FindDashboardAsset(caller.route->pattern)));
}

std::string Api::NewId(std::string_view prefix) {
  // 80 random bits in Crockford base32, lower case: unguessable, URL-safe, 16 characters.
  static constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
  std::uint8_t bytes[10];
  random_.Fill(bytes);
  std::string id(prefix);
  id.push_back('_');
  std::uint64_t acc = 0;
  int bits = 0;
  for (std::uint8_t b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      id.push_back(kAlphabet[(acc >> (bits - 5)) & 31U]);
      bits -= 5;
    }
  }
  return id;
}

}  // namespace uudai::gateway
