// RedisCluster against a real Redis Cluster of 3 primaries and 3 replicas (the CTest fixture's):
// routing by slot, function calls, MOVED and ASK followed, WAIT for replicas, and failing fast
// when no node answers.
#include "redis/redis_cluster.h"

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "redis/redis_connection.h"
#include "redis/redis_slot.h"
#include "redis_cluster_test_support.h"
#include "redis_test_support.h"

namespace uudai::testing {
namespace {

using gateway::RedisCluster;
using gateway::RedisFunction;
using gateway::RedisKeySlot;
using gateway::RedisReply;

// Writes ARGV[1] at KEYS[1]; the read-only twin reads it.
const RedisFunction kSetter("uudai_cluster_test",
                            "redis.register_function(NAME, function(keys, args) "
                            "return redis.call('SET', keys[1], args[1]) end)\n"
                            "redis.register_function{function_name = NAME .. '_ro', "
                            "callback = function(keys, args) return redis.call('GET', keys[1]) "
                            "end, flags = {'no-writes'}}");

class RedisClusterClientTest : public ::testing::Test {
 protected:
  RedisClusterServers& cluster() { return RedisClusterServers::Shared(); }

  // `refresh`: how often the client reads the map when nothing asks it to.
  std::shared_ptr<RedisCluster> Connect(int wait_replicas = 0,
                                        std::chrono::milliseconds refresh = 1000ms) {
    gateway::RedisOptions options = OptionsFor(cluster().url());
    options.wait_replicas = wait_replicas;
    options.cluster_refresh_interval = refresh;
    options.counters = counters_;
    auto client = RedisCluster::Create(io_.io(), options);
    client->Start();
    EXPECT_TRUE(WaitUntil([&] { return client->connected(); }, 10s)) << client->last_error();
    return client;
  }

  // A key of a slot served by the primary on `port` and holding no key yet (a fresh tag).
  std::string FreshKeyOn(std::uint16_t port) {
    for (int i = 0;; ++i) {
      std::string key = "t{" + std::to_string(::getpid()) + "-" + std::to_string(next_tag_++) + "}";
      const int slot = RedisKeySlot(key);
      if (cluster().PrimaryOf(slot) != port) continue;
      if (cluster().Cli(port, "cluster countkeysinslot " + std::to_string(slot)) != "0") continue;
      return key;
    }
  }

  // Gives `slot` to the primary on `port` as a resharding does (the new owner takes it out of
  // an IMPORTING state, which makes its configuration epoch the newest: the cluster then agrees
  // it is the owner), and waits until the cluster says so.
  void GiveSlot(int slot, std::uint16_t port) {
    const std::uint16_t owner = cluster().PrimaryOf(slot);
    if (owner == port) return;
    ASSERT_TRUE(cluster().MigrateSlot(slot, owner, port, /*keys_per_step=*/10, 0ms));
  }

  // Puts `slot` back with `owner` holding no `key` when it goes, whatever the test left (a
  // failed assertion may leave the slot moved, or migrating): the cluster is shared.
  struct SlotRestorer {
    RedisClusterClientTest& test;
    int slot;
    std::uint16_t owner;
    std::string key;
    ~SlotRestorer() {
      RedisClusterServers& cluster = test.cluster();
      for (const std::uint16_t primary : cluster.Primaries()) {
        cluster.Cli(primary, "del '" + key + "'");  // where the key is not, MOVED or ASK: fine
        cluster.Cli(primary, "cluster setslot " + std::to_string(slot) + " stable");
      }
      test.GiveSlot(slot, owner);
    }
  };

