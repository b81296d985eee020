// RedisStore's redemptions: creating one (with holds in other shards, for a spread store),
// settling a refusal, replaying an idempotent answer, transitions, reads and expiry; each one
// call of the store's library (redis_store_redemptions.lua, redis_store_transitions.lua).
#include <algorithm>

#include "store/redis/redemption_record.h"
#include "store/redis/redis_store.h"
#include "store/redis/redis_store_core.h"
#include "store/redis/rendered_response.h"
#include "store/redis/store_mirror.h"

namespace uudai::gateway {
namespace {

std::string Millis(Timestamp t) { return std::to_string(t.millis); }

bool IsStaleOfferRefusal(StatusCode code) {
  return code == StatusCode::kOfferPaused || code == StatusCode::kOfferNotStarted ||
         code == StatusCode::kOfferEnded || code == StatusCode::kOutsideWindow ||
         code == StatusCode::kQuoteChanged;
}

}  // namespace

namespace {

// A create's outcome replayed from a payload {"replayed", the first response ("" when the
// record renders it), the redemption's id, its record now}.
Result<CreateRedemptionOutcome> ReplayedOutcome(const RedisStoreOptions& options,
                                                const std::vector<RedisReply>& payload) {
  RedemptionStatus created_as{};
  auto first = DecodeRedemptionRecord(payload[2].str(), payload[3].str(), &created_as);
  if (!first.ok()) return first.status();
  Result<std::string> response =
      FirstResponse(options.render_response, first.value(), created_as, payload[1].str());
  if (!response.ok()) return response.status();
  return CreateRedemptionOutcome{std::move(first).value(), true, std::move(response).value()};
}

}  // namespace

void RedisStore::CreateRedemption(CreateRedemptionRequest request,
                                  Completion<CreateRedemptionOutcome> done) {
  CreateRedemptionWithHolds(std::move(request), Timestamp{}, {}, std::move(done));
}

namespace {

// "" for an offer kept here; for one held elsewhere, what create checks of it and its shard
// (redis_store_redemptions.lua, create's last argument per offer).
std::string WhereHeld(const std::optional<HeldElsewhere>& held) {
  if (!held) return {};
  const HeldOfferFacts& f = held->facts;
  return std::string(f.first_order ? "1" : "") + kRecordField +
         std::to_string(static_cast<int>(f.layer)) + kRecordField +
         std::to_string(f.per_shopper.value_or(-1)) + kRecordField + held->shard;
}

}  // namespace

void RedisStore::CreateRedemptionWithHolds(CreateRedemptionRequest request,
                                           Timestamp holds_deadline,
                                           std::vector<std::optional<HeldElsewhere>> held,
                                           Completion<CreateRedemptionOutcome> done,
                                           std::vector<bool> shares_with_alternatives) {
  const Redemption& r = request.redemption;
  if (r.applied.empty()) {
    return done(Status(StatusCode::kNothingToRedeem, "the redemption applies no offer"));
  }
  if (r.status != RedemptionStatus::kReserved && r.status != RedemptionStatus::kCommitted) {
    return done(
        Status(StatusCode::kInvalidTransition, "a redemption starts reserved or committed"));
  }
  if (!held.empty() && held.size() != r.applied.size()) {
    return done(Status(StatusCode::kInternal, "held offers do not match the applied offers"));
  }
  const bool any_held =
      std::any_of(held.begin(), held.end(), [](const auto& h) { return h.has_value(); });
  const Timestamp now = core_->clock().Now();
  const LocalDay day = core_->options().zone.DayOf(r.created_at);
  Result<std::string> record = EncodeRedemptionRecord(r, day);
  if (!record.ok()) return done(record.status());
  const auto& claim = request.idempotency;
  // A claim that leaves its response to the renderer gets it rendered from the record as Redis
  // will keep it, once created, as every replay renders it; one that gives its response keeps
  // it unless it is that rendering.
  const bool render_first = claim && claim->response.empty();
  if (render_first && !core_->options().render_response) {
    return done(Status(StatusCode::kInternal,
                       "an idempotency claim without its response needs a store that renders "
                       "responses (RedisStoreOptions::render_response)"));
  }
  std::string rendered_from = render_first ? record.value() : std::string();
  std::string kept_response =
      claim && !render_first
          ? KeptResponse(core_->options().render_response, r.id, record.value(), claim->response)
          : std::string();
  std::vector<std::string> args = {"create",
                                   Millis(now),
                                   std::to_string(core_->options().idempotency_retention_millis),
                                   r.id,
                                   std::to_string(static_cast<int>(r.status)),
                                   Millis(r.expires_at),
                                   std::move(record).value(),
                                   claim ? claim->scope_key : std::string(),
                                   claim ? claim->fingerprint : std::string(),
                                   std::move(kept_response),
                                   Millis(r.created_at),
                                   std::to_string(core_->options().zone.MinuteOfDay(r.created_at)),
                                   std::to_string(r.subtotal + r.shipping_fee),
                                   std::to_string(core_->options().refusal_fence_millis),
                                   r.shopper_id,
                                   std::to_string(day.index),
                                   OrderKey(r),
                                   any_held ? Millis(holds_deadline) : std::string()};
  args.reserve(args.size() + 5 * r.applied.size());
  for (std::size_t i = 0; i < r.applied.size(); ++i) {
    const RedeemedOffer& a = r.applied[i];
    const bool held_code = a.code_mode == CodeMode::kUnique && a.code;
    args.push_back(a.offer_id);
    args.push_back(std::to_string(a.offer_version));
    args.push_back(std::to_string(a.reward()));
    args.push_back(held_code ? *a.code : std::string());
    const bool alternatives = i < shares_with_alternatives.size() && shares_with_alternatives[i];
    args.push_back(alternatives   ? std::string("~")  // BUCKET_WITH_ALTERNATIVES
                   : held.empty() ? std::string()
                                  : WhereHeld(held[i]));
  }
  std::string response = claim ? claim->response : std::string();
  auto mutation = std::make_shared<StoreMutation>(
      RedemptionCreated{std::move(request.redemption), std::nullopt});
  core_->Run(std::move(args), [core = core_, mutation, response = std::move(response),
                               rendered_from = std::move(rendered_from),
                               done = std::move(done)](Result<ScriptReply> reply) mutable {
    if (!reply.ok()) return done(reply.status());
    if (!reply->status.ok()) {
      // Refused because an offer changed since this gateway's view saw it: read the change
      // log first, so that the client's next quote here sees the offer as it is.
      if (!IsStaleOfferRefusal(reply->status.code())) return done(reply->status);
      return core->mirror().CatchUp(
          [status = reply->status, done = std::move(done)](const Status&) { done(status); });
    }
    const auto& payload = reply->payload;
    if (!payload.empty() && payload[0].str() == "replayed" && payload.size() == 4) {
      return done(ReplayedOutcome(core->options(), payload));
    }
    Redemption created = std::get<RedemptionCreated>(*mutation).redemption;
    Result<std::string> first =
        rendered_from.empty()
            ? Result<std::string>(std::move(response))
            : FirstResponse(core->options().render_response, created.id, rendered_from, "");
    core->Settle(
        reply.value(), mutation.get(),
        [created = std::move(created), first = std::move(first), done = std::move(done)]() mutable {
          if (!first.ok()) return done(first.status());
          done(CreateRedemptionOutcome{std::move(created), false, std::move(first).value()});
        });
  });
}

void RedisStore::SettleRefusal(RefusalCheck check, Completion<SettledRefusal> done) {
  Redemption order_of;
  order_of.merchant_id = std::move(check.merchant_id);
  order_of.order_id = std::move(check.order_id);
  core_->Run({"refusal", Millis(core_->clock().Now()),
              std::to_string(core_->options().idempotency_retention_millis),
              std::move(check.scope_key), std::move(check.fingerprint), OrderKey(order_of),
              std::to_string(core_->options().refusal_fence_millis)},
             [core = core_, done = std::move(done)](Result<ScriptReply> reply) {
               if (!reply.ok()) return done(reply.status());
               if (!reply->status.ok()) return done(reply->status);
               const auto& p = reply->payload;
               if (p.size() == 4 && p[0].str() == "replayed") {
                 Result<std::string> response = FirstResponse(core->options().render_response,
                                                              p[2].str(), p[3].str(), p[1].str());
                 if (!response.ok()) return done(response.status());
                 return done(SettledRefusal{std::move(response).value(), std::nullopt});
               }
               if (p.size() == 2 && p[0].str() == "order") {
                 return done(SettledRefusal{std::nullopt, p[1].str()});
               }
               if (p.size() == 1 && p[0].str() == "none") return done(SettledRefusal{});
               done(Status(StatusCode::kInternal, "malformed refusal reply"));
             });
}

void RedisStore::SettleRefusalAsCreate(RefusalCheck check, Status refusal,
                                       Completion<CreateRedemptionOutcome> done) {
  Redemption order_of;
  order_of.merchant_id = std::move(check.merchant_id);
  order_of.order_id = std::move(check.order_id);
  core_->Run(
      {"refusal", Millis(core_->clock().Now()),
       std::to_string(core_->options().idempotency_retention_millis), std::move(check.scope_key),
       std::move(check.fingerprint), OrderKey(order_of),
       std::to_string(core_->options().refusal_fence_millis)},
      [core = core_, refusal = std::move(refusal), order_id = order_of.order_id,
       done = std::move(done)](Result<ScriptReply> reply) {
        if (!reply.ok()) return done(reply.status());
        if (!reply->status.ok()) return done(reply->status);
        const auto& p = reply->payload;
        if (p.size() == 4 && p[0].str() == "replayed") {
          return done(ReplayedOutcome(core->options(), p));
        }
        if (p.size() == 2 && p[0].str() == "order") {
          return done(Status(StatusCode::kOrderAlreadyRedeemed,
                             "order " + order_id + " already has a live redemption " + p[1].str()));
        }
        if (p.size() == 1 && p[0].str() == "none") return done(refusal);
        done(Status(StatusCode::kInternal, "malformed refusal reply"));
      });
}

void RedisStore::FindIdempotentResponse(std::string scope_key, std::string fingerprint,
                                        Completion<std::optional<std::string>> done) {
  core_->Run({"replay", Millis(core_->clock().Now()),
              std::to_string(core_->options().idempotency_retention_millis), std::move(scope_key),
              std::move(fingerprint)},
             [core = core_, done = std::move(done)](Result<ScriptReply> reply) {
               if (!reply.ok()) return done(reply.status());
               if (!reply->status.ok()) return done(reply->status);
               const auto& p = reply->payload;
               if (p.size() == 2 && p[0].str() == "replayed") {
                 return done(std::optional<std::string>(p[1].str()));
               }
               if (p.size() == 4 && p[0].str() == "replayed") {  // kept no response
                 Result<std::string> response = FirstResponse(
                     core->options().render_response, p[2].str(), p[3].str(), std::string());
                 if (!response.ok()) return done(response.status());
                 return done(std::optional<std::string>(std::move(response).value()));
               }
               if (p.size() == 1 && p[0].str() == "none") return done(std::optional<std::string>());
               done(Status(StatusCode::kInternal, "malformed replay reply"));
             });
}

void RedisStore::TransitionRedemption(std::string id, RedemptionAction action,
                                      Completion<Redemption> done) {
  if (action == RedemptionAction::kExpire) {
    return done(Status(StatusCode::kInvalidTransition, "expiry is the store's own business"));
  }
  const Timestamp at = core_->clock().Now();
  core_->Run({"transition", id, std::string(RedemptionActionName(action)), Millis(at)},
             [core = core_, id, at, done = std::move(done)](Result<ScriptReply> reply) {
               if (!reply.ok()) return done(reply.status());
               if (!reply->entry) return done(reply->status);  // refused: nothing changed
               const auto& payload = reply->payload;
               if (payload.size() != 2) return done(Status(StatusCode::kInternal, "bad reply"));
               Result<Redemption> after = DecodeRedemptionRecord(id, payload[1].str());
               RedemptionAction applied = RedemptionAction::kExpire;
               for (RedemptionAction a : {RedemptionAction::kCommit, RedemptionAction::kCancel,
                                          RedemptionAction::kRefund}) {
                 if (RedemptionActionName(a) == payload[0].str()) applied = a;
               }
               // The view counts the transition from the redemption it carries; without
               // one (a record this build cannot read), the view reads the log instead.
               const StoreMutation mutation = RedemptionTransitioned{
                   id, applied, at, after.ok() ? std::optional(after.value()) : std::nullopt};
               Status outcome = reply->status;
               core->Settle(reply.value(), after.ok() ? &mutation : nullptr,
                            [outcome = std::move(outcome), after = std::move(after),
                             done = std::move(done)]() mutable {
                              if (!outcome.ok()) return done(std::move(outcome));
                              done(std::move(after));
                            });
             });
}

void RedisStore::GetRedemption(std::string id, Completion<Redemption> done) {
  core_->Pick().Command(
      {"HGET", core_->Key("rec"), id}, [id, done = std::move(done)](Result<RedisReply> reply) {
        if (!reply.ok()) return done(Status(StatusCode::kUnavailable, reply.status().message()));
        if (reply->is_error()) return done(StatusFromErrorReply(reply.value()));
        if (reply->is_nil()) {
          return done(Status(StatusCode::kNotFound, "redemption " + id + " does not exist"));
        }
        done(DecodeRedemptionRecord(id, reply->str()));
      });
}

void RedisStore::FindLiveOrder(std::string merchant_id, std::string order_id,
                               Completion<std::optional<std::string>> done) {
  Redemption key_of;
  key_of.merchant_id = std::move(merchant_id);
  key_of.order_id = std::move(order_id);
  core_->Run({"live_order", OrderKey(key_of)}, [done = std::move(done)](Result<ScriptReply> reply) {
    if (!reply.ok()) return done(reply.status());
    if (!reply->status.ok()) return done(reply->status);
    if (reply->payload.empty()) return done(std::optional<std::string>());
    done(std::optional<std::string>(reply->payload.front().str()));
  });
}

// In script calls of at most expiries_per_call (see RedisStoreOptions): Redis serves other
// clients between them.
void RedisStore::ExpireDue(std::size_t max_count, Completion<std::size_t> done) {
  auto job = std::make_shared<Core::Expiring>();
  job->left = max_count;
  job->done = std::move(done);
  core_->ExpireNext(std::move(job));
}

}  // namespace uudai::gateway
