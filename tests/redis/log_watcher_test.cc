// RedisStore::WatchLog (LogWatcher): another gateway's change reaches a watching view as soon
// as it is logged, with no poll; a gateway that keeps writing wakes the watcher at most once
// a min_gap; after errors it blocks again; once the store left the log's readers it reads no
// more.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/store_test_support.h"
#include "redis/redis_connection.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/redis/log_watcher.h"
#include "store/redis/redis_store.h"

namespace uudai::store_test {
namespace {

using std::chrono::milliseconds;
using testing::OwnThreadStore;
using testing::RedisServer;
using testing::WaitUntil;

// A connection that answers its first `failures` commands kUnavailable without sending them
// (Redis down), then sends the rest.
class FailsFirst : public testing::ForwardingRedisClient {
 public:
  FailsFirst(std::shared_ptr<gateway::RedisClient> inner, int failures)
      : ForwardingRedisClient(std::move(inner)), failures_left_(failures) {}
  void Command(std::vector<std::string> argv, Callback done) override {
    if (failures_left_.fetch_sub(1) > 0) {
      ++failed;
      return done(Status(StatusCode::kUnavailable, "connection refused"));
    }
    inner_->Command(std::move(argv), std::move(done));
  }
  std::atomic<int> failed{0};

 private:
  std::atomic<int> failures_left_;
};

// A connection that answers every XREAD with nil at once, as a proxy that does not pass
// blocking commands on may.
class AnswersNilAtOnce : public testing::ForwardingRedisClient {
 public:
  using ForwardingRedisClient::ForwardingRedisClient;
  void Command(std::vector<std::string> /*argv*/, Callback done) override {
    ++sent;
    done(gateway::RedisReply::Nil());
  }
  std::atomic<int> sent{0};
};

class LogWatcherTest : public ::testing::Test {
 protected:
  LogWatcherTest()
      : clock_(CampaignNow()),
        prefix_(testing::FreshKeyPrefix()),
        writer_(RedisServer::Shared().url(), clock_, prefix_),
        watching_(RedisServer::Shared().url(), clock_, prefix_) {}

  ~LogWatcherTest() override {
    if (connection_) connection_->Stop();
  }

  // Makes `watching_` watch the log on a connection of its own (wrapped by `wrap` when given).
  void Watch(gateway::LogWatcherOptions options,
             const std::function<std::shared_ptr<gateway::RedisClient>(
                 std::shared_ptr<gateway::RedisClient>)>& wrap = nullptr) {
    gateway::RedisOptions redis = testing::OptionsFor(RedisServer::Shared().url());
    redis.command_timeout = options.block + milliseconds(2000);
    connection_ = gateway::RedisConnection::Create(io_.io(), redis);
    connection_->Start();
    // Connected first: a command sent before fails at once, and is sent again after a wait.
    EXPECT_TRUE(WaitUntil([this] { return connection_->connected(); }, milliseconds(3000)));
    std::shared_ptr<gateway::RedisClient> client = connection_;
    if (wrap) client = wrap(client);
    watching_.store().WatchLog(client, io_.io(), options);
  }

  void Create(const std::string& id) {
    const Result<Offer> created =
        SyncStore(writer_.store()).CreateOffer(MakePublicCodeOffer(id, "C" + id));
    ASSERT_TRUE(created.ok()) << created.status().message();
  }

