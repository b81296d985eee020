// Test support for Redis Cluster: a real cluster of 3 primaries and 3 replicas on loopback,
// started with tests/redis/redis_cluster_fixture.sh.
#ifndef UUDAI_TESTS_REDIS_REDIS_CLUSTER_TEST_SUPPORT_H_
#define UUDAI_TESTS_REDIS_REDIS_CLUSTER_TEST_SUPPORT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace uudai::testing {

class RedisClusterServers {
 public:
  // The CTest fixture's cluster (UUDAI_TEST_REDIS_CLUSTER_DIR); when the variable is unset
  // (the binary run by hand), a private cluster started on first use and stopped at exit.
  static RedisClusterServers& Shared();
  // A private cluster with extra redis-server arguments for every node, stopped by the
  // destructor. Fails the test (ADD_FAILURE) and returns nullptr if it does not start.
  static std::unique_ptr<RedisClusterServers> StartPrivate(const std::vector<std::string>& args);

  RedisClusterServers(std::string dir, bool owned);
  ~RedisClusterServers();

  // redis+cluster:// with the three nodes created as primaries as seeds.
  std::string url() const;
  // The six nodes' client ports.
  const std::vector<std::uint16_t>& ports() const { return ports_; }

  // redis-cli against the node on `port` (no redirects followed), stdout and stderr.
  std::string Cli(std::uint16_t port, const std::string& args) const;
  // The same against whichever node serves the key's slot (redis-cli -c).
  std::string ClusterCli(const std::string& args) const;
  // The port of the primary serving `slot` now, or 0 when no live node knows one.
  std::uint16_t PrimaryOf(int slot) const;
  // The ports of the nodes that are primaries now.
  std::vector<std::uint16_t> Primaries() const;
  // CLUSTER MYID of the node on `port`.
  std::string NodeId(std::uint16_t port) const;
  // SIGKILL of the node on `port`, waiting until it has exited.
  void Kill(std::uint16_t port);
  bool Running(std::uint16_t port) const;
  // Starts the node on `port` again after Kill (it rejoins with its nodes.conf). Returns false
  // (and fails the test) if it did not start.
  bool Restart(std::uint16_t port);
  // Moves `slot` and its keys from the primary on `from` to the one on `to` as
  // `redis-cli --cluster reshard` does: IMPORTING on the target, MIGRATING on the source, the
  // keys MIGRATEd `keys_per_step` at a time with `pause` between steps (clients are served
  // meanwhile), then SETSLOT NODE on the target, the source and the other primaries. Returns
  // false (and fails the test) if a step failed.
  bool MigrateSlot(int slot, std::uint16_t from, std::uint16_t to, int keys_per_step,
                   std::chrono::milliseconds pause);
  // Every live node says cluster_state:ok, and a live primary serves `slot`.
  bool Settled(int slot) const;

 private:
  std::string dir_;
  bool owned_;
  std::vector<std::uint16_t> ports_;
};

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_REDIS_REDIS_CLUSTER_TEST_SUPPORT_H_
