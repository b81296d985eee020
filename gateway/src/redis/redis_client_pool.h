// RedisClientPool: the Redis clients of one gateway process (a connection, or a cluster
// client with a connection per primary), one on each of the HTTP server's I/O threads (each thread
// runs one io_context). A request handled on thread i sends its commands on connection i and gets
// the reply on the same thread: no thread hop, and concurrent requests of a thread pipeline on its
// connection without locks.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_CLIENT_POOL_H_
#define UUDAI_GATEWAY_REDIS_REDIS_CLIENT_POOL_H_

#include <chrono>
#include <memory>
#include <vector>

#include "redis/redis_client.h"

namespace uudai::gateway {

class RedisClientPool {
 public:
  // One started connection per io_context; each io_context must be run by one thread.
  RedisClientPool(RedisOptions options, const std::vector<boost::asio::io_context*>& io_contexts);
  // Stop()s.
  ~RedisClientPool();
  RedisClientPool(const RedisClientPool&) = delete;
  RedisClientPool& operator=(const RedisClientPool&) = delete;

  const std::vector<std::shared_ptr<RedisClient>>& connections() const { return connections_; }

  // One more started client, on the first io_context, for a caller that keeps a command
  // blocked on it (XREAD BLOCK): nothing else is sent on it, and its command timeout is
  // `command_timeout` (longer than the block). It does not wait for replicas; a cluster
  // client reads the map of slots every 10 s at most when nothing asks it to. Stop() closes it
  // with the others. Call it before Stop().
  std::shared_ptr<RedisClient> Dedicated(std::chrono::milliseconds command_timeout);

  // Closes every connection (pending commands answer kUnavailable on their threads). Call it
  // while the io_contexts still run. Idempotent.
  void Stop();

  // The index of the connection that lives on the calling thread, or -1 when the calling
  // thread runs none of the pool's io_contexts.
  static int CurrentThreadConnection();

 private:
  RedisOptions options_;
  boost::asio::io_context* first_io_;
  std::vector<std::shared_ptr<RedisClient>> connections_;
  std::vector<std::shared_ptr<RedisClient>> dedicated_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_CLIENT_POOL_H_
