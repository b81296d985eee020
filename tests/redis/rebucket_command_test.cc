// `uudai redis-rebucket`: the command moves a store's buckets once its gateways are stopped,
// refuses while one runs, and gateways started afterwards serve the store as it was.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <string>

#include <boost/json/object.hpp>

#include "api_test_support.h"
#include "multi_gateway_fixture.h"
#include "redis_test_support.h"
#include "serve_process.h"
#include "store/redis/shard_layout.h"
#include "support/shell.h"

namespace uudai::testing {
namespace {

using std::chrono::milliseconds;

class RebucketCommandTest : public MultiGatewayTest {
 protected:
  // The command's output (its log) and its exit code; `environment`: assignments before it.
  std::pair<std::string, int> Rebucket(const std::string& buckets, const std::string& more = "",
                                       const std::string& environment = "") {
    int status = 0;
    const std::string output =
        Shell(environment + std::string(UUDAI_BINARY) + " redis-rebucket --redis '" +
                  RedisServer::Shared().url() + "' --redis-prefix '" + prefix_ +
                  "' --redis-buckets " + buckets + " " + more + " 2>&1",
              &status);
    return {output, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
  }
  void StopGateways() {
    for (auto& gateway : gateways_) {
      gateway->Signal(SIGTERM);  // a clean stop leaves the log's readers
      ASSERT_TRUE(gateway->WaitForExit(milliseconds(10'000)).has_value());
    }
    gateways_.clear();
  }

  // A committed redemption of `order` for shopper "s-<order>", with Idempotency-Key `key`.
  int Redeem(int gateway, const std::string& order, const std::string& key) {
    boost::json::object body = RedemptionBody(order, 100'000, "s-" + order);
    body["commit"] = true;
    return CallPort(port(gateway), "POST", "/v1/redemptions", kCheckoutKey, Json(body),
                    {{"Idempotency-Key", key}})
        .status;
  }
  // One gateway on a new store of 4,096 buckets, an offer of one redemption a shopper, and
  // `count` committed redemptions of it: orders "order-<i>", shoppers "s-order-<i>", keys "k<i>".
  void StartWithRedemptions(int count) {
    StartGateways(1, {"--redis-buckets", "4096"});
    boost::json::object offer = AlwaysOnOffer();
    offer["limits"] = boost::json::object{{"per_shopper", 1}};
    CreateOfferOn(0, offer);
    for (int i = 0; i < count; ++i)
      ASSERT_EQ(Redeem(0, "order-" + std::to_string(i), "k" + std::to_string(i)), 201);
  }
  // A new order of shopper "s-<order>" under key `key` (refused once the shopper has one).
  int RedeemAgainAs(const std::string& order, const std::string& key) {
    boost::json::object body = RedemptionBody(key, 100'000, "s-" + order);
    body["commit"] = true;
    return CallPort(port(0), "POST", "/v1/redemptions", kCheckoutKey, Json(body),
                    {{"Idempotency-Key", key}})
        .status;
  }
};

TEST_F(RebucketCommandTest, MovesAStoppedStoreAndRefusesWhileAGatewayRuns) {
  ASSERT_NO_FATAL_FAILURE(StartWithRedemptions(30));

  const auto [refused, refused_code] = Rebucket("65536");
  EXPECT_EQ(refused_code, 1) << refused;
  EXPECT_NE(refused.find("stop every gateway of the store first"), std::string::npos) << refused;
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "4096");

  StopGateways();
  // A shard count the store does not have is refused, and not recorded.
  const auto [spread, spread_code] = Rebucket("65536", "--redis-shards 4");
  EXPECT_EQ(spread_code, 1) << spread;
  EXPECT_NE(spread.find("no store under this prefix is spread"), std::string::npos) << spread;
  const auto four = gateway::ShardLayout::Make(prefix_, 4);
  ASSERT_TRUE(four.ok());
  EXPECT_EQ(Redis("EXISTS '" + four->shards_key() + "'"), "0");
  const auto [moved, moved_code] = Rebucket("65536");
  ASSERT_EQ(moved_code, 0) << moved;
  EXPECT_NE(moved.find("4096 of 4096 buckets moved"), std::string::npos) << moved;
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "65536");

  StartGateways(1);  // takes the store's count
  // The order's live redemption is found where it went (a new key: not a replay).
  EXPECT_EQ(Redeem(0, "order-7", "again-7"), 409);
  EXPECT_EQ(RedeemAgainAs("order-7", "order-new"), 409)
      << "the shopper's count of the offer was found where it went";
  EXPECT_EQ(Redeem(0, "order-30", "k30"), 201);

  const auto [bad, bad_code] = Rebucket("1000");
  EXPECT_EQ(bad_code, 2) << bad;
}

// A spread store: every shard moved, and the gateways started afterwards find every order.
TEST_F(RebucketCommandTest, MovesEveryShardOfASpreadStore) {
  StartGateways(1, {"--redis-shards", "3", "--redis-buckets", "4096"});
  boost::json::object offer = AlwaysOnOffer();
  offer["limits"] = boost::json::object{{"per_shopper", 1}};
  CreateOfferOn(0, offer);
  for (int i = 0; i < 30; ++i)
    ASSERT_EQ(Redeem(0, "order-" + std::to_string(i), "k" + std::to_string(i)), 201);
  StopGateways();
  const auto [moved, moved_code] = Rebucket("65536", "--redis-shards 3");
  ASSERT_EQ(moved_code, 0) << moved;
  const auto layout = gateway::ShardLayout::Make(prefix_, 3);
  ASSERT_TRUE(layout.ok());
  int buckets_seen = 0;
  for (std::size_t k = 0; k < layout->size(); ++k) {
    const std::string shard = layout->prefix(k);
    EXPECT_EQ(Redis("GET '" + shard + "buckets'"), "65536") << shard;
    // ob: and three or four characters: a bucket of 4,096 or of 65,536.
    const std::string three = "ob:" + std::string(3, '?'), four = "ob:" + std::string(4, '?');
    EXPECT_EQ(Redis("--scan --pattern '" + shard + three + "' | wc -l"), "0") << shard;
    buckets_seen += std::stoi(Redis("--scan --pattern '" + shard + four + "' | wc -l"));
  }
  EXPECT_GE(buckets_seen, 25);  // 30 live orders, each in its shard's new buckets
  // Run again: every shard has the count already, and nothing is moved.
  const auto [again, again_code] = Rebucket("65536", "--redis-shards 3");
  EXPECT_EQ(again_code, 0) << again;
  StartGateways(1, {"--redis-shards", "3"});
  for (int i = 0; i < 30; i += 7) {
    EXPECT_EQ(Redeem(0, "order-" + std::to_string(i), "again-" + std::to_string(i)), 409) << i;
  }
  EXPECT_EQ(Redeem(0, "order-30", "k30"), 201);
}

// A gateway tells when its store has outgrown its bucket count: a warning in its log and the
// gauges on /metrics, and after the move the new count.
TEST_F(RebucketCommandTest, AGatewaySaysWhenItsStoreHasOutgrownItsBuckets) {
  auto metric = [this](const std::string& name) {
    const HttpReply metrics = CallPort(port(0), "GET", "/metrics", nullptr);
    const auto at = metrics.body.find("\n" + name + " ");
    if (at == std::string::npos) return std::string("absent");
    const auto start = at + name.size() + 2;
    return metrics.body.substr(start, metrics.body.find('\n', start) - start);
  };
  StartGateways(1, {"--redis-buckets", "4096"});
  EXPECT_EQ(metric("uudai_redis_buckets"), "4096");
  EXPECT_EQ(metric("uudai_redis_bucket_fill"), "0");
  StopGateways();
  // The buckets a gateway samples (000, 100, ..., f00) hold 300 live orders each.
  std::string pairs;
  for (int f = 0; f < 300; ++f) pairs += " m" + std::to_string(f) + " r" + std::to_string(f);
  for (int i = 0; i < 16; ++i) {
    const std::string name = std::string(1, "0123456789abcdef"[i]) + "00";
    ASSERT_EQ(Redis("HSET '" + prefix_ + "ob:" + name + "'" + pairs), "300");
  }

  StartGateways(1);
  EXPECT_EQ(metric("uudai_redis_buckets"), "4096");
  EXPECT_EQ(metric("uudai_redis_bucket_fill"), "300");
  const std::string log = gateways_[0]->LogTail(500);
  EXPECT_NE(log.find("holds ~300 live redemptions a bucket in its 4096 buckets"), std::string::npos)
      << log;
  EXPECT_NE(log.find("uudai redis-rebucket --redis-buckets 65536"), std::string::npos) << log;
  StopGateways();

  const auto [moved, moved_code] = Rebucket("65536");
  ASSERT_EQ(moved_code, 0) << moved;
  StartGateways(1);
  EXPECT_EQ(metric("uudai_redis_buckets"), "65536");
  EXPECT_EQ(metric("uudai_redis_bucket_fill"), "0");  // 300 fields over 65,536 buckets
  EXPECT_EQ(gateways_[0]->LogTail(500).find("live redemptions a bucket"), std::string::npos);
}

// A gateway that crashed stays a reader of the log until the readers' timeout (5 minutes):
// the move waits for it, unless the operator vouches on the command line that none runs.
TEST_F(RebucketCommandTest, AGatewayThatCrashedHoldsAMoveBackUnlessTheOperatorSaysNoneRuns) {
  ASSERT_NO_FATAL_FAILURE(StartWithRedemptions(10));
  gateways_[0]->Signal(SIGKILL);  // no clean stop: it stays among the log's readers
  ASSERT_TRUE(gateways_[0]->WaitForExit(milliseconds(10'000)).has_value());
  gateways_.clear();

  const auto [waits, waits_code] = Rebucket("65536");
  EXPECT_EQ(waits_code, 1) << waits;
  EXPECT_NE(waits.find("--gateways-stopped moves at once"), std::string::npos) << waits;
  // Only the command line vouches: not the environment (nor the gateways' --config file).
  const auto [from_env, from_env_code] = Rebucket("65536", "", "UUDAI_GATEWAYS_STOPPED=1 ");
  EXPECT_EQ(from_env_code, 1) << from_env;
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "4096");

  const auto [moved, moved_code] = Rebucket("65536", "--gateways-stopped");
  ASSERT_EQ(moved_code, 0) << moved;
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "65536");
  StartGateways(1);
  EXPECT_EQ(Redeem(0, "order-3", "again-3"), 409);
  EXPECT_EQ(Redeem(0, "order-10", "k10"), 201);
}

// Moved under a gateway that does still run, the store is refused to it during the move, and
// served at its new count after it: every call reads the count.
TEST_F(RebucketCommandTest, AGatewayStillServingThroughAMoveServesTheNewCount) {
  ASSERT_NO_FATAL_FAILURE(StartWithRedemptions(10));

  const auto [moved, moved_code] = Rebucket("65536", "--gateways-stopped");
  ASSERT_EQ(moved_code, 0) << moved;
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "65536");
  // The order's live redemption and the shopper's count are found where they went.
  EXPECT_EQ(Redeem(0, "order-3", "again-3"), 409);
  EXPECT_EQ(RedeemAgainAs("order-3", "order-new"), 409);
  EXPECT_EQ(Redeem(0, "order-10", "k10"), 201);
  EXPECT_EQ(Redis("HLEN '" + prefix_ + "ob:" + std::string(3, '0') + "'"), "0")
      << "an old bucket was written after the move";
}

TEST_F(RebucketCommandTest, OnlyTheMoveTakesGatewaysStopped) {
  int status = 0;
  const std::string output =
      Shell(std::string(UUDAI_BINARY) + " serve --keys /dev/null --gateways-stopped 2>&1", &status);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_NE(output.find("gateways-stopped"), std::string::npos) << output;
}

TEST_F(RebucketCommandTest, ServeStillNeedsItsKeys) {
  int status = 0;
  const std::string output = Shell(std::string(UUDAI_BINARY) + " serve 2>&1", &status);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_NE(output.find("'--keys' is required"), std::string::npos) << output;
}

}  // namespace
}  // namespace uudai::testing
