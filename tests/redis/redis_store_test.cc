// What only RedisStore has (the conformance suite covers the Store contract): several stores
// (gateways) sharing one Redis, the log-fed view, the script's recovery from SCRIPT FLUSH, and
// failing closed when Redis is down.
#include "store/redis/redis_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/store_test_support.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"

namespace uudai::store_test {
namespace {

using std::chrono::milliseconds;
using testing::MakeRedisStore;
using testing::OwnThreadStore;
using testing::RedisServer;
using testing::WaitUntil;

class RedisStoreTest : public ::testing::Test {
 protected:
  RedisStoreTest() : clock_(CampaignNow()), prefix_(testing::FreshKeyPrefix()) {}

  std::unique_ptr<gateway::RedisStore> NewGateway() { return MakeRedisStore(clock_, prefix_); }
  std::string Redis(const std::string& args) { return RedisServer::Shared().Cli(args); }

  ManualClock clock_;
  std::string prefix_;
};

TEST_F(RedisStoreTest, EightThreadsOnTwoGatewaysTakeExactlyTheQuota) {
  auto a = NewGateway();
  auto b = NewGateway();
  Offer offer = MakeOffer("o-quota");
  offer.limits.total_redemptions = 100;
  offer.limits.per_shopper = 3;
  const Offer stored = SyncStore(*a).CreateOffer(offer).value();
  std::mutex mutex;
  std::map<StatusCode, int> outcomes;
  std::map<std::string, int> wins_by_shopper;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      SyncStore store(t % 2 == 0 ? *a : *b);
      for (int i = 0; i < 60; ++i) {
        const std::string id = "r-" + std::to_string(t) + "-" + std::to_string(i);
        const std::string shopper = "s-" + std::to_string((t * 13 + i) % 40);
        const auto created =
            store.Create(RedemptionBuilder(id).Shopper(shopper).Apply(stored, 1'000).Build());
        std::lock_guard lock(mutex);
        ++outcomes[CodeOf(created)];
        if (created.ok()) ++wins_by_shopper[shopper];
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(outcomes[StatusCode::kOk], 100);
  EXPECT_EQ(outcomes[StatusCode::kOk] + outcomes[StatusCode::kQuotaExhausted] +
                outcomes[StatusCode::kPerShopperLimit],
            480);
  for (const auto& [shopper, wins] : wins_by_shopper) EXPECT_LE(wins, 3) << shopper;
  EXPECT_EQ(Redis("HGET '" + prefix_ + "o:o-quota' n"), "100");
  EXPECT_EQ(Redis("HGET '" + prefix_ + "o:o-quota' b"), "100000");
  // Both views end up with the same usage as Redis.
  for (auto* gateway : {a.get(), b.get()}) {
    gateway->Poll();
    EXPECT_TRUE(WaitUntil(
        [&] {
          return gateway->usage().UsageOf(stored, "s-0", DayOf(CampaignNow())).redemptions == 100;
        },
        milliseconds(2000)));
  }
}

// An offer's budget counter in Redis stays exact past 2^53, where Lua's numbers (doubles) skip
// odd integers: twelve odd discounts of nearly 10^15 đồng add up to an odd sum past 10^16.
TEST_F(RedisStoreTest, BudgetCounterStaysExactPast2To53) {
  auto gateway = NewGateway();
  SyncStore store(*gateway);
  const Offer offer = store.GivenOffer(MakeOffer("o-big"));
  constexpr Money kOddDiscount = kMaxAmount - 1;
  constexpr int kCount = 12;
  for (int i = 0; i < kCount; ++i) {
    const std::string id = "r-" + std::to_string(i);
    Result<CreateRedemptionOutcome> created = store.Create(
        RedemptionBuilder(id).Subtotal(kMaxAmount).Committed().Apply(offer, kOddDiscount).Build());
    ASSERT_TRUE(created.ok()) << i << ": " << created.status().message();
    EXPECT_EQ(Redis("HGET '" + prefix_ + "o:o-big' b"), std::to_string((i + 1) * kOddDiscount));
  }
  EXPECT_EQ(Redis("HGET '" + prefix_ + "o:o-big' n"), std::to_string(kCount));
}

// A refusal settled on one gateway is final for a request with the same key that was planned
// before it and is still in flight on another; a request planned well after it (past the
// clocks' allowed skew, 1 s) is a new attempt and may succeed.
TEST_F(RedisStoreTest, SettledRefusalFencesRequestsWithTheSameKeyPlannedBeforeIt) {
  auto a = NewGateway();
  auto b = NewGateway();
  SyncStore store_a(*a);
  const Offer offer = store_a.GivenOffer(MakeOffer("o-1"));
  const Redemption in_flight = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();

  Result<SettledRefusal> settled = Await<SettledRefusal>([&](Completion<SettledRefusal> done) {
    b->SettleRefusal(RefusalCheck{"key:k-1", "fp-1", "m-1", "order-r-1"}, std::move(done));
  });
  ASSERT_TRUE(settled.ok()) << settled.status().message();
  EXPECT_EQ(settled->replay, std::nullopt);
  EXPECT_EQ(settled->live_redemption_id, std::nullopt);
  EXPECT_EQ(store_a.FindIdempotentResponse("key:k-1", "fp-1").value(), std::nullopt)
      << "a fence is no outcome to replay";

  Result<CreateRedemptionOutcome> late =
      store_a.Create(in_flight, Claim("key:k-1", "fp-1", "first"));
  EXPECT_EQ(CodeOf(late), StatusCode::kRequestInProgress) << late.status().message();
  EXPECT_EQ(CodeOf(store_a.Get("r-1")), StatusCode::kNotFound);
  EXPECT_EQ(store_a.Usage(offer, "s-1", DayOf(CampaignNow())), (OfferUsage{0, 0, 0, 0}));
  // Another body under the same key is not the request the refusal answered.
  EXPECT_TRUE(store_a
                  .Create(RedemptionBuilder("r-2").Order("order-2").Apply(offer, 10'000).Build(),
                          Claim("key:k-2", "fp-1", "other key"))
                  .ok());

  clock_.Advance(2'000);
  const Redemption retried =
      RedemptionBuilder("r-3").CreatedAt(clock_.Now()).Apply(offer, 10'000).Build();
  Result<CreateRedemptionOutcome> again = store_a.Create(retried, Claim("key:k-1", "fp-1", "new"));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(again->replayed);
}

// The same holds for a refusal of the store's own (here a limit): a request with the same
// key and body planned before it, still in flight on another gateway, cannot succeed after
// the client was told no.
TEST_F(RedisStoreTest, StoresOwnRefusalFencesRequestsWithTheSameKeyPlannedBeforeIt) {
  auto a = NewGateway();
  auto b = NewGateway();
  SyncStore store_a(*a);
  SyncStore store_b(*b);
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 1;
  const Offer offer = store_a.GivenOffer(limited);
  store_a.GivenRedemption(RedemptionBuilder("r-0").Shopper("s-0").Apply(offer, 10'000).Build());
  const Redemption in_flight = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();

  EXPECT_EQ(CodeOf(store_b.Create(RedemptionBuilder("r-2").Apply(offer, 10'000).Build(),
                                  Claim("key:k-1", "fp-1", "retry"))),
            StatusCode::kQuotaExhausted);
  store_a.GivenTransition("r-0", RedemptionAction::kCancel);  // the quota is back
  Result<CreateRedemptionOutcome> late =
      store_a.Create(in_flight, Claim("key:k-1", "fp-1", "first"));
  EXPECT_EQ(CodeOf(late), StatusCode::kRequestInProgress) << late.status().message();
  EXPECT_EQ(store_a.Usage(offer, "s-1", DayOf(CampaignNow())), (OfferUsage{0, 0, 0, 0}));
}

TEST_F(RedisStoreTest, SettledRefusalReplaysAClaimAndNamesALiveOrderInOneCall) {
  auto a = NewGateway();
  SyncStore store(*a);
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                        Claim("key:k-1", "fp-1", "first response"));
  auto settle = [&](RefusalCheck check) {
    return Await<SettledRefusal>([&](Completion<SettledRefusal> done) {
      a->SettleRefusal(std::move(check), std::move(done));
    });
  };
  Result<SettledRefusal> replay = settle({"key:k-1", "fp-1", "m-1", "order-x"});
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->replay, "first response");
  EXPECT_EQ(CodeOf(settle({"key:k-1", "fp-other", "m-1", "order-x"})),
            StatusCode::kIdempotencyKeyReused);
  Result<SettledRefusal> order = settle({"key:k-2", "fp-2", "m-1", "order-r-1"});
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->replay, std::nullopt);
  EXPECT_EQ(order->live_redemption_id, "r-1");
}

TEST_F(RedisStoreTest, AnotherGatewaysOfferReachesTheViewAndTheObserverOnPoll) {
  auto a = NewGateway();
  auto b = NewGateway();
  std::atomic<int> seen{0};
  b->SetOfferObserver([&seen](const auto& offers) { seen += static_cast<int>(offers.size()); });
  SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  EXPECT_EQ(b->FindOffer("o-1"), nullptr);  // not read yet: b polls
  b->Poll();
  EXPECT_TRUE(WaitUntil([&] { return b->FindOffer("o-1") != nullptr; }, milliseconds(2000)));
  // The view holds the offer a moment before the observer hears of it (both on the poll's
  // thread): wait for the call, then check it came once.
  EXPECT_TRUE(WaitUntil([&] { return seen.load() >= 1; }, milliseconds(2000)));
  EXPECT_EQ(seen.load(), 1);
}

// Tiered and buy_x_get_y discounts travel as their journal line: another gateway's view, one
// loaded afterwards, and an update that changes the discount's type all read them back whole.
Offer TieredOffer(std::string id, TierBasis basis, std::vector<DiscountTier> tiers) {
  Offer offer = MakeOffer(std::move(id));
  offer.discount = Discount::Tiered(basis, std::move(tiers));
  return offer;
}

Offer BuyXGetYOffer(std::string id, std::int64_t buy, std::int64_t get, std::int64_t percent,
                    std::optional<std::int64_t> max_sets) {
  Offer offer = MakeOffer(std::move(id));
  offer.discount = Discount::BuyXGetY(buy, get, percent, max_sets);
  return offer;
}

std::vector<Offer> TieredAndBuyXGetYOffers() {
  return {
      TieredOffer("o-tier-subtotal", TierBasis::kSubtotal,
                  {{200'000, DiscountType::kFixed, 20'000, std::nullopt},
                   {500'000, DiscountType::kPercent, 10, 60'000},
                   {1'000'000, DiscountType::kPercent, 12, std::nullopt}}),
      TieredOffer("o-tier-quantity", TierBasis::kQuantity,
                  {{3, DiscountType::kPercent, 5, std::nullopt},
                   {6, DiscountType::kFixed, 100'000, std::nullopt}}),
      BuyXGetYOffer("o-bogo", 2, 1, 100, std::nullopt),
      BuyXGetYOffer("o-bogo-capped", 3, 2, 50, 4),
  };
}

TEST_F(RedisStoreTest, AnotherGatewayReadsTieredAndBuyXGetYOffersBackEqual) {
  auto a = NewGateway();
  auto b = NewGateway();
  std::vector<Offer> stored;
  for (const Offer& offer : TieredAndBuyXGetYOffers()) {
    const Result<Offer> created = SyncStore(*a).CreateOffer(offer);
    ASSERT_TRUE(created.ok()) << offer.id << ": " << created.status().message();
    EXPECT_EQ(created->discount, offer.discount) << offer.id;
    stored.push_back(created.value());
  }

  b->Poll();

  for (const Offer& offer : stored) {
    ASSERT_TRUE(WaitUntil([&] { return b->FindOffer(offer.id) != nullptr; }, milliseconds(2000)))
        << offer.id;
    EXPECT_EQ(*b->FindOffer(offer.id), offer) << offer.id;
    EXPECT_EQ(*a->FindOffer(offer.id), offer) << offer.id;
  }
  // A gateway started afterwards loads them from Redis as they are.
  auto c = NewGateway();
  for (const Offer& offer : stored) {
    const auto loaded = c->FindOffer(offer.id);
    ASSERT_NE(loaded, nullptr) << offer.id;
    EXPECT_EQ(*loaded, offer) << offer.id;
  }
}

TEST_F(RedisStoreTest, AnUpdateToATieredDiscountReachesAnotherGatewayWhole) {
  auto a = NewGateway();
  auto b = NewGateway();
  const Offer created = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  b->Poll();
  ASSERT_TRUE(WaitUntil([&] { return b->FindOffer("o-1") != nullptr; }, milliseconds(2000)));

  Offer tiered = created;
  tiered.discount = TieredAndBuyXGetYOffers()[0].discount;
  const Offer updated = SyncStore(*a).UpdateOffer(tiered, 1).value();
  ASSERT_EQ(updated.version, 2);
  b->Poll();
  ASSERT_TRUE(WaitUntil([&] { return b->FindOffer("o-1")->version == 2; }, milliseconds(2000)));
  EXPECT_EQ(*b->FindOffer("o-1"), updated);
  EXPECT_EQ(b->FindOffer("o-1")->discount, tiered.discount);

  Offer bogo = updated;
  bogo.discount = TieredAndBuyXGetYOffers()[3].discount;
  const Offer again = SyncStore(*a).UpdateOffer(bogo, 2).value();
  b->Poll();
  ASSERT_TRUE(WaitUntil([&] { return b->FindOffer("o-1")->version == 3; }, milliseconds(2000)));
  EXPECT_EQ(*b->FindOffer("o-1"), again);
  EXPECT_EQ(b->FindOffer("o-1")->discount, bogo.discount);
}

TEST_F(RedisStoreTest, ShopperTagsOfAnOfferReachAnotherGatewayAndAreClearedByAnUpdate) {
  auto a = NewGateway();
  auto b = NewGateway();
  Offer offer = MakeOffer("o-new-users");
  offer.shopper_tags = std::vector<std::string>{"new_user", "student"};
  const Offer created = SyncStore(*a).CreateOffer(offer).value();
  b->Poll();
  ASSERT_TRUE(
      WaitUntil([&] { return b->FindOffer("o-new-users") != nullptr; }, milliseconds(2000)));
  EXPECT_EQ(b->FindOffer("o-new-users")->shopper_tags, offer.shopper_tags);

  Offer for_everyone = created;
  for_everyone.shopper_tags.reset();
  ASSERT_TRUE(SyncStore(*a).UpdateOffer(for_everyone, 1).ok());
  b->Poll();
  ASSERT_TRUE(
      WaitUntil([&] { return b->FindOffer("o-new-users")->version == 2; }, milliseconds(2000)));
  EXPECT_FALSE(b->FindOffer("o-new-users")->shopper_tags.has_value());
  auto c = NewGateway();  // loads it from Redis
  ASSERT_NE(c->FindOffer("o-new-users"), nullptr);
  EXPECT_FALSE(c->FindOffer("o-new-users")->shopper_tags.has_value());
}

// A PATCH that lost a race merges again onto the version it lost to (Store::UpdateOffer):
// when another gateway moved the version, the refusal comes once this view shows it.
TEST_F(RedisStoreTest, AVersionMismatchAnswersOnceTheViewShowsAnotherGatewaysNewerVersion) {
  auto a = NewGateway();
  auto b = NewGateway();
  const Offer offer = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  b->Poll();
  ASSERT_TRUE(WaitUntil([&] { return b->FindOffer("o-1") != nullptr; }, milliseconds(2000)));
  Offer theirs = offer;
  theirs.priority = 5;
  ASSERT_TRUE(SyncStore(*a).UpdateOffer(theirs, 1).ok());
  ASSERT_EQ(b->FindOffer("o-1")->version, 1);  // not read yet: b polls

  Offer mine = offer;
  mine.priority = 7;
  const Result<Offer> refused = SyncStore(*b).UpdateOffer(mine, 1);

  EXPECT_EQ(refused.status().code(), StatusCode::kVersionMismatch);
  const auto seen = b->FindOffer("o-1");
  EXPECT_EQ(seen->version, 2);
  EXPECT_EQ(seen->priority, 5);
}

TEST_F(RedisStoreTest, StatsReadOnAnyGatewayIncludeEveryGatewaysWrites) {
  auto a = NewGateway();
  auto b = NewGateway();
  const Offer offer = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  SyncStore(*a).Create(RedemptionBuilder("r-1").Apply(offer, 1'000).Committed().Build()).value();
  SyncStore(*b).Create(RedemptionBuilder("r-2").Apply(offer, 2'000).Committed().Build()).value();
  // No Poll: a stats read catches up with the log first.
  for (auto* gateway : {a.get(), b.get()}) {
    const OfferStats stats = SyncStore(*gateway).Stats("o-1").value();
    EXPECT_EQ(stats.totals.count(RedemptionStatus::kCommitted), 2);
    EXPECT_EQ(stats.totals.discount_committed, 3'000);
  }
}

// The view keeps counters, not redemptions: another gateway's transitions reach it through
// the log, each carrying its redemption, and the ledger is read from Redis itself.
TEST_F(RedisStoreTest, AnotherGatewaysTransitionsReachTheViewAndTheLedgerComesFromRedis) {
  auto a = NewGateway();
  auto b = NewGateway();
  const Offer offer = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  SyncStore on_a(*a);
  on_a.Create(RedemptionBuilder("r-1").Shopper("s-1").Apply(offer, 1'000).Build()).value();
  on_a.Create(RedemptionBuilder("r-2").Shopper("s-1").Apply(offer, 2'000).Build()).value();
  on_a.Create(RedemptionBuilder("r-3").Shopper("s-2").Apply(offer, 4'000).Committed().Build())
      .value();
  on_a.Commit("r-1").value();
  on_a.Cancel("r-2").value();
  on_a.Refund("r-3").value();

  SyncStore on_b(*b);
  const OfferStats stats = on_b.Stats("o-1").value();  // catches up with the log first
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kCommitted), 1);
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kReleased), 1);
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kRefunded), 1);
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kReserved), 0);
  EXPECT_EQ(stats.totals.discount_committed, 1'000);
  // r-1 still holds its unit; r-2 gave its back; r-3 restored its own on refund.
  EXPECT_EQ(on_b.Usage(offer, "s-1", DayOf(CampaignNow())).redemptions, 1);
  EXPECT_EQ(on_b.Usage(offer, "s-1", DayOf(CampaignNow())).budget_spent, 1'000);

  const auto page = Await<LedgerPage>(
      [&](Completion<LedgerPage> done) { b->ReadLedger(LedgerPageQuery{}, std::move(done)); });
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->rows.size(), 3U);
  EXPECT_EQ(page->rows[0].id, "r-1");
  EXPECT_EQ(page->rows[0].status, RedemptionStatus::kCommitted);
  EXPECT_EQ(page->rows[2].status, RedemptionStatus::kRefunded);
  EXPECT_TRUE(page->done());
  EXPECT_EQ(Redis("LLEN '" + prefix_ + "ledger'"), "3");
}

TEST_F(RedisStoreTest, TheFirstGatewayMarksTheStoresFormatAndAnotherGatewayLoadsIt) {
  EXPECT_EQ(Redis("EXISTS '" + prefix_ + "format'"), "0");
  auto a = NewGateway();  // an empty store loads, and is created: its format and bucket count
  EXPECT_EQ(Redis("GET '" + prefix_ + "format'"), "10");
  EXPECT_EQ(Redis("GET '" + prefix_ + "buckets'"), "65536");
  EXPECT_EQ(Redis("EXISTS '" + prefix_ + "seq'"), "0");  // nothing is in the log yet
  SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  EXPECT_EQ(Redis("GET '" + prefix_ + "format'"), "10");
  auto b = testing::MakeUnloadedRedisStore(clock_, prefix_);
  const Status loaded = b->Load(milliseconds(5'000));
  EXPECT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_NE(b->FindOffer("o-1"), nullptr);
}

// Live orders and shoppers' counts share a few small hashes (ob:<bucket>, sb:<bucket>) that
// Redis keeps as compact listpacks, not one large hash and a key per shopper; a shopper whose
// last live redemption goes leaves its bucket, and so does the order.
TEST_F(RedisStoreTest, LiveOrdersAndShoppersCountsAreKeptInSmallBuckets) {
  auto a = NewGateway();
  const Offer offer = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  constexpr int kRedemptions = 300;
  for (int i = 0; i < kRedemptions; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(SyncStore(*a)
                    .Create(RedemptionBuilder("r-" + n)
                                .Shopper("s-" + n)
                                .Order("order-" + n)
                                .Apply(offer, 1'000)
                                .Build())
                    .ok());
  }
  const auto keys = [this](const std::string& pattern) {
    return Redis("--scan --pattern '" + prefix_ + pattern + "' | wc -l");
  };
  EXPECT_EQ(keys("orders*"), "0");
  EXPECT_EQ(keys("s:*"), "0");
  const int order_buckets = std::stoi(keys("ob:*"));
  const int shopper_buckets = std::stoi(keys("sb:*"));
  EXPECT_GT(order_buckets, 200);  // 300 orders over 65,536 buckets: few share one
  EXPECT_LE(order_buckets, kRedemptions);
  EXPECT_GT(shopper_buckets, 200);
  EXPECT_EQ(testing::ShopperCount(prefix_, "s-7", "p"), "1");
  EXPECT_EQ(testing::ShopperCount(prefix_, "s-7", "o:o-1"), "1");
  const std::string sample = Redis("--scan --pattern '" + prefix_ + "sb:*' | head -1");
  EXPECT_EQ(Redis("OBJECT ENCODING '" + sample + "'"), "listpack");
  EXPECT_EQ(SyncStore(*a).FindLiveOrder("m-1", "order-7").value(),
            std::optional<std::string>("r-7"));

  ASSERT_TRUE(SyncStore(*a).Cancel("r-7").ok());
  EXPECT_EQ(testing::ShopperCount(prefix_, "s-7", "p"), "");
  EXPECT_EQ(SyncStore(*a).FindLiveOrder("m-1", "order-7").value(), std::nullopt);
  EXPECT_EQ(SyncStore(*a).FindLiveOrder("m-1", "order-8").value(),
            std::optional<std::string>("r-8"));
}

// Nothing longer than a listpack's value goes into a bucket: a shopper whose counts outgrow it
// (an id shared by many checkouts, at many shops) gets a hash of its own, which a call reads
// only the counts it needs of, until it empties; a long order key or shopper id is kept as its
// SHA-1. Limits and first orders count the same either way.
TEST_F(RedisStoreTest, LongCountsAndLongIdsStayOutOfTheBuckets) {
  auto a = NewGateway();
  const Offer offer = SyncStore(*a).CreateOffer(MakePlatformOffer("o-1")).value();
  Offer first = MakePlatformOffer("o-first");
  first.first_order = true;
  const Offer first_order = SyncStore(*a).CreateOffer(first).value();
  constexpr int kShops = 6;
  for (int k = 0; k < kShops; ++k) {
    const std::string n = std::to_string(k);
    ASSERT_TRUE(SyncStore(*a)
                    .Create(RedemptionBuilder("r-guest-" + n)
                                .Shopper("guest")
                                .Merchant("shop-with-a-longer-name-" + n)
                                .Order("order-" + n)
                                .Apply(offer, 1'000)
                                .Build())
                    .ok());
  }
  const auto bucket_field = [this](const std::string& bucket_kind, const std::string& text) {
    return testing::BucketField(prefix_, bucket_kind, text);
  };
  EXPECT_EQ(bucket_field("sb", "guest"), "*");  // 6 shops' counts: past 64 bytes
  EXPECT_EQ(Redis("HGET '" + prefix_ + "s:guest' p"), std::to_string(kShops));
  EXPECT_EQ(testing::ShopperCount(prefix_, "guest", "m:shop-with-a-longer-name-3"), "1");
  EXPECT_EQ(testing::ShopperCount(prefix_, "guest", "o:o-1"), std::to_string(kShops));
  // A first-order offer sees the live redemptions kept there.
  EXPECT_EQ(CodeOf(SyncStore(*a).Create(RedemptionBuilder("r-guest-first")
                                            .Shopper("guest")
                                            .Order("order-first")
                                            .Apply(first_order, 1'000)
                                            .Build())),
            StatusCode::kNotFirstOrder);
  for (int k = 0; k < kShops; ++k) {
    ASSERT_TRUE(SyncStore(*a).Cancel("r-guest-" + std::to_string(k)).ok());
  }
  EXPECT_EQ(Redis("EXISTS '" + prefix_ + "s:guest'"), "0");
  EXPECT_EQ(bucket_field("sb", "guest"), "");
  // Back in its bucket with the next one.
  ASSERT_TRUE(SyncStore(*a)
                  .Create(RedemptionBuilder("r-guest-again")
                              .Shopper("guest")
                              .Order("order-again")
                              .Apply(first_order, 1'000)
                              .Build())
                  .ok());
  EXPECT_EQ(testing::ShopperCount(prefix_, "guest", "p"), "1");
  EXPECT_NE(bucket_field("sb", "guest"), "*");

  // A 100-byte shopper id and a 97-byte order key.
  const std::string shopper(100, 's');
  const std::string merchant = "shop-" + std::string(60, 'm');
  const std::string order = "order-" + std::string(30, 'o');
  ASSERT_TRUE(SyncStore(*a)
                  .Create(RedemptionBuilder("r-long")
                              .Shopper(shopper)
                              .Merchant(merchant)
                              .Order(order)
                              .Apply(offer, 1'000)
                              .Build())
                  .ok());
  EXPECT_EQ(testing::ShopperCount(prefix_, shopper, "p"), "1");
  // Kept under their SHA-1s, the buckets stay listpacks.
  const auto bucket_of = [this](const std::string& bucket_kind, const std::string& text) {
    return testing::BucketKey(prefix_, bucket_kind, text);
  };
  EXPECT_EQ(bucket_field("ob", merchant + "\x1f" + order), "r-long");
  EXPECT_EQ(Redis("OBJECT ENCODING '" + bucket_of("ob", merchant + "\x1f" + order) + "'"),
            "listpack");
  EXPECT_EQ(Redis("OBJECT ENCODING '" + bucket_of("sb", shopper) + "'"), "listpack");
  EXPECT_EQ(SyncStore(*a).FindLiveOrder(merchant, order).value(),
            std::optional<std::string>("r-long"));
  EXPECT_EQ(CodeOf(SyncStore(*a).Create(RedemptionBuilder("r-long-2")
                                            .Shopper("x")
                                            .Merchant(merchant)
                                            .Order(order)
                                            .Apply(offer, 1'000)
                                            .Build())),
            StatusCode::kOrderAlreadyRedeemed);
  ASSERT_TRUE(SyncStore(*a).Cancel("r-long").ok());
  EXPECT_EQ(SyncStore(*a).FindLiveOrder(merchant, order).value(), std::nullopt);
  EXPECT_EQ(testing::ShopperCount(prefix_, shopper, "p"), "");
}

// A log written by a build before the format key (its transitions carry no redemption, which
// a counters-only view cannot count) or in another format: the gateway refuses to start
// rather than serve wrong counters.
TEST_F(RedisStoreTest, AStoreWrittenInAnotherFormatIsRefusedAtLoad) {
  {
    auto a = NewGateway();
    SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  }
  ASSERT_EQ(Redis("DEL '" + prefix_ + "format'"), "1");  // as an older build left it
  auto b = testing::MakeUnloadedRedisStore(clock_, prefix_);
  Status loaded = b->Load(milliseconds(5'000));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.code(), StatusCode::kInternal);
  EXPECT_NE(loaded.message().find("format 1 (no format key), this build reads formats 10 and 9"),
            std::string::npos)
      << loaded.message();
  EXPECT_EQ(b->FindOffer("o-1"), nullptr);  // nothing of the log was read

  // The format before live orders and shoppers' counts were kept in buckets: its `orders` hash
  // and `s:<shopper>` keys would be read as no live order and no live redemption at all.
  ASSERT_EQ(Redis("SET '" + prefix_ + "format' 8"), "OK");
  auto c = testing::MakeUnloadedRedisStore(clock_, prefix_);
  loaded = c->Load(milliseconds(5'000));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.message().find("in format 8, this build reads formats 10 and 9"),
            std::string::npos)
      << loaded.message();
  ASSERT_EQ(Redis("SET '" + prefix_ + "format' 11"), "OK");  // a newer build's
  auto d = testing::MakeUnloadedRedisStore(clock_, prefix_);
  loaded = d->Load(milliseconds(5'000));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.message().find("in format 11, this build reads formats 10 and 9"),
            std::string::npos)
      << loaded.message();
}

TEST_F(RedisStoreTest, FunctionFlushIsRecoveredFromTransparently) {
  auto a = NewGateway();
  const Offer offer = SyncStore(*a).CreateOffer(MakeOffer("o-1")).value();
  ASSERT_EQ(Redis("FUNCTION FLUSH"), "OK");
  const auto created = SyncStore(*a).Create(RedemptionBuilder("r-1").Apply(offer, 1'000).Build());
  EXPECT_TRUE(created.ok()) << created.status().message();
  const auto read = SyncStore(*a).Get("r-1");
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->status, RedemptionStatus::kReserved);
}

// The expiry index naming ids that are no reservation (the script never leaves one there) must
// not stall the sweep, nor be counted: they are dropped, and the due reservation behind them
// expires in the same call of ExpireDue.
TEST_F(RedisStoreTest, ExpiryIndexIdsThatAreNoReservationAreDroppedUncounted) {
  auto gateway = NewGateway();
  SyncStore store(*gateway);
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 1'000).TtlMillis(1'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-2").Apply(offer, 1'000).Committed().Build());
  for (int i = 0; i < 40; ++i) {  // due before r-1, more than a script call takes
    Redis("ZADD '" + prefix_ + "expiry' 0 ghost-" + std::to_string(i));
  }
  Redis("ZADD '" + prefix_ + "expiry' 0 r-2");  // committed
  clock_.Advance(1'000);

  EXPECT_EQ(store.ExpireDue(100).value(), 1u);

  EXPECT_EQ(store.Get("r-1")->status, RedemptionStatus::kExpired);
  EXPECT_EQ(store.Get("r-2")->status, RedemptionStatus::kCommitted);
  EXPECT_EQ(Redis("ZCARD '" + prefix_ + "expiry'"), "0");
  EXPECT_EQ(Redis("HGET '" + prefix_ + "o:o-1' n"), "1");
}

TEST_F(RedisStoreTest, EveryWriteIsOneFunctionCall) {
  auto server = RedisServer::StartPrivate({});
  ASSERT_NE(server, nullptr);
  OwnThreadStore own(server->url(), clock_, prefix_);
  gateway::RedisStore& store = own.store();
  SyncStore sync(store);
  const Offer offer = sync.CreateOffer(MakeOffer("o-1")).value();
  // The first call loads the library (FCALL, FUNCTION LOAD, FCALL): count from here on.
  ASSERT_EQ(server->Cli("CONFIG RESETSTAT"), "OK");
  for (int i = 0; i < 20; ++i) {
    const std::string id = "r-" + std::to_string(i);
    sync.Create(RedemptionBuilder(id).Apply(offer, 1'000).Build()).value();
    if (i % 2 == 0) sync.Commit(id).value();
    if (i % 2 == 1) sync.Cancel(id).value();
  }
  const std::string stats = server->Cli("INFO commandstats");
  EXPECT_NE(stats.find("cmdstat_fcall:calls=40,"), std::string::npos) << stats;
  // Nothing else was sent by the gateway for these writes: no EVAL, no MULTI, no plain
  // HSET/HINCRBY round trips (those inside the function are counted by Redis too, under the
  // function's own calls, so check the ones a client would have to send on its own).
  for (const char* command : {"cmdstat_eval:", "cmdstat_evalsha:", "cmdstat_multi:",
                              "cmdstat_exec:", "cmdstat_function|load:"}) {
    EXPECT_EQ(stats.find(command), std::string::npos) << command << "\n" << stats;
  }
}

// A store on a Redis server of the test's own (which the test may stop or reconfigure),
// holding one offer "o-1", ready.
class RedisStoreOnPrivateServerTest : public RedisStoreTest {
 protected:
  void SetUp() override {
    server_ = RedisServer::StartPrivate({});
    ASSERT_NE(server_, nullptr);
    own_ = std::make_unique<OwnThreadStore>(server_->url(), clock_, prefix_);
    offer_ = SyncStore(own_->store()).CreateOffer(MakeOffer("o-1")).value();
    ASSERT_TRUE(own_->store().ready());
  }

  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<OwnThreadStore> own_;
  Offer offer_;
};

TEST_F(RedisStoreOnPrivateServerTest, RedisDownIsUnavailableAndNotReadyThenRecovers) {
  RedisServer* server = server_.get();
  gateway::RedisStore& store = own_->store();
  SyncStore sync(store);
  const Offer& offer = offer_;

  server->Kill();
  EXPECT_TRUE(WaitUntil([&] { return !store.ready(); }, milliseconds(3000)));
  EXPECT_EQ(CodeOf(sync.Create(RedemptionBuilder("r-1").Apply(offer, 1'000).Build())),
            StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf(sync.CreateOffer(MakeOffer("o-2"))), StatusCode::kUnavailable);
  // The view still answers quotes.
  EXPECT_NE(store.FindOffer("o-1"), nullptr);

  ASSERT_TRUE(server->Restart());
  EXPECT_TRUE(WaitUntil([&] { return store.ready(); }, milliseconds(5000)));
}

TEST_F(RedisStoreOnPrivateServerTest, RedisRefusingWritesIsNotReadyUntilAProbeGetsThrough) {
  RedisServer* server = server_.get();
  gateway::RedisStore& store = own_->store();
  SyncStore sync(store);
  const Offer& offer = offer_;

  ASSERT_TRUE(sync.Create(RedemptionBuilder("r-0").Order("order-0").Apply(offer, 1'000).Build(),
                          Claim("key:k-0", "fp-0", "the first response"))
                  .ok());
  // Over maxmemory (noeviction): Redis answers, but refuses every write with OOM.
  ASSERT_EQ(server->Cli("CONFIG SET maxmemory 1"), "OK");
  EXPECT_EQ(CodeOf(sync.Create(RedemptionBuilder("r-1").Apply(offer, 1'000).Build())),
            StatusCode::kUnavailable);
  EXPECT_FALSE(store.ready()) << "Redis refuses writes: /readyz must say 503";
  EXPECT_EQ(server->Cli("HEXISTS " + prefix_ + "rec r-1"), "0") << "nothing half-written";
  EXPECT_NE(store.FindOffer("o-1"), nullptr) << "quotes keep working from the view";
  // Reads run in the read-only function, which Redis serves over maxmemory too: a retry of a
  // request that was answered gets its first response.
  const auto replayed = sync.FindIdempotentResponse("key:k-0", "fp-0");
  ASSERT_TRUE(replayed.ok()) << replayed.status().message();
  EXPECT_EQ(replayed.value(), std::optional<std::string>("the first response"));
  // The probes Poll() sends are refused too, and so is every call of the store function, even
  // one that would only read (the gateway's expiry sweep, every second): still not ready.
  for (int i = 0; i < 15; ++i) {
    EXPECT_EQ(CodeOf(sync.ExpireDue()), StatusCode::kUnavailable) << "the function is refused too";
    store.Poll();
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_FALSE(store.ready());
  EXPECT_EQ(server->Cli("EXISTS " + prefix_ + "ready-probe"), "0");

  ASSERT_EQ(server->Cli("CONFIG SET maxmemory 0"), "OK");
  EXPECT_TRUE(WaitUntil(
      [&] {
        store.Poll();
        return store.ready();
      },
      milliseconds(3000)))
      << "a probe once a second must find that Redis takes writes again";
  EXPECT_TRUE(sync.Create(RedemptionBuilder("r-2").Apply(offer, 1'000).Build()).ok());
}

}  // namespace
}  // namespace uudai::store_test
