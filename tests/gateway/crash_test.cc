// The embedded store under SIGKILL at random moments: a `uudai serve` child with a
// journal is killed again and again under mixed checkout traffic and restarted on the same
// data directory; afterwards every acknowledged write is in the ledger, the counters equal
// the ledger and no limit is exceeded (see crash_traffic.h). The seed is printed on failure.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <memory>
#include <random>
#include <thread>

#include "api_test_support.h"
#include "crash_traffic.h"
#include "serve_process.h"

#ifndef UUDAI_BINARY
#error "UUDAI_BINARY must name the uudai executable (see tests/CMakeLists.txt)"
#endif

namespace uudai::testing {
namespace {

using std::chrono::milliseconds;

constexpr int kKills = 5;

TEST(CrashTest, KillNineAtRandomMomentsUnderMixedLoadReconciles) {
  TempDir keys_dir, data_dir;
  const std::string keys_file = WriteTestKeysFile(keys_dir.path());
  const std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  const std::vector<std::string> args = {"--data-dir", data_dir.path()};

  auto serve = std::make_unique<ServeProcess>(UUDAI_BINARY, keys_file, args);
  ASSERT_TRUE(serve->WaitUntilHealthy());
  const HttpReply offer =
      CallPort(serve->port(), "POST", "/v1/offers", kAdminKey, Json(CrashTrafficOffer()));
  ASSERT_EQ(offer.status, 201) << offer.body;
  const std::string offer_id(offer.Json().at("id").as_string());

  CrashTraffic traffic(kCheckoutKey, serve->port(), 4, seed);
  for (int kill = 0; kill < kKills; ++kill) {
    std::this_thread::sleep_for(milliseconds(100 + random() % 400));
    serve->Signal(SIGKILL);
    ASSERT_TRUE(serve->WaitForExit(milliseconds(5000)).has_value());
    serve = std::make_unique<ServeProcess>(UUDAI_BINARY, keys_file, args);
    ASSERT_TRUE(serve->WaitUntilHealthy()) << "restart " << kill + 1;
    traffic.SetPort(serve->port());
  }
  std::this_thread::sleep_for(milliseconds(300));
  traffic.Stop();

  EXPECT_GT(traffic.acknowledged_count(), 20U) << "the traffic should have got writes through";
  ExpectLedgerReconciles(serve->port(), kAnalystKey, offer_id, traffic.acknowledged());
}

}  // namespace
}  // namespace uudai::testing
