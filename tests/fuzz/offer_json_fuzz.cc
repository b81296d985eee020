// Fuzz target: a request body → offer, exactly as POST /v1/offers (OfferFromJson) and
// PATCH /v1/offers/{id} (PatchOffer, a JSON merge patch) read it.
//
// Invariants:
// - reading never crashes; a refused body has problems, and its 422 is problem JSON; so is the
//   422 of a read offer that fails ValidateOffer;
// - round trip: a read offer, written back (OfferToJson without the server's fields), reads
//   again to the same offer — what GET returns can be sent back as is;
// - an offer that passes validation (one the server would store) can be patched with {} and
//   stays the same offer (only updated_at moves);
// - the body as a patch of a fixed offer keeps the server's fields (id, version, created_at).
#include <cstddef>
#include <cstdint>

#include <boost/json/serialize.hpp>

#include "fuzz_check.h"
#include "fuzz_support.h"
#include "json/offer_json.h"
#include "json/problem.h"
#include "uudai/offer_validator.h"

namespace uudai::fuzz {
namespace {

const CampaignZone kZone;

std::string Describe(const gateway::BodyProblems& problems) {
  std::string out;
  for (const auto& e : problems.unknown) out += " unknown " + e.path + ";";
  for (const auto& e : problems.invalid) out += " " + e.path + ": " + e.message + ";";
  return out;
}

// A stored-or-storable offer patched with {} must read back unchanged.
void CheckEmptyPatchKeepsOffer(const Offer& offer) {
  gateway::BodyProblems problems;
  const Timestamp later{offer.updated_at.millis + 1000};
  const auto patched = gateway::PatchOffer(offer, {}, later, kZone, problems);
  FUZZ_CHECK(patched.has_value(), "empty patch refused:" + Describe(problems));
  Offer expected = offer;
  expected.updated_at = later;
  FUZZ_CHECK(*patched == expected, boost::json::serialize(gateway::OfferToJson(*patched, kZone)));
}

// OfferToJson, minus the server's fields, reads again to `offer`.
void CheckRoundTrip(const Offer& offer, const gateway::NewOfferContext& ctx) {
  boost::json::object written = gateway::OfferToJson(offer, kZone);
  for (const char* server_field : {"id", "version", "created_at", "updated_at"}) {
    written.erase(server_field);
  }
  const std::string text = boost::json::serialize(written);
  auto body = ParseRequestBody(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  FUZZ_CHECK(body.has_value(), "OfferToJson wrote what the API cannot parse: " + text);
  gateway::BodyProblems problems;
  const auto again = gateway::OfferFromJson(body->object, ctx, problems);
  FUZZ_CHECK(again.has_value(), text + " →" + Describe(problems));
  FUZZ_CHECK(*again == offer, "round trip changed the offer: " + text);
}

void CheckNewOffer(const boost::json::object& body, const gateway::NewOfferContext& ctx) {
  gateway::BodyProblems problems;
  const auto offer = gateway::OfferFromJson(body, ctx, problems);
  if (!offer) {
    FUZZ_CHECK(!problems.empty());
    RequireProblemJson(gateway::ProblemFor(std::move(problems)).ToJson(), 422);
    return;
  }
  FUZZ_CHECK(problems.empty(), Describe(problems));
  FUZZ_CHECK(offer->id == ctx.id && offer->version == 1 && offer->created_at == ctx.now);
  if (ctx.merchant_id) FUZZ_CHECK(offer->merchant_id == *ctx.merchant_id);
  CheckRoundTrip(*offer, ctx);
  auto errors = ValidateOffer(*offer);
  if (!errors.empty()) {
    RequireProblemJson(gateway::InvalidFields(std::move(errors)).ToJson(), 422);
    return;
  }
  CheckEmptyPatchKeepsOffer(*offer);
}

void CheckPatch(const Offer& base, const boost::json::object& patch) {
  gateway::BodyProblems problems;
  const Timestamp later{base.updated_at.millis + 60'000};
  const auto patched = gateway::PatchOffer(base, patch, later, kZone, problems);
  if (!patched) {
    FUZZ_CHECK(!problems.empty());
    RequireProblemJson(gateway::ProblemFor(std::move(problems)).ToJson(), 422);
    return;
  }
  FUZZ_CHECK(patched->id == base.id && patched->version == base.version &&
             patched->created_at == base.created_at && patched->updated_at == later);
  if (ValidateOffer(*patched).empty()) CheckEmptyPatchKeepsOffer(*patched);
}

}  // namespace
}  // namespace uudai::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace uudai;
  static const std::vector<Offer> kBases = fuzz::FixedOffers();
  const auto body = fuzz::ParseRequestBody(data, size);
  if (!body) return 0;
  // As an admin (merchant_id from the body) and as merchant shop-1's key.
  fuzz::CheckNewOffer(body->object, {"o_fuzz", fuzz::FuzzNow(), std::nullopt});
  fuzz::CheckNewOffer(body->object, {"o_fuzz", fuzz::FuzzNow(), "shop-1"});
  fuzz::CheckPatch(kBases[size % kBases.size()], body->object);
  return 0;
}
