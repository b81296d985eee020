#include "app/serve_command.h"

#include <chrono>
#include <csignal>
#include <cstdint>
#include <ctime>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

#include <fmt/ranges.h>

#include "api/key_ring.h"
#include "app/gateway_app.h"
#include "redis/redis_url.h"
#include "store/redis/redis_buckets.h"

namespace uudai::gateway {

namespace {

bool SplitListen(const std::string& listen, std::string& host, std::uint16_t& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  try {
    const int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<std::uint16_t>(p);
  } catch (const std::exception&) {
    return false;
  }
  return !host.empty();
}

// Timeouts outside this range are refused: below it no real client finishes a request, above
// it a connection is never reclaimed.
constexpr double kShortestTimeoutSeconds = 0.1;
constexpr double kLongestTimeoutSeconds = 3600;
// A reservation holds quota from the quote to the payment: a week is far beyond any checkout.
constexpr std::int64_t kLongestReservationTtlSeconds = 7 * 24 * 3600;
// Idempotency records are kept for this long at most (a month of retries is plenty).
constexpr std::int64_t kLongestIdempotencyRetentionSeconds = 30 * 24 * 3600;
constexpr std::int64_t kLongestEventRetention = 100'000'000;
// Events are retried for a week at most (the event log may not hold them much longer).
constexpr double kLongestWebhookRetrySeconds = 7 * 24 * 3600;
constexpr int kMostWaitedReplicas = 16;
constexpr std::int64_t kMostJournalZeroedAheadMib = 1024;

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000 + 0.5));
}

}  // namespace

bool ConfigureLog(const std::string& log_level) {
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  // spdlog reads an unknown name as "off": a typo must not silence the log.
  const spdlog::level::level_enum level = spdlog::level::from_str(log_level);
  if (level == spdlog::level::off && log_level != "off") {
    spdlog::error(
        "--log-level must be one of trace, debug, info, warn, error, critical, off; "
        "got {}",
        log_level);
    return false;
  }
  spdlog::set_level(level);
  return true;
}

bool CheckRedisOptions(const ServeConfig& config) {
  if (config.redis_url && config.redis_key_prefix.find('{') == std::string::npos) {
    spdlog::error("--redis-prefix must hold a {{hash tag}}, e.g. uudai:{{main}}:");
    return false;
  }
  if (config.redis_wait_replicas < 0 || config.redis_wait_replicas > kMostWaitedReplicas) {
    spdlog::error("--redis-wait-replicas must be between 0 and {}, got {}", kMostWaitedReplicas,
                  config.redis_wait_replicas);
    return false;
  }
  if (config.redis_shards < 1 || config.redis_shards > 64) {
    spdlog::error("--redis-shards must be between 1 and 64, got {}", config.redis_shards);
    return false;
  }
  if (config.redis_buckets != 0 && !IsRedisBucketCount(config.redis_buckets)) {
    spdlog::error("--redis-buckets must be 4096, 65536 or 1048576, got {}", config.redis_buckets);
    return false;
  }
  return true;
}

