// The embedded store when its disk fails, through the journal's file-system seam
// (store/journal/file_system.h): a disk that fills up mid-record, an fdatasync that fails, a
// data directory that cannot be written. These run anywhere, without root or a special mount.
// The write that cannot be made durable answers 503 (never 201), every later write too, and
// /readyz says 503; after a restart on a healthy disk the journal replays (a torn last record
// is cut), every acknowledged redemption is there as it was answered and the counters equal
// the ledger.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "api_test_support.h"
#include "crash_traffic.h"
#include "forwarding_file_system.h"
#include "test_gateway.h"

namespace uudai::testing {
namespace {

// The system's file system with faults switched on by the test. Thread-safe.
class FaultyFileSystem final : public ForwardingFileSystem {
 public:
  // From now on, writes of more than `bytes` in all that grow a file fail with ENOSPC; the
  // write that crosses the limit writes what still fits first (a short write), as a full disk
  // does. Overwriting what a file already holds (the journal's zeroed space) still works.
  // Returns once every write let through before the limit has finished: none of those grows
  // a file afterwards.
  void FillUpAfter(std::size_t bytes) {
    {
      std::lock_guard lock(mutex_);
      room_ = bytes;
    }
    while (writes_under_way_.load() > 0) std::this_thread::yield();
  }
  // From now on, every fdatasync fails with `error`.
  void FailSyncs(int error) {
    std::lock_guard lock(mutex_);
    sync_error_ = error;
  }
  // From now on, every open for writing fails with `error`.
  void RefuseWritableOpens(int error) {
    std::lock_guard lock(mutex_);
    open_error_ = error;
  }

  int Open(const std::string& path, int flags, mode_t mode) override {
    {
      std::lock_guard lock(mutex_);
      if (open_error_ != 0 && (flags & (O_WRONLY | O_RDWR)) != 0) return Fail(open_error_);
    }
    return real_.Open(path, flags, mode);
  }
  ssize_t WriteAt(int fd, const void* data, std::size_t size, off_t offset) override {
    std::size_t allowed = size;
    {
      std::lock_guard lock(mutex_);
      ++writes_under_way_;  // under the lock: FillUpAfter sees every write it let through
      if (room_) {
        struct stat file;
        if (::fstat(fd, &file) != 0) {
          --writes_under_way_;
          return -1;
        }
        const std::size_t inside =
            offset < file.st_size ? std::min<std::size_t>(size, file.st_size - offset) : 0;
        if (inside == 0 && *room_ == 0) {
          --writes_under_way_;
          return Fail(ENOSPC);
        }
        const std::size_t growing = std::min(size - inside, *room_);
        *room_ -= growing;
        allowed = inside + growing;
      }
    }
    const ssize_t written = real_.WriteAt(fd, data, allowed, offset);
    --writes_under_way_;
    return written;
  }
  int DataSync(int fd) override {
    {
      std::lock_guard lock(mutex_);
      if (sync_error_ != 0) return Fail(sync_error_);
    }
    return real_.DataSync(fd);
  }

 private:
  static int Fail(int error) {
    errno = error;
    return -1;
  }

  std::mutex mutex_;
  std::optional<std::size_t> room_;
  std::atomic<int> writes_under_way_{0};
  int sync_error_ = 0;
  int open_error_ = 0;
};

class JournalFaultTest : public ::testing::Test {
 protected:
  // A gateway on data_ whose journal goes through `files` (nullptr: the system's), keeping
  // `preallocation` of zeroed space ahead of its records.
  std::unique_ptr<TestGateway> Start(gateway::FileSystem* files,
                                     gateway::JournalPreallocation preallocation = {}) {
    TestGatewayOptions options;
    options.data_dir = data_.path();
    options.journal_files = files;
    options.journal_preallocation = preallocation;
    return std::make_unique<TestGateway>(options);
  }

