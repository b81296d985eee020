#include "store/redis/redis_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <variant>

#include "store/codec/mutation_codec.h"
#include "store/redis/redis_store_codec.h"
#include "store/redis/store_mirror.h"
#include "uudai/unique_code.h"

namespace uudai::gateway {

extern const std::string_view kRedisStoreLua;

const std::string& RedisStoreScriptSource() {
  static const std::string source(kRedisStoreLua);
  return source;
}

namespace {

std::string Millis(Timestamp t) { return std::to_string(t.millis); }

bool IsStaleOfferRefusal(StatusCode code) {
  return code == StatusCode::kOfferPaused || code == StatusCode::kOfferNotStarted ||
         code == StatusCode::kOfferEnded || code == StatusCode::kOutsideWindow ||
         code == StatusCode::kQuoteChanged;
}

// The script tells a shop's code scope from the platform's by this number (MERCHANT_LAYER).
static_assert(static_cast<int>(Layer::kMerchant) == 0, "redis_store.lua's MERCHANT_LAYER");

}  // namespace

class RedisStore::Core : public std::enable_shared_from_this<RedisStore::Core> {
 public:
  Core(const Clock& clock, RedisStoreOptions options,
       std::vector<std::shared_ptr<RedisConnection>> connections)
      : clock_(clock),
        options_(std::move(options)),
        connections_(std::move(connections)),
        script_(RedisStoreScriptSource()),
        log_key_(options_.key_prefix + "log") {}

  // Set right after construction (the fetch needs a weak pointer to this).
  void MakeMirror() {
    MemoryStoreOptions view_options;
    view_options.zone = options_.zone;
    view_options.idempotency_retention_millis = options_.idempotency_retention_millis;
    // Redemptions live in Redis: the view keeps counters and stats only, so a gateway's memory
    // does not grow with the ledger.
    view_options.keep_redemptions = false;
    std::weak_ptr<Core> weak = weak_from_this();
    mirror_ = std::make_unique<StoreMirror>(
        clock_, view_options, options_.log_batch,
        [weak](LogPosition after, StoreMirror::FetchDone done) {
          auto core = weak.lock();
          if (!core) return done(Status(StatusCode::kUnavailable, "the store is gone"));
          core->FetchLog(after, std::move(done));
        });
  }

  const Clock& clock() const { return clock_; }
  const RedisStoreOptions& options() const { return options_; }
  StoreMirror& mirror() { return *mirror_; }
  std::string Key(std::string_view name) const { return options_.key_prefix + std::string(name); }

  // The calling thread's own connection when it has one (replies then come back on the same
  // thread), else the next one round-robin.
  // This thread's own connection when it is up (commands and replies stay on this thread);
  // while it reconnects, any connection that is up (its reply then comes on that connection's
  // thread: callers hop back, as for any store completion); else the own one, which answers
  // kUnavailable at once.
  RedisConnection& Pick() {
    const std::size_t count = connections_.size();
    std::size_t chosen = next_.fetch_add(1, std::memory_order_relaxed) % count;
    if (options_.connection_for_this_thread) {
      const int own = options_.connection_for_this_thread();
      if (own >= 0 && static_cast<std::size_t>(own) < count) chosen = static_cast<std::size_t>(own);
    }
    if (connections_[chosen]->connected()) return *connections_[chosen];
    for (std::size_t i = 1; i < count; ++i) {
      RedisConnection& other = *connections_[(chosen + i) % count];
      if (other.connected()) return other;
    }
    return *connections_[chosen];
  }

  bool connected() const {
    for (const auto& c : connections_) {
      if (c->connected()) return true;
    }
    return false;
  }

  // Runs the store script with `args` (the operation first) and parses its reply, noting
  // whether Redis took or refused a write (see ready()).
  void Run(std::vector<std::string> args, std::function<void(Result<ScriptReply>)> done) {
    Pick().Eval(script_, {log_key_}, std::move(args),
                [self = shared_from_this(), done = std::move(done)](Result<RedisReply> reply) {
                  Result<ScriptReply> parsed = ParseScriptReply(reply);
                  if (!reply.ok()) return done(std::move(parsed));  // not an answer of Redis
                  if (!parsed.ok() && parsed.status().code() == StatusCode::kUnavailable) {
                    self->NoteWrites(false);  // OOM over maxmemory, READONLY, MISCONF, ...
                  } else if (parsed.ok() && parsed->entry) {
                    self->NoteWrites(true);  // the call wrote (it appended to the log)
                  }
                  // Otherwise nothing is learnt: a call that only read (a replay, a refusal
                  // before any write, an expiry sweep with nothing due) runs even while Redis
                  // refuses writes.
                  done(std::move(parsed));
                });
  }

