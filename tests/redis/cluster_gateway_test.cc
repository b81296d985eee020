// `uudai serve --redis redis+cluster://...` processes on a real Redis Cluster of 3 primaries and
// 3 replicas: limits stay exact when gateways race and when a slot moves between primaries under
// load, and with --redis-wait-replicas 1 a primary killed under load loses no acknowledged
// redemption once its replica took over.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "api_test_support.h"
#include "redis/redis_slot.h"
#include "redis_cluster_test_support.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "serve_process.h"
#include "store/redis/shard_layout.h"

#ifndef UUDAI_BINARY
#error "UUDAI_BINARY must name the uudai executable (see tests/CMakeLists.txt)"
#endif

namespace uudai::testing {
namespace {

using boost::json::object;
using std::chrono::milliseconds;

class ClusterGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_file_ = WriteTestKeysFile(dir_.path());
    prefix_ = FreshKeyPrefix();
  }

  void StartGateways(const RedisClusterServers& cluster, int count,
                     const std::vector<std::string>& extra = {}) {
    for (int i = 0; i < count; ++i) {
      std::vector<std::string> args = {"--redis", cluster.url(), "--redis-prefix", prefix_};
      args.insert(args.end(), extra.begin(), extra.end());
      gateways_.push_back(std::make_unique<ServeProcess>(UUDAI_BINARY, keys_file_, args));
    }
    for (auto& gateway : gateways_) ASSERT_TRUE(gateway->WaitUntilHealthy());
  }

  std::uint16_t port(int i) const { return gateways_[static_cast<std::size_t>(i)]->port(); }

  // The value of `series` (a metric name with its labels) in every gateway's /metrics, summed.
  double MetricSum(const std::string& series) {
    double sum = 0;
    for (std::size_t g = 0; g < gateways_.size(); ++g) {
      const HttpReply metrics = CallPort(port(static_cast<int>(g)), "GET", "/metrics", nullptr);
      const auto at = metrics.body.find("\n" + series + " ");
      if (at != std::string::npos) sum += std::stod(metrics.body.substr(at + series.size() + 2));
    }
    return sum;
  }

