// GatewayApp: one running uudai — store (with its journal), catalog, API and HTTP server,
// wired together. `uudai serve` runs one; the HTTP tests start them in-process.
#ifndef UUDAI_GATEWAY_APP_GATEWAY_APP_H_
#define UUDAI_GATEWAY_APP_GATEWAY_APP_H_

#include <memory>
#include <string>
#include <vector>

#include "api/key_ring.h"
#include "http/http_server.h"
#include "store/journal/journal_compaction.h"
#include "store/journal/journal_preallocation.h"
#include "store/redis/redis_key_prefix.h"
#include "uudai/catalog.h"
#include "uudai/clock.h"
#include "uudai/event_log.h"
#include "uudai/redemption.h"
#include "uudai/status.h"
#include "uudai/store.h"

namespace uudai::gateway {

class Api;
class WebhookDispatcher;
class ExpirySweeper;
class FileSystem;
class Journal;
class Metrics;
class RedisClientPool;
class RedisStore;
class SpreadStore;
class SecureRandom;

struct AppOptions {
  ServerOptions server;
  CampaignZone zone;
  std::int64_t reservation_ttl_millis = kDefaultReservationTtlMillis;
  // How long a redemption's Idempotency-Key replays its first response (docs/design.md §3).
  std::int64_t idempotency_retention_millis = kDefaultIdempotencyRetentionMillis;
  // How many of the latest events the store keeps for GET /v1/events.
  std::size_t event_retention = kDefaultEventRetention;
  std::chrono::milliseconds expiry_interval{1000};
  std::string data_dir;  // journal directory; empty = not durable (tests only)
  // Redis store instead of the embedded one when set: redis://[user:pass@]host:port[/db], or
  // redis+cluster://[user:pass@]host:port[,host:port...] for a Redis Cluster.
  std::string redis_url;
  std::string redis_key_prefix = std::string(kDefaultRedisKeyPrefix);
  // How often this gateway reads the changes other gateways made (offers, usage, codes).
  std::chrono::milliseconds redis_poll_interval{100};
  // How long a blocking read of the change log waits (LogWatcher), so that other gateways'
  // writes reach this one as soon as they are logged; 0: none, the poll alone reads the log.
  std::chrono::milliseconds redis_log_block{1000};
  std::chrono::milliseconds redis_command_timeout{500};
  // Every store write waits (WAIT) for this many replicas before it is acknowledged; 0: not.
  int redis_wait_replicas = 0;
  // Data shards the store is spread over (1: not spread; docs/design.md §1.6). Every gateway
  // of a store must use the same count.
  std::size_t redis_shards = 1;
  // The bucket count of a new Redis store (RedisStoreOptions::buckets; 0: the store's own, or
  // 65,536 for a new one).
  std::uint32_t redis_buckets = 0;
  bool demo = false;             // register the demo campaign on an empty store
  const Clock* clock = nullptr;  // nullptr = the system clock
  // Where the journal's file-system calls go; nullptr: the system's (tests pass a faulty one).
  FileSystem* journal_files = nullptr;
  // When the journal is compacted at start (gateway/src/store/journal/journal_compaction.h).
  JournalCompactionPolicy journal_compaction;
  // The zeroed space the journal keeps ahead of its records (store/journal/journal.h).
  JournalPreallocation journal_preallocation;
  // Webhook deliveries: the targets allowed besides public addresses (hosts, addresses, CIDR
  // blocks: OutboundPolicy), a CA file trusted besides the system's, and the retry schedule.
  std::vector<std::string> webhook_allow;
  std::string webhook_ca_file;
  std::chrono::milliseconds webhook_first_backoff{1'000};
  std::chrono::milliseconds webhook_retry_period{24 * 3'600'000};
  std::chrono::milliseconds webhook_poll_interval{200};
  std::chrono::milliseconds webhook_timeout{10'000};
};

struct StartupReport {
  std::size_t journal_records = 0;  // replayed
  std::size_t journal_bytes = 0;    // replayed
  std::size_t torn_tail_bytes = 0;
  JournalCompaction compaction;  // at this start, when it was worth it
  std::size_t offers = 0;
  std::uint32_t redis_buckets = 0;  // the Redis store's bucket count (0: embedded store)
  std::vector<std::string> demo_codes;
  std::int64_t load_millis = 0;  // journal replay, compaction and catalog build
};

class GatewayApp {
 public:
  static Result<std::unique_ptr<GatewayApp>> Start(AppOptions options, KeyRing keys);
  ~GatewayApp();
  GatewayApp(const GatewayApp&) = delete;
  GatewayApp& operator=(const GatewayApp&) = delete;

  std::uint16_t port() const;
  const StartupReport& startup() const { return startup_; }
  Store& store() { return *store_; }
  Catalog& catalog() { return catalog_; }
  Metrics& metrics() { return *metrics_; }

  // Drains the server (in-flight requests finish) and flushes the journal. Idempotent.
  Status Stop();

 private:
  GatewayApp(AppOptions options, KeyRing keys);

  AppOptions options_;
  KeyRing keys_;
  std::unique_ptr<Clock> own_clock_;
  const Clock* clock_ = nullptr;
  std::unique_ptr<SecureRandom> random_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<RedisClientPool> redis_;  // with --redis; outlives the store
  std::unique_ptr<Store> store_;
  RedisStore* redis_store_ = nullptr;    // store_, with --redis and one shard
  SpreadStore* spread_store_ = nullptr;  // store_, with --redis and several
  Catalog catalog_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<ExpirySweeper> expiry_;
  std::unique_ptr<WebhookDispatcher> webhooks_;  // stopped before the store
  StartupReport startup_;
  bool stopped_ = false;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_APP_GATEWAY_APP_H_
