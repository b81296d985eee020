#include "redis/redis_client_pool.h"

#include <algorithm>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace uudai::gateway {
namespace {

thread_local int current_thread_connection = -1;

}  // namespace

RedisClientPool::RedisClientPool(RedisOptions options,
                                 const std::vector<boost::asio::io_context*>& io_contexts)
    : options_(options), first_io_(io_contexts.front()) {
  for (std::size_t i = 0; i < io_contexts.size(); ++i) {
    boost::asio::post(*io_contexts[i],
                      [index = static_cast<int>(i)] { current_thread_connection = index; });
    auto connection = CreateRedisClient(*io_contexts[i], options);
    connection->Start();
    connections_.push_back(std::move(connection));
  }
}

RedisClientPool::~RedisClientPool() { Stop(); }

std::shared_ptr<RedisClient> RedisClientPool::Dedicated(std::chrono::milliseconds command_timeout) {
  RedisOptions options = options_;
  options.command_timeout = command_timeout;
  options.wait_replicas = 0;
  // Its one command follows redirects by itself; a map read every second per blocked client
  // would be for nothing.
  options.cluster_refresh_interval =
      std::max(options.cluster_refresh_interval, std::chrono::milliseconds(10'000));
  auto connection = CreateRedisClient(*first_io_, std::move(options));
  connection->Start();
  dedicated_.push_back(connection);
  return connection;
}

void RedisClientPool::Stop() {
  for (auto& connection : connections_) connection->Stop();
  for (auto& connection : dedicated_) connection->Stop();
}

int RedisClientPool::CurrentThreadConnection() { return current_thread_connection; }

}  // namespace uudai::gateway
