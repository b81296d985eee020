// EventMerger on a store spread over three data shards (the fixture's redis-server): two
// gateways' mergers copy every shard's events into the hub once each; the periodic merges are
// one merger's at a time (the hub's lease), taken over by another once the holder is silent
// past the lease; a merge for a reader copies regardless.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/store_test_support.h"
#include "redis/redis_client.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/redis/event_merger.h"
#include "store/redis/shard_layout.h"
#include "store/redis/spread_store.h"

namespace uudai::store_test {
namespace {

using namespace std::chrono_literals;
using testing::Quote;
using testing::RedisServer;

constexpr std::size_t kDataShards = 3;

class EventMergerTest : public ::testing::Test {
 protected:
  EventMergerTest()
      : clock_(CampaignNow()),
        prefix_(testing::FreshKeyPrefix()),
        layout_(gateway::ShardLayout::Make(prefix_, kDataShards).value()),
        store_(MakeStore()),
        sync_(*store_),
        a_(MakeMerger()),
        b_(MakeMerger()) {}

  // The store that writes the events; never polled, so that only the mergers below copy.
  std::unique_ptr<gateway::SpreadStore> MakeStore() {
    return testing::MakeSpreadStore(clock_, prefix_, kDataShards);
  }

  std::unique_ptr<gateway::EventMerger> MakeMerger() {
    std::vector<std::string> prefixes;
    for (std::size_t k = 0; k < layout_.size(); ++k) prefixes.push_back(layout_.prefix(k));
    return std::make_unique<gateway::EventMerger>(testing::SharedServerClient(),
                                                  std::move(prefixes));
  }

  static std::size_t Merge(gateway::EventMerger& merger, bool leased) {
    const Result<std::size_t> copied = Await<std::size_t>(
        [&](Completion<std::size_t> done) { merger.Merge(100, std::move(done), leased); });
    EXPECT_TRUE(copied.ok()) << copied.status().message();
    return copied.ok() ? copied.value() : 0;
  }

  // A redemption of `offer` by a shopper of its own: one event in the shopper's shard.
  void Redeem(const Offer& offer) {
    const std::string id = "r-" + std::to_string(++redemptions_);
    sync_.GivenRedemption(
        RedemptionBuilder(id).Shopper("shopper-" + id).Apply(offer, 1'000).Build());
  }

  std::string Hub(const std::string& command, const std::string& key) const {
    return RedisServer::Shared().Cli(command + " " + Quote(layout_.prefix(0) + key));
  }

  ManualClock clock_;
  std::string prefix_;
  gateway::ShardLayout layout_;
  std::unique_ptr<gateway::SpreadStore> store_;
  SyncStore sync_;
  std::unique_ptr<gateway::EventMerger> a_;
  std::unique_ptr<gateway::EventMerger> b_;
  int redemptions_ = 0;
};

TEST_F(EventMergerTest, PeriodicMergesAreOneMergersAtATimeAndCopyEachEventOnce) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  Redeem(offer);
  // A takes the lease and copies the offer's creation and the redemption.
  EXPECT_EQ(Merge(*a_, true), 2U);
  Redeem(offer);
  // B's periodic merge leaves it to A, which renews the lease with its next merge.
  EXPECT_EQ(Merge(*b_, true), 0U);
  EXPECT_EQ(Hub("GET", "evseq"), "2");
  EXPECT_EQ(Merge(*a_, true), 1U);
  // A merge for a reader copies whoever holds the lease.
  Redeem(offer);
  EXPECT_EQ(Merge(*b_, false), 1U);
  // A falls silent: once the lease has run out, B takes it over, and A then leaves it to B.
  Redeem(offer);
  std::this_thread::sleep_for(std::chrono::milliseconds(gateway::EventMerger::kLeaseMillis + 200));
  EXPECT_EQ(Merge(*b_, true), 1U);
  Redeem(offer);
  EXPECT_EQ(Merge(*a_, true), 0U);
  EXPECT_EQ(Merge(*b_, true), 1U);
  // Every event once, every creation once in the hub's ledger.
  EXPECT_EQ(Hub("GET", "evseq"), "6");
  EXPECT_EQ(Hub("XLEN", "ev"), "6");
  EXPECT_EQ(Hub("LLEN", "ledger"), "5");
}

}  // namespace
}  // namespace uudai::store_test
