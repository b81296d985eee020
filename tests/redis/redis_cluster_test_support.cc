#include "redis_cluster_test_support.h"

#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "redis_test_support.h"

#ifndef UUDAI_REDIS_CLUSTER_FIXTURE
#error "UUDAI_REDIS_CLUSTER_FIXTURE must name tests/redis/redis_cluster_fixture.sh"
#endif

namespace uudai::testing {
namespace {

std::string FixtureCommand(const std::string& verb, const std::string& dir,
                           const std::vector<std::string>& args) {
  std::string command = Quote(UUDAI_REDIS_CLUSTER_FIXTURE) + " " + verb + " " + Quote(dir);
  for (const auto& arg : args) command += " " + Quote(arg);
  return command + " 2>&1";
}

int ReadPid(const std::string& node_dir) {
  std::ifstream in(node_dir + "/redis.pid");
  int pid = 0;
  in >> pid;
  return pid;
}
}  // namespace

RedisClusterServers& RedisClusterServers::Shared() {
  static RedisClusterServers* const cluster = [] {
    if (const char* dir = std::getenv("UUDAI_TEST_REDIS_CLUSTER_DIR");
        dir != nullptr && *dir != '\0') {
      return new RedisClusterServers(dir, /*owned=*/false);
    }
    static std::unique_ptr<RedisClusterServers> own = StartPrivate({});
    return own.get();
  }();
  if (cluster == nullptr) std::abort();  // could not start the cluster at all
  return *cluster;
}

std::unique_ptr<RedisClusterServers> RedisClusterServers::StartPrivate(
    const std::vector<std::string>& args) {
  std::string dir = "/tmp/uudai-redis-cluster-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    ADD_FAILURE() << "no temporary directory";
    return nullptr;
  }
  int status = 0;
  const std::string output = Shell(FixtureCommand("start", dir, args), &status);
  if (status != 0) {
    ADD_FAILURE() << "the Redis Cluster did not start in " << dir << ": " << output;
    Shell(FixtureCommand("stop", dir, {}) + "; rm -rf " + Quote(dir));
    return nullptr;
  }
  return std::make_unique<RedisClusterServers>(dir, /*owned=*/true);
}

RedisClusterServers::RedisClusterServers(std::string dir, bool owned)
    : dir_(std::move(dir)), owned_(owned) {
  std::ifstream in(dir_ + "/ports");
  for (int port = 0; in >> port;) ports_.push_back(static_cast<std::uint16_t>(port));
}

RedisClusterServers::~RedisClusterServers() {
  if (owned_) Shell(FixtureCommand("stop", dir_, {}) + "; rm -rf " + Quote(dir_));
}

std::string RedisClusterServers::url() const {
  std::string url = "redis+cluster://";
  for (std::size_t i = 0; i < 3 && i < ports_.size(); ++i) {
    url += (i == 0 ? "" : ",") + std::string("127.0.0.1:") + std::to_string(ports_[i]);
  }
  return url;
}

std::string RedisClusterServers::Cli(std::uint16_t port, const std::string& args) const {
  return Shell("redis-cli -h 127.0.0.1 -p " + std::to_string(port) + " " + args + " 2>&1");
}

std::string RedisClusterServers::ClusterCli(const std::string& args) const {
  for (const std::uint16_t port : ports_) {
    if (Running(port))
      return Shell("redis-cli -c -h 127.0.0.1 -p " + std::to_string(port) + " " + args + " 2>&1");
  }
  return "(no node running)";
}

