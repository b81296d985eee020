#include "api/offer_batch_handlers.h"

#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "api/new_id.h"
#include "api/offer_access.h"
#include "api/responses.h"
#include "json/offer_batch_body.h"
#include "json/offer_json.h"
#include "uudai/offer_validator.h"

namespace uudai::gateway {
namespace {

// Adds `errors` to `out`, their paths under the batch position `at` ("[3]").
void AddUnder(const std::string& at, std::vector<FieldError> errors, std::vector<FieldError>& out) {
  for (FieldError& error : errors) {
    out.push_back({error.path.empty() ? at : at + "." + error.path, std::move(error.message)});
  }
}

}  // namespace

OfferBatchHandlers::OfferBatchHandlers(Store& store, const Clock& clock, RandomSource& random,
                                       CampaignZone zone)
    : store_(store), clock_(clock), random_(random), zone_(zone) {}

void OfferBatchHandlers::Create(const HttpRequest& request, const Caller& caller,
                                Respond& respond) {
  auto parsed = ParseOfferBatchBody(request);
  if (auto* problem = std::get_if<Problem>(&parsed)) return respond(ProblemResponse(*problem));
  const OfferBatchBody& body = std::get<OfferBatchBody>(parsed);
  if (body.items.empty() || body.items.size() > kMaxOffersPerBatch) {
    return respond(ProblemResponse(
        InvalidFields({{"", "a batch holds from 1 to " + std::to_string(kMaxOffersPerBatch) +
                                " offers, not " + std::to_string(body.items.size())}})));
  }
  const Timestamp now = clock_.Now();
  const auto own_merchant = caller.is_merchant() ? caller.key->merchant_id : std::nullopt;
  std::vector<FieldError> errors;
  std::vector<Offer> offers;
  offers.reserve(body.items.size());
  for (std::size_t i = 0; i < body.items.size(); ++i) {
    const OfferBatchItem& item = body.items[i];
    const std::string at = "[" + std::to_string(i) + "]";
    if (item.unreadable) {
      errors.push_back({at, *item.unreadable});
      continue;
    }
    if (!item.value.is_object()) {
      errors.push_back({at, "must be a JSON object: an offer"});
      continue;
    }
    const boost::json::object& object = item.value.get_object();
    if (own_merchant) {
      const auto* named = object.if_contains("merchant_id");
      if (named != nullptr && named->is_string() && named->get_string() != *own_merchant) {
        return respond(ProblemResponse(
            Forbidden(at + ": a merchant key registers offers only for its own merchant")));
      }
    }
    BodyProblems problems;
    auto offer =
        OfferFromJson(object, NewOfferContext{NewId(random_, "o"), now, own_merchant}, problems);
    AddUnder(at, std::move(problems.unknown), errors);
    AddUnder(at, std::move(problems.invalid), errors);
    if (!offer) continue;
    if (auto invalid = ValidateOffer(*offer); !invalid.empty()) {
      AddUnder(at, std::move(invalid), errors);
      continue;
    }
    if (auto why = ForbiddenForMerchant(*offer, caller); !why.empty()) {
      return respond(ProblemResponse(Forbidden(at + ": " + why)));
    }
    offer->updated_by = AuthorOf(caller);
    offers.push_back(std::move(*offer));
  }
  if (!errors.empty()) return respond(ProblemResponse(InvalidFields(std::move(errors))));
  store_.CreateOffers(
      std::move(offers), [respond, zone = zone_](Result<std::vector<Offer>> result) {
        if (!result.ok()) return respond(StatusResponse(result.status()));
        boost::json::array items;
        items.reserve(result->size());
        for (const Offer& offer : result.value()) items.push_back(OfferToJson(offer, zone));
        respond(JsonResponse(
            201, boost::json::serialize(boost::json::object{{"items", std::move(items)}})));
      });
}

}  // namespace uudai::gateway
