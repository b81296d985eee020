#include "store/redis/offer_holds.h"

#include <string_view>
#include <utility>

#include "store/redis/redemption_record.h"
#include "store/redis/redis_store.h"
#include "store/redis/redis_store_codec.h"

namespace uudai::gateway {

namespace {

Status Malformed(std::string_view what) {
  return Status(StatusCode::kInternal,
                "the store function's hold reply is malformed: " + std::string(what));
}

// The script's reply, or why there is none: transport failures and refusals alike.
Result<ScriptReply> Answered(const Result<RedisReply>& reply) {
  Result<ScriptReply> parsed = ParseScriptReply(reply);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->status.ok()) return parsed->status;
  if (parsed->payload.empty()) return Malformed("no outcome");
  return parsed;
}

Result<HoldOutcome> HoldOutcomeOf(const ScriptReply& reply, std::size_t offers) {
  const auto& p = reply.payload;
  if (p.size() != 1 + 3 * offers) return Malformed(std::to_string(p.size()) + " fields");
  HoldOutcome outcome;
  const std::string& how = p[0].str();
  if (how != "held" && how != "replayed") return Malformed("outcome " + how);
  outcome.replayed = how == "replayed";
  for (std::size_t i = 1; i < p.size(); i += 3) {
    HeldOfferFacts facts;
    facts.first_order = p[i].str() == "1";
    const auto layer = ParseSigned(p[i + 1].str());
    const auto per_shopper = ParseSigned(p[i + 2].str());
    if (!layer || *layer < 0 || *layer >= static_cast<std::int64_t>(kLayerCount) || !per_shopper) {
      return Malformed("offer facts " + p[i + 1].str() + " " + p[i + 2].str());
    }
    facts.layer = static_cast<Layer>(*layer);
    if (*per_shopper >= 0) facts.per_shopper = *per_shopper;
    outcome.offers.push_back(facts);
  }
  return outcome;
}

}  // namespace

OfferHolds::OfferHolds(std::shared_ptr<RedisClient> client, std::string key_prefix,
                       CampaignZone zone)
    : client_(std::move(client)),
      function_("uudai", RedisStoreScriptSource()),
      log_key_(std::move(key_prefix) + "log"),
      zone_(zone) {}

void OfferHolds::Run(std::vector<std::string> args, std::function<void(Result<RedisReply>)> done) {
  client_->Call(function_, {log_key_}, std::move(args), std::move(done));
}

void OfferHolds::Hold(const HoldRequest& request, Completion<HoldOutcome> done) {
  if (request.offers.empty()) {
    return done(Status(StatusCode::kNothingToRedeem, "a hold of no offer"));
  }
  std::vector<std::string> args = {"hold",
                                   request.redemption_id,
                                   request.home,
                                   std::to_string(request.at.millis),
                                   std::to_string(zone_.MinuteOfDay(request.at)),
                                   std::to_string(zone_.DayOf(request.at).index),
                                   std::to_string(request.deadline.millis)};
  args.reserve(args.size() + 5 * request.offers.size());
  for (const RedeemedOffer& a : request.offers) {
    const bool held_code = a.code_mode == CodeMode::kUnique && a.code;
    args.push_back(a.offer_id);
    args.push_back(std::to_string(a.offer_version));
    args.push_back(std::to_string(a.reward()));
    args.push_back(held_code ? *a.code : std::string());
    args.push_back(a.restore_on_refund ? "1" : "0");
  }
  Run(std::move(args),
      [offers = request.offers.size(), done = std::move(done)](Result<RedisReply> reply) {
        Result<ScriptReply> answered = Answered(reply);
        if (!answered.ok()) return done(answered.status());
        done(HoldOutcomeOf(answered.value(), offers));
      });
}

void OfferHolds::Confirm(const std::string& redemption_id, StatusCompletion done) {
  Run({"hold_confirm", redemption_id}, [done = std::move(done)](Result<RedisReply> reply) {
    Result<ScriptReply> answered = Answered(reply);
    if (!answered.ok()) return done(answered.status());
    if (answered->payload[0].str() != "confirmed") {
      return done(Malformed("outcome " + answered->payload[0].str()));
    }
    done(Status::Ok());
  });
}

