// RedisStore::Core: what RedisStore's operations share, kept alive by every reply in flight
// (a store destroyed while Redis still answers leaves its replies nothing to touch): the
// connections and how one is picked, the script call, the mirror of the change log, and the
// operations that take several script calls (codes in batches, expiry in bounded calls).
// Internal to RedisStore. Thread-safe.
#ifndef UUDAI_GATEWAY_STORE_REDIS_REDIS_STORE_CORE_H_
#define UUDAI_GATEWAY_STORE_REDIS_REDIS_STORE_CORE_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_client.h"
#include "redis/redis_function.h"
#include "store/redis/redis_store.h"
#include "store/redis/redis_store_codec.h"
#include "store/redis/store_mirror.h"

namespace uudai::gateway {

// Wall-clock epoch milliseconds: readers of the log are timed out by it, across processes
// (the store's Clock may be a test's).
std::int64_t WallMillis();
// 16 random hex digits: a process's name in the store (a reader of the log, a lease's holder).
std::string RandomHexId();

class RedisStore::Core : public std::enable_shared_from_this<RedisStore::Core> {
 public:
  Core(const Clock& clock, RedisStoreOptions options,
       std::vector<std::shared_ptr<RedisClient>> connections)
      : clock_(clock),
        options_(std::move(options)),
        connections_(std::move(connections)),
        function_("uudai", RedisStoreScriptSource()),
        read_only_function_(function_.ReadOnly()),
        log_key_(options_.key_prefix + "log"),
        reader_id_(NewReaderId()) {}

  // Set right after construction (the fetch needs a weak pointer to this).
  void MakeMirror();

  const Clock& clock() const { return clock_; }
  const RedisStoreOptions& options() const { return options_; }
  StoreMirror& mirror() { return *mirror_; }
  std::string Key(std::string_view name) const { return options_.key_prefix + std::string(name); }

  // The calling thread's own connection when it has one and it is up (commands and replies
  // stay on this thread); without one, the next connection round-robin. A chosen connection
  // that is down (reconnecting) is passed over for any that is up (its reply then comes on
  // that connection's thread: callers hop back, as for any store completion); with none up,
  // the chosen one answers kUnavailable at once.
  RedisClient& Pick();

  // Whether a connection can reach the store's keys (on a cluster: its slot's primary).
  bool connected() const {
    for (const auto& c : connections_) {
      if (c->connected_for(log_key_)) return true;
    }
    return false;
  }

  // Calls the store function with `args` (the operation first) and parses its reply, noting
  // whether Redis took or refused a write (see ready()). The operations that only read go to
  // the read-only function (FCALL_RO), which Redis runs even while it refuses writes.
  void Run(std::vector<std::string> args, std::function<void(Result<ScriptReply>)> done);

  void NoteWrites(bool taken) { writes_refused_.store(!taken, std::memory_order_relaxed); }
  bool writes_refused() const { return writes_refused_.load(std::memory_order_relaxed); }

  // While Redis refuses writes, no write may come to find out that it takes them again (a
  // load balancer stops sending traffic to a gateway whose /readyz says 503): at most once a
  // second, a harmless write of the same kind (SET with a TTL: denied over maxmemory, on a
  // replica and after a failed save, as the script is) asks instead.
  void ProbeWritesIfRefused();

  // After a successful write at reply.entry: put it in the view (at once if the view is at
  // reply.previous), then run `then` once the view holds it.
  void Settle(const ScriptReply& reply, const StoreMutation* mutation, std::function<void()> then);

  void FetchLog(LogPosition after, StoreMirror::FetchDone done);
  // XRANGE of the log: entries after `after` up to `last`, at most `count`.
  void ReadLogRange(LogPosition after, LogPosition last, std::size_t count,
                    StoreMirror::FetchDone done);

  // This store as a reader of the log (redis_store_log.lua's reader_* ops).
  const std::string& reader_id() const { return reader_id_; }
  // Every log_trim_interval_millis: reports the view's position and trims the log.
  void HeartbeatIfDue();
  // Every bucket_fill_interval_millis: samples how full the store's buckets are (NoteBucketFill).
  void SampleBucketFillIfDue();
  // How full the store's buckets are (the buckets op's, or bucket_fill's, sample): kept for
  // bucket_fill() and buckets(), and a warning logged when it passes kFullBucket (once, until it
  // drops back to three quarters of it). Starts the interval to the next sample.
  void NoteBucketFill(std::uint32_t buckets, std::uint64_t fill);
  // The same from a buckets or bucket_fill op's payload {count, fill}; false, noting nothing,
  // when it is not one of kRedisBucketCounts and a number.
  bool NoteBucketFill(const std::vector<RedisReply>& payload);
  std::uint64_t bucket_fill() const { return bucket_fill_.load(); }
  // The store's bucket count as the last sample read it (0 before Load).
  std::uint32_t buckets() const { return buckets_.load(); }