  // Redeems the crash-traffic offer for new orders until an answer is neither 201 nor a
  // limit's 409, remembering what was acknowledged; returns that last answer.
  HttpReply RedeemUntilRefused(TestGateway& gateway, const std::string& prefix) {
    HttpReply last;
    for (int i = 0; i < 2000; ++i) {
      const std::string order = prefix + std::to_string(i);
      boost::json::object body =
          RedemptionBody(order, 100'000, "s-" + std::to_string(i % kCrashShoppers));
      if (i % 2 == 0) body["commit"] = true;
      last = Redeem(gateway, body, order);
      if (last.status == 201) {
        const boost::json::object redemption = Object(last);
        const std::string id(redemption.at("id").as_string());
        acknowledged_[id] = std::string(redemption.at("status").as_string());
        bodies_[id] = last.body;
      } else if (last.status != 409) {
        break;
      }
    }
    return last;
  }

  // After a restart: every acknowledged redemption reads back byte for byte as answered, and
  // the offer's counters equal the ledger.
  void ExpectEveryAcknowledgedWriteAfterRestart(TestGateway& restarted) {
    for (const auto& [id, body] : bodies_) {
      EXPECT_EQ(restarted.Call("GET", "/v1/redemptions/" + id, kAdminKey).body, body) << id;
    }
    ExpectLedgerReconciles(restarted.port(), kAnalystKey, offer_id_, acknowledged_);
    EXPECT_EQ(
        Redeem(restarted, RedemptionBody("after-restart", 100'000, "s-after"), "after").status, 201)
        << "a healthy disk takes writes again";
  }

  TempDir data_;
  FaultyFileSystem files_;
  std::string offer_id_;
  std::map<std::string, std::string> acknowledged_;  // id → status answered
  std::map<std::string, std::string> bodies_;        // id → body answered
};

TEST_F(JournalFaultTest,
       ADiskThatFillsUpMidRecordAnswers503AndTheJournalReplaysWhatWasAcknowledged) {
  {
    // Every write grows the file: no zeroed space ahead.
    auto gateway = Start(&files_, {.ahead_bytes = 0});
    offer_id_ = CreateOffer(*gateway, kAdminKey, CrashTrafficOffer());
    // A few redemptions' worth of room, and none at a record boundary: the last write is cut.
    files_.FillUpAfter(20'000 + 7);
    const HttpReply refused = RedeemUntilRefused(*gateway, "full-");
    ASSERT_TRUE(IsProblem(refused, 503, "store_unavailable")) << refused.status << refused.body;
    ASSERT_GT(acknowledged_.size(), 5U);
    // Fails closed from now on, and says so.
    EXPECT_EQ(gateway->Call("GET", "/readyz", nullptr).status, 503);
    EXPECT_TRUE(IsProblem(gateway->Call("POST", "/v1/offers", kAdminKey, Json(OfferBody())), 503,
                          "store_unavailable"));
    const HttpReply retry = Redeem(*gateway, RedemptionBody("full-retry", 100'000, "s-9"), "r");
    EXPECT_TRUE(IsProblem(retry, 503, "store_unavailable")) << retry.body;
  }
  auto restarted = Start(nullptr);
  EXPECT_GT(restarted->app().startup().torn_tail_bytes, 0U) << "the cut record is dropped";
  ExpectEveryAcknowledgedWriteAfterRestart(*restarted);
}

TEST_F(JournalFaultTest, AFullDiskStillTakesTheWritesThatFitInTheZeroedSpaceThen503) {
  const std::string journal = data_.path() + "/journal.log";
  std::uintmax_t size_when_full = 0;
  {
    // Room for a dozen redemptions or so, fewer than the offer's quota.
    auto gateway = Start(&files_, {.ahead_bytes = 16 << 10, .piece_bytes = 4 << 10});
    offer_id_ = CreateOffer(*gateway, kAdminKey, CrashTrafficOffer());
    // The zeroed space is topped up while a whole piece fits: at least 12 KiB past the offer.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::filesystem::file_size(journal) < (std::uintmax_t{12} << 10) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    files_.FillUpAfter(0);  // nothing may grow a file from now on
    // Read once the zeroing under way (if any) has finished: a size read while a piece is being
    // written may stop at a page boundary inside it.
    size_when_full = std::filesystem::file_size(journal);
    ASSERT_GE(size_when_full, std::uintmax_t{12} << 10);
    const HttpReply refused = RedeemUntilRefused(*gateway, "zeroed-");
    ASSERT_TRUE(IsProblem(refused, 503, "store_unavailable")) << refused.status << refused.body;
    // Without the zeroed space not one would have been acknowledged.
    EXPECT_GT(acknowledged_.size(), 5U);
    EXPECT_EQ(std::filesystem::file_size(journal), size_when_full);
    EXPECT_EQ(gateway->Call("GET", "/readyz", nullptr).status, 503);
  }
  auto restarted = Start(nullptr);
  ExpectEveryAcknowledgedWriteAfterRestart(*restarted);
}

TEST_F(JournalFaultTest, AFailingFsyncAnswers503AndEveryLaterWriteToo) {
  {
    auto gateway = Start(&files_);
    offer_id_ = CreateOffer(*gateway, kAdminKey, CrashTrafficOffer());
    for (int i = 0; i < 10; ++i) {
      const std::string order = "sync-" + std::to_string(i);
      const HttpReply reply = Redeem(*gateway, RedemptionBody(order, 100'000, "s-" + order), order);
      ASSERT_EQ(reply.status, 201) << reply.body;
      acknowledged_[std::string(Object(reply).at("id").as_string())] = "reserved";
      bodies_[std::string(Object(reply).at("id").as_string())] = reply.body;
    }
    files_.FailSyncs(EIO);
    const HttpReply unsynced = Redeem(*gateway, RedemptionBody("unsynced", 100'000, "s-u"), "u");
    EXPECT_TRUE(IsProblem(unsynced, 503, "store_unavailable")) << unsynced.body;
    // Even once the disk would sync again: the journal does not trust it before a restart.
    files_.FailSyncs(0);
    const HttpReply later = Redeem(*gateway, RedemptionBody("later", 100'000, "s-l"), "l");
    EXPECT_TRUE(IsProblem(later, 503, "store_unavailable")) << later.body;
    EXPECT_EQ(gateway->Call("GET", "/readyz", nullptr).status, 503);
  }
  auto restarted = Start(nullptr);
  ExpectEveryAcknowledgedWriteAfterRestart(*restarted);
}

TEST_F(JournalFaultTest, ADataDirectoryThatCannotBeWrittenStopsTheGatewayAtStart) {
  files_.RefuseWritableOpens(EROFS);
  try {
    Start(&files_);
    FAIL() << "a gateway must not start without a journal it can write";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("journal"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(std::strerror(EROFS)), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace uudai::testing