std::uint16_t RedisClusterServers::PrimaryOf(int slot) const {
  for (const std::uint16_t port : ports_) {
    if (!Running(port)) continue;
    // CLUSTER SHARDS is not in redis-cli's plain output in a usable shape; CLUSTER NODES is:
    // "<id> <ip:port@bus> <flags> <primary> <ping> <pong> <epoch> <link> <slot ranges...>".
    std::istringstream lines(Cli(port, "cluster nodes"));
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::string id, address, flags, primary, ping, pong, epoch, link;
      words >> id >> address >> flags >> primary >> ping >> pong >> epoch >> link;
      if (flags.find("master") == std::string::npos || flags.find("fail") != std::string::npos) {
        continue;
      }
      for (std::string range; words >> range;) {
        if (range.front() == '[') continue;  // a slot being migrated or imported
        const auto dash = range.find('-');
        const int first = std::stoi(range.substr(0, dash));
        const int last = dash == std::string::npos ? first : std::stoi(range.substr(dash + 1));
        if (slot >= first && slot <= last) {
          const auto colon = address.find(':');
          return static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1)));
        }
      }
    }
    return 0;  // the first live node's view is the answer
  }
  return 0;
}

std::vector<std::uint16_t> RedisClusterServers::Primaries() const {
  std::vector<std::uint16_t> primaries;
  for (const std::uint16_t port : ports_) {
    if (Running(port) && Cli(port, "role").rfind("master", 0) == 0) primaries.push_back(port);
  }
  return primaries;
}

std::string RedisClusterServers::NodeId(std::uint16_t port) const {
  return Cli(port, "cluster myid");
}

void RedisClusterServers::Kill(std::uint16_t port) {
  const int pid = ReadPid(dir_ + "/node-" + std::to_string(port));
  ::kill(pid, SIGKILL);
  WaitUntil([pid] { return !ProcessAlive(pid); }, std::chrono::milliseconds(5000));
}

bool RedisClusterServers::Restart(std::uint16_t port) {
  int status = 0;
  const std::string output =
      Shell(FixtureCommand("restart-node", dir_, {std::to_string(port)}), &status);
  if (status != 0) ADD_FAILURE() << "node " << port << " did not restart: " << output;
  return status == 0;
}

bool RedisClusterServers::Running(std::uint16_t port) const {
  return ProcessAlive(ReadPid(dir_ + "/node-" + std::to_string(port)));
}

bool RedisClusterServers::MigrateSlot(int slot, std::uint16_t from, std::uint16_t to,
                                      int keys_per_step, std::chrono::milliseconds pause) {
  const std::string slot_text = std::to_string(slot);
  const std::string from_id = NodeId(from);
  const std::string to_id = NodeId(to);
  auto step = [&](std::uint16_t port, const std::string& args) {
    const std::string reply = Cli(port, args);
    if (reply != "OK") ADD_FAILURE() << "node " << port << ", " << args << ": " << reply;
    return reply == "OK";
  };
  if (!step(to, "cluster setslot " + slot_text + " importing " + from_id) ||
      !step(from, "cluster setslot " + slot_text + " migrating " + to_id)) {
    return false;
  }
  while (true) {
    std::istringstream listed(
        Cli(from, "cluster getkeysinslot " + slot_text + " " + std::to_string(keys_per_step)));
    std::string keys;
    for (std::string key; std::getline(listed, key);) {
      if (!key.empty()) keys += " " + Quote(key);
    }
    if (keys.empty()) break;
    if (!step(from, "migrate 127.0.0.1 " + std::to_string(to) + " '' 0 10000 keys" + keys)) {
      return false;
    }
    std::this_thread::sleep_for(pause);
  }
  if (!step(to, "cluster setslot " + slot_text + " node " + to_id) ||
      !step(from, "cluster setslot " + slot_text + " node " + to_id)) {
    return false;
  }
  for (const std::uint16_t other : Primaries()) {
    if (other != to && other != from)
      step(other, "cluster setslot " + slot_text + " node " + to_id);
  }
  return WaitUntil([&] { return PrimaryOf(slot) == to; }, std::chrono::milliseconds(10000));
}

bool RedisClusterServers::Settled(int slot) const {
  for (const std::uint16_t port : ports_) {
    if (!Running(port)) continue;
    if (Cli(port, "cluster info").find("cluster_state:ok") == std::string::npos) return false;
  }
  const std::uint16_t owner = PrimaryOf(slot);
  return owner != 0 && Running(owner);
}

}  // namespace uudai::testing