  void NoteWrites(bool taken) { writes_refused_.store(!taken, std::memory_order_relaxed); }
  bool writes_refused() const { return writes_refused_.load(std::memory_order_relaxed); }

  // While Redis refuses writes, no write may come to find out that it takes them again (a
  // load balancer stops sending traffic to a gateway whose /readyz says 503): at most once a
  // second, a harmless write of the same kind (SET with a TTL: denied over maxmemory, on a
  // replica and after a failed save, as the script is) asks instead.
  void ProbeWritesIfRefused() {
    if (!writes_refused()) return;
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(probe_mutex_);
      if (now - last_probe_ < std::chrono::seconds(1)) return;
      last_probe_ = now;
    }
    Pick().Command({"SET", Key("ready-probe"), "1", "PX", "60000"},
                   [self = shared_from_this()](Result<RedisReply> reply) {
                     if (!reply.ok()) return;  // not connected: ready() says so already
                     self->NoteWrites(!reply->is_error());
                   });
  }

  // After a successful write at reply.entry: put it in the view (at once if the view is at
  // reply.previous), then run `then` once the view holds it.
  void Settle(const ScriptReply& reply, const StoreMutation* mutation, std::function<void()> then) {
    if (!reply.entry) return then();
    if (mutation != nullptr) mirror_->ApplyOwn(*reply.previous, *reply.entry, *mutation);
    mirror_->WhenApplied(*reply.entry, std::move(then));
  }

  void FetchLog(LogPosition after, StoreMirror::FetchDone done) {
    // The reply keeps the Core (and so the mirror waiting for it) alive.
    Pick().Command({"XREAD", "COUNT", std::to_string(options_.log_batch), "STREAMS", log_key_,
                    after.ToString()},
                   [self = shared_from_this(), done = std::move(done)](Result<RedisReply> reply) {
                     if (!reply.ok()) return done(reply.status());
                     // Own changes the view applied while the read was in flight need no
                     // decoding (most of a busy gateway's log is its own).
                     done(LogEntriesFromXread(reply.value(), self->mirror_->position()));
                   });
  }

  void WriteOffer(Offer offer, bool create, std::int64_t base_version, Completion<Offer> done) {
    offer.version = create ? 1 : base_version + 1;
    if (!create) {
      // created_at never changes; the view knows it (a lagging view keeps the caller's).
      if (auto current = mirror_->view().FindOffer(offer.id))
        offer.created_at = current->created_at;
    }
    auto stored = std::make_shared<const Offer>(std::move(offer));
    const Offer& o = *stored;
    const bool public_code = o.code_mode == CodeMode::kPublic && o.code;
    // The script refuses a public code that, read as a unique code, is one of the same scope.
    const auto as_unique = public_code ? CanonicalUniqueCode(*o.code) : std::nullopt;
    std::vector<std::string> args = {"offer_put",
                                     create ? "create" : "update",
                                     o.id,
                                     std::to_string(base_version),
                                     o.merchant_id,
                                     std::to_string(static_cast<int>(o.layer)),
                                     std::to_string(static_cast<int>(o.code_mode)),
                                     std::string(OfferStatusName(o.status)),
                                     public_code ? *o.code : std::string(),
                                     EncodeMutation(OfferWritten{stored})};
    for (std::string& arg : OfferCheckArgs(o)) args.push_back(std::move(arg));
    args.push_back(as_unique.value_or(std::string()));
    Run(std::move(args),
        [self = shared_from_this(), stored, done = std::move(done)](Result<ScriptReply> reply) {
          if (!reply.ok()) return done(reply.status());
          if (reply->status.code() == StatusCode::kVersionMismatch) {
            // Another gateway's write (already in the log) moved the version: the view reads
            // the log before answering, so the caller sees the version it lost to
            // (Store::UpdateOffer).
            return self->mirror_->CatchUp(
                [status = reply->status, done](const Status&) { done(status); });
          }
          if (!reply->status.ok()) return done(reply->status);
          const StoreMutation mutation = OfferWritten{stored};
          self->Settle(reply.value(), &mutation, [stored, done] { done(*stored); });
        });
  }

