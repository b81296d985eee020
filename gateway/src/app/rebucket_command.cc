#include "app/rebucket_command.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "app/system_sources.h"
#include "redis/redis_client.h"
#include "redis/redis_url.h"
#include "store/redis/redis_store.h"
#include "store/redis/shard_layout.h"
#include "store/redis/spread_store.h"

namespace uudai::gateway {

namespace {

// A move's call writes thousands of fields; Redis may take longer than a checkout's timeout.
constexpr std::chrono::milliseconds kShortestCallTimeout{10'000};

// SIGINT or SIGTERM: the move stops after the call under way (run it again to finish).
volatile std::sig_atomic_t stop_requested = 0;
bool StopRequested() { return stop_requested != 0; }

}  // namespace

int RunRedisRebucket(const ServeConfig& config, bool gateways_stopped) {
  if (!ConfigureLog(config.log_level)) return 2;
  if (!config.redis_url) {
    spdlog::error("redis-rebucket needs --redis: the store to move");
    return 2;
  }
  if (!CheckRedisOptions(config)) return 2;
  if (config.redis_buckets == 0) {
    spdlog::error(
        "redis-rebucket needs --redis-buckets 4096, 65536 or 1048576: the count to "
        "move the store to");
    return 2;
  }
  auto url = ParseRedisUrl(*config.redis_url);
  if (!url.ok()) {
    spdlog::error("--redis: {}", url.status().message());
    return 2;
  }
  auto layout =
      ShardLayout::Make(config.redis_key_prefix, static_cast<std::size_t>(config.redis_shards));
  if (!layout.ok()) {
    spdlog::error("{}", layout.status().message());
    return 2;
  }
  const auto call_timeout =
      std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::duration<double>(config.redis_timeout_seconds)),
               kShortestCallTimeout);

  std::signal(SIGINT, [](int) { stop_requested = 1; });
  std::signal(SIGTERM, [](int) { stop_requested = 1; });
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  RedisOptions options;
  options.url = std::move(url).value();
  options.command_timeout = call_timeout;
  options.wait_replicas = config.redis_wait_replicas;
  std::shared_ptr<RedisClient> client = CreateRedisClient(io, std::move(options));
  client->Start();
  const auto stop = [&] {
    client->Stop();
    work.reset();
    io.stop();
    runner.join();
  };

  if (Status shards = CheckShardCount(*client, layout.value(), call_timeout, /*record=*/false);
      !shards.ok()) {
    spdlog::error("{}", shards.message());
    stop();
    return 1;
  }
  SystemClock clock;
  const auto target = static_cast<std::uint32_t>(config.redis_buckets);
  for (std::size_t k = 0; k < layout->size(); ++k) {
    if (StopRequested()) {
      spdlog::error("stopped before the store under \"{}\": run the command again to finish",
                    layout->prefix(k));
      stop();
      return 1;
    }
    RedisStoreOptions store_options;
    store_options.key_prefix = layout->prefix(k);
    RedisStore store(clock, store_options, {client});
    std::uint64_t told = 0;
    const Status moved = store.MoveBuckets(
        target, call_timeout,
        [&](std::uint64_t done, std::uint64_t total) {
          // About every tenth of the way, and at the end.
          if (done == total || done >= told + std::max<std::uint64_t>(total / 10, 1)) {
            spdlog::info("store under \"{}\": {} of {} buckets moved to the store's {} buckets",
                         store_options.key_prefix, done, total, target);
            told = done;
          }
          return !StopRequested();
        },
        gateways_stopped);
    if (!moved.ok()) {
      spdlog::error("store under \"{}\": {}", store_options.key_prefix, moved.message());
      stop();
      return 1;
    }
  }
  spdlog::info(
      "the Redis store under \"{}\" keeps its live orders and shoppers' counts in {} "
      "buckets",
      config.redis_key_prefix, target);
  stop();
  return 0;
}

}  // namespace uudai::gateway
