// Redemptions whose offers are kept in another shard than the redemption (CreateAcrossShards,
// SagaSweeper), with two shards of a store on a real redis-server: the offer is counted in its
// shard and the redemption lives at its home; the shopper's limits are checked at the home; a
// refusal anywhere leaves nothing counted; a gateway that stops half-way leaves holds that the
// sweeper settles with the home after their deadline; cancels, expiries and refunds at the
// home give the holds back through the home's queue; racing redemptions never pass a limit.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/store_test_support.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/redis/cross_shard_create.h"
#include "store/redis/offer_holds.h"
#include "store/redis/redis_store.h"
#include "store/redis/redis_store_core.h"
#include "store/redis/saga_sweeper.h"

namespace uudai::store_test {
namespace {

using gateway::CreateAcrossShards;
using gateway::HeldElsewhere;
using gateway::HoldRequest;
using gateway::OfferHolds;
using gateway::SagaShard;
using gateway::SagaSweep;
using gateway::SagaSweeper;
using namespace std::chrono_literals;
using testing::RedisServer;

Timestamp WallIn(std::chrono::milliseconds from_now) {
  return Timestamp{gateway::WallMillis() + from_now.count()};
}

// One shard: a store under keys of its own, and its holds on a connection of the test's.
struct TestShard {
  TestShard(const Clock& clock, testing::IoThread& io, const std::string& name)
      : prefix(testing::FreshKeyPrefix()),
        store(testing::MakeRedisStore(clock, prefix)),
        connection(gateway::RedisConnection::Create(
            io.io(), testing::OptionsFor(RedisServer::Shared().url()))) {
    connection->Start();
    EXPECT_TRUE(testing::WaitUntil([&] { return connection->connected(); }, 5000ms));
    shard = SagaShard{name, store.get(),
                      std::make_shared<OfferHolds>(connection, prefix, CampaignZone())};
  }
  ~TestShard() { connection->Stop(); }

  std::string Cli(const std::string& command_and_key, const std::string& rest = "") const {
    const auto space = command_and_key.find(' ');
    return RedisServer::Shared().Cli(command_and_key.substr(0, space) + " '" + prefix +
                                     command_and_key.substr(space + 1) + "' " + rest);
  }
  // A field of an offer's counters here ("" when absent).
  std::string Counter(const std::string& offer_id, const std::string& field) const {
    return Cli("HGET o:" + offer_id, "'" + field + "'");
  }

  std::string prefix;
  std::unique_ptr<gateway::RedisStore> store;
  std::shared_ptr<gateway::RedisConnection> connection;
  SagaShard shard;
};

class CrossShardSagaTest : public ::testing::Test {
 protected:
  CrossShardSagaTest() : clock_(CampaignNow()), home_(clock_, io_, "a"), away_(clock_, io_, "b") {}

  // `r` created at home (shard a), each applied offer in the shard `where` names ("a" or "b").
  Result<CreateRedemptionOutcome> Redeem(Redemption r, const std::string& where,
                                         std::optional<IdempotencyClaim> claim = std::nullopt,
                                         std::chrono::milliseconds time_left = 10s) {
    std::vector<const SagaShard*> placement;
    for (char c : where) placement.push_back(c == 'a' ? &home_.shard : &away_.shard);
    return Await<CreateRedemptionOutcome>([&](Completion<CreateRedemptionOutcome> done) {
      CreateAcrossShards(home_.shard, placement, {std::move(r), std::move(claim)},
                         WallIn(time_left), std::move(done));
    });
  }

  Result<SagaSweep> Sweep() {
    SagaSweeper sweeper({home_.shard, away_.shard});
    return Await<SagaSweep>([&](Completion<SagaSweep> done) { sweeper.Sweep(100, done); });
  }

  Offer CreateIn(TestShard& shard, Offer offer) {
    Result<Offer> created = SyncStore(*shard.store).CreateOffer(std::move(offer));
    EXPECT_TRUE(created.ok()) << created.status().message();
    return created.ok() ? created.value() : Offer{};
  }

  // The hold of `r`'s offers (all kept away) alone, as a gateway that stopped after it leaves.
  Result<gateway::HoldOutcome> HoldOnly(const Redemption& r, Timestamp deadline) {
    return Await<gateway::HoldOutcome>([&](Completion<gateway::HoldOutcome> done) {
      away_.shard.holds->Hold(HoldRequest{r.id, "a", r.created_at, deadline, r.applied}, done);
    });
  }

