// RedisStore::MoveBuckets: a store moved to another bucket count with its gateways stopped keeps
// every live order and shopper's count where the store then looks for them; a move is refused
// while a gateway runs, blocks gateways from starting until it is over, and goes on from where
// it stopped.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "engine/store_test_support.h"
#include "redis/redis_function.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/redis/redis_store.h"

namespace uudai::store_test {
namespace {

using std::chrono::milliseconds;
using testing::RedisServer;

// A shopper and an order whose ids are past a bucket's 64 bytes (kept as "#" and their SHA-1).
const std::string kLongShopper(100, 's');
const std::string kLongMerchant = "shop-" + std::string(60, 'm');

class BucketMoveTest : public ::testing::Test {
 protected:
  BucketMoveTest() : clock_(CampaignNow()), prefix_(testing::FreshKeyPrefix()) {}

  std::unique_ptr<gateway::RedisStore> Gateway(std::uint32_t buckets) {
    gateway::RedisStoreOptions options;
    options.key_prefix = prefix_;
    options.buckets = buckets;
    return testing::MakeUnloadedRedisStore(clock_, std::move(options));
  }
  std::string Redis(const std::string& args) { return RedisServer::Shared().Cli(args); }
  // Moves `mover`'s store to `buckets` buckets, all the way.
  static Status MoveAll(gateway::RedisStore& mover, std::uint32_t buckets) {
    return mover.MoveBuckets(buckets, milliseconds(20'000),
                             [](std::uint64_t, std::uint64_t) { return true; });
  }
  // One call of the store's function as a gateway makes it (FCALL <library> 1 <prefix>log ...),
  // its reply as redis-cli prints it raw, one element a line.
  std::string Call(const std::string& args) {
    static const gateway::RedisFunction function("uudai", gateway::RedisStoreScriptSource());
    return Redis("--raw FCALL " + function.name() + " 1 '" + prefix_ + "log' " + args);
  }
  int Keys(const std::string& pattern) {
    return std::stoi(Redis("--scan --pattern '" + prefix_ + pattern + "' | wc -l"));
  }
  Status Create(gateway::RedisStore& store, const std::string& id, const std::string& shopper,
                const std::string& merchant, const std::string& order, const Offer& offer) {
    return SyncStore(store)
        .Create(RedemptionBuilder(id)
                    .Shopper(shopper)
                    .Merchant(merchant)
                    .Order(order)
                    .Apply(offer, 1'000)
                    .Build())
        .status();
  }

  // A store of 4,096 buckets with 200 live redemptions, one with a long shopper id and order
  // key and a guest whose counts outgrew its bucket (s:guest), its gateway stopped.
  void WriteStoreOf4096() {
    auto a = Gateway(4'096);
    ASSERT_TRUE(a->Load(milliseconds(10'000)).ok());
    Offer limited = MakePlatformOffer("o-1");
    limited.limits.per_shopper = 1;
    offer_ = SyncStore(*a).CreateOffer(limited).value();
    const Offer open = SyncStore(*a).CreateOffer(MakePlatformOffer("o-open")).value();
    for (int i = 0; i < 200; ++i) {
      const std::string n = std::to_string(i);
      ASSERT_TRUE(Create(*a, "r-" + n, "s-" + n, "m-1", "order-" + n, offer_).ok());
    }
    ASSERT_TRUE(Create(*a, "r-long", kLongShopper, kLongMerchant, "order-long", offer_).ok());
    for (int k = 0; k < 6; ++k) {
      const std::string n = std::to_string(k);
      ASSERT_TRUE(
          Create(*a, "r-guest-" + n, "guest", "shop-with-a-longer-name-" + n, "order-" + n, open)
              .ok());
    }
    ASSERT_EQ(testing::BucketField(prefix_, "sb", "guest"), "*");
    a->Leave(milliseconds(2'000));
  }

  // What the store answers of what WriteStoreOf4096 wrote, through a gateway started on it.
  void ExpectTheLiveDataFound(gateway::RedisStore& store) {
    SyncStore sync(store);
    EXPECT_EQ(sync.FindLiveOrder("m-1", "order-7").value(), std::optional<std::string>("r-7"));
    EXPECT_EQ(sync.FindLiveOrder(kLongMerchant, "order-long").value(),
              std::optional<std::string>("r-long"));
    EXPECT_EQ(testing::ShopperCount(prefix_, "s-7", "o:o-1"), "1");
    EXPECT_EQ(testing::ShopperCount(prefix_, kLongShopper, "p"), "1");
    EXPECT_EQ(testing::ShopperCount(prefix_, "guest", "p"), "6");
    EXPECT_EQ(Create(store, "r-x", "s-other", "m-1", "order-9", offer_).code(),
              StatusCode::kOrderAlreadyRedeemed);
    EXPECT_EQ(Create(store, "r-y", "s-9", "m-1", "order-new", offer_).code(),
              StatusCode::kPerShopperLimit);
    EXPECT_EQ(Create(store, "r-z", kLongShopper, "m-1", "order-new", offer_).code(),
              StatusCode::kPerShopperLimit);
    ASSERT_TRUE(sync.Cancel("r-9").ok());
    EXPECT_EQ(testing::ShopperCount(prefix_, "s-9", "o:o-1"), "");
    EXPECT_TRUE(Create(store, "r-9b", "s-9", "m-1", "order-9", offer_).ok());
  }

  ManualClock clock_;
  std::string prefix_;
  Offer offer_;
};

TEST_F(BucketMoveTest, AStoreMovedTo65536BucketsKeepsEveryLiveOrderAndShoppersCount) {
  WriteStoreOf4096();
  const int order_buckets = Keys("ob:*");
  ASSERT_GT(order_buckets, 150);

  auto mover = Gateway(0);
  std::uint64_t last_moved = 0, last_total = 0;
  int calls = 0;
  const Status moved =
      mover->MoveBuckets(65'536, milliseconds(10'000), [&](std::uint64_t done, std::uint64_t all) {
        last_moved = done;
        last_total = all;
        ++calls;
        return true;
      });
  ASSERT_TRUE(moved.ok()) << moved.message();
  EXPECT_EQ(last_total, 4'096U);
  EXPECT_EQ(last_moved, 4'096U);
  EXPECT_GT(calls, 10);  // in calls of a few buckets each
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "65536");
  EXPECT_EQ(Redis("GET '" + prefix_ + "format'"), "10");
  EXPECT_EQ(Redis("EXISTS '" + prefix_ + "rebucket' '" + prefix_ + "rebucket-at'"), "0");
  // Every bucket has the new names; none of the old is left.
  EXPECT_EQ(Keys("ob:???"), 0);
  EXPECT_EQ(Keys("sb:???"), 0);
  EXPECT_EQ(Keys("ob:????"), Keys("ob:*"));
  EXPECT_GE(Keys("ob:*"), 190);

  auto b = Gateway(0);
  const Status loaded = b->Load(milliseconds(10'000));
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(b->buckets(), 65'536U);
  ExpectTheLiveDataFound(*b);
}

TEST_F(BucketMoveTest, AMoveIsRefusedWhileAGatewayOfTheStoreRuns) {
  WriteStoreOf4096();
  auto running = Gateway(0);
  ASSERT_TRUE(running->Load(milliseconds(10'000)).ok());
  auto mover = Gateway(0);
  const Status moved = MoveAll(*mover, 65'536);
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.code(), StatusCode::kRequestInProgress);
  EXPECT_NE(moved.message().find("stop every gateway of the store first"), std::string::npos)
      << moved.message();
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "4096");
  EXPECT_EQ(Redis("EXISTS '" + prefix_ + "rebucket'"), "0");
  ExpectTheLiveDataFound(*running);
}

// A move stopped half-way: no gateway starts until it is over, a move to another count is
// refused, and the same move called again finishes it.
TEST_F(BucketMoveTest, AMoveStoppedHalfWayBlocksGatewaysAndGoesOnWhenCalledAgain) {
  WriteStoreOf4096();
  auto mover = Gateway(0);
  Status moved = mover->MoveBuckets(1'048'576, milliseconds(10'000),
                                    [](std::uint64_t done, std::uint64_t) { return done < 2'000; });
  ASSERT_EQ(moved.code(), StatusCode::kUnavailable) << moved.message();
  EXPECT_EQ(Redis("GET '" + prefix_ + "rebucket'"), "1048576");
  EXPECT_GT(Keys("ob:?????"), 0);
  EXPECT_GT(Keys("ob:???"), 0);

  auto early = Gateway(0);
  const Status loaded = early->Load(milliseconds(3'000));  // refused until then
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.message().find("the store is being moved to 1048576 buckets"), std::string::npos)
      << loaded.message();
  EXPECT_EQ(Redis("HLEN '" + prefix_ + "readers'"), "0");  // it did not register either

  moved = MoveAll(*mover, 65'536);
  EXPECT_EQ(moved.code(), StatusCode::kRequestInProgress) << moved.message();

  std::uint64_t first = 0;
  moved =
      mover->MoveBuckets(1'048'576, milliseconds(10'000), [&](std::uint64_t done, std::uint64_t) {
        if (first == 0) first = done;
        return true;
      });
  ASSERT_TRUE(moved.ok()) << moved.message();
  EXPECT_GE(first, 2'000U);  // it went on from where it stopped
  EXPECT_EQ(Keys("ob:???"), 0);
  EXPECT_EQ(Keys("ob:?????"), Keys("ob:*"));

  auto b = Gateway(0);
  ASSERT_TRUE(b->Load(milliseconds(10'000)).ok());
  EXPECT_EQ(b->buckets(), 1'048'576U);
  ExpectTheLiveDataFound(*b);
}

// A store of format 9 (written before the count was kept) becomes format 10 once moved, so
// that the build that wrote it, which knows only 4,096 buckets, refuses it; moved to the count
// it has, nothing moves.
TEST_F(BucketMoveTest, AStoreOfFormat9MovedIsFormat10AndAMoveToItsOwnCountMovesNothing) {
  WriteStoreOf4096();
  ASSERT_EQ(Redis("DEL '" + prefix_ + "buckets'"), "1");
  ASSERT_EQ(Redis("SET '" + prefix_ + "format' 9"), "OK");
  auto mover = Gateway(0);
  int calls = 0;
  Status moved = mover->MoveBuckets(4'096, milliseconds(10'000), [&](std::uint64_t, std::uint64_t) {
    ++calls;
    return true;
  });
  ASSERT_TRUE(moved.ok()) << moved.message();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Redis("GET '" + prefix_ + "format'"), "9");
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "4096");
  EXPECT_EQ(Keys("ob:???"), Keys("ob:*"));

  moved = MoveAll(*mover, 65'536);
  ASSERT_TRUE(moved.ok()) << moved.message();
  EXPECT_EQ(Redis("GET '" + prefix_ + "format'"), "10");
  auto b = Gateway(0);
  ASSERT_TRUE(b->Load(milliseconds(10'000)).ok());
  ExpectTheLiveDataFound(*b);
}

// A gateway that has read the store's count (op buckets) but not yet registered where it reads
// the log from is a reader already: a move is refused from that call on.
TEST_F(BucketMoveTest, AGatewayThatHasReadTheCountBlocksAMove) {
  WriteStoreOf4096();
  const std::string now = std::to_string(
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  ASSERT_EQ(Call("buckets '' starting-gateway " + now).substr(0, 2), "ok");
  auto mover = Gateway(0);
  const Status moved = MoveAll(*mover, 65'536);
  EXPECT_EQ(moved.code(), StatusCode::kRequestInProgress) << moved.message();
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "4096");
}

// While a move is under way the store answers nothing but the move: a store used without
// starting (or a gateway that ran on, unheard of) reads and writes no bucket meanwhile.
TEST_F(BucketMoveTest, EveryOtherOperationIsRefusedWhileAMoveIsUnderWay) {
  WriteStoreOf4096();
  auto unstarted = Gateway(0);  // never loaded: nothing checked at its start
  auto mover = Gateway(0);
  ASSERT_EQ(mover
                ->MoveBuckets(65'536, milliseconds(10'000),
                              [](std::uint64_t, std::uint64_t) { return false; })
                .code(),
            StatusCode::kUnavailable);
  const Status created = Create(*unstarted, "r-during", "s-during", "m-1", "order-7", offer_);
  EXPECT_EQ(created.code(), StatusCode::kUnavailable);
  EXPECT_NE(created.message().find("the store is being moved to 65536 buckets"), std::string::npos)
      << created.message();
  const auto live = SyncStore(*unstarted).FindLiveOrder("m-1", "order-7");
  EXPECT_EQ(live.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(live.status().message().find("being moved"), std::string::npos)
      << live.status().message();
  // The format check still answers, so a starting gateway learns why it cannot start.
  EXPECT_EQ(Call("format").substr(0, 2), "ok");
  ASSERT_TRUE(MoveAll(*mover, 65'536).ok());
  EXPECT_EQ(SyncStore(*unstarted).FindLiveOrder("m-1", "order-7").value(),
            std::optional<std::string>("r-7"));
}

// Down as well as up, and a move's last call sent again (its answer lost) answers done.
TEST_F(BucketMoveTest, AStoreMovedUpAndBackDownKeepsItsDataAndALastCallSentAgainIsDone) {
  WriteStoreOf4096();
  auto mover = Gateway(0);
  ASSERT_TRUE(MoveAll(*mover, 65'536).ok());
  EXPECT_EQ(Call("rebucket_move 65536 64").substr(0, 11), "ok\n\n\n\n\ndone");
  EXPECT_NE(Call("rebucket_move 4096 64").find("not_found"), std::string::npos);
  std::uint64_t total = 0;
  ASSERT_TRUE(mover
                  ->MoveBuckets(4'096, milliseconds(20'000),
                                [&](std::uint64_t, std::uint64_t all) {
                                  total = all;
                                  return true;
                                })
                  .ok());
  EXPECT_EQ(total, 65'536U);
  EXPECT_EQ(Keys("ob:????"), 0);
  EXPECT_EQ(Keys("ob:???"), Keys("ob:*"));
  auto b = Gateway(0);
  ASSERT_TRUE(b->Load(milliseconds(10'000)).ok());
  EXPECT_EQ(b->buckets(), 4'096U);
  ExpectTheLiveDataFound(*b);
}

// A prefix that holds no store (a mistyped --redis-prefix) is refused, and left as it was.
TEST_F(BucketMoveTest, APrefixWithoutAStoreIsRefusedAndLeftEmpty) {
  auto mover = Gateway(0);
  const Status moved = MoveAll(*mover, 4'096);
  EXPECT_EQ(moved.code(), StatusCode::kNotFound) << moved.message();
  EXPECT_EQ(Keys("*"), 0);
}

}  // namespace
}  // namespace uudai::store_test
