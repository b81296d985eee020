#include "api/offer_handlers.h"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "api/new_id.h"
#include "api/offer_access.h"
#include "api/query_numbers.h"
#include "api/responses.h"
#include "json/offer_history_json.h"
#include "json/offer_json.h"
#include "json/request_body.h"
#include "uudai/offer_validator.h"

namespace uudai::gateway {
namespace {

HttpResponse OfferResponse(int status, const Offer& offer, const CampaignZone& zone) {
  HttpResponse response = JsonResponse(status, boost::json::serialize(OfferToJson(offer, zone)));
  response.headers.emplace_back("ETag", "\"" + std::to_string(offer.version) + "\"");
  return response;
}

// Attempts in all of a PATCH without If-Match. Every retry means another writer committed a
// newer version in between, so a patch needs more than a couple only when many clients write
// the same offer at once; past this it answers 409 version_conflict rather than keep a
// request (and, on the embedded store, a server thread) spinning against them.
constexpr int kMaxPatchAttempts = 8;

// If-Match: "3", 3 or W/"3" → 3. nullopt when absent; -1 when unparsable.
std::optional<std::int64_t> ParseIfMatch(const HttpRequest& request) {
  auto header = request.Header("if-match");
  if (!header) return std::nullopt;
  std::string_view v = *header;
  if (v.starts_with("W/")) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  std::int64_t version = 0;
  if (v.empty() || v.size() > 18) return -1;
  for (char c : v) {
    if (c < '0' || c > '9') return -1;
    version = version * 10 + (c - '0');
  }
  return version;
}

}  // namespace

OfferHandlers::OfferHandlers(Store& store, const Clock& clock, RandomSource& random,
                             CampaignZone zone, std::size_t max_codes_per_request)
    : store_(store),
      clock_(clock),
      random_(random),
      zone_(zone),
      max_codes_per_request_(max_codes_per_request) {}

void OfferHandlers::Create(const HttpRequest& request, const Caller& caller, Respond& respond) {
  auto parsed = ParseJsonObject(request);
  if (auto* problem = std::get_if<Problem>(&parsed)) return respond(ProblemResponse(*problem));
  if (caller.is_merchant()) {
    const auto* named = std::get<JsonBody>(parsed).object.if_contains("merchant_id");
    if (named != nullptr && named->is_string() && named->get_string() != *caller.key->merchant_id) {
      return respond(
          ProblemResponse(Forbidden("a merchant key registers offers only for its own merchant")));
    }
  }
  const NewOfferContext ctx{NewId(random_, "o"), clock_.Now(),
                            caller.is_merchant() ? caller.key->merchant_id : std::nullopt};
  BodyProblems problems;
  auto offer = OfferFromJson(std::get<JsonBody>(parsed).object, ctx, problems);
  if (!offer) return respond(ProblemResponse(ProblemFor(std::move(problems))));
  if (auto errors = ValidateOffer(*offer); !errors.empty()) {
    return respond(ProblemResponse(InvalidFields(std::move(errors))));
  }
  if (auto why = ForbiddenForMerchant(*offer, caller); !why.empty()) {
    return respond(ProblemResponse(Forbidden(why)));
  }
  offer->updated_by = AuthorOf(caller);
  store_.CreateOffer(std::move(*offer), [respond, zone = zone_](Result<Offer> result) {
    if (!result.ok()) return respond(StatusResponse(result.status()));
    respond(OfferResponse(201, result.value(), zone));
  });
}

void OfferHandlers::List(const HttpRequest& request, const Caller& caller, Respond& respond) {
  std::optional<std::string> merchant(request.Query("merchant_id"));
  if (caller.is_merchant()) {
    if (merchant && *merchant != *caller.key->merchant_id) {
      return respond(ProblemResponse(Forbidden("a merchant key lists only its own offers")));
    }
    merchant = caller.key->merchant_id;
  }
  std::optional<OfferStatus> status;
  if (auto text = request.Query("status")) {
    status = ParseOfferStatus(*text);
    if (!status) {
      return respond(
          ProblemResponse(InvalidFields({{"status", "must be one of active, paused, archived"}})));
    }
  }
  std::size_t limit = 100;
  if (auto text = request.Query("limit")) {
    limit = ParseQueryCount(*text, 4).value_or(0);
    if (limit < 1 || limit > 1000) {
      return respond(ProblemResponse(InvalidFields({{"limit", "must be from 1 to 1000"}})));
    }
  }
  OfferListQuery query;
  query.after_id = std::string(request.Query("cursor").value_or(""));
  query.merchant_id = std::move(merchant);
  query.status = status;
  query.limit = limit;
  const OfferListPage page = store_.ListOffersPage(query);
  boost::json::array items;
  items.reserve(page.offers.size());
  for (const auto& offer : page.offers) items.push_back(OfferToJson(*offer, zone_));
  boost::json::object body{{"items", std::move(items)}};
  body["next_cursor"] =
      page.next_after_id ? boost::json::value(*page.next_after_id) : boost::json::value(nullptr);
  respond(JsonResponse(200, boost::json::serialize(body)));
}

void OfferHandlers::Get(const HttpRequest&, const Caller& caller, Respond& respond) {
  WithVisibleOffer(store_, caller.params[0], caller, respond,
                   [respond, zone = zone_](std::shared_ptr<const Offer> offer) {
                     respond(OfferResponse(200, *offer, zone));
                   });
}

void OfferHandlers::History(const HttpRequest& request, const Caller& caller, Respond& respond) {
  std::vector<FieldError> errors;
  std::int64_t after_version = 0;
  if (auto text = request.Query("after_version")) {
    if (auto after = ParseQueryCount(*text, 18)) {
      after_version = static_cast<std::int64_t>(*after);
    } else {
      errors.push_back({"after_version", "must be a version: a whole number from 0"});
    }
  }
  std::size_t limit = 100;
  if (auto text = request.Query("limit")) {
    limit = ParseQueryCount(*text, 4).value_or(0);
    if (limit < 1 || limit > 1000) errors.push_back({"limit", "must be from 1 to 1000"});
  }
  if (!errors.empty()) return respond(ProblemResponse(InvalidFields(std::move(errors))));
  // The version before the page's first too, to tell what that one changed.
  OfferHistoryQuery query{caller.params[0], std::max<std::int64_t>(after_version - 1, 0),
                          after_version > 0 ? limit + 1 : limit};
  store_.ReadOfferHistory(query, [respond,
                                  caller_merchant =
                                      caller.is_merchant() ? caller.key->merchant_id : std::nullopt,
                                  after_version, id = query.offer_id,
                                  zone = zone_](Result<OfferHistoryPage> result) {
    if (!result.ok()) return respond(StatusResponse(result.status()));
    OfferHistoryPage& page = result.value();
    if (caller_merchant && page.merchant_id != *caller_merchant) {
      return respond(ProblemResponse(Forbidden("offer " + id + " belongs to another merchant")));
    }
    std::optional<Offer> before;
    if (!page.versions.empty() && page.versions.front().version <= after_version) {
      before = std::move(page.versions.front());
      page.versions.erase(page.versions.begin());
    }
    respond(JsonResponse(200, OfferHistoryJsonText(id, page, before ? &*before : nullptr, zone)));
  });
}

void OfferHandlers::Patch(const HttpRequest& request, const Caller& caller, Respond& respond) {
  const auto if_match = ParseIfMatch(request);
  if (if_match && *if_match < 0) {
    return respond(ProblemResponse(BadRequest("bad_if_match", "If-Match must be a version")));
  }
  auto parsed = ParseJsonObject(request);
  if (auto* problem = std::get_if<Problem>(&parsed)) return respond(ProblemResponse(*problem));
  // The patch outlives this call (retries): copy it out of the request's arena. Without
  // If-Match the last writer wins: a patch that lost a race is merged again onto the newer
  // version, up to kMaxPatchAttempts attempts in all.
  PatchWithRetry(caller.params[0],
                 boost::json::object(std::get<JsonBody>(parsed).object, boost::json::storage_ptr()),
                 if_match, caller, kMaxPatchAttempts, respond);
}

void OfferHandlers::PatchWithRetry(std::string id, boost::json::object patch,
                                   std::optional<std::int64_t> if_match, Caller caller,
                                   int attempts_left, Respond respond) {
  WithChangeableOffer(store_, id, caller, respond,
                      [this, id, patch = std::move(patch), if_match, caller, attempts_left,
                       respond](std::shared_ptr<const Offer> current) mutable {
                        PatchOnto(std::move(current), std::move(id), std::move(patch), if_match,
                                  std::move(caller), attempts_left, std::move(respond));
                      });
}

void OfferHandlers::PatchOnto(std::shared_ptr<const Offer> current, std::string id,
                              boost::json::object patch, std::optional<std::int64_t> if_match,
                              Caller caller, int attempts_left, Respond respond) {
  if (if_match && *if_match != current->version) {
    return respond(StatusResponse(
        Status::ForOffer(StatusCode::kVersionMismatch, id,
                         "offer " + id + " is at version " + std::to_string(current->version))));
  }
  BodyProblems problems;
  auto offer = uudai::gateway::PatchOffer(*current, patch, clock_.Now(), zone_, problems);
  if (!offer) return respond(ProblemResponse(ProblemFor(std::move(problems))));
  if (auto errors = ValidateOffer(*offer); !errors.empty()) {
    return respond(ProblemResponse(InvalidFields(std::move(errors))));
  }
  if (auto why = ForbiddenForMerchant(*offer, caller); !why.empty()) {
    return respond(ProblemResponse(Forbidden(why)));
  }
  offer->updated_by = AuthorOf(caller);
  const std::int64_t base_version = current->version;
  store_.UpdateOffer(
      std::move(*offer), base_version,
      [this, id, patch = std::move(patch), if_match, caller, attempts_left, base_version,
       respond](Result<Offer> result) mutable {
        if (result.ok()) return respond(OfferResponse(200, result.value(), zone_));
        if (result.status().code() != StatusCode::kVersionMismatch || if_match) {
          return respond(StatusResponse(result.status()));
        }
        // Without If-Match the client asked for last-writer-wins on the fields it sent: when
        // another writer moved the version (the store shows it: Store::UpdateOffer), merge
        // again onto the newer one. Nothing else is retried.
        const auto now = store_.FindOffer(id);
        const bool moved = now != nullptr && now->version > base_version;
        if (moved && attempts_left > 1) {
          return PatchWithRetry(std::move(id), std::move(patch), if_match, std::move(caller),
                                attempts_left - 1, std::move(respond));
        }
        const int attempts = kMaxPatchAttempts - attempts_left + 1;
        respond(ProblemResponse(VersionConflict(
            id, "other writers changed offer " + id + " during each of this patch's " +
                    std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts") +
                    "; read it and send the patch again")));
      });
}

void OfferHandlers::IssueCodes(const HttpRequest& request, const Caller& caller, Respond& respond) {
  // The body is read now (the request does not outlive this call); what is wrong with it is
  // answered after the offer's scope, as documented (404, 403, then 400/422).
  std::optional<Problem> body_problem;
  std::optional<std::int64_t> count;
  auto parsed = ParseJsonObject(request);
  if (auto* problem = std::get_if<Problem>(&parsed)) {
    body_problem = *problem;
  } else {
    BodyProblems problems;
    FieldReader reader(std::get<JsonBody>(parsed).object, "", problems);
    count = reader.Integer("count", 1, static_cast<std::int64_t>(max_codes_per_request_), true);
    reader.Finish();
    if (!problems.empty()) body_problem = ProblemFor(std::move(problems));
  }
  // Issuing codes changes what the offer grants: it takes the right to change the offer.
  WithChangeableOffer(store_, caller.params[0], caller, respond,
                      [this, body_problem, count, respond](std::shared_ptr<const Offer> offer) {
                        if (body_problem) return respond(ProblemResponse(*body_problem));
                        IssueCodesFor(*offer, *count, respond);
                      });
}

void OfferHandlers::IssueCodesFor(const Offer& offer, std::int64_t count, Respond respond) {
  if (offer.code_mode != CodeMode::kUnique) {
    return respond(ProblemResponse(
        InvalidFields({{"count", "codes are issued only for offers with code_mode unique"}})));
  }
  auto codes = GenerateUniqueCodes(random_, static_cast<std::size_t>(count));
  store_.IssueCodes(offer.id, codes, [respond, codes](Result<IssuedCodes> result) mutable {
    if (!result.ok()) return respond(StatusResponse(result.status()));
    // A code already issued elsewhere (odds ~2^-60 each) is left out.
    for (const std::string& dup : result->duplicates) {
      codes.erase(std::find(codes.begin(), codes.end(), dup));
    }
    std::string body = "{\"codes\":[";
    for (std::size_t i = 0; i < codes.size(); ++i) {
      if (i != 0) body += ',';
      body += '"' + codes[i] + '"';
    }
    body += "]}";
    respond(JsonResponse(201, std::move(body)));
  });
}

}  // namespace uudai::gateway
