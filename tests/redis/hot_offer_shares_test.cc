// A hot offer's shares in a SpreadStore of three data shards on the fixture's redis-server: each
// data shard keeps its share of the limits in the offer's hash (the hub the whole limits), Poll
// writes the shares an offer write left behind, and share_put never replaces a later version.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/store_test_support.h"
#include "redis/redis_client.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/redis/shard_layout.h"
#include "store/redis/spread_store.h"

namespace uudai::store_test {
namespace {

using namespace std::chrono_literals;
using testing::Quote;
using testing::RedisServer;

constexpr std::size_t kDataShards = 3;

Offer HotOffer(const std::string& id, std::int64_t total_redemptions) {
  Offer offer = MakeOffer(id);
  offer.hot = true;
  offer.limits.total_redemptions = total_redemptions;
  return offer;
}

class HotOfferSharesTest : public ::testing::Test {
 protected:
  HotOfferSharesTest()
      : clock_(CampaignNow()),
        prefix_(testing::FreshKeyPrefix()),
        layout_(gateway::ShardLayout::Make(prefix_, kDataShards).value()),
        store_(MakeStore()),
        sync_(*store_) {}

  // With a short share repair interval.
  std::unique_ptr<gateway::SpreadStore> MakeStore() {
    gateway::SpreadStoreOptions options;
    options.share_repair_interval_millis = 100;
    return testing::MakeSpreadStore(clock_, prefix_, kDataShards, "", std::move(options));
  }

  // Field `field` of offer `id`'s hash in shard `k` ("" when absent).
  std::string Field(std::size_t k, const std::string& id, const std::string& field) const {
    return RedisServer::Shared().Cli("HGET " + Quote(layout_.prefix(k) + "o:" + id) + " " +
                                     Quote(field));
  }

  std::size_t OwnerOf(const Offer& offer) const {
    return layout_.OfOffer(offer.layer, offer.merchant_id);
  }

  // A shopper whose home is each data shard, by shard.
  std::map<std::size_t, std::string> ShopperPerHome() const {
    std::map<std::size_t, std::string> shoppers;
    for (int i = 0; shoppers.size() < kDataShards && i < 1000; ++i) {
      const std::string shopper = "s-" + std::to_string(i);
      shoppers.emplace(layout_.OfShopper(shopper), shopper);
    }
    EXPECT_EQ(shoppers.size(), kDataShards);
    return shoppers;
  }

  Result<bool> PutShare(std::size_t k, const Offer& offer) {
    return Await<bool>(
        [&](Completion<bool> done) { store_->shard(k).PutShare(offer, std::move(done)); });
  }

