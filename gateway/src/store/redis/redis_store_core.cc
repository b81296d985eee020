#include "store/redis/redis_store_core.h"

#include <algorithm>
#include <random>

#include <spdlog/spdlog.h>

#include "store/codec/mutation_codec.h"
#include "store/redis/redis_buckets.h"
#include "store/redis/steady_millis.h"
#include "uudai/offer_validator.h"
#include "uudai/unique_code.h"

namespace uudai::gateway {
namespace {

std::string Millis(Timestamp t) { return std::to_string(t.millis); }

// The operations redis_store_dispatch.lua also registers in its read-only function (READ_ONLY_OPS).
bool ReadsOnly(const std::string& op) {
  return op == "replay" || op == "live_order" || op == "ledger_page" || op == "format" ||
         op == "scan" || op == "events_page" || op == "offer_history" || op == "webhooks_list" ||
         op == "webhook_deliveries" || op == "bucket_fill";
}

}  // namespace

std::int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void RedisStore::Core::MakeMirror() {
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

RedisClient& RedisStore::Core::Pick() {
  const std::size_t count = connections_.size();
  std::size_t chosen = next_.fetch_add(1, std::memory_order_relaxed) % count;
  if (options_.connection_for_this_thread) {
    const int own = options_.connection_for_this_thread();
    if (own >= 0 && static_cast<std::size_t>(own) < count) chosen = static_cast<std::size_t>(own);
  }
  if (connections_[chosen]->connected_for(log_key_)) return *connections_[chosen];
  for (std::size_t i = 1; i < count; ++i) {
    RedisClient& other = *connections_[(chosen + i) % count];
    if (other.connected_for(log_key_)) return other;
  }
  return *connections_[chosen];
}

void RedisStore::Core::Run(std::vector<std::string> args,
                           std::function<void(Result<ScriptReply>)> done) {
  const RedisFunction& function =
      !args.empty() && ReadsOnly(args.front()) ? read_only_function_ : function_;
  Pick().Call(function, {log_key_}, std::move(args),
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

void RedisStore::Core::ProbeWritesIfRefused() {
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

void RedisStore::Core::Settle(const ScriptReply& reply, const StoreMutation* mutation,
                              std::function<void()> then) {
  if (!reply.entry) return then();
  if (mutation != nullptr) mirror_->ApplyOwn(*reply.previous, *reply.entry, *mutation);
  mirror_->WhenApplied(*reply.entry, std::move(then));
}

void RedisStore::Core::FetchLog(LogPosition after, StoreMirror::FetchDone done) {
  // The reply keeps the Core (and so the mirror waiting for it) alive.
  Pick().Command(
      {"XREAD", "COUNT", std::to_string(options_.log_batch), "STREAMS", log_key_, after.ToString()},
      [self = shared_from_this(), done = std::move(done)](Result<RedisReply> reply) {
        if (!reply.ok()) return done(reply.status());
        // Own changes the view applied while the read was in flight need no
        // decoding (most of a busy gateway's log is its own).
        done(LogEntriesFromXread(reply.value(), self->mirror_->position()));
      });
}

void RedisStore::Core::ReadLogRange(LogPosition after, LogPosition last, std::size_t count,
                                    StoreMirror::FetchDone done) {
  Pick().Command(
      {"XRANGE", log_key_, "(" + after.ToString(), last.ToString(), "COUNT", std::to_string(count)},
      [done = std::move(done)](Result<RedisReply> reply) {
        if (!reply.ok()) return done(reply.status());
        done(LogEntriesFromXrange(reply.value()));
      });
}

std::string RandomHexId() {
  std::random_device random;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (char& c : id) c = kHex[random() % 16];
  return id;
}

std::string RedisStore::Core::NewReaderId() { return RandomHexId(); }

void RedisStore::Core::HeartbeatIfDue() {
  if (options_.log_trim_interval_millis <= 0) return;
  const std::int64_t now = SteadyMillis();
  if (now - last_heartbeat_millis_.load() < options_.log_trim_interval_millis) return;
  if (mirror_->broken() || heartbeat_running_.exchange(true)) return;
  last_heartbeat_millis_.store(now);
  Run({"reader_heartbeat", reader_id_, std::to_string(mirror_->position().millis),
       std::to_string(WallMillis()), std::to_string(options_.reader_timeout_millis),
       std::to_string(std::max<std::size_t>(options_.event_retention, 1))},
      [self = shared_from_this()](Result<ScriptReply> reply) {
        self->heartbeat_running_.store(false);
        if (!reply.ok() || !reply->status.ok()) {
          spdlog::debug("store view: the log's readers were not updated: {}",
                        reply.ok() ? reply->status.message() : reply.status().message());
        }
      });
}

void RedisStore::Core::SampleBucketFillIfDue() {
  if (options_.bucket_fill_interval_millis <= 0) return;
  const std::int64_t now = SteadyMillis();
  if (now - last_fill_sample_millis_.load() < options_.bucket_fill_interval_millis) return;
  if (fill_sample_running_.exchange(true)) return;
  last_fill_sample_millis_.store(now);
  Run({"bucket_fill"}, [self = shared_from_this()](Result<ScriptReply> reply) {
    self->fill_sample_running_.store(false);
    if (!reply.ok() || !reply->status.ok() || !self->NoteBucketFill(reply->payload)) {
      spdlog::debug("the store's bucket fill was not sampled: {}",
                    !reply.ok()           ? reply.status().message()
                    : !reply->status.ok() ? reply->status.message()
                                          : "malformed reply");
    }
  });
}

bool RedisStore::Core::NoteBucketFill(const std::vector<RedisReply>& payload) {
  const auto buckets = payload.size() == 2 ? ParseUnsigned(payload[0].str()) : std::nullopt;
  const auto fill = payload.size() == 2 ? ParseUnsigned(payload[1].str()) : std::nullopt;
  if (!buckets || !fill || !IsRedisBucketCount(static_cast<std::int64_t>(*buckets))) return false;
  NoteBucketFill(static_cast<std::uint32_t>(*buckets), *fill);
  return true;
}

void RedisStore::Core::NoteBucketFill(std::uint32_t buckets, std::uint64_t fill) {
  bucket_fill_.store(fill);
  buckets_.store(buckets);
  last_fill_sample_millis_.store(SteadyMillis());  // Load's sample counts as one
  if (fill > kFullBucket && !bucket_fill_warned_.exchange(true)) {
    spdlog::warn(
        "the Redis store under \"{}\" holds ~{} live redemptions a bucket in its {} buckets, "
        "sized for ~128: every create reads long buckets (and past 512 they take ~70 % more "
        "memory). Stop its gateways and move it to more: uudai redis-rebucket --redis-buckets "
        "{} (README, Redis buckets)",
        options_.key_prefix, fill, buckets, buckets >= 65'536 ? 1'048'576 : 65'536);
  } else if (fill <= kFullBucket * 3 / 4) {
    // Warned again if it fills up again, not each time a fill near the mark crosses it.
    bucket_fill_warned_.store(false);
  }
}

void RedisStore::Core::WriteOffer(Offer offer, bool create, std::int64_t base_version,
                                  Completion<Offer> done) {
  if (!create) {
    auto current = mirror_->view().FindOffer(offer.id);
    if (current == nullptr || current->version != base_version) {
      // What an update may change is checked against the version it replaces: read the log
      // first. (When Redis holds another version, the script refuses the write anyway.)
      return mirror_->CatchUp([self = shared_from_this(), offer = std::move(offer), base_version,
                               done = std::move(done)](const Status& caught_up) mutable {
        // Without the version replaced, what may change cannot be checked: fail closed.
        if (!caught_up.ok()) return done(caught_up);
        self->PutOffer(std::move(offer), false, base_version, std::move(done));
      });
    }
  }
  PutOffer(std::move(offer), create, base_version, std::move(done));
}

void RedisStore::Core::PutOffer(Offer offer, bool create, std::int64_t base_version,
                                Completion<Offer> done) {
  offer.version = create ? 1 : base_version + 1;
  if (!create) {
    if (auto current = mirror_->view().FindOffer(offer.id)) {
      // The script checks the version and what never changes; a hot offer's limits, which it
      // keeps only as this shard's share, are checked here against the version replaced.
      if (current->version == base_version) {
        if (auto refused = ValidateOfferChange(*current, offer); !refused.empty()) {
          return done(Status::Invalid(std::move(refused)));
        }
      }
      // created_at never changes; the view knows it (a lagging view keeps the caller's).
      offer.created_at = current->created_at;
    }
  }
  auto stored = std::make_shared<const Offer>(std::move(offer));
  std::vector<std::string> args = {"offer_put", create ? "create" : "update",
                                   std::to_string(base_version)};
  AppendOfferArgs(stored, args, options_.limit_share);
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

void RedisStore::Core::IssueNext(std::shared_ptr<Issuing> job) {
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

void RedisStore::Core::ExpireNext(std::shared_ptr<Expiring> job) {
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

void RedisStore::Core::FinishExpiring(std::shared_ptr<Expiring> job) {
  if (!job->last_entry) return job->done(job->expired);
  const LogPosition last = *job->last_entry;
  mirror_->WhenApplied(last, [job] { job->done(job->expired); });
}

}  // namespace uudai::gateway
