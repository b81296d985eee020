// A Redis store's bucket count (RedisStoreOptions::buckets): how many small hashes it keeps live
// orders and shoppers' counts in, fixed when the store is created and read from the store by
// every call after that.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/store_test_support.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/redis/redis_store.h"
#include "store/redis/shard_layout.h"
#include "store/redis/spread_store.h"
#include "support/captured_log.h"

namespace uudai::store_test {
namespace {

using std::chrono::milliseconds;
using testing::RedisServer;

class RedisBucketsTest : public ::testing::Test {
 protected:
  RedisBucketsTest() : clock_(CampaignNow()), prefix_(testing::FreshKeyPrefix()) {}

  // A gateway's store asking for `buckets` (0: the store's own), not loaded yet.
  std::unique_ptr<gateway::RedisStore> Gateway(std::uint32_t buckets) {
    gateway::RedisStoreOptions options;
    options.key_prefix = prefix_;
    options.buckets = buckets;
    return testing::MakeUnloadedRedisStore(clock_, std::move(options));
  }
  std::unique_ptr<gateway::RedisStore> LoadedGateway(std::uint32_t buckets) {
    auto store = Gateway(buckets);
    const Status loaded = store->Load(milliseconds(10'000));
    EXPECT_TRUE(loaded.ok()) << loaded.message();
    return store;
  }
  // A gateway's store of 4,096 buckets sampling their fill every `interval_millis` on Poll().
  std::unique_ptr<gateway::RedisStore> LoadedSampling(std::int64_t interval_millis) {
    gateway::RedisStoreOptions options;
    options.key_prefix = prefix_;
    options.buckets = 4'096;
    options.bucket_fill_interval_millis = interval_millis;
    auto store = testing::MakeUnloadedRedisStore(clock_, std::move(options));
    const Status loaded = store->Load(milliseconds(10'000));
    EXPECT_TRUE(loaded.ok()) << loaded.message();
    return store;
  }
  // Polls `store` until the fill it last sampled is `wanted` (false after 5 s).
  static bool FillBecomes(gateway::RedisStore& store, std::uint64_t wanted) {
    return testing::WaitUntil(
        [&] {
          store.Poll();
          return store.bucket_fill() == wanted;
        },
        milliseconds(5'000));
  }
  std::string Redis(const std::string& args) { return RedisServer::Shared().Cli(args); }
  // The names of the store's buckets of `kind` (ob or sb), without the prefix.
  std::vector<std::string> Buckets(const std::string& kind) {
    std::vector<std::string> names;
    std::string listing = Redis("--scan --pattern '" + prefix_ + kind + ":*'");
    std::size_t start = 0;
    while (start < listing.size()) {
      std::size_t end = listing.find('\n', start);
      if (end == std::string::npos) end = listing.size();
      if (end > start)
        names.push_back(listing.substr(start + prefix_.size(), end - start - prefix_.size()));
      start = end + 1;
    }
    return names;
  }
  void Redeem(gateway::RedisStore& store, const Offer& offer, int i) {
    const std::string n = std::to_string(i);
    const Status created = SyncStore(store)
                               .Create(RedemptionBuilder("r-" + n)
                                           .Shopper("s-" + n)
                                           .Order("order-" + n)
                                           .Apply(offer, 1'000)
                                           .Build())
                               .status();
    ASSERT_TRUE(created.ok()) << created.message();
  }

  ManualClock clock_;
  std::string prefix_;
};

TEST_F(RedisBucketsTest, ANewStoreHas65536BucketsUnlessGivenAnotherCount) {
  auto a = LoadedGateway(0);
  EXPECT_EQ(a->buckets(), 65'536U);
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "65536");
  const Offer offer = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  Redeem(*a, offer, 1);
  ASSERT_EQ(Buckets("ob").size(), 1U);
  ASSERT_EQ(Buckets("sb").size(), 1U);
  EXPECT_EQ(Buckets("ob").front().size(), 3 + 4U) << Buckets("ob").front();
  EXPECT_EQ(Buckets("sb").front().size(), 3 + 4U) << Buckets("sb").front();
}

// The largest count: five hex digits, and the rules that read the buckets find what is there.
TEST_F(RedisBucketsTest, AStoreOf1048576BucketsNamesThemWithFiveHexDigits) {
  auto a = LoadedGateway(1'048'576);
  EXPECT_EQ(a->buckets(), 1'048'576U);
  const Offer offer = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  for (int i = 0; i < 10; ++i) Redeem(*a, offer, i);
  const std::vector<std::string> orders = Buckets("ob");
  ASSERT_EQ(orders.size(), 10U);  // over a million buckets: one each
  for (const std::string& name : orders) EXPECT_EQ(name.size(), 3 + 5U) << name;
  for (const std::string& name : Buckets("sb")) EXPECT_EQ(name.size(), 3 + 5U) << name;
  EXPECT_EQ(testing::ShopperCount(prefix_, "s-3", "p"), "1");
  SyncStore store(*a);
  const Status again = store
                           .Create(RedemptionBuilder("r-again")
                                       .Shopper("s-other")
                                       .Order("order-3")
                                       .Apply(offer, 1'000)
                                       .Build())
                           .status();
  EXPECT_EQ(again.code(), StatusCode::kOrderAlreadyRedeemed) << again.message();
  ASSERT_TRUE(store.Cancel("r-3").ok());
  EXPECT_EQ(store.FindLiveOrder("m-1", "order-3").value(), std::nullopt);
  EXPECT_EQ(testing::ShopperCount(prefix_, "s-3", "p"), "");
}

// A store created with 4,096 buckets names them with three hex digits.
TEST_F(RedisBucketsTest, AStoreOf4096BucketsNamesThemWithThreeHexDigits) {
  auto a = LoadedGateway(4'096);
  EXPECT_EQ(a->buckets(), 4'096U);
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "4096");
  const Offer offer = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  for (int i = 0; i < 20; ++i) Redeem(*a, offer, i);
  const std::vector<std::string> orders = Buckets("ob");
  const std::vector<std::string> shoppers = Buckets("sb");
  EXPECT_GE(orders.size(), 15U);
  EXPECT_GE(shoppers.size(), 15U);
  for (const std::string& name : orders) EXPECT_EQ(name.size(), 3 + 3U) << name;
  for (const std::string& name : shoppers) EXPECT_EQ(name.size(), 3 + 3U) << name;
  EXPECT_EQ(testing::ShopperCount(prefix_, "s-7", "o:o-1"), "1");
  EXPECT_EQ(SyncStore(*a).FindLiveOrder("m-1", "order-7").value(),
            std::optional<std::string>("r-7"));
}

// Every rule that reads the buckets finds what the store's own calls put there: the order
// guard, a per-shopper limit, the shopper's counts given back by a cancel.
TEST_F(RedisBucketsTest, AStoreOf65536BucketsNamesThemWithFourHexDigitsAndReadsThemBack) {
  auto a = LoadedGateway(65'536);
  EXPECT_EQ(a->buckets(), 65'536U);
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "65536");
  Offer limited = MakeOffer("o-1");
  limited.limits.per_shopper = 1;
  const Offer offer = SyncStore(*a).CreateOffer(limited).value();
  for (int i = 0; i < 50; ++i) Redeem(*a, offer, i);
  const std::vector<std::string> orders = Buckets("ob");
  const std::vector<std::string> shoppers = Buckets("sb");
  EXPECT_GE(orders.size(), 45U);  // 50 orders over 65,536 buckets: almost one each
  EXPECT_GE(shoppers.size(), 45U);
  for (const std::string& name : orders) EXPECT_EQ(name.size(), 3 + 4U) << name;
  for (const std::string& name : shoppers) EXPECT_EQ(name.size(), 3 + 4U) << name;
  EXPECT_EQ(testing::ShopperCount(prefix_, "s-7", "o:o-1"), "1");

  SyncStore store(*a);
  EXPECT_EQ(store.FindLiveOrder("m-1", "order-7").value(), std::optional<std::string>("r-7"));
  Status again = store
                     .Create(RedemptionBuilder("r-again")
                                 .Shopper("s-other")
                                 .Order("order-7")
                                 .Apply(offer, 1'000)
                                 .Build())
                     .status();
  EXPECT_EQ(again.code(), StatusCode::kOrderAlreadyRedeemed) << again.message();
  again = store
              .Create(RedemptionBuilder("r-second")
                          .Shopper("s-7")
                          .Order("order-new")
                          .Apply(offer, 1'000)
                          .Build())
              .status();
  EXPECT_EQ(again.code(), StatusCode::kPerShopperLimit) << again.message();

  ASSERT_TRUE(store.Cancel("r-7").ok());
  EXPECT_EQ(testing::ShopperCount(prefix_, "s-7", "o:o-1"), "");
  EXPECT_EQ(store.FindLiveOrder("m-1", "order-7").value(), std::nullopt);
  const Status counted = store
                             .Create(RedemptionBuilder("r-second")
                                         .Shopper("s-7")
                                         .Order("order-7")
                                         .Apply(offer, 1'000)
                                         .Build())
                             .status();
  EXPECT_TRUE(counted.ok()) << counted.message();
}

// The count is the store's, fixed at its creation: a gateway given another one refuses to
// start, before it reads anything; one given none takes the store's.
TEST_F(RedisBucketsTest, AGatewayGivenAnotherCountThanTheStoresRefusesToStart) {
  auto a = LoadedGateway(65'536);
  const Offer offer = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  Redeem(*a, offer, 1);

  auto b = Gateway(4'096);
  const Status loaded = b->Load(milliseconds(10'000));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.code(), StatusCode::kInternal);
  EXPECT_NE(loaded.message().find("in 65536 buckets, fixed when it was created: "
                                  "--redis-buckets 4096 applies to a new store only"),
            std::string::npos)
      << loaded.message();
  EXPECT_EQ(b->FindOffer("o-1"), nullptr);                 // nothing of the log was read
  EXPECT_EQ(Redis("HLEN '" + prefix_ + "readers'"), "1");  // nor registered as its reader

  auto c = LoadedGateway(0);
  EXPECT_EQ(c->buckets(), 65'536U);
  EXPECT_EQ(SyncStore(*c).FindLiveOrder("m-1", "order-1").value(),
            std::optional<std::string>("r-1"));
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "65536");
}

// A store written before its count was kept (format 9: no `buckets` key, redemptions in 4,096
// buckets) keeps 4,096, whatever a new gateway asks for a new store, and its format: the build
// that wrote it can still serve it.
TEST_F(RedisBucketsTest, AStoreWrittenBeforeItsCountWasKeptHas4096) {
  {
    auto a = LoadedGateway(4'096);
    const Offer offer = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
    Redeem(*a, offer, 1);
  }
  ASSERT_EQ(Redis("DEL '" + prefix_ + "buckets'"), "1");  // as an earlier build left it
  ASSERT_EQ(Redis("SET '" + prefix_ + "format' 9"), "OK");

  auto b = Gateway(65'536);
  const Status loaded = b->Load(milliseconds(10'000));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.message().find("in 4096 buckets"), std::string::npos) << loaded.message();
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "4096");

  auto c = LoadedGateway(0);
  EXPECT_EQ(c->buckets(), 4'096U);
  EXPECT_EQ(SyncStore(*c).FindLiveOrder("m-1", "order-1").value(),
            std::optional<std::string>("r-1"));
  const Offer offer = SyncStore(*c).CreateOffer(MakeOffer("o-2")).value();
  Redeem(*c, offer, 2);
  EXPECT_EQ(Redis("GET '" + prefix_ + "format'"), "9");
  for (const std::string& name : Buckets("ob")) EXPECT_EQ(name.size(), 3 + 3U) << name;
}

// A stored count that is none of the three stops the start with a message, not a crash.
TEST_F(RedisBucketsTest, AStoredCountThatIsNoneOfTheThreeStopsTheStart) {
  LoadedGateway(0);
  ASSERT_EQ(Redis("SET '" + prefix_ + "buckets' 4096x"), "OK");
  auto b = Gateway(0);
  const Status loaded = b->Load(milliseconds(10'000));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.message().find("4096x"), std::string::npos) << loaded.message();
}

// Two gateways starting at once on an empty store with different counts: the store takes one,
// and the gateway that asked for the other refuses to start.
TEST_F(RedisBucketsTest, TwoGatewaysCreatingTheStoreAtOnceAgreeOnOneCount) {
  auto a = Gateway(4'096);
  auto b = Gateway(1'048'576);
  Status a_loaded;
  Status b_loaded;
  std::thread other([&] { b_loaded = b->Load(milliseconds(10'000)); });
  a_loaded = a->Load(milliseconds(10'000));
  other.join();
  EXPECT_NE(a_loaded.ok(), b_loaded.ok()) << a_loaded.message() << " / " << b_loaded.message();
  const std::string stored = Redis("GET '" + prefix_ + "buckets'");
  EXPECT_EQ(stored, a_loaded.ok() ? "4096" : "1048576");
}

// A spread store: every shard (hub and data shards) is created with the count, and a
// redemption whose home is a data shard finds its order there.
TEST_F(RedisBucketsTest, EveryShardOfASpreadStoreTakesTheCount) {
  gateway::SpreadStoreOptions options;
  options.store.buckets = 4'096;
  auto spread = testing::MakeSpreadStore(clock_, prefix_, 3, "", options);
  EXPECT_EQ(spread->buckets(), 4'096U);
  auto layout = gateway::ShardLayout::Make(prefix_, 3);
  ASSERT_TRUE(layout.ok());
  for (std::size_t k = 0; k < layout->size(); ++k) {
    EXPECT_EQ(Redis("GET '" + layout->prefix(k) + "buckets'"), "4096") << layout->prefix(k);
  }
  SyncStore store(*spread);
  const Offer offer = store.CreateOffer(MakeOffer("o-1")).value();
  ASSERT_TRUE(
      store
          .Create(
              RedemptionBuilder("r-1").Shopper("s-1").Order("order-1").Apply(offer, 1'000).Build())
          .ok());
  EXPECT_EQ(store.FindLiveOrder("m-1", "order-1").value(), std::optional<std::string>("r-1"));
  const Status again =
      store
          .Create(
              RedemptionBuilder("r-2").Shopper("s-2").Order("order-1").Apply(offer, 1'000).Build())
          .status();
  EXPECT_EQ(again.code(), StatusCode::kOrderAlreadyRedeemed) << again.message();
}

// The name of sampled bucket `i` (of 16, evenly spread: 000, 100, ..., f00) of a store of 4,096.
std::string SampledBucket(int i) { return std::string(1, "0123456789abcdef"[i]) + "00"; }

// The sampled buckets of a store of 4,096 of `kind` under `prefix`, filled with `fields` fields
// each.
void FillSampledBuckets(const std::string& prefix, const std::string& kind, int fields) {
  std::string pairs;
  for (int f = 0; f < fields; ++f) pairs += " m" + std::to_string(f) + " r" + std::to_string(f);
  for (int i = 0; i < 16; ++i) {
    ASSERT_EQ(
        RedisServer::Shared().Cli("HSET '" + prefix + kind + ":" + SampledBucket(i) + "'" + pairs),
        std::to_string(fields));
  }
}

// The sampled buckets of a store of 4,096 of `kind` under `prefix` set to `fields` fields each
// in one script: a sample taken meanwhile sees the fill before or after, never one between.
void SetSampledBucketsFill(const std::string& prefix, const std::string& kind, int fields) {
  std::string keys;
  for (int i = 0; i < 16; ++i) keys += " '" + prefix + kind + ":" + SampledBucket(i) + "'";
  ASSERT_EQ(RedisServer::Shared().Cli(
                "EVAL \"for _, k in ipairs(KEYS) do redis.call('DEL', k) "
                "for f = 1, tonumber(ARGV[1]) do redis.call('HSET', k, 'm' .. f, 'r' .. f) end "
                "end return #KEYS\" 16" +
                keys + " " + std::to_string(fields)),
            "16");
}

// A starting gateway samples how full the store's buckets are (bucket_fill, and a warning past
// 256 a bucket, twice what a count is sized for).
TEST_F(RedisBucketsTest, AStartingGatewaySeesHowFullTheBucketsAre) {
  auto a = LoadedGateway(4'096);
  EXPECT_EQ(a->bucket_fill(), 0U);
  const Offer offer = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  Redeem(*a, offer, 1);
  ASSERT_NO_FATAL_FAILURE(FillSampledBuckets(prefix_, "ob", 300));
  auto b = LoadedGateway(0);
  EXPECT_EQ(b->bucket_fill(), 300U);
}

// A serving gateway samples them again every bucket_fill_interval_millis, on Poll(): a campaign
// that outgrows its count is seen while it runs, of either kind, and so is a store that empties.
TEST_F(RedisBucketsTest, AServingGatewaySeesTheBucketsFillAndEmpty) {
  auto store = LoadedSampling(20);
  EXPECT_EQ(store->bucket_fill(), 0U);
  ASSERT_NO_FATAL_FAILURE(FillSampledBuckets(prefix_, "sb", 200));
  EXPECT_TRUE(FillBecomes(*store, 200)) << store->bucket_fill();
  ASSERT_NO_FATAL_FAILURE(FillSampledBuckets(prefix_, "ob", 270));
  EXPECT_TRUE(FillBecomes(*store, 270)) << store->bucket_fill();
  for (int i = 0; i < 16; ++i) {
    Redis("DEL '" + prefix_ + "ob:" + SampledBucket(i) + "' '" + prefix_ +
          "sb:" + SampledBucket(i) + "'");
  }
  EXPECT_TRUE(FillBecomes(*store, 0)) << store->bucket_fill();
}

// The warning that the store outgrew its count is given once as the fill passes 256 a bucket,
// not at every sample while it stays high, and again only after the fill fell to 192 (three
// quarters of the mark) and passed 256 once more: a fill hovering at the mark does not repeat it.
TEST_F(RedisBucketsTest, AServingGatewayWarnsOnceEachTimeTheBucketsOutgrowTheirCount) {
  testing::CapturedLog log;
  auto store = LoadedSampling(20);
  // Samples taken after the fill is seen: the warning, if any, came with the first of them.
  auto sample_a_few_more = [&] {
    for (int i = 0; i < 5; ++i) {
      std::this_thread::sleep_for(milliseconds(25));
      store->Poll();
    }
    ASSERT_TRUE(SyncStore(*store).FindLiveOrder("m-1", "order-1").ok());  // answered in order
  };
  const std::string warning = "live redemptions a bucket in its 4096 buckets";

  ASSERT_NO_FATAL_FAILURE(SetSampledBucketsFill(prefix_, "ob", 250));
  ASSERT_TRUE(FillBecomes(*store, 250)) << store->bucket_fill();
  ASSERT_NO_FATAL_FAILURE(sample_a_few_more());
  EXPECT_EQ(log.LinesWith(warning), 0U) << log.text();

  ASSERT_NO_FATAL_FAILURE(SetSampledBucketsFill(prefix_, "ob", 300));
  ASSERT_TRUE(FillBecomes(*store, 300)) << store->bucket_fill();
  ASSERT_NO_FATAL_FAILURE(sample_a_few_more());
  EXPECT_EQ(log.LinesWith(warning), 1U) << log.text();
  EXPECT_EQ(log.LinesWith("uudai redis-rebucket --redis-buckets 65536"), 1U) << log.text();

  // Down to 200 (above three quarters of the mark) and up again: no second warning.
  ASSERT_NO_FATAL_FAILURE(SetSampledBucketsFill(prefix_, "ob", 200));
  ASSERT_TRUE(FillBecomes(*store, 200)) << store->bucket_fill();
  ASSERT_NO_FATAL_FAILURE(SetSampledBucketsFill(prefix_, "ob", 280));
  ASSERT_TRUE(FillBecomes(*store, 280)) << store->bucket_fill();
  ASSERT_NO_FATAL_FAILURE(sample_a_few_more());
  EXPECT_EQ(log.LinesWith(warning), 1U) << log.text();

  // Down to 192 re-arms it; past 256 again warns again.
  ASSERT_NO_FATAL_FAILURE(SetSampledBucketsFill(prefix_, "ob", 192));
  ASSERT_TRUE(FillBecomes(*store, 192)) << store->bucket_fill();
  ASSERT_NO_FATAL_FAILURE(SetSampledBucketsFill(prefix_, "ob", 257));
  ASSERT_TRUE(FillBecomes(*store, 257)) << store->bucket_fill();
  ASSERT_NO_FATAL_FAILURE(sample_a_few_more());
  EXPECT_EQ(log.LinesWith(warning), 2U) << log.text();
}

// With bucket_fill_interval_millis 0 the buckets are sampled at Load only.
TEST_F(RedisBucketsTest, AGatewayToldNotToSampleKeepsTheFillItStartedWith) {
  auto store = LoadedSampling(0);
  ASSERT_NO_FATAL_FAILURE(FillSampledBuckets(prefix_, "ob", 300));
  for (int i = 0; i < 20; ++i) {
    store->Poll();
    std::this_thread::sleep_for(milliseconds(10));
  }
  // The store's one connection answers in order: a sample sent by a Poll above would be in
  // before this read is.
  ASSERT_TRUE(SyncStore(*store).FindLiveOrder("m-1", "order-1").ok());
  EXPECT_EQ(store->bucket_fill(), 0U);
}

// A spread store answers its fullest shard's fill.
TEST_F(RedisBucketsTest, ASpreadStoreAnswersItsFullestShardsFill) {
  auto layout = gateway::ShardLayout::Make(prefix_, 3);
  ASSERT_TRUE(layout.ok());
  {
    gateway::SpreadStoreOptions options;
    options.store.buckets = 4'096;
    testing::MakeSpreadStore(clock_, prefix_, 3, "", options);  // creates every shard's store
  }
  ASSERT_NO_FATAL_FAILURE(FillSampledBuckets(layout->prefix(2), "ob", 280));
  ASSERT_NO_FATAL_FAILURE(FillSampledBuckets(layout->prefix(1), "sb", 140));
  auto spread = testing::MakeSpreadStore(clock_, prefix_, 3, "", {});
  EXPECT_EQ(spread->bucket_fill(), 280U);
}

}  // namespace
}  // namespace uudai::store_test