  ManualClock clock_;
  std::string prefix_;
  gateway::ShardLayout layout_;
  std::unique_ptr<gateway::SpreadStore> store_;
  SyncStore sync_;
};

TEST_F(HotOfferSharesTest, EveryDataShardKeepsItsShareOfTheLimitsAndTheHubTheWhole) {
  const Result<Offer> even = sync_.CreateOffer(HotOffer("o-even", 9));
  ASSERT_TRUE(even.ok()) << even.status().message();
  Offer uneven_offer = HotOffer("o-uneven", 10);
  uneven_offer.limits.per_day = 5;
  uneven_offer.limits.per_shopper = 2;
  const Result<Offer> uneven = sync_.CreateOffer(uneven_offer);
  ASSERT_TRUE(uneven.ok()) << uneven.status().message();

  for (std::size_t k = 1; k <= kDataShards; ++k) {
    SCOPED_TRACE("shard " + std::to_string(k));
    EXPECT_EQ(Field(k, "o-even", "lt"), "3");
    EXPECT_EQ(Field(k, "o-even", "ht"), "2");
    EXPECT_EQ(Field(k, "o-even", "v"), "1");
    EXPECT_EQ(Field(k, "o-even", "lb"), "-1");
    // Share k - 1 of 10 (and of 5): one more for the first 10 % 3 (5 % 3) shares.
    EXPECT_EQ(Field(k, "o-uneven", "lt"), k == 1 ? "4" : "3");
    EXPECT_EQ(Field(k, "o-uneven", "ld"), k <= 2 ? "2" : "1");
    EXPECT_EQ(Field(k, "o-uneven", "ls"), "2");
    EXPECT_EQ(Field(k, "o-uneven", "ht"), "2");
  }
  // The hub: the whole limits, for the thresholds it announces from the merged events.
  EXPECT_EQ(Field(0, "o-even", "lt"), "9");
  EXPECT_EQ(Field(0, "o-even", "ht"), "1");
  EXPECT_EQ(Field(0, "o-even", "v"), "1");
  EXPECT_EQ(Field(0, "o-uneven", "lt"), "10");
  EXPECT_EQ(Field(0, "o-uneven", "ld"), "5");
  EXPECT_EQ(Field(0, "o-uneven", "ht"), "1");
}

TEST_F(HotOfferSharesTest, PollWritesTheSharesAnOfferWriteLeftBehind) {
  const Result<Offer> created = sync_.CreateOffer(HotOffer("o-hot", 9));
  ASSERT_TRUE(created.ok()) << created.status().message();
  const std::size_t owner = OwnerOf(created.value());
  // Paused in its own shard only, as by a gateway that stopped before writing the other shares.
  Offer paused = created.value();
  paused.status = OfferStatus::kPaused;
  const Result<Offer> updated = SyncStore(store_->shard(owner)).UpdateOffer(paused, 1);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  ASSERT_EQ(updated->version, 2);
  ASSERT_EQ(Field(owner, "o-hot", "v"), "2");
  for (std::size_t k = 0; k <= kDataShards; ++k) {
    if (k == owner) continue;
    ASSERT_EQ(Field(k, "o-hot", "v"), "1") << "shard " << k;
    ASSERT_EQ(Field(k, "o-hot", "s"), "active") << "shard " << k;
  }

  auto all_at_2 = [&] {
    for (std::size_t k = 0; k <= kDataShards; ++k) {
      if (Field(k, "o-hot", "v") != "2") return false;
    }
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + 6s;
  while (!all_at_2() && std::chrono::steady_clock::now() < deadline) {
    store_->Poll();
    std::this_thread::sleep_for(50ms);
  }

  for (std::size_t k = 0; k <= kDataShards; ++k) {
    SCOPED_TRACE("shard " + std::to_string(k));
    EXPECT_EQ(Field(k, "o-hot", "v"), "2");
    EXPECT_EQ(Field(k, "o-hot", "s"), "paused");
    EXPECT_EQ(Field(k, "o-hot", "lt"), k == 0 ? "9" : "3");
  }
  for (const auto& [home, shopper] : ShopperPerHome()) {
    const Result<CreateRedemptionOutcome> outcome = sync_.Create(
        RedemptionBuilder("r-" + shopper).Shopper(shopper).Apply(updated.value(), 10'000).Build());
    EXPECT_EQ(CodeOf(outcome), StatusCode::kOfferPaused) << shopper << " of shard " << home;
  }
}

// A gateway started after the offer was written learns it is hot from the store, and takes
// from every shard's share.
TEST_F(HotOfferSharesTest, AStoreLoadedLaterCountsAHotOfferInEveryShare) {
  const Result<Offer> created = sync_.CreateOffer(HotOffer("o-hot", 6));
  ASSERT_TRUE(created.ok()) << created.status().message();
  auto later = testing::MakeSpreadStore(clock_, prefix_, kDataShards);
  SyncStore other(*later);
  int granted = 0;
  for (int i = 0; i < 8; ++i) {
    granted +=
        other
            .Create(
                RedemptionBuilder("r-" + std::to_string(i)).Apply(created.value(), 1'000).Build())
            .ok();
  }
  EXPECT_EQ(granted, 6);
}

TEST_F(HotOfferSharesTest, SharePutKeepsALaterVersion) {
  const Result<Offer> created = sync_.CreateOffer(HotOffer("o-hot", 9));
  ASSERT_TRUE(created.ok()) << created.status().message();
  const std::size_t k = OwnerOf(created.value()) % kDataShards + 1;  // another data shard
  Offer raised = created.value();
  raised.limits.total_redemptions = 12;
  const Result<Offer> updated = sync_.UpdateOffer(raised, 1);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  ASSERT_EQ(Field(k, "o-hot", "v"), "2");
  ASSERT_EQ(Field(k, "o-hot", "lt"), "4");

  // The write of version 1 arriving late: kept.
  const Result<bool> late = PutShare(k, created.value());
  ASSERT_TRUE(late.ok()) << late.status().message();
  EXPECT_FALSE(late.value());
  EXPECT_EQ(Field(k, "o-hot", "v"), "2");
  EXPECT_EQ(Field(k, "o-hot", "lt"), "4");
  // The same version again: kept too.
  const Result<bool> again = PutShare(k, updated.value());
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(again.value());

  // A missing share is written, and the answer says so.
  ASSERT_EQ(RedisServer::Shared().Cli("DEL " + Quote(layout_.prefix(k) + "o:o-hot")), "1");
  const Result<bool> missing = PutShare(k, updated.value());
  ASSERT_TRUE(missing.ok()) << missing.status().message();
  EXPECT_TRUE(missing.value());
  EXPECT_EQ(Field(k, "o-hot", "v"), "2");
  EXPECT_EQ(Field(k, "o-hot", "lt"), "4");
  EXPECT_EQ(Field(k, "o-hot", "ht"), "2");
}

}  // namespace
}  // namespace uudai::store_test
