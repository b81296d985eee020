// What operators and browsers fetch without a key: liveness, readiness, metrics, the OpenAPI
// description and the analysts' dashboard files.
#ifndef UUDAI_GATEWAY_API_OPS_HANDLERS_H_
#define UUDAI_GATEWAY_API_OPS_HANDLERS_H_

#include <string>

#include "api/handler.h"
#include "uudai/store.h"

namespace uudai::gateway {

class Metrics;

class OpsHandlers {
 public:
  OpsHandlers(const Store& store, const Metrics& metrics, std::string openapi_yaml);

  void Healthz(const HttpRequest& request, const Caller& caller, Respond& respond);
  // 503 while the store cannot take writes.
  void Readyz(const HttpRequest& request, const Caller& caller, Respond& respond);
  void MetricsText(const HttpRequest& request, const Caller& caller, Respond& respond);
  void OpenApi(const HttpRequest& request, const Caller& caller, Respond& respond);
  // GET /dashboard and its scripts and stylesheet; the route's pattern names the file.
  void DashboardFile(const HttpRequest& request, const Caller& caller, Respond& respond);

 private:
  const Store& store_;
  const Metrics& metrics_;
  std::string openapi_yaml_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_OPS_HANDLERS_H_