  void WriteOffer(Offer offer, bool create, std::int64_t base_version, Completion<Offer> done);
  // WriteOffer once the view holds the version an update replaces (or cannot).
  void PutOffer(Offer offer, bool create, std::int64_t base_version, Completion<Offer> done);
  // Stages `offers` in offers_stage calls of offers_per_call, then commits them in one
  // offers_commit, which tells the views their first chunk, and tells the others in
  // offers_announce calls (or, when a chunk was refused or a call failed before the commit,
  // takes them back with offers_unstage); answers once this gateway's view holds them.
  void CreateOffers(std::vector<Offer> offers, Completion<std::vector<Offer>> done,
                    RedisStore::StagedOffers staged = nullptr);
  struct Batching {
    RedisStore::StagedOffers staged;  // asked before publishing, when set
    std::string token;
    std::vector<Offer> offers;
    std::vector<std::string> args;  // OFFER_STAGE_ARGS an offer, in order
    std::size_t next = 0;           // the first offer of the next chunk
    std::vector<FieldError> refused;
    StatusCode refusal = StatusCode::kOk;  // the first refusal's code
    std::string refusal_message;
    int announce_failures = 0;  // offers_announce calls failed in a row
    Completion<std::vector<Offer>> done;
  };

  void StageNext(std::shared_ptr<Batching> job);
  // Every chunk staged (`status` OK) or not: publish, or take the batch back.
  void Staged(std::shared_ptr<Batching> job, Status status);
  void CommitBatch(std::shared_ptr<Batching> job);
  // After a call that told a chunk of the committed batch: tell the next, or answer.
  void Announced(std::shared_ptr<Batching> job, ScriptReply reply);
  void AnnounceNext(std::shared_ptr<Batching> job);
  // Takes the batch back, then answers `status`.
  void Unstage(std::shared_ptr<Batching> job, Status status);

  // Issues codes[next..] in calls of codes_per_call, one after the other.
  struct Issuing {
    std::string offer_id;
    std::vector<std::string> codes;
    std::size_t next = 0;
    IssuedCodes result;
    std::optional<LogPosition> last_entry;
    Completion<IssuedCodes> done;
  };
  void IssueNext(std::shared_ptr<Issuing> job);

  // Expires due reservations in script calls of at most expiries_per_call, one after the
  // other, until max_count have expired or a call found fewer due than it was allowed.
  struct Expiring {
    std::size_t left;
    std::size_t expired = 0;
    std::optional<LogPosition> last_entry;
    Completion<std::size_t> done;
  };
  void ExpireNext(std::shared_ptr<Expiring> job);
  // Once the view holds every expiry (the log entries carry them), so that the caller reads
  // its own writes.
  void FinishExpiring(std::shared_ptr<Expiring> job);

 private:
  static std::string NewReaderId();

  const Clock& clock_;
  const RedisStoreOptions options_;
  const std::vector<std::shared_ptr<RedisClient>> connections_;
  const RedisFunction function_;
  const RedisFunction read_only_function_;  // the ops that only read (FCALL_RO)
  const std::string log_key_;
  const std::string reader_id_;
  std::unique_ptr<StoreMirror> mirror_;
  std::atomic<std::int64_t> last_heartbeat_millis_{0};  // steady clock
  std::atomic<bool> heartbeat_running_{false};
  std::atomic<std::int64_t> last_fill_sample_millis_{0};  // steady clock
  std::atomic<bool> fill_sample_running_{false};
  std::atomic<std::uint64_t> bucket_fill_{0};
  std::atomic<std::uint32_t> buckets_{0};
  std::atomic<bool> bucket_fill_warned_{false};
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> writes_refused_{false};
  std::mutex probe_mutex_;
  std::chrono::steady_clock::time_point last_probe_;  // GUARDED_BY probe_mutex_
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_REDIS_STORE_CORE_H_