  // The watcher's thread and connection outlive the stores (the watching one holds them).
  testing::IoThread io_;
  std::shared_ptr<gateway::RedisConnection> connection_;
  ManualClock clock_;
  std::string prefix_;
  OwnThreadStore writer_;
  OwnThreadStore watching_;
};

TEST_F(LogWatcherTest, AnotherGatewaysOfferReachesAWatchingViewWithoutAPoll) {
  OwnThreadStore idle(RedisServer::Shared().url(), clock_, prefix_);  // loaded, never polled
  Watch({.block = milliseconds(1000), .min_gap = milliseconds(5), .retry_after = milliseconds(50)});

  Create("w-1");

  EXPECT_TRUE(
      WaitUntil([&] { return watching_.store().FindOffer("w-1") != nullptr; }, milliseconds(3000)));
  // Nothing but the watcher moved the view: a view that neither polls nor watches has not read
  // the offer.
  EXPECT_EQ(idle.store().FindOffer("w-1"), nullptr);
  // The block timed out and was sent again: later offers arrive as well.
  std::this_thread::sleep_for(milliseconds(1200));
  Create("w-2");
  EXPECT_TRUE(
      WaitUntil([&] { return watching_.store().FindOffer("w-2") != nullptr; }, milliseconds(3000)));
}

TEST_F(LogWatcherTest, AGatewayThatKeepsWritingWakesItAtMostOnceAMinGap) {
  // The watcher's wakes, read through a store that keeps no handle to it: how often the
  // view caught up is counted by the observer's calls.
  std::atomic<int> catch_ups{0};
  watching_.store().SetOfferObserver([&catch_ups](const auto&) { ++catch_ups; });
  Watch(
      {.block = milliseconds(1000), .min_gap = milliseconds(100), .retry_after = milliseconds(50)});

  const auto start = std::chrono::steady_clock::now();
  int written = 0;
  while (std::chrono::steady_clock::now() - start < milliseconds(1000)) {
    Create("busy-" + std::to_string(written++));
  }
  const auto took = std::chrono::steady_clock::now() - start;

  ASSERT_GT(written, 20);  // many more writes than wakes allowed
  const std::string last = "busy-" + std::to_string(written - 1);
  EXPECT_TRUE(
      WaitUntil([&] { return watching_.store().FindOffer(last) != nullptr; }, milliseconds(3000)));
  // One catch-up per wake, a wake at most every 100 ms: about 11 in the second of writes and
  // the wait after it, far fewer than one a write.
  const int allowed =
      static_cast<int>(std::chrono::duration_cast<milliseconds>(took).count() / 100) + 3;
  EXPECT_LE(catch_ups.load(), allowed) << written << " writes";
  EXPECT_GE(catch_ups.load(), 2);
}

TEST_F(LogWatcherTest, AfterErrorsItBlocksAgain) {
  std::shared_ptr<FailsFirst> failing;
  Watch({.block = milliseconds(1000), .min_gap = milliseconds(5), .retry_after = milliseconds(50)},
        [&failing](std::shared_ptr<gateway::RedisClient> inner) {
          failing = std::make_shared<FailsFirst>(std::move(inner), 3);
          return failing;
        });

  Create("late-1");

  EXPECT_TRUE(WaitUntil([&] { return watching_.store().FindOffer("late-1") != nullptr; },
                        milliseconds(3000)));
  EXPECT_EQ(failing->failed.load(), 3);
}

// A nil answered long before the block's time is a failure: the watcher waits longer after
// each one in a row rather than send XREAD in a loop.
TEST_F(LogWatcherTest, ANilAnsweredAtOnceIsNotSentAgainInALoop) {
  std::shared_ptr<AnswersNilAtOnce> nil;
  Watch({.block = milliseconds(1000),
         .min_gap = milliseconds(5),
         .retry_after = milliseconds(20),
         .longest_retry = milliseconds(200)},
        [&nil](std::shared_ptr<gateway::RedisClient> inner) {
          nil = std::make_shared<AnswersNilAtOnce>(std::move(inner));
          return nil;
        });
  std::this_thread::sleep_for(milliseconds(1000));
  // 20 + 40 + 80 + 160 ms, then every 200 ms: about 8 in the second.
  EXPECT_GE(nil->sent.load(), 4);
  EXPECT_LE(nil->sent.load(), 12);
}

TEST_F(LogWatcherTest, AViewThatLeftTheLogsReadersWatchesItNoMore) {
  Watch({.block = milliseconds(200), .min_gap = milliseconds(5), .retry_after = milliseconds(50)});
  Create("before");
  ASSERT_TRUE(WaitUntil([&] { return watching_.store().FindOffer("before") != nullptr; },
                        milliseconds(3000)));

  watching_.store().Leave(milliseconds(2000));
  std::this_thread::sleep_for(milliseconds(300));  // a block in flight at Leave times out
  Create("after");

  std::this_thread::sleep_for(milliseconds(800));
  EXPECT_EQ(watching_.store().FindOffer("after"), nullptr);
}

}  // namespace
}  // namespace uudai::store_test
