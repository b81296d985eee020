#include "api/checkout_handlers.h"

#include "api/responses.h"
#include "json/checkout_json.h"
#include "json/request_body.h"

namespace uudai::gateway {

CheckoutHandlers::CheckoutHandlers(const Store& store, const Catalog& catalog, const Clock& clock,
                                   CampaignZone zone)
    : store_(store), catalog_(catalog), clock_(clock), evaluator_(zone) {}

void CheckoutHandlers::Quote(const HttpRequest& request, const Caller&, Respond& respond) {
  auto parsed = ParseJsonObject(request);
  if (auto* problem = std::get_if<Problem>(&parsed)) return respond(ProblemResponse(*problem));
  BodyProblems problems;
  auto quote_request = QuoteRequestFromJson(std::get<JsonBody>(parsed).object, problems);
  if (!quote_request) return respond(ProblemResponse(ProblemFor(std::move(problems))));
  if (auto errors = ValidateCart(quote_request->cart); !errors.empty()) {
    return respond(ProblemResponse(InvalidFields(std::move(errors))));
  }
  const Timestamp at = quote_request->at.value_or(clock_.Now());
  const auto snapshot = catalog_.Current();
  const uudai::Quote quote =
      evaluator_.Evaluate(*snapshot, quote_request->cart, at, store_.usage());
  respond(JsonResponse(200, QuoteJsonText(quote)));
}

}  // namespace uudai::gateway