int RunServe(const ServeConfig& config) {
  if (!ConfigureLog(config.log_level)) return 2;
  if (config.reservation_ttl_seconds < 1 ||
      config.reservation_ttl_seconds > kLongestReservationTtlSeconds) {
    spdlog::error("--reservation-ttl must be between 1 and {} seconds, got {}",
                  kLongestReservationTtlSeconds, config.reservation_ttl_seconds);
    return 2;
  }
  if (config.idempotency_retention_seconds < 1 ||
      config.idempotency_retention_seconds > kLongestIdempotencyRetentionSeconds) {
    spdlog::error("--idempotency-retention must be between 1 and {} seconds, got {}",
                  kLongestIdempotencyRetentionSeconds, config.idempotency_retention_seconds);
    return 2;
  }
  if (config.idempotency_retention_seconds * 1000 < kDefaultIdempotencyRetentionMillis) {
    spdlog::warn(
        "--idempotency-retention {} s is under 24 h: a client retrying a redemption later than "
        "that gets a new one instead of the first answer",
        config.idempotency_retention_seconds);
  }
  if (config.event_retention < 1 || config.event_retention > kLongestEventRetention) {
    spdlog::error("--event-retention must be between 1 and {} events, got {}",
                  kLongestEventRetention, config.event_retention);
    return 2;
  }
  if (config.journal_zeroed_ahead_mib < 0 ||
      config.journal_zeroed_ahead_mib > kMostJournalZeroedAheadMib) {
    spdlog::error("--journal-zeroed-ahead must be between 0 and {} MiB, got {}",
                  kMostJournalZeroedAheadMib, config.journal_zeroed_ahead_mib);
    return 2;
  }
  if (!CheckRedisOptions(config)) return 2;
  auto keys = KeyRing::Load(config.keys_file);
  if (!keys.ok()) {
    spdlog::error("keys file {}: {}", config.keys_file, keys.status().message());
    for (const auto& e : keys.status().field_errors()) spdlog::error("  {}: {}", e.path, e.message);
    return 2;
  }
  for (const auto& [name, seconds] :
       {std::pair{"--idle-timeout", config.idle_timeout_seconds},
        std::pair{"--header-timeout", config.header_timeout_seconds},
        std::pair{"--body-timeout", config.body_timeout_seconds},
        std::pair{"--redis-timeout", config.redis_timeout_seconds},
        std::pair{"--redis-poll-interval", config.redis_poll_interval_seconds},
        std::pair{"--webhook-timeout", config.webhook_timeout_seconds},
        std::pair{"--webhook-retry-backoff", config.webhook_retry_backoff_seconds}}) {
    if (!(seconds >= kShortestTimeoutSeconds && seconds <= kLongestTimeoutSeconds)) {
      spdlog::error("{} must be between {} and {} seconds, got {}", name, kShortestTimeoutSeconds,
                    kLongestTimeoutSeconds, seconds);
      return 2;
    }
  }
  if (!(config.redis_log_block_seconds == 0 ||
        (config.redis_log_block_seconds >= 0.1 && config.redis_log_block_seconds <= 60))) {
    spdlog::error("--redis-log-block must be 0 or between 0.1 and 60 seconds, got {}",
                  config.redis_log_block_seconds);
    return 2;
  }
  if (!(config.webhook_retry_period_seconds >= 1 &&
        config.webhook_retry_period_seconds <= kLongestWebhookRetrySeconds)) {
    spdlog::error("--webhook-retry-period must be between 1 and {} seconds, got {}",
                  kLongestWebhookRetrySeconds, config.webhook_retry_period_seconds);
    return 2;
  }
  std::string host;
  std::uint16_t port = 0;
  if (!SplitListen(config.listen, host, port)) {
    spdlog::error("--listen must be HOST:PORT, got {}", config.listen);
    return 2;
  }
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  AppOptions options;
  options.server.address = host;
  options.server.port = port;
  options.server.threads =
      config.threads > 0 ? config.threads
                         : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  options.server.body_limit = config.body_limit;
  options.server.bulk_body_limit = config.bulk_body_limit;
  options.server.max_connections = config.max_connections;
  options.server.idle_timeout = Millis(config.idle_timeout_seconds);
  options.server.header_timeout = Millis(config.header_timeout_seconds);
  options.server.body_timeout = Millis(config.body_timeout_seconds);
  options.redis_command_timeout = Millis(config.redis_timeout_seconds);
  options.redis_poll_interval = Millis(config.redis_poll_interval_seconds);
  options.redis_log_block = Millis(config.redis_log_block_seconds);
  options.redis_wait_replicas = config.redis_wait_replicas;
  options.redis_shards = static_cast<std::size_t>(config.redis_shards);
  options.redis_buckets = static_cast<std::uint32_t>(config.redis_buckets);
  options.zone = CampaignZone(config.zone_offset_minutes);
  options.reservation_ttl_millis = config.reservation_ttl_seconds * 1000;
  options.idempotency_retention_millis = config.idempotency_retention_seconds * 1000;
  options.event_retention = static_cast<std::size_t>(config.event_retention);
  // Whole MiB: never less than the 1 MiB piece it is zeroed by.
  options.journal_preallocation.ahead_bytes =
      static_cast<std::size_t>(config.journal_zeroed_ahead_mib) << 20;
  options.data_dir = config.data_dir;
  if (config.redis_url) {
    options.redis_url = *config.redis_url;
    options.redis_key_prefix = config.redis_key_prefix;
  }
  options.webhook_allow = config.webhook_allow;
  options.webhook_ca_file = config.webhook_ca_file;
  options.webhook_timeout = Millis(config.webhook_timeout_seconds);
  options.webhook_first_backoff = Millis(config.webhook_retry_backoff_seconds);
  options.webhook_retry_period = Millis(config.webhook_retry_period_seconds);
  options.demo = config.demo;
  const std::size_t key_count = keys->size();
  auto app = GatewayApp::Start(options, std::move(keys).value());
  if (!app.ok()) {
    spdlog::error("cannot start: {}", app.status().message());
    return 1;
  }
  const StartupReport& startup = app.value()->startup();
  if (startup.torn_tail_bytes > 0) {
    spdlog::warn("journal: cut {} bytes of an incomplete last record", startup.torn_tail_bytes);
  }
  if (!startup.demo_codes.empty()) {
    spdlog::info("demo campaign registered; unique codes for demo-thoitrang-50k: {}",
                 fmt::join(startup.demo_codes, " "));
  }
  // Never the URL itself: it may carry a password.
  std::string store = "embedded, journal in " + config.data_dir + " (" +
                      std::to_string(startup.journal_records) + " records replayed)";
  if (config.redis_url) {
    const auto url = ParseRedisUrl(*config.redis_url);  // parsed already: the app started
    const bool cluster = url.ok() && url->cluster();
    store = std::string(cluster ? "redis cluster" : "redis") + " (keys " + config.redis_key_prefix +
            "*" +
            (config.redis_shards > 1
                 ? ", spread over " + std::to_string(config.redis_shards) + " data shards"
                 : std::string()) +
            (config.redis_wait_replicas > 0
                 ? ", writes wait for " + std::to_string(config.redis_wait_replicas) + " replicas"
                 : std::string()) +
            ", " + std::to_string(startup.redis_buckets) + " buckets)";
  }
  spdlog::info(
      "uudai serving on {}:{} | store: {} | offers: {} "
      "| threads: {} | keys: {} | reservation TTL: {} s | zone: UTC{:+03d}:{:02d} | body limit: "
      "{} B (batches {} B) | max connections: {} | timeouts: idle {} s, header {} s, body {} s, "
      "redis {} s | "
      "loaded in {} ms",
      host, app.value()->port(), store, startup.offers, options.server.threads, key_count,
      config.reservation_ttl_seconds, config.zone_offset_minutes / 60,
      std::abs(config.zone_offset_minutes % 60), config.body_limit, config.bulk_body_limit,
      config.max_connections, config.idle_timeout_seconds, config.header_timeout_seconds,
      config.body_timeout_seconds, config.redis_timeout_seconds, startup.load_millis);

  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("received {}, draining", signal == SIGINT ? "SIGINT" : "SIGTERM");
  if (Status flushed = app.value()->Stop(); !flushed.ok()) {
    spdlog::error("{}", flushed.message());
    return 1;
  }
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace uudai::gateway
