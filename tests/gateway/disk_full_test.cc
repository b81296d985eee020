// The embedded store when its disk fails: the data directory is a small tmpfs that
// fills up under redemptions. The write that cannot be made durable answers 503 (never 201),
// every later write too, /readyz says 503; after a restart with room again the journal
// replays (a torn last record is cut), every acknowledged redemption is there and the
// counters equal the ledger. A read-only data directory stops `uudai serve` at start.
// Needs mount(2) (root, as in CI); skipped with the reason where the sandbox forbids it.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>

#include "api_test_support.h"
#include "crash_traffic.h"
#include "serve_process.h"

#ifndef UUDAI_BINARY
#error "UUDAI_BINARY must name the uudai executable (see tests/CMakeLists.txt)"
#endif

namespace uudai::testing {
namespace {

using std::chrono::milliseconds;

// A tmpfs of `options` ("size=64k", "ro,size=64k") mounted on a fresh directory, unmounted
// on destruction.
class TmpfsMount {
 public:
  explicit TmpfsMount(const std::string& options) {
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return dir_.path(); }
  // Remounts with `options` (e.g. a larger size), keeping the files.
  bool Remount(const std::string& options) {
    return ::mount("tmpfs", dir_.path().c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0;
  }

 private:
  TempDir dir_;
  bool mounted_ = false;
  std::string error_;
};

class DiskFaultTest : public ::testing::Test {
 protected:
  void SetUp() override { keys_file_ = WriteTestKeysFile(keys_dir_.path()); }
  TempDir keys_dir_;
  std::string keys_file_;
};

TEST_F(DiskFaultTest, FullDiskAnswers503AndTheJournalReplaysWithEveryAcknowledgedWrite) {
  TmpfsMount disk("size=16k");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();
  const std::vector<std::string> args = {"--data-dir", disk.path()};
  std::map<std::string, std::string> acknowledged;
  std::map<std::string, std::string> bodies;
  std::string offer_id;
  {
    ServeProcess serve(UUDAI_BINARY, keys_file_, args);
    ASSERT_TRUE(serve.WaitUntilHealthy());
    const HttpReply offer =
        CallPort(serve.port(), "POST", "/v1/offers", kAdminKey, Json(CrashTrafficOffer()));
    ASSERT_EQ(offer.status, 201) << offer.body;
    offer_id = std::string(offer.Json().at("id").as_string());
    HttpReply last;
    for (int i = 0; i < 1000; ++i) {
      const std::string order = "full-" + std::to_string(i);
      boost::json::object body =
          RedemptionBody(order, 100'000, "s-" + std::to_string(i % kCrashShoppers));
      if (i % 2 == 0) body["commit"] = true;
      last = CallPort(serve.port(), "POST", "/v1/redemptions", kCheckoutKey, Json(body),
                      {{"Idempotency-Key", order}});
      if (last.status == 201) {
        const std::string id(last.Json().at("id").as_string());
        acknowledged[id] = std::string(last.Json().at("status").as_string());
        bodies[id] = last.body;
      } else if (last.status != 409) {
        break;  // not a limit: the disk
      }
    }
    ASSERT_TRUE(IsProblem(last, 503, "store_unavailable")) << last.status << " " << last.body;
    ASSERT_GT(acknowledged.size(), 5U);
    // Fails closed from now on, and says so.
    EXPECT_EQ(CallPort(serve.port(), "GET", "/readyz", nullptr).status, 503);
    const HttpReply after =
        CallPort(serve.port(), "POST", "/v1/offers", kAdminKey, Json(AlwaysOnOffer()));
    EXPECT_TRUE(IsProblem(after, 503, "store_unavailable")) << after.body;
    serve.Signal(SIGKILL);
    ASSERT_TRUE(serve.WaitForExit(milliseconds(5000)).has_value());
  }

  ASSERT_TRUE(disk.Remount("size=4m")) << "room again";
  ServeProcess restarted(UUDAI_BINARY, keys_file_, args);
  ASSERT_TRUE(restarted.WaitUntilHealthy()) << "the journal must replay after a full disk";
  for (const auto& [id, body] : bodies) {
    const HttpReply reply = CallPort(restarted.port(), "GET", "/v1/redemptions/" + id, kAdminKey);
    EXPECT_EQ(reply.body, body) << id;
  }
  ExpectLedgerReconciles(restarted.port(), kAnalystKey, offer_id, acknowledged);
  // And it takes writes again.
  boost::json::object body = RedemptionBody("after-full", 100'000, "s-after");
  EXPECT_EQ(CallPort(restarted.port(), "POST", "/v1/redemptions", kCheckoutKey, Json(body),
                     {{"Idempotency-Key", "after-full"}})
                .status,
            201);
}

TEST_F(DiskFaultTest, ReadOnlyDataDirectoryStopsServeAtStart) {
  TmpfsMount disk("ro,size=64k");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();
  ServeProcess serve(UUDAI_BINARY, keys_file_, {"--data-dir", disk.path()});
  const auto status = serve.WaitForExit(milliseconds(5000));
  ASSERT_TRUE(status.has_value()) << "serve must not run without a journal it can write";
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_NE(WEXITSTATUS(*status), 0);
}

}  // namespace
}  // namespace uudai::testing