  IoThread io_;
  std::shared_ptr<gateway::RedisCounters> counters_ = std::make_shared<gateway::RedisCounters>();
  int next_tag_ = 0;
};

TEST_F(RedisClusterClientTest, CommandsReachThePrimaryServingTheirSlot) {
  auto client = Connect();
  std::map<std::uint16_t, int> keys_by_primary;
  for (int i = 0; i < 60; ++i) {
    const std::string key = "route-" + std::to_string(::getpid()) + "-" + std::to_string(i);
    const auto set = Call(*client, {"SET", key, "v" + std::to_string(i), "PX", "60000"});
    ASSERT_TRUE(set.ok()) << set.status().message();
    ASSERT_EQ(set->str(), "OK") << set->DebugString();
    const std::uint16_t owner = cluster().PrimaryOf(RedisKeySlot(key));
    // Asked without redirects, the owner has it...
    EXPECT_EQ(cluster().Cli(owner, "get " + key), "v" + std::to_string(i));
    ++keys_by_primary[owner];
    // ...and the client reads it back.
    const auto get = Call(*client, {"GET", key});
    ASSERT_TRUE(get.ok());
    EXPECT_EQ(get->str(), "v" + std::to_string(i));
  }
  EXPECT_EQ(keys_by_primary.size(), 3U) << "60 keys should land on all three primaries";
}

TEST_F(RedisClusterClientTest, KeylessCommandsGoToAnyPrimary) {
  auto client = Connect();
  const auto pong = Call(*client, {"PING"});
  ASSERT_TRUE(pong.ok());
  EXPECT_EQ(pong->str(), "PONG");
}

TEST_F(RedisClusterClientTest, FunctionCallsAreRoutedByTheirFirstKeyAndLoadedOnEachPrimary) {
  auto client = Connect();
  for (const std::uint16_t primary : cluster().Primaries()) {
    const std::string key = FreshKeyOn(primary) + ":f";
    const auto set = CallFunction(*client, kSetter, {key}, {"written"});
    ASSERT_TRUE(set.ok()) << set.status().message();
    EXPECT_EQ(set->str(), "OK") << set->DebugString();
    EXPECT_EQ(cluster().Cli(primary, "get '" + key + "'"), "written");
    const auto read = CallFunction(*client, kSetter.ReadOnly(), {key}, {});
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(read->str(), "written");
    cluster().Cli(primary, "del '" + key + "'");
  }
}

TEST_F(RedisClusterClientTest, MovedSlotIsFollowedAndTheMapReadAgain) {
  auto client = Connect(/*wait_replicas=*/0, /*refresh=*/3'600'000ms);  // only when asked
  const std::vector<std::uint16_t> primaries = cluster().Primaries();
  ASSERT_EQ(primaries.size(), 3U);
  const std::string key = FreshKeyOn(primaries[0]) + ":moved";
  const int slot = RedisKeySlot(key);
  const SlotRestorer restore{*this, slot, primaries[0], key};
  ASSERT_TRUE(Call(*client, {"GET", key}).ok());  // the client knows the slot's owner

  GiveSlot(slot, primaries[1]);
  const std::uint64_t maps_before = client->maps_read();
  const auto set = Call(*client, {"SET", key, "after the move"});
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->str(), "OK") << set->DebugString();
  EXPECT_EQ(cluster().Cli(primaries[1], "get '" + key + "'"), "after the move");
  EXPECT_EQ(counters_->moved.load(), 1U);
  EXPECT_TRUE(WaitUntil([&] { return client->maps_read() > maps_before; }, 2s))
      << "a MOVED should have the map read again";
}

TEST_F(RedisClusterClientTest, AskRedirectIsFollowedDuringAMigration) {
  auto client = Connect();
  const std::vector<std::uint16_t> primaries = cluster().Primaries();
  ASSERT_EQ(primaries.size(), 3U);
  const std::uint16_t source = primaries[0];
  const std::uint16_t target = primaries[2];
  const std::string key = FreshKeyOn(source) + ":asked";
  const int slot = RedisKeySlot(key);
  const SlotRestorer restore{*this, slot, source, key};
  ASSERT_TRUE(Call(*client, {"GET", key}).ok());

  // The slot is being migrated: a key the source does not have is the target's to create.
  cluster().Cli(
      target, "cluster setslot " + std::to_string(slot) + " importing " + cluster().NodeId(source));
  cluster().Cli(
      source, "cluster setslot " + std::to_string(slot) + " migrating " + cluster().NodeId(target));
  const auto set = Call(*client, {"SET", key, "imported"});
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->str(), "OK") << set->DebugString();
  // The source does not have it (asked, it sends the asker on to the target).
  EXPECT_EQ(cluster().Cli(source, "exists '" + key + "'").rfind("ASK ", 0), 0U);

  // The migration ends: the target owns the slot and has the key.
  GiveSlot(slot, target);
  EXPECT_EQ(cluster().Cli(target, "get '" + key + "'"), "imported");
  const auto get = Call(*client, {"GET", key});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->str(), "imported");
}