  // Issues codes[next..] in calls of codes_per_call, one after the other.
  struct Issuing {
    std::string offer_id;
    std::vector<std::string> codes;
    std::size_t next = 0;
    IssuedCodes result;
    std::optional<LogPosition> last_entry;
    Completion<IssuedCodes> done;
  };
  void IssueNext(std::shared_ptr<Issuing> job) {
    if (job->next >= job->codes.size()) {
      if (!job->last_entry) return job->done(std::move(job->result));
      return mirror_->WhenApplied(*job->last_entry, [job] { job->done(std::move(job->result)); });
    }
    const std::size_t end = std::min(job->codes.size(), job->next + options_.codes_per_call);
    std::vector<std::string> args = {"issue_codes", job->offer_id,
                                     std::to_string(static_cast<int>(CodeMode::kUnique))};
    args.insert(args.end(), job->codes.begin() + static_cast<std::ptrdiff_t>(job->next),
                job->codes.begin() + static_cast<std::ptrdiff_t>(end));
    Run(std::move(args), [self = shared_from_this(), job, end](Result<ScriptReply> reply) {
      if (!reply.ok()) return job->done(reply.status());
      if (!reply->status.ok()) return job->done(reply->status);
      std::vector<std::string> duplicates;
      for (const RedisReply& d : reply->payload) duplicates.push_back(d.str());
      CodesIssued issued{job->offer_id, {}};
      std::sort(duplicates.begin(), duplicates.end());
      for (std::size_t i = job->next; i < end; ++i) {
        if (std::binary_search(duplicates.begin(), duplicates.end(), job->codes[i])) continue;
        issued.codes.push_back(job->codes[i]);
      }
      job->result.issued += issued.codes.size();
      for (std::string& d : duplicates) job->result.duplicates.push_back(std::move(d));
      job->next = end;
      if (reply->entry) {
        self->mirror_->ApplyOwn(*reply->previous, *reply->entry, StoreMutation(std::move(issued)));
        job->last_entry = reply->entry;
      }
      self->IssueNext(job);
    });
  }

  // Expires due reservations in script calls of at most expiries_per_call, one after the
  // other, until max_count have expired or a call found fewer due than it was allowed.
  struct Expiring {
    std::size_t left;
    std::size_t expired = 0;
    std::optional<LogPosition> last_entry;
    Completion<std::size_t> done;
  };
  void ExpireNext(std::shared_ptr<Expiring> job) {
    const std::size_t count =
        std::min(job->left, std::max<std::size_t>(options_.expiries_per_call, 1));
    if (count == 0) return FinishExpiring(std::move(job));
    Run({"expire_due", Millis(clock_.Now()), std::to_string(count)},
        [self = shared_from_this(), job, count](Result<ScriptReply> reply) {
          if (!reply.ok()) return job->done(reply.status());
          if (!reply->status.ok()) return job->done(reply->status);
          const auto& payload = reply->payload;
          const std::size_t expired = payload.empty() ? 0 : std::stoul(payload[0].str());
          const std::size_t removed = payload.size() < 2 ? 0 : std::stoul(payload[1].str());
          job->expired += expired;
          job->left -= std::min(expired, job->left);
          if (reply->entry) job->last_entry = reply->entry;
          // Each call empties `removed` places of the index: the loop ends.
          if (removed < count) return self->FinishExpiring(std::move(job));
          self->ExpireNext(std::move(job));
        });
  }
  // Once the view holds every expiry (the log entries carry them), so that the caller reads
  // its own writes.
  void FinishExpiring(std::shared_ptr<Expiring> job) {
    if (!job->last_entry) return job->done(job->expired);
    const LogPosition last = *job->last_entry;
    mirror_->WhenApplied(last, [job] { job->done(job->expired); });
  }

