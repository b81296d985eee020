// `uudai serve`: wires the store, journal, catalog, API and HTTP server together and runs
// until SIGINT/SIGTERM.
#ifndef UUDAI_GATEWAY_APP_SERVE_COMMAND_H_
#define UUDAI_GATEWAY_APP_SERVE_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "store/redis/redis_key_prefix.h"
#include "uudai/redemption.h"

namespace uudai::gateway {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string keys_file;
  std::optional<std::string> redis_url;
  std::string redis_key_prefix = std::string(kDefaultRedisKeyPrefix);
  std::string data_dir = "./data";
  int threads = 0;  // 0: one per core
  std::int64_t reservation_ttl_seconds = kDefaultReservationTtlMillis / 1000;
  std::string log_level = "info";
  int zone_offset_minutes = 7 * 60;
  std::size_t body_limit = 1024 * 1024;
  std::size_t max_connections = 10'000;
  // Connection timeouts in seconds (docs/design.md §5): idle between requests, first byte → end of
  // the headers (slow-loris), end of the headers → end of the body. Each must lie in
  // [0.1, 3600]; RunServe refuses anything else.
  double idle_timeout_seconds = 60;
  double header_timeout_seconds = 10;
  double body_timeout_seconds = 30;
  // How long a Redis command may take before the request gets 503, in seconds.
  double redis_timeout_seconds = 0.5;
  // How often a Redis-mode gateway reads the change log for other gateways' writes, in
  // seconds; in [0.1, 3600] like the timeouts.
  double redis_poll_interval_seconds = 0.1;
  bool demo = false;
};

// Returns the process exit code.
int RunServe(const ServeConfig& config);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_APP_SERVE_COMMAND_H_
