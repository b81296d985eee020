// JSON mapping of offers (docs/design.md §3 field table): strict reading, canonical writing, PATCH.
#ifndef UUDAI_GATEWAY_JSON_OFFER_JSON_H_
#define UUDAI_GATEWAY_JSON_OFFER_JSON_H_

#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "json/field_reader.h"
#include "uudai/campaign_time.h"
#include "uudai/offer.h"

namespace uudai::gateway {

// What the server decides for a new offer.
struct NewOfferContext {
  std::string id;
  Timestamp now;
  std::optional<std::string> merchant_id;  // the key's merchant (role merchant); else from body
};

// Reads a POST /v1/offers body. `id` is the client's when given (IsValidOfferId), else
// ctx.id; the other server-owned fields (version, created_at, updated_at) are refused. Returns
// nullopt with `problems` filled when the body is not an offer; the engine's ValidateOffer still
// has to run on the result.
std::optional<Offer> OfferFromJson(const boost::json::object& body, const NewOfferContext& ctx,
                                   BodyProblems& problems);

// Applies a JSON merge patch (RFC 7396) to `base`: the result is read as strictly as a new
// offer; server-owned fields may not be patched.
std::optional<Offer> PatchOffer(const Offer& base, const boost::json::object& patch, Timestamp now,
                                const CampaignZone& zone, BodyProblems& problems);

// Every field; absent optional fields are written as null.
boost::json::object OfferToJson(const Offer& offer, const CampaignZone& zone);

// Who wrote an offer's version: {"key_id", "role"}, or null when unknown.
boost::json::value OfferAuthorToJson(const std::optional<OfferAuthor>& author);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_OFFER_JSON_H_
