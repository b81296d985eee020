// `uudai serve`: wires the store, journal, catalog, API and HTTP server together and runs
// until SIGINT/SIGTERM.
#ifndef UUDAI_GATEWAY_APP_SERVE_COMMAND_H_
#define UUDAI_GATEWAY_APP_SERVE_COMMAND_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/gateway_app.h"
#include "http/http_server.h"
#include "store/redis/redis_key_prefix.h"
#include "uudai/campaign_time.h"
#include "uudai/event_log.h"
#include "uudai/redemption.h"

namespace uudai::gateway {

constexpr double Seconds(std::chrono::milliseconds duration) {
  return static_cast<double>(duration.count()) / 1000.0;
}

// The command line's values. Every default is the wiring's own (AppOptions, ServerOptions,
// CampaignZone), in the units the command line speaks: one source for each.
struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string keys_file;
  std::optional<std::string> redis_url;
  std::string redis_key_prefix = std::string(kDefaultRedisKeyPrefix);
  std::string data_dir = "./data";
  int threads = 0;  // 0: one per core
  std::int64_t reservation_ttl_seconds = kDefaultReservationTtlMillis / 1000;
  std::int64_t idempotency_retention_seconds = kDefaultIdempotencyRetentionMillis / 1000;
  std::int64_t event_retention = static_cast<std::int64_t>(kDefaultEventRetention);
  // MiB past the journal's last record kept written out as zeroes (0: none; at most 1024).
  std::int64_t journal_zeroed_ahead_mib =
      static_cast<std::int64_t>(AppOptions{}.journal_preallocation.ahead_bytes >> 20);
  // Whether the heap asks for transparent huge pages (builds with tcmalloc; main applies it).
  bool heap_huge_pages = true;
  std::string log_level = "info";
  int zone_offset_minutes = CampaignZone::kVietnamOffsetMinutes;
  std::size_t body_limit = ServerOptions{}.body_limit;
  std::size_t bulk_body_limit = ServerOptions{}.bulk_body_limit;
  std::size_t max_connections = ServerOptions{}.max_connections;
  // Connection timeouts in seconds (docs/design.md §5): idle between requests, first byte →
  // end of the headers (slow-loris), end of the headers → end of the body. Each must lie in
  // [0.1, 3600]; RunServe refuses anything else.
  double idle_timeout_seconds = Seconds(ServerOptions{}.idle_timeout);
  double header_timeout_seconds = Seconds(ServerOptions{}.header_timeout);
  double body_timeout_seconds = Seconds(ServerOptions{}.body_timeout);
  // How long a Redis command may take before the request gets 503, in seconds.
  double redis_timeout_seconds = Seconds(AppOptions{}.redis_command_timeout);
  // How many replicas every Redis write waits for before it is acknowledged (0 to 16).
  int redis_wait_replicas = AppOptions{}.redis_wait_replicas;
  // Data shards the Redis store is spread over (1 to 64; 1: not spread).
  int redis_shards = 1;
  // The bucket count of a new Redis store (4096, 65536 or 1048576; 0: the store's own, or
  // 65536 for a new one).
  std::int64_t redis_buckets = 0;
  // How often a Redis-mode gateway reads the change log for other gateways' writes, in
  // seconds; in [0.1, 3600] like the timeouts.
  double redis_poll_interval_seconds = Seconds(AppOptions{}.redis_poll_interval);
  // How long one blocking read of the change log waits for other gateways' writes before it
  // is sent again, in seconds: 0 (no blocking read: the log is read only every poll
  // interval) or in [0.1, 60].
  double redis_log_block_seconds = Seconds(AppOptions{}.redis_log_block);
  // Webhook deliveries: targets allowed besides public addresses (host names, addresses, CIDR
  // blocks), a CA file trusted besides the system's, and in seconds the timeout of one
  // delivery, the first retry's delay (doubled per attempt, at most an hour) and how long an
  // event is retried before it is given up.
  std::vector<std::string> webhook_allow;
  std::string webhook_ca_file;
  double webhook_timeout_seconds = Seconds(AppOptions{}.webhook_timeout);
  double webhook_retry_backoff_seconds = Seconds(AppOptions{}.webhook_first_backoff);
  double webhook_retry_period_seconds = Seconds(AppOptions{}.webhook_retry_period);
  bool demo = false;
};

// Sets the log's pattern and level (--log-level); false, having said why, for an unknown level.
bool ConfigureLog(const std::string& log_level);

// Checks the Redis options (--redis-prefix with --redis, --redis-wait-replicas,
// --redis-shards, --redis-buckets); false, having said why, for one out of range.
bool CheckRedisOptions(const ServeConfig& config);

// Returns the process exit code.
int RunServe(const ServeConfig& config);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_APP_SERVE_COMMAND_H_
