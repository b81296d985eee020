// `uudai serve --redis` under faults: a gateway SIGKILLed at random moments under
// mixed load (reconciled on a second gateway: every acknowledged write is in the ledger, the
// counters equal it, no limit exceeded), and a Redis too slow to answer (DEBUG SLEEP): writes
// answer 503 within the command timeout, never hang, and service resumes by itself.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <future>
#include <memory>
#include <random>
#include <thread>

#include "api_test_support.h"
#include "crash_traffic.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "serve_process.h"

#ifndef UUDAI_BINARY
#error "UUDAI_BINARY must name the uudai executable (see tests/CMakeLists.txt)"
#endif

namespace uudai::testing {
namespace {

using boost::json::object;
using std::chrono::milliseconds;

class GatewayFaultTest : public ::testing::Test {
 protected:
  void SetUp() override { keys_file_ = WriteTestKeysFile(dir_.path()); }

  std::unique_ptr<ServeProcess> Gateway(const std::string& redis_url, const std::string& prefix) {
    auto gateway = std::make_unique<ServeProcess>(
        UUDAI_BINARY, keys_file_,
        std::vector<std::string>{"--redis", redis_url, "--redis-prefix", prefix});
    EXPECT_TRUE(gateway->WaitUntilHealthy());
    return gateway;
  }

  TempDir dir_;
  std::string keys_file_;
};

TEST_F(GatewayFaultTest, GatewayKilledAtRandomMomentsUnderMixedLoadReconciles) {
  const std::string url = RedisServer::Shared().url();
  const std::string prefix = FreshKeyPrefix();
  const std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  auto victim = Gateway(url, prefix);
  auto survivor = Gateway(url, prefix);
  const HttpReply offer =
      CallPort(victim->port(), "POST", "/v1/offers", kAdminKey, Json(CrashTrafficOffer()));
  ASSERT_EQ(offer.status, 201) << offer.body;
  const std::string offer_id(offer.Json().at("id").as_string());

  CrashTraffic traffic(kCheckoutKey, victim->port(), 4, seed);
  for (int kill = 0; kill < 4; ++kill) {
    std::this_thread::sleep_for(milliseconds(100 + random() % 400));
    victim->Signal(SIGKILL);
    ASSERT_TRUE(victim->WaitForExit(milliseconds(5000)).has_value());
    victim = Gateway(url, prefix);
    traffic.SetPort(victim->port());
  }
  std::this_thread::sleep_for(milliseconds(300));
  traffic.Stop();

  EXPECT_GT(traffic.acknowledged_count(), 20U);
  ExpectLedgerReconciles(survivor->port(), kAnalystKey, offer_id, traffic.acknowledged());
  ExpectLedgerReconciles(victim->port(), kAnalystKey, offer_id, traffic.acknowledged());
  if (HasFailure()) {
    ADD_FAILURE() << "the survivor's log:\n"
                  << survivor->LogTail() << "the last victim's log (and its predecessors'):\n"
                  << victim->LogTail() << "Redis: " << RedisServer::Shared().Cli("INFO server")
                  << RedisServer::Shared().Cli("INFO clients");
  }
}

TEST_F(GatewayFaultTest, SlowRedisAnswers503WithinTheTimeoutAndServiceResumes) {
  auto redis = RedisServer::StartPrivate({"--enable-debug-command", "yes"});
  ASSERT_NE(redis, nullptr);
  auto gateway = Gateway(redis->url(), FreshKeyPrefix());
  ASSERT_EQ(
      CallPort(gateway->port(), "POST", "/v1/offers", kAdminKey, Json(AlwaysOnOffer())).status,
      201);

  // Redis busy for 4 s: every command waits past the gateway's 500 ms command timeout. (The
  // sleep is sent through a shell and redis-cli: half a second for it to begin, on a busy
  // machine.)
  auto sleeping = std::async(std::launch::async, [&] { return redis->Cli("DEBUG SLEEP 4"); });
  std::this_thread::sleep_for(milliseconds(500));
  object body = RedemptionBody("slow-1");
  body["commit"] = true;
  const auto start = std::chrono::steady_clock::now();
  const HttpReply refused = CallPort(gateway->port(), "POST", "/v1/redemptions", kCheckoutKey,
                                     Json(body), {{"Idempotency-Key", "slow-1"}});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(IsProblem(refused, 503, "store_unavailable")) << refused.body;
  EXPECT_LT(took, milliseconds(2'500)) << "answered after the timeout, not after Redis woke";
  sleeping.wait();

  // Redis answers again: the same request (same key) now goes through.
  EXPECT_TRUE(WaitUntil(
      [&] {
        return CallPort(gateway->port(), "POST", "/v1/redemptions", kCheckoutKey, Json(body),
                        {{"Idempotency-Key", "slow-1"}})
                   .status == 201;
      },
      milliseconds(8'000)));
  EXPECT_TRUE(
      WaitUntil([&] { return CallPort(gateway->port(), "GET", "/readyz", nullptr).status == 200; },
                milliseconds(5000)));
}

}  // namespace
}  // namespace uudai::testing
