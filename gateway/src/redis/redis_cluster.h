// RedisCluster: the RedisClient of a Redis Cluster, for one io_context (one I/O thread).
//
// It reads the cluster's map of slots (CLUSTER SLOTS) from the seeds the URL lists, keeps one
// RedisConnection to every primary in it, and sends each command to the primary serving the
// slot of its routing key (RoutingKey: a function call's first declared key); a command that
// names no key goes to any primary. Redis's redirects are followed, at most kMaxRedirects
// times a command:
//   - MOVED: the slot has a new owner. The command goes there, and the whole map is read again.
//   - ASK: the slot is being migrated and the key is already on the target: ASKING and the
//     command are sent to the target, the map is unchanged.
//   - TRYAGAIN (a multi-key command, or a call of uudai's store function, during a
//     migration): sent again every 25 ms until command_timeout has passed since it was sent.
// CLUSTERDOWN, a slot no node serves, too many redirects and a script that met a key of a
// slot being migrated answer kUnavailable: the caller fails closed (503), as when a node does
// not answer. A node that stopped answering makes the map be read again (its replica may be
// the primary by now); beside those, the map is read every cluster_refresh_interval.
//
// Every node connection has the same options as a single server's (timeouts, reconnection,
// AUTH, function loading, WAIT for replicas). Threading: as RedisClient's.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_CLUSTER_H_
#define UUDAI_GATEWAY_REDIS_REDIS_CLUSTER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_client.h"

namespace uudai::gateway {

class RedisCluster final : public RedisClient {
 public:
  static constexpr int kMaxRedirects = 5;

  // Does not connect yet: see Start(). REQUIRES: options.url.cluster().
  static std::shared_ptr<RedisCluster> Create(boost::asio::io_context& io, RedisOptions options);
  ~RedisCluster() override;
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  void Start() override;
  void Stop() override;
  bool connected() const override;
  bool connected_for(std::string_view key) const override;
  std::string last_error() const override;
  void Command(std::vector<std::string> argv, Callback done) override;
  void Call(const RedisFunction& function, std::vector<std::string> keys,
            std::vector<std::string> args, Callback done) override;

  // How many times a map of slots was read and applied (for tests and metrics).
  std::uint64_t maps_read() const;

 private:
  class Impl;
  explicit RedisCluster(std::shared_ptr<Impl> impl);

  std::shared_ptr<Impl> impl_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_CLUSTER_H_
