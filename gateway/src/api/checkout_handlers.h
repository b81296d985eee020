// POST /v1/checkout/quote: the best combination of offers for a cart, from the catalog
// snapshot and the store's in-memory usage; nothing is written.
#ifndef UUDAI_GATEWAY_API_CHECKOUT_HANDLERS_H_
#define UUDAI_GATEWAY_API_CHECKOUT_HANDLERS_H_

#include "api/handler.h"
#include "uudai/catalog.h"
#include "uudai/clock.h"
#include "uudai/quote.h"
#include "uudai/store.h"

namespace uudai::gateway {

class CheckoutHandlers {
 public:
  CheckoutHandlers(const Store& store, const Catalog& catalog, const Clock& clock,
                   CampaignZone zone);

  void Quote(const HttpRequest& request, const Caller& caller, Respond& respond);

 private:
  const Store& store_;
  const Catalog& catalog_;
  const Clock& clock_;
  QuoteEvaluator evaluator_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_CHECKOUT_HANDLERS_H_