  ManualClock clock_;
  testing::IoThread io_;
  TestShard home_;
  TestShard away_;
};

Offer WithQuota(Offer offer, std::int64_t total) {
  offer.limits.total_redemptions = total;
  return offer;
}

TEST_F(CrossShardSagaTest, AnOfferKeptAwayIsCountedThereAndTheRedemptionLivesAtHome) {
  const Offer here = CreateIn(home_, MakeOffer("o-here"));
  const Offer away = CreateIn(away_, WithQuota(MakePlatformOffer("o-away"), 5));
  const auto created =
      Redeem(RedemptionBuilder("r-1").Apply(here, 10'000).Apply(away, 20'000).Build(), "ab");
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_FALSE(created->replayed);

  EXPECT_EQ(home_.Counter("o-here", "n"), "1");
  EXPECT_EQ(away_.Counter("o-away", "n"), "1");
  EXPECT_EQ(away_.Counter("o-away", "b"), "20000");
  EXPECT_EQ(home_.Counter("o-away", "n"), "");  // not kept at home: not counted there
  EXPECT_EQ(testing::ShopperCount(home_.prefix, "s-1", "o:o-away"), "1");
  EXPECT_EQ(home_.Cli("HEXISTS rec", "r-1"), "1");
  EXPECT_EQ(away_.Cli("HEXISTS rec", "r-1"), "0");
  // The hold is confirmed (best effort, right after the create): never due.
  ASSERT_TRUE(
      testing::WaitUntil([&] { return away_.Cli("GET h:r-1").rfind("C", 0) == 0; }, 5000ms));
  EXPECT_EQ(away_.Cli("ZCARD holds"), "0");
  EXPECT_TRUE(SyncStore(*home_.store).Get("r-1").ok());
}

TEST_F(CrossShardSagaTest, TheShoppersLimitsOfAnOfferKeptAwayAreCheckedAtHome) {
  Offer once = MakeOffer("o-once");
  once.limits.per_shopper = 1;
  once = CreateIn(away_, once);
  ASSERT_TRUE(Redeem(RedemptionBuilder("r-1").Apply(once, 10'000).Build(), "b").ok());
  const auto second = Redeem(RedemptionBuilder("r-2").Apply(once, 10'000).Build(), "b");
  EXPECT_EQ(CodeOf(second), StatusCode::kPerShopperLimit);
  EXPECT_EQ(second.status().offer_id(), std::optional<std::string>("o-once"));
  // The second hold was released: one redemption, one count.
  ASSERT_TRUE(testing::WaitUntil([&] { return away_.Counter("o-once", "n") == "1"; }, 5000ms));
  EXPECT_EQ(away_.Cli("GET h:r-2"), "R");
  // Another shopper still may.
  EXPECT_TRUE(
      Redeem(RedemptionBuilder("r-3").Shopper("s-2").Apply(once, 10'000).Build(), "b").ok());

  Offer first = MakePlatformOffer("o-first");
  first.first_order = true;
  first = CreateIn(away_, first);
  const auto not_first =
      Redeem(RedemptionBuilder("r-4").Order("order-4").Apply(first, 10'000).Build(), "b");
  EXPECT_EQ(CodeOf(not_first), StatusCode::kNotFirstOrder);
  ASSERT_TRUE(testing::WaitUntil([&] { return away_.Counter("o-first", "n") == "0"; }, 5000ms));
  EXPECT_TRUE(
      Redeem(RedemptionBuilder("r-5").Shopper("s-new").Apply(first, 10'000).Build(), "b").ok());
}

TEST_F(CrossShardSagaTest, AHoldRefusedAwayIsAnsweredAsTheHomeAnswersARefusal) {
  const Offer scarce = CreateIn(away_, WithQuota(MakeOffer("o-scarce"), 1));
  const IdempotencyClaim claim = Claim("key-1", "body-1", "first response");
  const auto first = Redeem(RedemptionBuilder("r-1").Apply(scarce, 10'000).Build(), "b", claim);
  ASSERT_TRUE(first.ok()) << first.status().message();

  // The same request again (a retry: another attempt id): its hold finds the quota used,
  // and the answer is the first one.
  const auto retry = Redeem(RedemptionBuilder("r-1b").Apply(scarce, 10'000).Build(), "b", claim);
  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->redemption.id, "r-1");
  EXPECT_EQ(retry->response, "first response");
  // The same order under another key: it has a live redemption.
  const auto same_order =
      Redeem(RedemptionBuilder("r-2").Order("order-r-1").Apply(scarce, 10'000).Build(), "b",
             Claim("key-2", "body-2", "x"));
  EXPECT_EQ(CodeOf(same_order), StatusCode::kOrderAlreadyRedeemed);
  // Another order: the refusal itself.
  const auto other = Redeem(RedemptionBuilder("r-3").Apply(scarce, 10'000).Build(), "b",
                            Claim("key-3", "body-3", "x"));
  EXPECT_EQ(CodeOf(other), StatusCode::kQuotaExhausted);
  EXPECT_EQ(away_.Counter("o-scarce", "n"), "1");
  EXPECT_EQ(home_.Cli("LLEN ledger"), "1");
}

TEST_F(CrossShardSagaTest, CancelsExpiriesAndRefundsAtHomeGiveTheHoldsBackThroughTheQueue) {
  const Offer scarce = CreateIn(away_, WithQuota(MakeOffer("o-scarce"), 1));
  Offer kept = MakeOffer("o-kept");
  kept.restore_on_refund = false;
  kept = CreateIn(away_, kept);

  // Cancelled.
  ASSERT_TRUE(Redeem(RedemptionBuilder("r-1").Apply(scarce, 10'000).Build(), "b").ok());
  ASSERT_TRUE(SyncStore(*home_.store).Cancel("r-1").ok());
  EXPECT_EQ(home_.Cli("LLEN out"), "1");
  EXPECT_EQ(away_.Counter("o-scarce", "n"), "1");  // until the release is sent
  EXPECT_EQ(testing::ShopperCount(home_.prefix, "s-1", "o:o-scarce"), "");
  EXPECT_EQ(home_.Cli("EXISTS hh:r-1"), "0");
  const auto swept = Sweep();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->sent, 1U);
  EXPECT_EQ(home_.Cli("LLEN out"), "0");
  EXPECT_EQ(away_.Counter("o-scarce", "n"), "0");

  // Expired.
  ASSERT_TRUE(
      Redeem(RedemptionBuilder("r-2").TtlMillis(60'000).Apply(scarce, 10'000).Build(), "b").ok());
  clock_.Advance(2 * kMillisPerMinute);
  ASSERT_EQ(Await<std::size_t>([&](Completion<std::size_t> done) {
              home_.store->ExpireDue(100, done);
            }).value(),
            1U);
  ASSERT_EQ(Sweep()->sent, 1U);
  EXPECT_EQ(away_.Counter("o-scarce", "n"), "0");

  // Refunded: only the offer that restores on a refund gives its limits back.
  ASSERT_TRUE(Redeem(RedemptionBuilder("r-3")
                         .Committed()
                         .CreatedAt(clock_.Now())
                         .Apply(scarce, 10'000)
                         .Apply(kept, 5'000)
                         .Build(),
                     "bb")
                  .ok());
  ASSERT_TRUE(SyncStore(*home_.store).Refund("r-3").ok());
  ASSERT_EQ(Sweep()->sent, 1U);
  EXPECT_EQ(away_.Counter("o-scarce", "n"), "0");
  EXPECT_EQ(away_.Counter("o-kept", "n"), "1");
  EXPECT_EQ(Sweep().value(), SagaSweep{});
}

TEST_F(CrossShardSagaTest, HoldsAGatewayLeftWithoutACreateAreReleasedAfterTheirDeadline) {
  const Offer scarce = CreateIn(away_, WithQuota(MakeOffer("o-scarce"), 1));
  const Redemption r = RedemptionBuilder("r-orphan").Apply(scarce, 10'000).Build();
  const Timestamp deadline = WallIn(1000ms);
  ASSERT_TRUE(HoldOnly(r, deadline).ok());
  EXPECT_EQ(Sweep().value(), SagaSweep{});  // not due yet
  EXPECT_EQ(CodeOf(Redeem(RedemptionBuilder("r-other").Shopper("s-2").Apply(scarce, 10'000).Build(),
                          "b")),
            StatusCode::kQuotaExhausted);

  std::this_thread::sleep_for(1100ms);
  const auto swept = Sweep();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->released, 1U);
  EXPECT_EQ(away_.Counter("o-scarce", "n"), "0");
  // The create of the stopped gateway, arriving now, is refused: its holds are gone.
  std::vector<std::optional<HeldElsewhere>> held = {HeldElsewhere{"b", {}}};
  const auto late = Await<CreateRedemptionOutcome>([&](Completion<CreateRedemptionOutcome> done) {
    home_.store->CreateRedemptionWithHolds({r, std::nullopt}, deadline, held, done);
  });
  EXPECT_EQ(CodeOf(late), StatusCode::kUnavailable);
  EXPECT_EQ(home_.Cli("HEXISTS rec", "r-orphan"), "0");
  EXPECT_TRUE(
      Redeem(RedemptionBuilder("r-next").Shopper("s-3").Apply(scarce, 10'000).Build(), "b").ok());
}

TEST_F(CrossShardSagaTest, ACreateAfterTheSweeperClaimedItsIdIsRefusedBeforeTheDeadline) {
  const Offer offer = CreateIn(away_, MakeOffer("o-offer"));
  const Redemption r = RedemptionBuilder("r-claimed").Apply(offer, 10'000).Build();
  const Timestamp deadline = WallIn(30s);
  ASSERT_TRUE(HoldOnly(r, deadline).ok());
  // A sweeper whose shard's clock is ahead of the home's claims the id first.
  ASSERT_EQ(Await<gateway::ClaimOutcome>([&](Completion<gateway::ClaimOutcome> done) {
              home_.shard.holds->Claim(r.id, deadline, done);
            }).value(),
            gateway::ClaimOutcome::kClaimed);
  std::vector<std::optional<HeldElsewhere>> held = {HeldElsewhere{"b", {}}};
  const auto late = Await<CreateRedemptionOutcome>([&](Completion<CreateRedemptionOutcome> done) {
    home_.store->CreateRedemptionWithHolds({r, std::nullopt}, deadline, held, done);
  });
  EXPECT_EQ(CodeOf(late), StatusCode::kUnavailable);
  EXPECT_EQ(home_.Cli("HEXISTS rec", "r-claimed"), "0");
}

TEST_F(CrossShardSagaTest, HoldsOfARedemptionCreatedWithoutConfirmationAreConfirmedBySweeper) {
  const Offer scarce = CreateIn(away_, WithQuota(MakeOffer("o-scarce"), 1));
  const Redemption r = RedemptionBuilder("r-unconfirmed").Apply(scarce, 10'000).Build();
  const Timestamp deadline = WallIn(1000ms);
  const auto held = HoldOnly(r, deadline);
  ASSERT_TRUE(held.ok());
  std::vector<std::optional<HeldElsewhere>> where = {HeldElsewhere{"b", held->offers[0]}};
  ASSERT_TRUE(Await<CreateRedemptionOutcome>([&](Completion<CreateRedemptionOutcome> done) {
                home_.store->CreateRedemptionWithHolds({r, std::nullopt}, deadline, where, done);
              }).ok());
  // The gateway stopped before confirming.
  std::this_thread::sleep_for(1100ms);
  const auto swept = Sweep();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->confirmed, 1U);
  EXPECT_EQ(away_.Counter("o-scarce", "n"), "1");
  EXPECT_EQ(away_.Cli("GET h:r-unconfirmed").substr(0, 1), "C");
  EXPECT_EQ(Sweep().value(), SagaSweep{});
}

// Gateways racing cross-shard redemptions at a small quota kept away, each redemption with an
// offer at home too: exactly the quota is granted, and the counters on both sides equal the
// home's ledger.
TEST_F(CrossShardSagaTest, RacingRedemptionsNeverPassAQuotaKeptAway) {
  constexpr int kQuota = 30;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  const Offer here = CreateIn(home_, MakeOffer("o-here"));
  const Offer scarce = CreateIn(away_, WithQuota(MakePlatformOffer("o-scarce"), kQuota));
  std::atomic<int> created{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Pending<CreateRedemptionOutcome>> pending(kPerThread);
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "r-" + std::to_string(t) + "-" + std::to_string(i);
        std::vector<const SagaShard*> placement = {&home_.shard, &away_.shard};
        CreateAcrossShards(home_.shard, placement,
                           {RedemptionBuilder(id)
                                .Shopper("s-" + id)
                                .Apply(here, 10'000)
                                .Apply(scarce, 10'000)
                                .Build(),
                            std::nullopt},
                           WallIn(10s), pending[i].callback());
      }
      for (auto& p : pending) {
        const auto outcome = p.Wait();
        if (outcome.ok()) {
          ++created;
        } else if (outcome.status().code() != StatusCode::kQuotaExhausted) {
          ++other;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(created.load(), kQuota);
  EXPECT_EQ(home_.Cli("LLEN ledger"), std::to_string(kQuota));
  EXPECT_EQ(home_.Counter("o-here", "n"), std::to_string(kQuota));
  // The refused attempts' holds are released, the granted ones confirmed.
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        return away_.Counter("o-scarce", "n") == std::to_string(kQuota) &&
               away_.Cli("ZCARD holds") == "0";
      },
      5000ms))
      << away_.Counter("o-scarce", "n") << " held, " << away_.Cli("ZCARD holds") << " unanswered";
}

}  // namespace
}  // namespace uudai::store_test