void OfferHolds::Release(const std::string& redemption_id, HoldRelease what, Timestamp deadline,
                         Completion<ReleaseOutcome> done) {
  Run({"hold_release", redemption_id, what == HoldRelease::kAll ? "all" : "refund",
       std::to_string(deadline.millis)},
      [done = std::move(done)](Result<RedisReply> reply) {
        Result<ScriptReply> answered = Answered(reply);
        if (!answered.ok()) return done(answered.status());
        const std::string& how = answered->payload[0].str();
        if (how == "released") return done(ReleaseOutcome::kReleased);
        if (how == "already") return done(ReleaseOutcome::kAlready);
        if (how == "absent") return done(ReleaseOutcome::kAbsent);
        done(Malformed("outcome " + how));
      });
}

void OfferHolds::Due(std::size_t max_count, Completion<std::vector<DueHold>> done) {
  Run({"holds_due", std::to_string(max_count)}, [done = std::move(done)](Result<RedisReply> reply) {
    Result<ScriptReply> parsed = ParseScriptReply(reply);
    if (!parsed.ok()) return done(parsed.status());
    if (!parsed->status.ok()) return done(parsed->status);
    const auto& p = parsed->payload;
    if (p.size() % 3 != 0) return done(Malformed(std::to_string(p.size()) + " fields"));
    std::vector<DueHold> due;
    for (std::size_t i = 0; i < p.size(); i += 3) {
      const auto deadline = ParseSigned(p[i + 2].str());
      if (!deadline) return done(Malformed("deadline " + p[i + 2].str()));
      due.push_back(DueHold{p[i].str(), p[i + 1].str(), Timestamp{*deadline}});
    }
    done(std::move(due));
  });
}

void OfferHolds::Claim(const std::string& redemption_id, Timestamp deadline,
                       Completion<ClaimOutcome> done) {
  Run({"claim", redemption_id, std::to_string(deadline.millis)},
      [done = std::move(done)](Result<RedisReply> reply) {
        Result<ScriptReply> answered = Answered(reply);
        if (!answered.ok()) return done(answered.status());
        const std::string& how = answered->payload[0].str();
        if (how == "exists") return done(ClaimOutcome::kExists);
        if (how == "claimed") return done(ClaimOutcome::kClaimed);
        done(Malformed("outcome " + how));
      });
}

void OfferHolds::PendingReleases(std::size_t max_count,
                                 Completion<std::vector<PendingRelease>> done) {
  Run({"outbox_due", std::to_string(max_count)},
      [done = std::move(done)](Result<RedisReply> reply) {
        Result<ScriptReply> parsed = ParseScriptReply(reply);
        if (!parsed.ok()) return done(parsed.status());
        if (!parsed->status.ok()) return done(parsed->status);
        std::vector<PendingRelease> pending;
        for (const RedisReply& entry : parsed->payload) {
          // redemption id US shard US "all" | "refund" US deadline
          const std::vector<std::string_view> f = SplitFields(entry.str(), kRecordField);
          const auto deadline = f.size() == 4 ? ParseSigned(f[3]) : std::nullopt;
          if (!deadline || (f[2] != "all" && f[2] != "refund")) {
            return done(Malformed("release " + entry.str()));
          }
          pending.push_back(PendingRelease{entry.str(), std::string(f[0]), std::string(f[1]),
                                           f[2] == "all" ? HoldRelease::kAll : HoldRelease::kRefund,
                                           Timestamp{*deadline}});
        }
        done(std::move(pending));
      });
}

void OfferHolds::ReleaseSent(const std::string& entry, StatusCompletion done) {
  Run({"outbox_done", entry}, [done = std::move(done)](Result<RedisReply> reply) {
    Result<ScriptReply> answered = Answered(reply);
    done(answered.ok() ? Status::Ok() : answered.status());
  });
}

}  // namespace uudai::gateway