 private:
  const Clock& clock_;
  const RedisStoreOptions options_;
  const std::vector<std::shared_ptr<RedisConnection>> connections_;
  const RedisScript script_;
  const std::string log_key_;
  std::unique_ptr<StoreMirror> mirror_;
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> writes_refused_{false};
  std::mutex probe_mutex_;
  std::chrono::steady_clock::time_point last_probe_;  // GUARDED_BY probe_mutex_
};

RedisStore::RedisStore(const Clock& clock, RedisStoreOptions options,
                       std::vector<std::shared_ptr<RedisConnection>> connections)
    : core_(std::make_shared<Core>(clock, std::move(options), std::move(connections))) {
  core_->MakeMirror();
}

RedisStore::~RedisStore() = default;

Status RedisStore::Load(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!core_->connected()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status(StatusCode::kUnavailable,
                    "Redis did not answer within " + std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (Status format = CheckFormat(deadline); !format.ok()) return format;
  while (true) {
    auto caught_up = std::make_shared<std::promise<Status>>();
    auto future = caught_up->get_future();
    core_->mirror().CatchUp([caught_up](Status status) { caught_up->set_value(status); });
    if (future.wait_until(deadline) != std::future_status::ready) {
      return Status(StatusCode::kUnavailable, "reading the change log took longer than " +
                                                  std::to_string(timeout.count()) + " ms");
    }
    Status status = future.get();
    if (status.ok()) return status;
    if (std::chrono::steady_clock::now() >= deadline) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The script's "format" op: refuses a store whose log was written in another layout (an older
// build's transitions carry no redemption, and a counters-only view cannot count them).
Status RedisStore::CheckFormat(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    auto answered = std::make_shared<std::promise<Result<ScriptReply>>>();
    auto future = answered->get_future();
    core_->Run({"format"},
               [answered](Result<ScriptReply> reply) { answered->set_value(std::move(reply)); });
    if (future.wait_until(deadline) != std::future_status::ready) {
      return Status(StatusCode::kUnavailable, "Redis did not answer the format check in time");
    }
    Result<ScriptReply> reply = future.get();
    if (reply.ok() && reply->status.ok()) {
      const std::vector<RedisReply>& p = reply->payload;
      if (p.size() != 3) return Status(StatusCode::kInternal, "malformed format reply");
      const std::string& expected = p[0].str();
      const std::string& stored = p[1].str();
      if (stored == expected || (stored.empty() && p[2].str() == "0")) return Status::Ok();
      return Status(StatusCode::kInternal,
                    "the Redis store under \"" + core_->options().key_prefix + "\" is in format " +
                        (stored.empty() ? std::string("1 (no format key)") : stored) +
                        ", this build reads format " + expected +
                        ": it was written by another build of uudai. Serve it with that build, "
                        "or start this one on an empty key prefix (--redis-prefix)");
    }
    const Status failed = reply.ok() ? reply->status : reply.status();
    if (failed.code() != StatusCode::kUnavailable || std::chrono::steady_clock::now() >= deadline) {
      return failed;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // e.g. LOADING: try again
  }
}

void RedisStore::Poll() {
  core_->mirror().CatchUp([](const Status&) {});
  core_->ProbeWritesIfRefused();
}

void RedisStore::CreateOffer(Offer offer, Completion<Offer> done) {
  core_->WriteOffer(std::move(offer), true, 0, std::move(done));
}

void RedisStore::UpdateOffer(Offer offer, std::int64_t base_version, Completion<Offer> done) {
  core_->WriteOffer(std::move(offer), false, base_version, std::move(done));
}

std::shared_ptr<const Offer> RedisStore::FindOffer(const std::string& id) const {
  return core_->mirror().view().FindOffer(id);
}

std::vector<std::shared_ptr<const Offer>> RedisStore::ListOffers() const {
  return core_->mirror().view().ListOffers();
}

void RedisStore::SetOfferObserver(OfferObserver observer) {
  core_->mirror().SetOfferObserver(std::move(observer));
}

void RedisStore::IssueCodes(std::string offer_id, std::vector<std::string> codes,
                            Completion<IssuedCodes> done) {
  auto job = std::make_shared<Core::Issuing>();
  job->offer_id = std::move(offer_id);
  job->codes = std::move(codes);
  job->done = std::move(done);
  if (job->codes.empty()) {
    // Still tell an unknown or wrong offer apart from an empty batch.
    return core_->Run(
        {"issue_codes", job->offer_id, std::to_string(static_cast<int>(CodeMode::kUnique))},
        [job](Result<ScriptReply> reply) {
          if (!reply.ok()) return job->done(reply.status());
          if (!reply->status.ok()) return job->done(reply->status);
          job->done(IssuedCodes{});
        });
  }
  core_->IssueNext(std::move(job));
}

void RedisStore::CreateRedemption(CreateRedemptionRequest request,
                                  Completion<CreateRedemptionOutcome> done) {
  const Redemption& r = request.redemption;
  if (r.applied.empty()) {
    return done(Status(StatusCode::kNothingToRedeem, "the redemption applies no offer"));
  }
  if (r.status != RedemptionStatus::kReserved && r.status != RedemptionStatus::kCommitted) {
    return done(
        Status(StatusCode::kInvalidTransition, "a redemption starts reserved or committed"));
  }
  const Timestamp now = core_->clock().Now();
  const LocalDay day = core_->options().zone.DayOf(r.created_at);
  auto mutation = std::make_shared<StoreMutation>(RedemptionCreated{r, std::nullopt});
  const auto& claim = request.idempotency;
  std::vector<std::string> args = {"create",
                                   Millis(now),
                                   std::to_string(core_->options().idempotency_retention_millis),
                                   r.id,
                                   OrderKey(r),
                                   std::string(RedemptionStatusName(r.status)),
                                   Millis(r.expires_at),
                                   PlanJson(r, day),
                                   EncodeMutation(*mutation),
                                   claim ? claim->scope_key : std::string(),
                                   claim ? claim->fingerprint : std::string(),
                                   claim ? claim->response : std::string(),
                                   Millis(r.created_at),
                                   std::to_string(core_->options().zone.MinuteOfDay(r.created_at)),
                                   std::to_string(r.subtotal + r.shipping_fee),
                                   std::to_string(core_->options().refusal_fence_millis)};
  std::string response = claim ? claim->response : std::string();
  core_->Run(std::move(args), [core = core_, mutation, response = std::move(response),
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
    if (!payload.empty() && payload[0].str() == "replayed" && payload.size() == 8) {
      auto first = RedemptionFromFields(std::get<RedemptionCreated>(*mutation).redemption.id,
                                        &payload[2], 6);
      if (!first.ok()) return done(first.status());
      return done(CreateRedemptionOutcome{std::move(first).value(), true, payload[1].str()});
    }
    Redemption created = std::get<RedemptionCreated>(*mutation).redemption;
    core->Settle(reply.value(), mutation.get(),
                 [created = std::move(created), response = std::move(response),
                  done = std::move(done)]() mutable {
                   done(CreateRedemptionOutcome{std::move(created), false, std::move(response)});
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
             [done = std::move(done)](Result<ScriptReply> reply) {
               if (!reply.ok()) return done(reply.status());
               if (!reply->status.ok()) return done(reply->status);
               const auto& p = reply->payload;
               if (p.size() == 2 && p[0].str() == "replayed") {
                 return done(SettledRefusal{p[1].str(), std::nullopt});
               }
               if (p.size() == 2 && p[0].str() == "order") {
                 return done(SettledRefusal{std::nullopt, p[1].str()});
               }
               if (p.size() == 1 && p[0].str() == "none") return done(SettledRefusal{});
               done(Status(StatusCode::kInternal, "malformed refusal reply"));
             });
}

void RedisStore::FindIdempotentResponse(std::string scope_key, std::string fingerprint,
                                        Completion<std::optional<std::string>> done) {
  const std::int64_t now = core_->clock().Now().millis;
  const std::int64_t retention = core_->options().idempotency_retention_millis;
  core_->Pick().Command(
      {"HMGET", core_->Key("idem:" + scope_key), "f", "r", "t", "x"},
      [now, retention, fingerprint = std::move(fingerprint),
       done = std::move(done)](Result<RedisReply> reply) {
        if (!reply.ok()) return done(Status(StatusCode::kUnavailable, reply.status().message()));
        if (reply->is_error()) return done(StatusFromErrorReply(reply.value()));
        const auto& f = reply->elements();
        // A refusal's fence (x) records no outcome to replay.
        if (f.size() != 4 || f[0].is_nil() || !f[3].is_nil()) {
          return done(std::optional<std::string>());
        }
        if (std::stoll(f[2].str()) + retention <= now) return done(std::optional<std::string>());
        if (f[0].str() != fingerprint) {
          return done(Status(StatusCode::kIdempotencyKeyReused,
                             "this Idempotency-Key was used with a different request body"));
        }
        done(std::optional<std::string>(f[1].str()));
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
               if (payload.size() != 7) return done(Status(StatusCode::kInternal, "bad reply"));
               Result<Redemption> after = RedemptionFromFields(id, &payload[1], 6);
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
      {"HMGET", core_->Key("r:" + id), "b", "s", "ca", "ra", "xa", "fa"},
      [id, done = std::move(done)](Result<RedisReply> reply) {
        if (!reply.ok()) return done(Status(StatusCode::kUnavailable, reply.status().message()));
        if (reply->is_error()) return done(StatusFromErrorReply(reply.value()));
        done(RedemptionFromFields(id, reply->elements().data(), reply->elements().size()));
      });
}

void RedisStore::FindLiveOrder(std::string merchant_id, std::string order_id,
                               Completion<std::optional<std::string>> done) {
  Redemption key_of;
  key_of.merchant_id = std::move(merchant_id);
  key_of.order_id = std::move(order_id);
  core_->Pick().Command({"HGET", core_->Key("orders"), OrderKey(key_of)},
                        [done = std::move(done)](Result<RedisReply> reply) {
                          if (!reply.ok()) {
                            return done(Status(StatusCode::kUnavailable, reply.status().message()));
                          }
                          if (reply->is_error()) return done(StatusFromErrorReply(reply.value()));
                          if (reply->is_nil()) return done(std::optional<std::string>());
                          done(std::optional<std::string>(reply->str()));
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

void RedisStore::GetOfferStats(std::string offer_id, Completion<OfferStats> done) {
  // Stats come from the view once it has read the whole log: the same on every gateway. When
  // Redis cannot be read, the view's last figures are better than none.
  core_->mirror().CatchUp([core = core_, offer_id = std::move(offer_id),
                           done = std::move(done)](const Status&) mutable {
    core->mirror().view().GetOfferStats(std::move(offer_id), std::move(done));
  });
}

void RedisStore::GetCampaignStats(CampaignQuery query, Completion<CampaignStats> done) {
  core_->mirror().CatchUp(
      [core = core_, query = std::move(query), done = std::move(done)](const Status&) mutable {
        core->mirror().view().GetCampaignStats(std::move(query), std::move(done));
      });
}

// Straight from Redis (the view keeps no redemptions): one script call reads at most
// kLedgerReadsPerCall records, so that an export never holds Redis (which runs one script at
// a time) for long; a page may then hold fewer rows than asked, with done() false. Not
// measured apart: the soak's reconciliation reads ~45,000 rows this way.
void RedisStore::ReadLedger(LedgerPageQuery query, Completion<LedgerPage> done) {
  constexpr std::size_t kLedgerReadsPerCall = 256;
  const std::size_t count = std::clamp<std::size_t>(query.limit, 1, kLedgerReadsPerCall);
  core_->Run({"ledger_page", std::to_string(query.start), std::to_string(query.end),
              std::to_string(count)},
             [query, done = std::move(done)](Result<ScriptReply> reply) {
               if (!reply.ok()) return done(reply.status());
               if (!reply->status.ok()) return done(reply->status);
               done(LedgerPageFromPayload(reply->payload, query));
             });
}

const UsageView& RedisStore::usage() const { return core_->mirror().view().usage(); }

// Ready while a connection is up, the last read of the change log worked (a Redis still
// loading its AOF accepts connections but answers LOADING) and Redis did not refuse the last
// write it was sent (OOM, READONLY, MISCONF, ...; Poll() probes until it takes one again).
bool RedisStore::ready() const {
  return core_->connected() && core_->mirror().log_readable() && !core_->writes_refused();
}

}  // namespace uudai::gateway
