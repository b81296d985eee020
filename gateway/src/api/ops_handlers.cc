#include "api/ops_handlers.h"

#include "api/dashboard_assets.h"
#include "api/responses.h"
#include "ops/metrics.h"

namespace uudai::gateway {

OpsHandlers::OpsHandlers(const Store& store, const Metrics& metrics, std::string openapi_yaml)
    : store_(store), metrics_(metrics), openapi_yaml_(std::move(openapi_yaml)) {}

void OpsHandlers::Healthz(const HttpRequest&, const Caller&, Respond& respond) {
  respond(JsonResponse(200, R"({"status":"ok"})"));
}

void OpsHandlers::Readyz(const HttpRequest&, const Caller&, Respond& respond) {
  if (!store_.ready()) {
    return respond(
        StatusResponse(Status(StatusCode::kUnavailable, "the store cannot take writes")));
  }
  respond(JsonResponse(200, R"({"status":"ready"})"));
}

void OpsHandlers::MetricsText(const HttpRequest&, const Caller&, Respond& respond) {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics_.Render();
  respond(std::move(response));
}

void OpsHandlers::OpenApi(const HttpRequest&, const Caller&, Respond& respond) {
  HttpResponse response;
  response.content_type = "application/yaml";
  response.body = openapi_yaml_;
  respond(std::move(response));
}

void OpsHandlers::DashboardFile(const HttpRequest&, const Caller& caller, Respond& respond) {
  // Routes are registered from DashboardAssets(), so the pattern always names an asset.
  respond(WebAssetResponse(*FindDashboardAsset(caller.route->pattern)));
}

}  // namespace uudai::gateway
