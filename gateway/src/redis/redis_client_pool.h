// RedisClientPool: the Redis connections of one gateway process, each on an io_context thread
// of its own. Commands from the HTTP threads are spread over them (RedisStore picks one per
// command), pipelining without locks inside each connection; replies come back on the pool's
// threads and the HTTP session writes its answer from there.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_CLIENT_POOL_H_
#define UUDAI_GATEWAY_REDIS_REDIS_CLIENT_POOL_H_

#include <memory>
#include <vector>

#include "redis/redis_connection.h"

namespace uudai::gateway {

class RedisClientPool {
 public:
  // Starts `size` threads (at least one), each with one started connection.
  RedisClientPool(RedisOptions options, int size);
  // Stops the connections and joins the threads.
  ~RedisClientPool();
  RedisClientPool(const RedisClientPool&) = delete;
  RedisClientPool& operator=(const RedisClientPool&) = delete;

  const std::vector<std::shared_ptr<RedisConnection>>& connections() const { return connections_; }

 private:
  struct Worker;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::shared_ptr<RedisConnection>> connections_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_CLIENT_POOL_H_
