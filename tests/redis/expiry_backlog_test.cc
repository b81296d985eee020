// A backlog of due reservations (a burst reserved within the same second) drains in script
// calls short enough that Redis keeps serving the other gateways meanwhile: their redemptions
// are answered within the command timeout, and every reservation expires exactly once.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/expiry_sweeper.h"
#include "engine/store_test_support.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/redis/redis_store.h"

namespace uudai::store_test {
namespace {

using std::chrono::milliseconds;
using testing::OwnThreadStore;
using testing::RedisServer;

// The release build makes 50,000; the sanitizer builds, whose client side is several times
// slower (Redis is not instrumented), fewer: still more than a sweep's 10,000 per store call.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int kBacklog = 20'000;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr int kBacklog = 20'000;
#else
constexpr int kBacklog = 50'000;
#endif
#else
constexpr int kBacklog = 50'000;
#endif

// What the gateway passes per Store::ExpireDue call (gateway_app.cc).
constexpr std::size_t kPerStoreCall = 10'000;
// Script calls that take longer go to the slow log (a call of RedisStore's 16 expiries takes
// ~0.35 ms here: ~20 µs each).
constexpr std::int64_t kSlowCallMicros = 1'000;
// None may hold Redis longer, on a busy machine too (a call of 10,000 expiries, as a sweep
// made before the bound, took ~350 ms here).
constexpr std::int64_t kLongestCallMicros = 100'000;

// Creates `count` reservations of `offer` on `store`, many in flight at once. Returns how many
// were refused.
int ReserveMany(Store& store, const Offer& offer, int count) {
  constexpr int kInFlight = 256;
  std::mutex mutex;
  std::condition_variable changed;
  int in_flight = 0;
  int refused = 0;
  for (int i = 0; i < count; ++i) {
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return in_flight < kInFlight; });
      ++in_flight;
    }
    Redemption r = RedemptionBuilder("r-" + std::to_string(i))
                       .Shopper("s-" + std::to_string(i % 997))
                       .Apply(offer, 1'000)
                       .TtlMillis(60'000)
                       .Build();
    store.CreateRedemption(CreateRedemptionRequest{std::move(r), std::nullopt},
                           [&](Result<CreateRedemptionOutcome> created) {
                             std::lock_guard lock(mutex);
                             if (!created.ok()) ++refused;
                             --in_flight;
                             changed.notify_all();
                           });
  }
  std::unique_lock lock(mutex);
  changed.wait(lock, [&] { return in_flight == 0; });
  return refused;
}

// An expire_due script call in the slow log.
struct SlowCall {
  std::int64_t micros;
  std::size_t max_count;  // what the call was allowed to expire
};

std::vector<SlowCall> SlowExpireDueCalls(gateway::RedisConnection& connection) {
  std::vector<SlowCall> calls;
  const auto log = testing::Call(connection, {"SLOWLOG", "GET", "100000"});
  EXPECT_TRUE(log.ok() && log->is_array())
      << (log.ok() ? log->DebugString() : log.status().message());
  if (!log.ok()) return calls;
  for (const gateway::RedisReply& entry : log->elements()) {
    // id, unix time, duration, arguments: FCALL function numkeys key op now max_count
    if (entry.elements().size() < 4) continue;
    const auto& args = entry.elements()[3].elements();
    if (args.size() >= 7 && args[4].str() == "expire_due") {
      calls.push_back({entry.elements()[2].integer(), std::stoul(args[6].str())});
    }
  }
  return calls;
}

// Keeps creating committed redemptions of `offer` on `store`, one at a time, until destroyed.
class Redeemer {
 public:
  Redeemer(Store& store, const Offer& offer)
      : thread_([this, &store, offer] {
          SyncStore sync(store);
          for (int i = 0; !stop_.load(); ++i) {
            const auto start = std::chrono::steady_clock::now();
            const auto created = sync.Create(RedemptionBuilder("live-" + std::to_string(i))
                                                 .Apply(offer, 1'000)
                                                 .Committed()
                                                 .Build());
            const auto took =
                std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
            {
              std::lock_guard lock(mutex_);
              slowest_ = std::max(slowest_, took);
              if (!created.ok()) failures_.push_back(created.status().message());
            }
            if (created.ok()) ++redeemed_;
            std::this_thread::sleep_for(milliseconds(1));
          }
        }) {}
  ~Redeemer() {
    stop_ = true;
    thread_.join();
  }

  int redeemed() const { return redeemed_.load(); }
  std::vector<std::string> failures() {
    std::lock_guard lock(mutex_);
    return failures_;
  }
  milliseconds slowest() {
    std::lock_guard lock(mutex_);
    return slowest_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> redeemed_{0};
  std::mutex mutex_;
  std::vector<std::string> failures_;
  milliseconds slowest_{0};
  std::thread thread_;  // last: starts once the rest is built
};

// Every script call slower than kSlowCallMicros goes to the slow log while it lives; then
// the server's settings are put back.
class SlowLogOfScripts {
 public:
  SlowLogOfScripts()
      : slower_than_(Redis("CONFIG GET slowlog-log-slower-than | tail -1")),
        max_len_(Redis("CONFIG GET slowlog-max-len | tail -1")) {
    Redis("CONFIG SET slowlog-log-slower-than " + std::to_string(kSlowCallMicros));
    Redis("CONFIG SET slowlog-max-len 100000");
    Redis("SLOWLOG RESET");
  }
  ~SlowLogOfScripts() {
    Redis("CONFIG SET slowlog-log-slower-than " + slower_than_);
    Redis("CONFIG SET slowlog-max-len " + max_len_);
    Redis("SLOWLOG RESET");
  }

 private:
  static std::string Redis(const std::string& args) { return RedisServer::Shared().Cli(args); }
  std::string slower_than_;
  std::string max_len_;
};

TEST(ExpiryBacklogTest, ABacklogDrainsInShortCallsWhileAnotherGatewayKeepsRedeeming) {
  ManualClock clock(CampaignNow());
  const std::string prefix = testing::FreshKeyPrefix();
  OwnThreadStore sweeping(RedisServer::Shared().url(), clock, prefix);
  OwnThreadStore redeeming(RedisServer::Shared().url(), clock, prefix);
  const Offer burst = SyncStore(sweeping.store()).GivenOffer(MakeOffer("o-burst"));
  const Offer live = SyncStore(sweeping.store()).GivenOffer(MakeOffer("o-live"));
  ASSERT_EQ(ReserveMany(sweeping.store(), burst, kBacklog), 0);
  const RedisServer& redis = RedisServer::Shared();
  ASSERT_EQ(redis.Cli("HGET '" + prefix + "o:o-burst' n"), std::to_string(kBacklog));
  // The redeeming gateway's view catches up with the burst first (a stats read reads the log):
  // its first redemption would otherwise wait for that catch-up, which is not what is timed here
  // (seconds under a sanitizer on a busy machine).
  ASSERT_TRUE(SyncStore(redeeming.store()).Stats("o-live").ok());

  // Given the whole burst due at once, when one gateway sweeps while the other redeems.
  clock.Advance(60'000);
  std::vector<SlowCall> slow_calls;
  Result<std::size_t> expired = Status(StatusCode::kInternal, "no sweep");
  bool overlapped = true;
  int redeemed_before_sweep = 0;
  int redeemed = 0;
  std::vector<std::string> failures;
  milliseconds slowest{0};
  milliseconds sweep_took{0};
  {
    SlowLogOfScripts slow_log;
    Redeemer redeemer(redeeming.store(), live);
    ASSERT_TRUE(testing::WaitUntil([&] { return redeemer.redeemed() > 0; }, milliseconds(5000)))
        << redeemer.failures().size() << " redemptions failed";
    gateway::ExpirySweeper sweeper(sweeping.store(), kPerStoreCall);
    std::promise<Result<std::size_t>> swept;
    auto result = swept.get_future();
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(sweeper.Sweep([&swept](Result<std::size_t> r) { swept.set_value(std::move(r)); }));
    overlapped = sweeper.Sweep();  // a tick while the backlog drains
    redeemed_before_sweep = redeemer.redeemed();
    ASSERT_EQ(result.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    expired = result.get();
    sweep_took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
    redeemed = redeemer.redeemed();
    failures = redeemer.failures();
    slowest = redeemer.slowest();
    slow_calls = SlowExpireDueCalls(sweeping.connection());
  }

  // Then one sweep expired the whole backlog, and no second one started meanwhile...
  ASSERT_TRUE(expired.ok()) << expired.status().message();
  EXPECT_EQ(expired.value(), static_cast<std::size_t>(kBacklog));
  EXPECT_FALSE(overlapped);
  // ...in script calls of a few expiries each, none holding Redis long...
  std::int64_t longest = 0;
  for (const SlowCall& call : slow_calls) {
    longest = std::max(longest, call.micros);
    EXPECT_LE(call.max_count, gateway::RedisStoreOptions().expiries_per_call);
  }
  std::cout << "expired " << kBacklog << " in " << sweep_took.count() << " ms; "
            << slow_calls.size() << " expire_due calls took over " << kSlowCallMicros
            << " µs, the longest " << longest << " µs; " << redeemed
            << " redemptions meanwhile, the slowest answered in " << slowest.count() << " ms\n";
  EXPECT_LE(longest, kLongestCallMicros);
  // ...while the other gateway's redemptions were all answered, during the drain too.
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, e.g. " << failures.front();
  EXPECT_GT(redeemed, redeemed_before_sweep);

  // And every reservation expired exactly once: counters back to zero, nothing left due.
  EXPECT_EQ(redis.Cli("HGET '" + prefix + "o:o-burst' n"), "0");
  EXPECT_EQ(redis.Cli("ZCARD '" + prefix + "expiry'"), "0");
  EXPECT_EQ(SyncStore(sweeping.store()).ExpireDue(kPerStoreCall).value(), 0u);
  for (auto* store : {&sweeping.store(), &redeeming.store()}) {
    const OfferStats stats = SyncStore(*store).Stats("o-burst").value();
    EXPECT_EQ(stats.totals.count(RedemptionStatus::kExpired), kBacklog);
    EXPECT_EQ(stats.totals.count(RedemptionStatus::kReserved), 0);
    EXPECT_EQ(SyncStore(*store).Usage(burst, "s-1", DayOf(CampaignNow())).redemptions, 0);
  }
}

}  // namespace
}  // namespace uudai::store_test
