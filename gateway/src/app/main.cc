// uudai: the command line (docs/design.md §5).
//   uudai serve --listen 127.0.0.1:8080 --keys FILE [--data-dir DIR] [--threads N] ...
//   uudai version
//   uudai --help
// Flags may also come from an INI file (--config FILE) and UUDAI_* environment variables;
// the command line wins over the environment, which wins over the file.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "app/rebucket_command.h"
#include "app/serve_command.h"
#ifdef UUDAI_HUGE_PAGE_HEAP
#include "malloc/huge_page_heap.h"
#endif

namespace po = boost::program_options;
using uudai::gateway::ServeConfig;

namespace {

constexpr const char* kVersion = UUDAI_VERSION;      // CMake's project version
constexpr const char* kAllocator = UUDAI_ALLOCATOR;  // the malloc linked in: tcmalloc or system

// 0.1 → "0.1" (the shortest form that reads back as the same value), for --help.
std::string Text(double seconds) {
  std::ostringstream text;
  text << seconds;
  return text.str();
}

// minutes east of UTC → "+07:00".
std::string FormatOffset(int minutes) {
  const int hours = std::abs(minutes) / 60 % 100;
  const int rest = std::abs(minutes) % 60;
  std::string text = minutes < 0 ? "-" : "+";
  for (const int digit : {hours / 10, hours % 10, -1, rest / 10, rest % 10}) {
    text += digit < 0 ? ':' : static_cast<char>('0' + digit);
  }
  return text;
}

po::options_description ServeOptions(ServeConfig& c, std::string& config_file,
                                     std::string& zone_offset, std::string& redis) {
  po::options_description options("uudai serve options");
  options.add_options()("listen", po::value(&c.listen)->default_value(c.listen),
                        "address:port to listen on")("keys", po::value(&c.keys_file),
                                                     "API keys file (JSON array)")(
      "redis", po::value(&redis),
      "redis://[user:pass@]host:port[/db]: keep all state in Redis, shared by every gateway; "
      "redis+cluster://[user:pass@]host:port[,host:port...]: the same on a Redis Cluster")(
      "redis-prefix", po::value(&c.redis_key_prefix)->default_value(c.redis_key_prefix),
      "prefix of every Redis key; its {hash tag} puts them in one cluster slot")(
      "data-dir", po::value(&c.data_dir)->default_value(c.data_dir),
      "embedded store's journal directory")(
      "journal-zeroed-ahead",
      po::value(&c.journal_zeroed_ahead_mib)->default_value(c.journal_zeroed_ahead_mib),
      "MiB after the journal's last record kept written out as zeroes, so that a write's "
      "fdatasync need not grow the file (0: none, e.g. on a copy-on-write file system)")(
      "threads", po::value(&c.threads)->default_value(c.threads), "I/O threads (0: one per core)")(
      "heap-huge-pages",
      po::value(&c.heap_huge_pages)->default_value(c.heap_huge_pages, "on")->value_name("on|off"),
      "ask the kernel for transparent huge pages for the heap (builds with tcmalloc; the "
      "system's transparent_hugepage setting `never` refuses them anyway)")(
      "reservation-ttl",
      po::value(&c.reservation_ttl_seconds)->default_value(c.reservation_ttl_seconds),
      "seconds a reservation holds quota")(
      "idempotency-retention",
      po::value(&c.idempotency_retention_seconds)->default_value(c.idempotency_retention_seconds),
      "seconds an Idempotency-Key replays its first answer")(
      "event-retention", po::value(&c.event_retention)->default_value(c.event_retention),
      "how many of the latest events the store keeps for GET /v1/events")(
      "log-level", po::value(&c.log_level)->default_value(c.log_level),
      "trace, debug, info, warn, error, critical, off")(
      "zone-offset", po::value(&zone_offset)->default_value(FormatOffset(c.zone_offset_minutes)),
      "campaign time zone offset")("body-limit",
                                   po::value(&c.body_limit)->default_value(c.body_limit),
                                   "largest request body in bytes")(
      "bulk-body-limit", po::value(&c.bulk_body_limit)->default_value(c.bulk_body_limit),
      "largest body of POST /v1/offers/batch in bytes")(
      "max-connections", po::value(&c.max_connections)->default_value(c.max_connections),
      "open connection cap")(
      "idle-timeout",
      po::value(&c.idle_timeout_seconds)
          ->default_value(c.idle_timeout_seconds, Text(c.idle_timeout_seconds)),
      "seconds a keep-alive connection may wait for its next request")(
      "header-timeout",
      po::value(&c.header_timeout_seconds)
          ->default_value(c.header_timeout_seconds, Text(c.header_timeout_seconds)),
      "seconds from a request's first byte to the end of its headers")(
      "body-timeout",
      po::value(&c.body_timeout_seconds)
          ->default_value(c.body_timeout_seconds, Text(c.body_timeout_seconds)),
      "seconds from the end of the headers to the end of the body")(
      "redis-timeout",
      po::value(&c.redis_timeout_seconds)
          ->default_value(c.redis_timeout_seconds, Text(c.redis_timeout_seconds)),
      "seconds a Redis command may take before the request fails with 503")(
      "redis-wait-replicas",
      po::value(&c.redis_wait_replicas)->default_value(c.redis_wait_replicas),
      "replicas every Redis call and read must reach (WAIT) before it is answered; fewer "
      "within half of --redis-timeout fails the request with 503")(
      "redis-shards", po::value(&c.redis_shards)->default_value(c.redis_shards),
      "data shards the Redis store is spread over (1: not spread; every gateway of a store "
      "must use the same number), so that a Redis Cluster's primaries share its load")(
      "redis-buckets", po::value(&c.redis_buckets)->default_value(c.redis_buckets),
      "buckets a new Redis store keeps live orders and shoppers' counts in: 4096 (up to ~500,000 "
      "live redemptions), 65536 (~8 million) or 1048576; fixed when the store is created (0: "
      "the store's own, 65536 for a new one)")(
      "redis-poll-interval",
      po::value(&c.redis_poll_interval_seconds)
          ->default_value(c.redis_poll_interval_seconds, Text(c.redis_poll_interval_seconds)),
      "seconds between two reads of the Redis change log (other gateways' writes)")(
      "redis-log-block",
      po::value(&c.redis_log_block_seconds)
          ->default_value(c.redis_log_block_seconds, Text(c.redis_log_block_seconds)),
      "seconds one blocking read of the Redis change log waits for other gateways' writes, "
      "which it brings in as soon as they are logged (0: none; the log is then read every "
      "--redis-poll-interval only)")(
      "webhook-allow", po::value(&c.webhook_allow)->multitoken()->composing(),
      "webhook targets allowed besides public addresses: host names, addresses, CIDR blocks")(
      "webhook-ca-file", po::value(&c.webhook_ca_file),
      "PEM file of CAs trusted for https webhooks besides the system's")(
      "webhook-timeout",
      po::value(&c.webhook_timeout_seconds)
          ->default_value(c.webhook_timeout_seconds, Text(c.webhook_timeout_seconds)),
      "seconds one webhook delivery may take")(
      "webhook-retry-backoff",
      po::value(&c.webhook_retry_backoff_seconds)
          ->default_value(c.webhook_retry_backoff_seconds, Text(c.webhook_retry_backoff_seconds)),
      "seconds before a failed delivery's first retry (doubled per attempt, at most an hour)")(
      "webhook-retry-period",
      po::value(&c.webhook_retry_period_seconds)
          ->default_value(c.webhook_retry_period_seconds, Text(c.webhook_retry_period_seconds)),
      "seconds an event is retried before it is given up")(
      "demo", po::bool_switch(&c.demo), "register the demo October campaign on an empty store")(
      "config", po::value(&config_file), "INI file with any of these options");
  return options;
}

void PrintHelp(const po::options_description& serve) {
  std::cout << "uudai " << kVersion << " — promotion and voucher engine\n\n"
            << "usage:\n  uudai serve --keys FILE [options]\n"
            << "  uudai redis-rebucket --redis URL [--redis-prefix P] [--redis-shards N] "
               "--redis-buckets N [--gateways-stopped]\n"
            << "      (moves a Redis store to another bucket count; stop its gateways first. It "
               "waits 5 minutes for a\n"
            << "      gateway that crashed to be forgotten, unless --gateways-stopped, given on "
               "the command line only,\n"
            << "      vouches that none runs: one that still does answers 503 until the move "
               "ends)\n"
            << "  uudai version\n  uudai --help\n\n"
            << serve
            << "\nEvery option can also be set as UUDAI_<NAME> (e.g. UUDAI_DATA_DIR) or "
               "in the --config file.\n";
}

std::optional<int> ParseOffset(const std::string& text) {
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return std::nullopt;
  try {
    const int hours = std::stoi(text.substr(1, 2));
    const int minutes = std::stoi(text.substr(4, 2));
    if (hours > 14 || minutes > 59) return std::nullopt;
    return (hours * 60 + minutes) * (text[0] == '-' ? -1 : 1);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

int main(int argc, char** argv) {
  ServeConfig config;
  std::string config_file, zone_offset, redis;
  const po::options_description serve = ServeOptions(config, config_file, zone_offset, redis);
  const std::string command = argc > 1 ? argv[1] : "--help";
  if (command == "version" || command == "--version") {
    std::cout << "uudai " << kVersion << " (malloc: " << kAllocator << ")\n";
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    PrintHelp(serve);
    return 0;
  }
  if (command != "serve" && command != "redis-rebucket") {
    std::cerr << "uudai: unknown command '" << command << "'\n\n";
    PrintHelp(serve);
    return 2;
  }
  // Options of redis-rebucket alone, taken from its command line only: never from the
  // environment or the --config file that its gateways share.
  bool gateways_stopped = false;
  po::options_description command_line;
  command_line.add(serve);
  if (command == "redis-rebucket") {
    command_line.add_options()("gateways-stopped", po::bool_switch(&gateways_stopped),
                               "every gateway of the store is stopped: do not wait for the "
                               "readers' timeout");
  }
  try {
    po::variables_map vars;
    po::store(po::parse_command_line(argc - 1, argv + 1, command_line), vars);
    po::store(po::parse_environment(serve,
                                    [&serve](const std::string& env) -> std::string {
                                      if (env.rfind("UUDAI_", 0) != 0) return {};
                                      std::string name = env.substr(6);
                                      for (char& ch : name) {
                                        ch = ch == '_' ? '-' : static_cast<char>(std::tolower(ch));
                                      }
                                      return serve.find_nothrow(name, false) ? name : "";
                                    }),
              vars);
    if (vars.count("config")) {
      std::ifstream file(vars["config"].as<std::string>());
      if (!file) {
        std::cerr << "uudai: cannot read config file " << vars["config"].as<std::string>() << "\n";
        return 2;
      }
      po::store(po::parse_config_file(file, serve), vars);
    }
    po::notify(vars);
  } catch (const po::error& e) {
    std::cerr << "uudai: " << e.what() << "\n\nrun 'uudai --help' for the options\n";
    return 2;
  }
  const auto offset = ParseOffset(zone_offset);
  if (!offset) {
    std::cerr << "uudai: --zone-offset must look like +07:00\n";
    return 2;
  }
  config.zone_offset_minutes = *offset;
  if (!redis.empty()) config.redis_url = redis;
  if (command == "redis-rebucket") {
    return uudai::gateway::RunRedisRebucket(config, gateways_stopped);
  }
  if (config.keys_file.empty()) {
    std::cerr << "uudai: the option '--keys' is required but missing\n\nrun 'uudai --help' for "
                 "the options\n";
    return 2;
  }
#ifdef UUDAI_HUGE_PAGE_HEAP
  uudai::gateway::AdviseHeapHugePages(config.heap_huge_pages);
#endif
  return uudai::gateway::RunServe(config);
}
