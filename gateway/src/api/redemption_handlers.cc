#include "api/redemption_handlers.h"

#include <boost/json/serialize.hpp>

#include "api/new_id.h"
#include "api/responses.h"
#include "json/checkout_json.h"
#include "json/request_body.h"
#include "ops/metrics.h"

namespace uudai::gateway {
namespace {

constexpr std::size_t kMaxIdempotencyKeyLength = 255;

// The problem member listing the supplied codes that did not apply, as a quote lists them.
std::string RejectedMember(const std::vector<CodeRejection>& rejected) {
  return "\"rejected\":" + boost::json::serialize(RejectedToJson(rejected));
}

HttpResponse Replayed(std::string body) {
  HttpResponse response = JsonResponse(201, std::move(body));
  response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

}  // namespace

RedemptionHandlers::RedemptionHandlers(Store& store, const Catalog& catalog, const Clock& clock,
                                       RandomSource& random, Metrics& metrics, CampaignZone zone,
                                       std::int64_t reservation_ttl_millis)
    : store_(store),
      catalog_(catalog),
      clock_(clock),
      random_(random),
      metrics_(metrics),
      reservation_ttl_millis_(reservation_ttl_millis),
      evaluator_(zone) {}

void RedemptionHandlers::Create(const HttpRequest& request, const Caller& caller,
                                Respond& respond) {
  const auto key = request.Header("idempotency-key");
  if (!key) return respond(ProblemResponse(MissingHeader("Idempotency-Key")));
  if (key->empty() || key->size() > kMaxIdempotencyKeyLength) {
    return respond(ProblemResponse(
        BadRequest("bad_idempotency_key", "Idempotency-Key must be 1 to 255 characters")));
  }
  auto parsed = ParseJsonObject(request);
  if (auto* problem = std::get_if<Problem>(&parsed)) return respond(ProblemResponse(*problem));
  BodyProblems problems;
  auto redemption_request = RedemptionRequestFromJson(std::get<JsonBody>(parsed).object, problems);
  if (!redemption_request) return respond(ProblemResponse(ProblemFor(std::move(problems))));
  if (auto errors = ValidateCart(redemption_request->cart); !errors.empty()) {
    return respond(ProblemResponse(InvalidFields(std::move(errors))));
  }
  // The claim: scoped to the API key, fingerprinted by the exact body.
  IdempotencyClaim claim{
      caller.key->key_id + ":" + std::string(*key), ToHex(Sha256(request.body)), {}};
  // A retry while the first request with this key is still being answered here.
  std::shared_ptr<InFlightKeys::Hold> hold = in_flight_.TryHold(claim.scope_key);
  if (!hold) {
    metrics_.CountRedemption("request_in_progress");
    return respond(
        StatusResponse(Status(StatusCode::kRequestInProgress,
                              "the first request with this Idempotency-Key is still running")));
  }
  // The key is free again the moment the answer is given (a retry after it is a new request).
  Respond answer = [hold, respond](HttpResponse response) {
    hold->Release();
    respond(std::move(response));
  };
  const Timestamp now = clock_.Now();
  const auto snapshot = catalog_.Current();
  uudai::Quote quote =
      evaluator_.Evaluate(*snapshot, redemption_request->cart, now, store_.usage());

  // Refused before the store. A retry of a request that did succeed is still replayed, and a
  // second redemption of a live order says so (its offers may be used up by the first); the
  // store settles both in one step, and makes the refusal final for a request with the same
  // key still in flight on another gateway (Store::SettleRefusal).
  auto refuse = [this, &claim, &answer, &redemption_request, &quote](Status refusal) {
    std::string rejected = RejectedMember(quote.rejected);
    const std::string order = redemption_request->order_id;
    store_.SettleRefusal(RefusalCheck{claim.scope_key, claim.fingerprint,
                                      redemption_request->cart.merchant_id, order},
                         [this, refusal = std::move(refusal), rejected = std::move(rejected), order,
                          respond = std::move(answer)](Result<SettledRefusal> settled) mutable {
                           if (!settled.ok()) return respond(StatusResponse(settled.status()));
                           if (settled->replay)
                             return respond(Replayed(std::move(*settled->replay)));
                           if (settled->live_redemption_id) {
                             metrics_.CountRedemption("order_already_redeemed");
                             return respond(StatusResponse(
                                 Status(StatusCode::kOrderAlreadyRedeemed,
                                        "order " + order + " already has a live redemption " +
                                            *settled->live_redemption_id)));
                           }
                           metrics_.CountRedemption(std::string(CodeName(refusal.code())));
                           respond(StatusResponse(refusal, std::move(rejected)));
                         });
  };
  if (quote.applied.empty()) {
    return refuse(Status(StatusCode::kNothingToRedeem, "no offer applies to this cart now"));
  }
  if (redemption_request->expected_discount_total &&
      *redemption_request->expected_discount_total != quote.discount_total) {
    return refuse(Status(StatusCode::kQuoteChanged,
                         "the discount is now " + std::to_string(quote.discount_total) + ", not " +
                             std::to_string(*redemption_request->expected_discount_total)));
  }
  const RedemptionIntent intent{NewId(random_, "r"), redemption_request->order_id, now,
                                reservation_ttl_millis_, redemption_request->commit};
  Redemption redemption = PlanRedemption(redemption_request->cart, quote, intent);
  // claim.response stays empty: the store renders the answer once the redemption is created
  // (RedemptionJsonText, the app's render_response), and again for each replay.
  store_.CreateRedemption(
      {std::move(redemption), std::move(claim)},
      [this, respond = std::move(answer),
       rejected = std::move(quote.rejected)](Result<CreateRedemptionOutcome> result) {
        if (!result.ok()) {
          metrics_.CountRedemption(std::string(CodeName(result.status().code())));
          // A refusal of the store's (a limit, or an offer that changed) lists the supplied
          // codes that did not apply, as a refusal of the plan does.
          if (HttpStatusOf(result.status().code()) == 409) {
            return respond(StatusResponse(result.status(), RejectedMember(rejected)));
          }
          return respond(StatusResponse(result.status()));
        }
        if (result->replayed) return respond(Replayed(std::move(result->response)));
        metrics_.CountRedemption(result->redemption.status == RedemptionStatus::kCommitted
                                     ? "created_committed"
                                     : "created_reserved");
        respond(JsonResponse(201, std::move(result->response)));
      });
}

void RedemptionHandlers::Get(const HttpRequest&, const Caller& caller, Respond& respond) {
  store_.GetRedemption(caller.params[0], [this, respond](Result<Redemption> result) {
    if (!result.ok()) return respond(StatusResponse(result.status()));
    respond(JsonResponse(200, RedemptionJsonText(result.value(), evaluator_.zone())));
  });
}

void RedemptionHandlers::Transition(const HttpRequest& request, const Caller& caller,
                                    RedemptionAction action, Respond& respond) {
  if (!request.body.empty()) {
    // No body is needed; one that is sent is read as strictly as any other.
    auto parsed = ParseJsonObject(request);
    if (auto* problem = std::get_if<Problem>(&parsed)) return respond(ProblemResponse(*problem));
    BodyProblems problems;
    FieldReader(std::get<JsonBody>(parsed).object, "", problems).Finish();
    if (!problems.empty()) return respond(ProblemResponse(ProblemFor(std::move(problems))));
  }
  store_.TransitionRedemption(
      caller.params[0], action, [this, action, respond](Result<Redemption> result) {
        if (!result.ok()) {
          metrics_.CountRedemption(std::string(CodeName(result.status().code())));
          return respond(StatusResponse(result.status()));
        }
        metrics_.CountRedemption(std::string(RedemptionActionName(action)));
        respond(JsonResponse(200, RedemptionJsonText(result.value(), evaluator_.zone())));
      });
}

void RedemptionHandlers::Commit(const HttpRequest& request, const Caller& caller,
                                Respond& respond) {
  Transition(request, caller, RedemptionAction::kCommit, respond);
}
void RedemptionHandlers::Cancel(const HttpRequest& request, const Caller& caller,
                                Respond& respond) {
  Transition(request, caller, RedemptionAction::kCancel, respond);
}
void RedemptionHandlers::Refund(const HttpRequest& request, const Caller& caller,
                                Respond& respond) {
  Transition(request, caller, RedemptionAction::kRefund, respond);
}

}  // namespace uudai::gateway