  std::string CreateOffer(const object& body) {
    const HttpReply created = CallPort(port(0), "POST", "/v1/offers", kAdminKey, Json(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return std::string(created.Json().at("id").as_string());
  }

  // Whether every gateway's stats count `committed` committed redemptions of offer `id`.
  bool EveryGatewayCounts(const std::string& id, std::size_t committed) {
    for (std::size_t g = 0; g < gateways_.size(); ++g) {
      const HttpReply stats =
          CallPort(port(static_cast<int>(g)), "GET", "/v1/stats/offers/" + id, kAnalystKey);
      if (stats.status != 200 || stats.Json().at("redemptions").at("committed").as_int64() !=
                                     static_cast<std::int64_t>(committed)) {
        return false;
      }
    }
    return true;
  }

  // The store's slot: every key of the prefix shares its hash tag.
  int StoreSlot() const { return gateway::RedisKeySlot(prefix_ + "log"); }

  // Statuses of the records of `ids` (a record's head starts with its status: 1 = committed),
  // read in one script call on the primary on `port`.
  static std::vector<std::string> RecordStatuses(const RedisClusterServers& cluster,
                                                 std::uint16_t port, const std::string& rec_key,
                                                 const std::vector<std::string>& ids) {
    std::string args;
    for (const std::string& id : ids) args += " '" + id + "'";
    std::istringstream words(cluster.Cli(
        port,
        "EVAL \"local out = {} for i, r in ipairs(redis.call('HMGET', KEYS[1], unpack(ARGV))) do "
        "out[i] = r and string.sub(r, 1, 1) or 'missing' end return table.concat(out, ' ')\" 1 '" +
            rec_key + "'" + args));
    std::vector<std::string> statuses;
    for (std::string status; words >> status;) statuses.push_back(status);
    return statuses;
  }

  TempDir dir_;
  std::string keys_file_;
  std::string prefix_;
  std::vector<std::unique_ptr<ServeProcess>> gateways_;
};

TEST_F(ClusterGatewayTest, RacingRedemptionsOnTwoGatewaysTakeExactlyTheQuota) {
  RedisClusterServers& cluster = RedisClusterServers::Shared();
  StartGateways(cluster, 2, {"--redis-timeout", "5"});  // a slow machine's call is not a 503
  object offer = AlwaysOnOffer();
  offer["limits"] = object{{"total_redemptions", 30}, {"per_shopper", 2}};
  const std::string id = CreateOffer(offer);
  ASSERT_TRUE(WaitUntil(
      [&] {
        const HttpReply quote =
            CallPort(port(1), "POST", "/v1/checkout/quote", kCheckoutKey, Json(CartBody()));
        return quote.status == 200 && quote.Json().at("applied").as_array().size() == 1;
      },
      milliseconds(2000)));
  const RedemptionRace race = RaceCommittedRedemptions({port(0), port(1)}, 8, 100, 20);
  const auto& [wins_by_shopper, won_ids, refusals] = race;

  EXPECT_EQ(won_ids.size(), 30U);
  for (const auto& [shopper, wins] : wins_by_shopper) EXPECT_LE(wins, 2) << shopper;
  for (const auto& [code, count] : refusals) {
    EXPECT_TRUE(code == "quota_exhausted" || code == "per_shopper_limit" ||
                code == "nothing_to_redeem")
        << count << " × " << code;
  }
  // The counters on the primary serving the store's slot equal the ledger.
  const std::uint16_t primary = cluster.PrimaryOf(StoreSlot());
  ASSERT_NE(primary, 0);
  EXPECT_EQ(cluster.Cli(primary, "HGET '" + prefix_ + "o:" + id + "' n"), "30");
  for (const std::string& status : RecordStatuses(cluster, primary, prefix_ + "rec", won_ids)) {
    EXPECT_EQ(status, "1");
  }
  for (int g = 0; g < 2; ++g) {
    const HttpReply stats = CallPort(port(g), "GET", "/v1/stats/offers/" + id, kAnalystKey);
    ASSERT_EQ(stats.status, 200) << stats.body;
    EXPECT_EQ(stats.Json().at("redemptions").at("committed").as_int64(), 30) << stats.body;
  }
}

// A store spread over three data shards, one on each primary: redemptions whose shoppers live
// on every primary, racing on two gateways for an offer kept on one of them, take exactly the
// quota and no shopper more than its limit; the offer's counters equal the ledger, and the
// holds of the refused attempts are all released.
TEST_F(ClusterGatewayTest, RacingRedemptionsAcrossPrimariesOfASpreadStoreTakeExactlyTheQuota) {
  RedisClusterServers& cluster = RedisClusterServers::Shared();
  StartGateways(cluster, 2, {"--redis-shards", "3", "--redis-timeout", "5"});
  object offer = AlwaysOnOffer();
  offer["limits"] = object{{"total_redemptions", 30}, {"per_shopper", 2}};
  const std::string id = CreateOffer(offer);
  ASSERT_TRUE(WaitUntil(
      [&] {
        const HttpReply quote =
            CallPort(port(1), "POST", "/v1/checkout/quote", kCheckoutKey, Json(CartBody()));
        return quote.status == 200 && quote.Json().at("applied").as_array().size() == 1;
      },
      milliseconds(2000)));
  const auto layout = gateway::ShardLayout::Make(prefix_, 3).value();
  std::set<std::uint16_t> primaries;
  for (std::size_t k = 1; k < layout.size(); ++k) {
    primaries.insert(cluster.PrimaryOf(gateway::RedisKeySlot(layout.prefix(k) + "log")));
  }
  EXPECT_EQ(primaries.size(), 3U) << "the data shards share a primary";
  const RedemptionRace race = RaceCommittedRedemptions({port(0), port(1)}, 8, 100, 20);
  const auto& [wins_by_shopper, won_ids, refusals] = race;

  EXPECT_EQ(won_ids.size(), 30U);
  for (const auto& [shopper, wins] : wins_by_shopper) EXPECT_LE(wins, 2) << shopper;
  for (const auto& [code, count] : refusals) {
    EXPECT_TRUE(code == "quota_exhausted" || code == "per_shopper_limit" ||
                code == "nothing_to_redeem")
        << count << " × " << code;
  }
  const std::string& shard = layout.prefix(layout.OfOffer(Layer::kMerchant, "shop-1"));
  const std::uint16_t primary = cluster.PrimaryOf(gateway::RedisKeySlot(shard + "log"));
  ASSERT_NE(primary, 0);
  EXPECT_TRUE(WaitUntil(
      [&] {
        int waiting = 0;
        for (std::size_t k = 0; k < layout.size(); ++k) {
          const std::uint16_t on =
              cluster.PrimaryOf(gateway::RedisKeySlot(layout.prefix(k) + "log"));
          waiting += std::stoi(cluster.Cli(on, "ZCARD '" + layout.prefix(k) + "holds'"));
        }
        return waiting == 0;
      },
      milliseconds(15'000)));
  EXPECT_EQ(cluster.Cli(primary, "HGET '" + shard + "o:" + id + "' n"), "30");
  EXPECT_TRUE(WaitUntil([&] { return EveryGatewayCounts(id, 30); }, milliseconds(3000)));
}

// The store's slot resharded to another primary under load, its keys a few at a time: a call
// that meets the slot mid-migration is told TRYAGAIN before it reads or writes anything and is
// sent again (503 once the Redis timeout has passed), so no redemption is half-written, every
// acknowledged one is on the new primary, and the counters equal the ledger.
TEST_F(ClusterGatewayTest, ReshardingTheStoresSlotUnderLoadLosesNothing) {
  RedisClusterServers& cluster = RedisClusterServers::Shared();
  constexpr int kLimit = 5'000;
  StartGateways(cluster, 2);
  object offer = AlwaysOnOffer();
  offer["limits"] = object{{"total_redemptions", kLimit}, {"per_shopper", 3}};
  const std::string id = CreateOffer(offer);
  const int slot = StoreSlot();
  const std::uint16_t from = cluster.PrimaryOf(slot);
  std::uint16_t to = 0;
  for (const std::uint16_t primary : cluster.Primaries()) {
    if (primary != from) to = primary;
  }
  ASSERT_NE(from, 0);
  ASSERT_NE(to, 0);
  const double tried_again_before = MetricSum("uudai_redis_redirects_total{kind=\"tryagain\"}");

  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::map<std::string, int> outcomes;
  std::map<std::string, std::string> last_body;
  std::atomic<int> acknowledged_count{0};
  std::atomic<bool> go{true};
  std::vector<std::thread> writers;
  StopThreads stop_writers{go, writers};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      HttpConnection connection(port(w % 2));
      for (int i = 0; go.load(); ++i) {
        const std::string order = "w" + std::to_string(w) + "-" + std::to_string(i);
        // Each shopper tries 4 times: the 4th is over the per-shopper limit of 3, across the
        // move too.
        const HttpReply reply = CommitRedemption(
            connection, order, "s-" + std::to_string(w) + "-" + std::to_string(i / 4));
        std::lock_guard lock(mutex);
        if (reply.status == 201) {
          acknowledged.emplace_back(reply.Json().at("id").as_string());
          ++acknowledged_count;
        }
        const std::string outcome = reply.status == 409
                                        ? std::string(reply.Json().at("code").as_string())
                                        : std::to_string(reply.status);
        ++outcomes[outcome];
        if (reply.status != 201) last_body[outcome] = reply.body;
      }
    });
  }
  auto described = [&] {
    std::lock_guard lock(mutex);
    std::string text;
    for (const auto& [outcome, count] : outcomes) {
      text += "\n" + std::to_string(count) + " × " + outcome + " " + last_body[outcome];
    }
    return text;
  };
  // (The slot, its nodes and the counter were read before the load began: on a busy machine
  // those redis-cli runs can take long enough for the load to use up the quota.)
  ASSERT_TRUE(WaitUntil([&] { return acknowledged_count.load() >= 100; }, milliseconds(20000)));
  const int before_move = acknowledged_count.load();
  const auto move_started = std::chrono::steady_clock::now();
  ASSERT_TRUE(cluster.MigrateSlot(slot, from, to, /*keys_per_step=*/20, milliseconds(20)));
  const int at_move = acknowledged_count.load();
  const auto move_took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - move_started);
  ASSERT_TRUE(
      WaitUntil([&] { return acknowledged_count.load() >= at_move + 50; }, milliseconds(20000)))
      << "redemptions did not resume after the move (" << before_move << " acknowledged when it "
      << "started, " << at_move << " when it ended " << move_took.count()
      << " ms later):" << described();
  stop_writers();

  for (const auto& [outcome, count] : outcomes) {
    // (A shopper's 4th attempt is refused by the quote already when the view knows the 3rd.)
    EXPECT_TRUE(outcome == "201" || outcome == "503" || outcome == "per_shopper_limit" ||
                outcome == "nothing_to_redeem")
        << count << " × " << outcome;
  }
  EXPECT_EQ(cluster.Cli(from, "cluster countkeysinslot " + std::to_string(slot)), "0");
  // The gateways counted the calls told to try again during the move.
  EXPECT_GT(MetricSum("uudai_redis_redirects_total{kind=\"tryagain\"}"), tried_again_before);
  std::size_t committed = 0;
  for (const std::string& status : RecordStatuses(cluster, to, prefix_ + "rec", acknowledged)) {
    EXPECT_EQ(status, "1");
    committed += status == "1" ? 1 : 0;
  }
  EXPECT_EQ(committed, acknowledged.size());
  const auto ledger =
      static_cast<std::size_t>(std::stoul(cluster.Cli(to, "HLEN '" + prefix_ + "rec'")));
  EXPECT_EQ(cluster.Cli(to, "HGET '" + prefix_ + "o:" + id + "' n"), std::to_string(ledger));
  EXPECT_GE(ledger, committed);
  EXPECT_LE(ledger, static_cast<std::size_t>(kLimit));
  // Both gateways' views followed the log across the move: the same stats as Redis's counter.
  EXPECT_TRUE(WaitUntil([&] { return EveryGatewayCounts(id, ledger); }, milliseconds(5000)));
}

// A data shard of a spread store resharded to another primary under load, a hot offer counted
// in every shard's share: no error reaches a client but a 503, every acknowledged redemption is
// committed in its home, and once no hold waits the shares' counters add up to the ledger.
TEST_F(ClusterGatewayTest, ReshardingADataShardOfASpreadStoreUnderLoadLosesNothing) {
  RedisClusterServers& cluster = RedisClusterServers::Shared();
  constexpr int kLimit = 3'000;
  StartGateways(cluster, 2, {"--redis-shards", "3"});
  object offer = AlwaysOnOffer();
  offer["hot"] = true;
  offer["limits"] = object{{"total_redemptions", kLimit}, {"per_shopper", 3}};
  const std::string id = CreateOffer(offer);
  ASSERT_TRUE(WaitUntil(
      [&] {
        const HttpReply quote =
            CallPort(port(1), "POST", "/v1/checkout/quote", kCheckoutKey, Json(CartBody()));
        return quote.status == 200 && quote.Json().at("applied").as_array().size() == 1;
      },
      milliseconds(2000)));
  const auto layout = gateway::ShardLayout::Make(prefix_, 3).value();
  auto slot_of = [&](std::size_t k) { return gateway::RedisKeySlot(layout.prefix(k) + "log"); };
  const int slot = slot_of(2);
  const std::uint16_t from = cluster.PrimaryOf(slot);
  std::uint16_t to = 0;
  for (const std::uint16_t primary : cluster.Primaries()) {
    if (primary != from) to = primary;
  }
  ASSERT_NE(from, 0);
  ASSERT_NE(to, 0);

  std::mutex mutex;
  std::map<std::size_t, std::vector<std::string>> acknowledged_by_home;
  std::map<std::string, int> outcomes;
  std::atomic<int> acknowledged_count{0};
  std::atomic<bool> go{true};
  std::vector<std::thread> writers;
  StopThreads stop_writers{go, writers};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      HttpConnection connection(port(w % 2));
      for (int i = 0; go.load(); ++i) {
        const std::string order = "w" + std::to_string(w) + "-" + std::to_string(i);
        const std::string shopper = "s-" + std::to_string(w) + "-" + std::to_string(i / 4);
        const HttpReply reply = CommitRedemption(connection, order, shopper);
        std::lock_guard lock(mutex);
        if (reply.status == 201) {
          acknowledged_by_home[layout.OfShopper(shopper)].emplace_back(
              reply.Json().at("id").as_string());
          ++acknowledged_count;
        }
        ++outcomes[reply.status == 409 ? std::string(reply.Json().at("code").as_string())
                                       : std::to_string(reply.status)];
      }
    });
  }
  ASSERT_TRUE(WaitUntil([&] { return acknowledged_count.load() >= 100; }, milliseconds(20000)));
  ASSERT_TRUE(cluster.MigrateSlot(slot, from, to, /*keys_per_step=*/20, milliseconds(20)));
  const int at_move = acknowledged_count.load();
  ASSERT_TRUE(
      WaitUntil([&] { return acknowledged_count.load() >= at_move + 50; }, milliseconds(20000)))
      << "redemptions did not resume after the move";
  stop_writers();

  for (const auto& [outcome, count] : outcomes) {
    EXPECT_TRUE(outcome == "201" || outcome == "503" || outcome == "per_shopper_limit" ||
                outcome == "quota_exhausted" || outcome == "nothing_to_redeem")
        << count << " × " << outcome;
  }
  EXPECT_EQ(cluster.Cli(from, "cluster countkeysinslot " + std::to_string(slot)), "0");
  EXPECT_EQ(cluster.PrimaryOf(slot), to);
  std::size_t committed = 0;
  for (const auto& [home, ids] : acknowledged_by_home) {
    const std::uint16_t primary = cluster.PrimaryOf(slot_of(home));
    for (const std::string& status :
         RecordStatuses(cluster, primary, layout.prefix(home) + "rec", ids)) {
      EXPECT_EQ(status, "1") << "shard " << home;
      committed += status == "1" ? 1 : 0;
    }
  }
  EXPECT_EQ(committed, static_cast<std::size_t>(acknowledged_count.load()));
  // Once no hold waits for its home's answer, the shares count exactly the ledger.
  auto waiting_holds = [&] {
    int waiting = 0;
    for (std::size_t k = 0; k < layout.size(); ++k) {
      waiting += std::stoi(
          cluster.Cli(cluster.PrimaryOf(slot_of(k)), "ZCARD '" + layout.prefix(k) + "holds'"));
    }
    return waiting;
  };
  ASSERT_TRUE(WaitUntil([&] { return waiting_holds() == 0; }, milliseconds(15'000)));
  std::size_t ledger = 0;
  long counted = 0;
  for (std::size_t k = 1; k < layout.size(); ++k) {
    const std::uint16_t primary = cluster.PrimaryOf(slot_of(k));
    ledger += std::stoul(cluster.Cli(primary, "HLEN '" + layout.prefix(k) + "rec'"));
    const std::string key = "'" + layout.prefix(k) + "o:" + id + "'";
    const std::string n = cluster.Cli(primary, "HGET " + key + " n");
    const long used = n.empty() ? 0 : std::stol(n);
    EXPECT_LE(used, std::stol(cluster.Cli(primary, "HGET " + key + " lt"))) << "shard " << k;
    counted += used;
  }
  EXPECT_EQ(counted, static_cast<long>(ledger));
  EXPECT_GE(ledger, committed);
  EXPECT_LE(ledger, static_cast<std::size_t>(kLimit));
  EXPECT_TRUE(WaitUntil([&] { return EveryGatewayCounts(id, ledger); }, milliseconds(5000)));
}

// kill -9 of the primary holding the store under load, each write waiting for one replica
// (WAIT) and fsynced (appendfsync always): its replica takes over and has every redemption a
// client was told about; no counter passes its limit. While the promoted primary has no replica
// of its own, writes are refused (503) rather than acknowledged unreplicated; once the old
// primary is back, as a replica, they are taken again.
TEST_F(ClusterGatewayTest, APrimaryKilledUnderLoadLosesNoAcknowledgedRedemption) {
  auto cluster =
      RedisClusterServers::StartPrivate({"--appendonly", "yes", "--appendfsync", "always"});
  ASSERT_NE(cluster, nullptr);
  constexpr int kLimit = 600;
  StartGateways(*cluster, 2, {"--redis-wait-replicas", "1", "--redis-timeout", "2"});
  object offer = AlwaysOnOffer();
  offer["limits"] = object{{"total_redemptions", kLimit}};
  const std::string id = CreateOffer(offer);

  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::map<int, int> statuses;
  std::atomic<int> acknowledged_count{0};
  std::atomic<bool> go{true};
  std::vector<std::thread> writers;
  StopThreads stop_writers{go, writers};
  // What the writers were answered since the last clear, for a failure's message.
  const auto answered = [&] {
    std::lock_guard lock(mutex);
    std::string text = std::to_string(acknowledged_count.load()) + " acknowledged in all; since:";
    for (const auto& [status, count] : statuses) {
      text += " " + std::to_string(status) + " x" + std::to_string(count);
    }
    return text;
  };
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; go.load(); ++i) {
        const std::string order = "w" + std::to_string(w) + "-" + std::to_string(i);
        object body = RedemptionBody(order, 100'000, "s-" + order);
        body["commit"] = true;
        try {
          const HttpReply reply = CallPort(port(w % 2), "POST", "/v1/redemptions", kCheckoutKey,
                                           Json(body), {{"Idempotency-Key", order}});
          std::lock_guard lock(mutex);
          ++statuses[reply.status];
          if (reply.status == 201) {
            acknowledged.emplace_back(reply.Json().at("id").as_string());
            ++acknowledged_count;
          }
        } catch (const std::exception&) {
          std::this_thread::sleep_for(milliseconds(5));
        }
      }
    });
  }
  ASSERT_TRUE(WaitUntil([&] { return acknowledged_count.load() >= 50; }, milliseconds(20000)))
      << answered();
  const int slot = StoreSlot();
  const std::uint16_t killed = cluster->PrimaryOf(slot);
  ASSERT_NE(killed, 0);
  cluster->Kill(killed);  // a crash under load
  const int acknowledged_at_kill = acknowledged_count.load();

  // The replica takes over (cluster-node-timeout is 1 s).
  ASSERT_TRUE(WaitUntil(
      [&] {
        const std::uint16_t now = cluster->PrimaryOf(slot);
        return now != 0 && now != killed && cluster->Settled(slot);
      },
      milliseconds(30000)))
      << "no replica took over slot " << slot << "; " << answered();
  const std::uint16_t promoted = cluster->PrimaryOf(slot);
  // Without a replica of its own, the new primary's writes cannot be acknowledged: once the
  // gateways reach it (the first 503s), no 201 at all for a while.
  {
    std::lock_guard lock(mutex);
    statuses.clear();
  }
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::lock_guard lock(mutex);
        return statuses[503] >= 4;
      },
      milliseconds(15000)))
      << answered();
  {
    std::lock_guard lock(mutex);
    statuses.clear();
  }
  // Each refusal waits 1 s for WAIT (longer on a slow build): the next ones, and no 201 among
  // what was answered meanwhile.
  EXPECT_TRUE(WaitUntil(
      [&] {
        std::lock_guard lock(mutex);
        return statuses[503] >= 2;
      },
      milliseconds(15000)))
      << answered();
  // Some of those 503s may still be the failover's (a gateway learning the new primary): the
  // waits that ran out come, one a second per writer.
  EXPECT_TRUE(WaitUntil([&] { return MetricSum("uudai_redis_replica_waits_short_total") > 0; },
                        milliseconds(15000)))
      << answered();
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(statuses[201], 0) << "a write was acknowledged with no replica to wait for";
  }
  // The old primary comes back as its replica: writes are acknowledged again.
  ASSERT_TRUE(cluster->Restart(killed));
  const int before_rejoin = acknowledged_count.load();
  ASSERT_TRUE(WaitUntil([&] { return acknowledged_count.load() >= before_rejoin + 20; },
                        milliseconds(30000)))
      << "writes never resumed after the old primary rejoined as a replica; " << answered();
  EXPECT_GT(acknowledged_count.load(), acknowledged_at_kill);
  stop_writers();

  for (const auto& [status, count] : statuses) {
    EXPECT_TRUE(status == 201 || status == 503 || status == 409) << count << " × " << status;
  }
  ASSERT_LE(acknowledged.size(), static_cast<std::size_t>(kLimit));
  // Every acknowledged redemption is on the promoted primary, committed.
  std::size_t committed = 0;
  for (const std::string& status :
       RecordStatuses(*cluster, promoted, prefix_ + "rec", acknowledged)) {
    EXPECT_EQ(status, "1");
    committed += status == "1" ? 1 : 0;
  }
  EXPECT_EQ(committed, acknowledged.size());
  // The counter equals the ledger and never passed the limit.
  const auto ledger =
      static_cast<std::size_t>(std::stoul(cluster->Cli(promoted, "HLEN '" + prefix_ + "rec'")));
  EXPECT_EQ(cluster->Cli(promoted, "HGET '" + prefix_ + "o:" + id + "' n"), std::to_string(ledger));
  EXPECT_LE(ledger, static_cast<std::size_t>(kLimit));
  EXPECT_GE(ledger, committed);
  // The views took only replicated change-log entries: after the failover both gateways count
  // what the promoted primary holds, no write the old primary lost.
  EXPECT_TRUE(WaitUntil([&] { return EveryGatewayCounts(id, ledger); }, milliseconds(5000)))
      << "a gateway's stats differ from the promoted primary's ledger of " << ledger;
}