TEST_F(RedisClusterClientTest, WritesWaitForTheirReplicas) {
  const std::string key = FreshKeyOn(cluster().Primaries()[0]) + ":waited";
  {
    auto client = Connect(/*wait_replicas=*/1);  // each primary has one replica
    const auto set = CallFunction(*client, kSetter, {key}, {"replicated"});
    ASSERT_TRUE(set.ok()) << set.status().message();
    EXPECT_EQ(set->str(), "OK");
  }
  {
    auto client = Connect(/*wait_replicas=*/2);  // more than there are
    const auto set = CallFunction(*client, kSetter, {key}, {"again"});
    ASSERT_FALSE(set.ok());
    EXPECT_EQ(set.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(set.status().message().find("reached 1 of 2 replicas"), std::string::npos)
        << set.status().message();
    // A read waits too (what it read may be a write not replicated yet)...
    const auto read = CallFunction(*client, kSetter.ReadOnly(), {key}, {});
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), StatusCode::kUnavailable);
    const auto get = Call(*client, {"GET", key});
    ASSERT_FALSE(get.ok());
    EXPECT_EQ(get.status().code(), StatusCode::kUnavailable);
    // ...but a command answered nil read nothing to wait for.
    const auto missing = Call(*client, {"GET", key + ":missing"});
    ASSERT_TRUE(missing.ok()) << missing.status().message();
    EXPECT_TRUE(missing->is_nil());
  }
  {
    // ...and the primary did write: WAIT cannot undo it.
    auto client = Connect(/*wait_replicas=*/1);
    const auto read = CallFunction(*client, kSetter.ReadOnly(), {key}, {});
    ASSERT_TRUE(read.ok()) << read.status().message();
    EXPECT_EQ(read->str(), "again");
    // The mark the wait wrote is in the call's slot, and expires.
    const std::string mark = key + ":replicated";
    EXPECT_EQ(cluster().ClusterCli("get '" + mark + "'"), "1");
    const std::string ttl = cluster().ClusterCli("pttl '" + mark + "'");
    EXPECT_GT(std::stoi(ttl), 0) << ttl;
    EXPECT_LE(std::stoi(ttl), 10000) << ttl;
  }
  cluster().ClusterCli("del '" + key + "'");
}

// Redis reads nothing more from a connection blocked in WAIT: calls short of replicas share one
// WAIT at a time, so none waits behind a queue of them past its deadline (which would tear the
// connection down and fail everything else on it).
TEST_F(RedisClusterClientTest, CallsShortOfReplicasShareOneWaitAtATime) {
  const std::string key = FreshKeyOn(cluster().Primaries()[0]) + ":shared-wait";
  auto client = Connect(/*wait_replicas=*/2);  // more than there are: every wait is short
  constexpr int kCalls = 8;
  std::mutex mutex;
  std::vector<Status> answers;
  const auto started = std::chrono::steady_clock::now();
  io_.Run([&] {
    for (int i = 0; i < kCalls; ++i) {
      client->Call(kSetter, {key}, {"v" + std::to_string(i)}, [&](Result<RedisReply> reply) {
        std::lock_guard lock(mutex);
        answers.push_back(reply.ok() ? Status() : reply.status());
      });
    }
  });
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::lock_guard lock(mutex);
        return answers.size() == kCalls;
      },
      10s));
  const auto took = std::chrono::steady_clock::now() - started;
  // Eight waits of 250 ms one after the other would take 2 s; shared, two or three.
  EXPECT_LT(took, 1500ms);
  for (const Status& answer : answers) {
    EXPECT_NE(answer.message().find("reached 1 of 2 replicas"), std::string::npos)
        << answer.message();
  }
  EXPECT_TRUE(client->connected()) << "the connection was torn down";
  EXPECT_GE(counters_->replica_waits_short.load(), 1U);
  EXPECT_LT(counters_->replica_waits_short.load(), static_cast<std::uint64_t>(kCalls));
  cluster().ClusterCli("del '" + key + "'");
}

TEST_F(RedisClusterClientTest, ASingleServerConnectionWaitsForReplicasToo) {
  const std::uint16_t primary = cluster().Primaries()[0];
  const std::string key = FreshKeyOn(primary) + ":single";
  gateway::RedisOptions options = OptionsFor("redis://127.0.0.1:" + std::to_string(primary));
  options.wait_replicas = 2;
  auto connection = gateway::RedisConnection::Create(io_.io(), options);
  connection->Start();
  ASSERT_TRUE(WaitUntil([&] { return connection->connected(); }, 5s));
  const auto set = CallFunction(*connection, kSetter, {key}, {"x"});
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("reached 1 of 2 replicas"), std::string::npos)
      << set.status().message();
  cluster().Cli(primary, "del '" + key + "'");
}

TEST_F(RedisClusterClientTest, NoReachableNodeAnswersUnavailableAtOnce) {
  // Ports nothing listens on (below 1024, where nothing runs on this machine's loopback).
  auto client =
      RedisCluster::Create(io_.io(), OptionsFor("redis+cluster://127.0.0.1:1,127.0.0.1:2"));
  client->Start();
  const auto started = std::chrono::steady_clock::now();
  const auto reply = Call(*client, {"GET", "k"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
  EXPECT_NE(reply.status().message().find("map of slots is not known"), std::string::npos)
      << reply.status().message();
  EXPECT_FALSE(client->connected());
  EXPECT_TRUE(WaitUntil([&] { return !client->last_error().empty(); }, 2s));
}

}  // namespace
}  // namespace uudai::testing
