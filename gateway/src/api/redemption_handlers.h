// /v1/redemptions: create (planned from a fresh quote, idempotent by key), read, commit,
// cancel and refund. Every write goes through the Store, which re-checks what it depends on.
#ifndef UUDAI_GATEWAY_API_REDEMPTION_HANDLERS_H_
#define UUDAI_GATEWAY_API_REDEMPTION_HANDLERS_H_

#include <cstdint>

#include "api/handler.h"
#include "api/in_flight_keys.h"
#include "uudai/catalog.h"
#include "uudai/clock.h"
#include "uudai/quote.h"
#include "uudai/redemption.h"
#include "uudai/store.h"
#include "uudai/unique_code.h"

namespace uudai::gateway {

class Metrics;

class RedemptionHandlers {
 public:
  // `random` (redemption ids) must be thread-safe.
  RedemptionHandlers(Store& store, const Catalog& catalog, const Clock& clock, RandomSource& random,
                     Metrics& metrics, CampaignZone zone, std::int64_t reservation_ttl_millis);

  void Create(const HttpRequest& request, const Caller& caller, Respond& respond);
  void Get(const HttpRequest& request, const Caller& caller, Respond& respond);
  void Commit(const HttpRequest& request, const Caller& caller, Respond& respond);
  void Cancel(const HttpRequest& request, const Caller& caller, Respond& respond);
  void Refund(const HttpRequest& request, const Caller& caller, Respond& respond);

 private:
  void Transition(const HttpRequest& request, const Caller& caller, RedemptionAction action,
                  Respond& respond);

  Store& store_;
  const Catalog& catalog_;
  const Clock& clock_;
  RandomSource& random_;
  Metrics& metrics_;
  std::int64_t reservation_ttl_millis_;
  QuoteEvaluator evaluator_;
  InFlightKeys in_flight_;  // idempotency scopes of the create requests being answered here
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_REDEMPTION_HANDLERS_H_
