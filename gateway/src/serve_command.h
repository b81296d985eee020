// `uudai serve`: wires the store, journal, catalog, API and HTTP server together and runs
// until SIGINT/SIGTERM.
#ifndef UUDAI_GATEWAY_SERVE_COMMAND_H_
#define UUDAI_GATEWAY_SERVE_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace uudai::gateway {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string keys_file;
  std::optional<std::string> redis_url;
  std::string redis_key_prefix = "uudai:{main}:";
  std::string data_dir = "./data";
  int threads = 0;  // 0: one per core
  std::int64_t reservation_ttl_seconds = 900;
  std::string log_level = "info";
  int zone_offset_minutes = 7 * 60;
  std::size_t body_limit = 1024 * 1024;
  std::size_t max_connections = 10'000;
  bool demo = false;
};

// Returns the process exit code.
int RunServe(const ServeConfig& config);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_SERVE_COMMAND_H_