// A store spread over three data shards, with --redis-wait-replicas 1: the primary keeping the
// offer's shard killed under load (redemptions whose homes are on every primary, most of them
// holding the offer there from another). Its replica takes over; no acknowledged redemption is
// lost, and once every hold is settled the offer's counter on the promoted primary equals the
// redemptions the store has, under the limit.
TEST_F(ClusterGatewayTest, APrimaryOfASpreadStoreKilledUnderLoadLosesNoAcknowledgedRedemption) {
  auto cluster =
      RedisClusterServers::StartPrivate({"--appendonly", "yes", "--appendfsync", "always"});
  ASSERT_NE(cluster, nullptr);
  constexpr int kLimit = 600;
  StartGateways(*cluster, 2,
                {"--redis-shards", "3", "--redis-wait-replicas", "1", "--redis-timeout", "2"});
  object offer = AlwaysOnOffer();
  offer["limits"] = object{{"total_redemptions", kLimit}};
  const std::string id = CreateOffer(offer);
  const auto layout = gateway::ShardLayout::Make(prefix_, 3).value();
  const std::string& shard = layout.prefix(layout.OfOffer(Layer::kMerchant, "shop-1"));
  const int slot = gateway::RedisKeySlot(shard + "log");

  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::atomic<int> acknowledged_count{0};
  std::map<int, int> statuses;
  std::atomic<bool> go{true};
  std::vector<std::thread> writers;
  StopThreads stop_writers{go, writers};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; go.load(); ++i) {
        const std::string order = "w" + std::to_string(w) + "-" + std::to_string(i);
        object body = RedemptionBody(order, 100'000, "s-" + order);
        body["commit"] = true;
        try {
          const HttpReply reply = CallPort(port(w % 2), "POST", "/v1/redemptions", kCheckoutKey,
                                           Json(body), {{"Idempotency-Key", order}});
          std::lock_guard lock(mutex);
          ++statuses[reply.status];
          if (reply.status == 201) {
            acknowledged.emplace_back(reply.Json().at("id").as_string());
            ++acknowledged_count;
          }
        } catch (const std::exception&) {
          std::this_thread::sleep_for(milliseconds(5));
        }
      }
    });
  }
  ASSERT_TRUE(WaitUntil([&] { return acknowledged_count.load() >= 50; }, milliseconds(20000)));
  const std::uint16_t killed = cluster->PrimaryOf(slot);
  ASSERT_NE(killed, 0);
  cluster->Kill(killed);
  const int acknowledged_at_kill = acknowledged_count.load();
  ASSERT_TRUE(WaitUntil(
      [&] {
        const std::uint16_t now = cluster->PrimaryOf(slot);
        return now != 0 && now != killed && cluster->Settled(slot);
      },
      milliseconds(30000)))
      << "no replica took over slot " << slot;
  const std::uint16_t promoted = cluster->PrimaryOf(slot);
  ASSERT_TRUE(cluster->Restart(killed));
  const int before_rejoin = acknowledged_count.load();
  ASSERT_TRUE(WaitUntil([&] { return acknowledged_count.load() >= before_rejoin + 20; },
                        milliseconds(30000)))
      << "writes never resumed after the old primary rejoined as a replica";
  EXPECT_GT(acknowledged_count.load(), acknowledged_at_kill);
  stop_writers();

  for (const auto& [status, count] : statuses) {
    EXPECT_TRUE(status == 201 || status == 503 || status == 409) << count << " × " << status;
  }
  // Every acknowledged redemption is in the store, committed.
  for (const std::string& r : acknowledged) {
    const HttpReply got = CallPort(port(1), "GET", "/v1/redemptions/" + r, kCheckoutKey);
    ASSERT_EQ(got.status, 200) << r << ": " << got.body;
    EXPECT_EQ(got.Json().at("status").as_string(), "committed") << r;
  }
  // Once no hold waits for its home's answer, the counter equals the store's redemptions.
  ASSERT_TRUE(WaitUntil(
      [&] {
        int waiting = 0;
        for (std::size_t k = 0; k < layout.size(); ++k) {
          const std::uint16_t on =
              cluster->PrimaryOf(gateway::RedisKeySlot(layout.prefix(k) + "log"));
          waiting += std::stoi(cluster->Cli(on, "ZCARD '" + layout.prefix(k) + "holds'"));
        }
        return waiting == 0;
      },
      milliseconds(30000)));
  std::size_t ledger = 0;
  for (std::size_t k = 1; k < layout.size(); ++k) {
    const std::uint16_t on = cluster->PrimaryOf(gateway::RedisKeySlot(layout.prefix(k) + "log"));
    ledger += std::stoul(cluster->Cli(on, "HLEN '" + layout.prefix(k) + "rec'"));
  }
  EXPECT_EQ(cluster->Cli(promoted, "HGET '" + shard + "o:" + id + "' n"), std::to_string(ledger));
  EXPECT_LE(ledger, static_cast<std::size_t>(kLimit));
  EXPECT_GE(ledger, acknowledged.size());
}

}  // namespace
}  // namespace uudai::testing
