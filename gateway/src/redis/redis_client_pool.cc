#include "redis/redis_client_pool.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace uudai::gateway {
namespace net = boost::asio;

struct RedisClientPool::Worker {
  net::io_context io{1};
  net::executor_work_guard<net::io_context::executor_type> guard{io.get_executor()};
  std::thread thread;
};

RedisClientPool::RedisClientPool(RedisOptions options, int size) {
  for (int i = 0; i < std::max(1, size); ++i) {
    auto worker = std::make_unique<Worker>();
    auto connection = RedisConnection::Create(worker->io, options);
    connection->Start();
    worker->thread = std::thread([io = &worker->io] { io->run(); });
    connections_.push_back(std::move(connection));
    workers_.push_back(std::move(worker));
  }
}

RedisClientPool::~RedisClientPool() {
  for (auto& connection : connections_) connection->Stop();
  connections_.clear();  // pending callbacks are answered on the threads, which still run
  for (auto& worker : workers_) {
    worker->guard.reset();  // run() returns once the last callbacks have run...
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!worker->io.stopped() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    worker->io.stop();  // ...or is made to (a reconnect timer may still be armed)
    if (worker->thread.joinable()) worker->thread.join();
  }
}

}  // namespace uudai::gateway
