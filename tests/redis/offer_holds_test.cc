// A shard's holds of its offers for redemptions kept in another shard (OfferHolds, the store
// function's hold ops), against a real redis-server: a hold counts every offer or none, under
// the same limits as a redemption created in the shard, once per redemption id however often
// it is sent; a release gives the counts back once and fences the id; holds nobody answered
// for come due after their deadline, by the shard's clock.
#include "store/redis/offer_holds.h"

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
#include "store/redis/redis_store.h"
#include "store/redis/redis_store_core.h"

namespace uudai::store_test {
namespace {

using gateway::DueHold;
using gateway::HeldOfferFacts;
using gateway::HoldOutcome;
using gateway::HoldRelease;
using gateway::HoldRequest;
using gateway::OfferHolds;
using gateway::ReleaseOutcome;
using namespace std::chrono_literals;
using testing::RedisServer;

// Deadlines are compared with Redis's clock: the machine's, not the test's campaign clock.
Timestamp WallNow() { return Timestamp{gateway::WallMillis()}; }

class OfferHoldsTest : public ::testing::Test {
 protected:
  OfferHoldsTest()
      : clock_(CampaignNow()),
        prefix_(testing::FreshKeyPrefix()),
        store_(testing::MakeRedisStore(clock_, prefix_)),
        connection_(gateway::RedisConnection::Create(
            io_.io(), testing::OptionsFor(RedisServer::Shared().url()))),
        holds_(connection_, prefix_, CampaignZone()) {
    connection_->Start();
    EXPECT_TRUE(testing::WaitUntil([&] { return connection_->connected(); }, 5000ms));
  }
  ~OfferHoldsTest() override { connection_->Stop(); }

  Offer Create(Offer offer) {
    Result<Offer> created = SyncStore(*store_).CreateOffer(std::move(offer));
    EXPECT_TRUE(created.ok()) << created.status().message();
    return created.ok() ? created.value() : Offer{};
  }

  // What a redemption applies of `offer`: `amount` off, at the version it was created with.
  static RedeemedOffer Applied(const Offer& offer, Money amount = 10'000,
                               std::optional<std::string> code = std::nullopt) {
    RedeemedOffer a;
    a.offer_id = offer.id;
    a.offer_version = offer.version;
    a.offer_merchant_id = offer.merchant_id;
    a.layer = offer.layer;
    a.code_mode = offer.code_mode;
    a.code = std::move(code);
    a.discount = amount;
    a.restore_on_refund = offer.restore_on_refund;
    return a;
  }

  HoldRequest Request(std::string id, std::vector<RedeemedOffer> offers,
                      std::chrono::milliseconds time_left = std::chrono::minutes(1)) {
    return HoldRequest{std::move(id), "home-1", CampaignNow(),
                       Timestamp{WallNow().millis + time_left.count()}, std::move(offers)};
  }

  Result<HoldOutcome> Hold(const HoldRequest& request) {
    return Await<HoldOutcome>([&](Completion<HoldOutcome> done) { holds_.Hold(request, done); });
  }
  Status Confirm(const std::string& id) {
    return Await<bool>([&](Completion<bool> done) {
             holds_.Confirm(id, [done](Status s) {
               if (s.ok()) return done(true);
               done(std::move(s));
             });
           })
        .status();
  }
  Result<ReleaseOutcome> Release(const std::string& id, HoldRelease what = HoldRelease::kAll,
                                 Timestamp deadline = Timestamp{}) {
    if (deadline.millis == 0) deadline = Timestamp{WallNow().millis + 60'000};
    return Await<ReleaseOutcome>(
        [&](Completion<ReleaseOutcome> done) { holds_.Release(id, what, deadline, done); });
  }
  Result<std::vector<DueHold>> Due(std::size_t max_count = 100) {
    return Await<std::vector<DueHold>>(
        [&](Completion<std::vector<DueHold>> done) { holds_.Due(max_count, done); });
  }

  // A field of the offer's counters in Redis ("" when absent).
  std::string Counter(const std::string& offer_id, const std::string& field) {
    return RedisServer::Shared().Cli("HGET '" + prefix_ + "o:" + offer_id + "' '" + field + "'");
  }
  std::string DayField() { return "d:" + std::to_string(DayOf(CampaignNow()).index); }

  ManualClock clock_;
  std::string prefix_;
  std::unique_ptr<gateway::RedisStore> store_;
  testing::IoThread io_;
  std::shared_ptr<gateway::RedisConnection> connection_;
  OfferHolds holds_;
};

Offer WithQuota(Offer offer, std::int64_t total) {
  offer.limits.total_redemptions = total;
  return offer;
}

TEST_F(OfferHoldsTest, AHoldCountsAgainstTheLimitsARedemptionInTheShardIsCheckedAgainst) {
  const Offer offer = Create(WithQuota(MakeOffer("o-quota"), 2));
  ASSERT_TRUE(Hold(Request("r-1", {Applied(offer)})).ok());
  ASSERT_TRUE(Hold(Request("r-2", {Applied(offer)})).ok());
  EXPECT_EQ(Counter("o-quota", "n"), "2");
  EXPECT_EQ(Counter("o-quota", "b"), "20000");
  EXPECT_EQ(Counter("o-quota", DayField()), "2");

  // Both places of the quota are held: neither a redemption created in this shard nor a
  // third hold gets one.
  const auto created =
      SyncStore(*store_).Create(RedemptionBuilder("r-local").Apply(offer, 10'000).Build());
  EXPECT_EQ(CodeOf(created), StatusCode::kQuotaExhausted);
  const auto third = Hold(Request("r-3", {Applied(offer)}));
  EXPECT_EQ(CodeOf(third), StatusCode::kQuotaExhausted);
  EXPECT_EQ(third.status().offer_id(), std::optional<std::string>("o-quota"));

  ASSERT_EQ(Release("r-1").value(), ReleaseOutcome::kReleased);
  EXPECT_TRUE(
      SyncStore(*store_).Create(RedemptionBuilder("r-local").Apply(offer, 10'000).Build()).ok());
  EXPECT_EQ(Counter("o-quota", "n"), "2");
}

TEST_F(OfferHoldsTest, AHoldSentAgainCountsOnceAndAnswersTheSameFacts) {
  Offer first_order = MakePlatformOffer("o-first");
  first_order.first_order = true;
  first_order.limits.per_shopper = 3;
  const Offer offer = Create(first_order);
  const Offer plain = Create(MakeOffer("o-plain"));
  const HoldRequest request = Request("r-1", {Applied(offer), Applied(plain, 5'000)});

  const auto held = Hold(request);
  ASSERT_TRUE(held.ok()) << held.status().message();
  EXPECT_FALSE(held->replayed);
  const std::vector<HeldOfferFacts> facts = {{true, Layer::kPlatform, 3},
                                             {false, Layer::kMerchant, std::nullopt}};
  EXPECT_EQ(held->offers, facts);

  const auto again = Hold(request);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->offers, facts);
  EXPECT_EQ(Counter("o-first", "n"), "1");
  EXPECT_EQ(Counter("o-plain", "n"), "1");
  EXPECT_EQ(Counter("o-plain", "b"), "5000");
}

// A redemption that tries another shard's share of a hot offer keeps its other holds and asks
// again with the new offer among them: only that one is counted, all or none, and the facts
// follow the request's order; a release then gives back everything held under the id.
TEST_F(OfferHoldsTest, AHoldOfAnIdHeldAlreadyAddsTheOffersItDoesNotHoldYet) {
  const Offer plain = Create(MakeOffer("o-plain"));
  Offer hot = MakePlatformOffer("o-hot");
  hot.limits.per_shopper = 2;
  hot = Create(hot);
  const Offer full = Create(WithQuota(MakeOffer("o-full"), 1));
  ASSERT_TRUE(Hold(Request("r-other", {Applied(full)})).ok());
  ASSERT_TRUE(Hold(Request("r-1", {Applied(plain)})).ok());

  // Refused for the full offer: nothing more is counted, the first hold stays.
  const auto refused = Hold(Request("r-1", {Applied(full), Applied(plain)}));
  EXPECT_EQ(CodeOf(refused), StatusCode::kQuotaExhausted);
  EXPECT_EQ(Counter("o-full", "n"), "1");
  EXPECT_EQ(Counter("o-plain", "n"), "1");

  const auto added = Hold(Request("r-1", {Applied(hot, 7'000), Applied(plain)}));
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_FALSE(added->replayed);
  const std::vector<HeldOfferFacts> facts = {{false, Layer::kPlatform, 2},
                                             {false, Layer::kMerchant, std::nullopt}};
  EXPECT_EQ(added->offers, facts);
  EXPECT_EQ(Counter("o-plain", "n"), "1");
  EXPECT_EQ(Counter("o-hot", "n"), "1");
  EXPECT_EQ(Counter("o-hot", "b"), "7000");

  const auto again = Hold(Request("r-1", {Applied(hot, 7'000), Applied(plain)}));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(Counter("o-hot", "n"), "1");

  ASSERT_EQ(Release("r-1").value(), ReleaseOutcome::kReleased);
  EXPECT_EQ(Counter("o-plain", "n"), "0");
  EXPECT_EQ(Counter("o-hot", "n"), "0");
  EXPECT_EQ(Counter("o-hot", "b"), "0");
}

TEST_F(OfferHoldsTest, AHoldOfSeveralOffersCountsAllOrNone) {
  const Offer open = Create(MakeOffer("o-open"));
  Offer budgeted = MakeOffer("o-budget");
  budgeted.limits.total_budget = 15'000;
  budgeted = Create(budgeted);
  ASSERT_TRUE(Hold(Request("r-1", {Applied(budgeted, 10'000)})).ok());

  const auto refused = Hold(Request("r-2", {Applied(open), Applied(budgeted, 10'000)}));
  EXPECT_EQ(CodeOf(refused), StatusCode::kBudgetExhausted);
  EXPECT_EQ(refused.status().offer_id(), std::optional<std::string>("o-budget"));
  EXPECT_EQ(Counter("o-open", "n"), "");
  EXPECT_EQ(Counter("o-budget", "b"), "10000");
  EXPECT_EQ(RedisServer::Shared().Cli("EXISTS '" + prefix_ + "h:r-2'"), "0");

  // Within the budget, both count.
  ASSERT_TRUE(Hold(Request("r-3", {Applied(open), Applied(budgeted, 5'000)})).ok());
  EXPECT_EQ(Counter("o-open", "n"), "1");
  EXPECT_EQ(Counter("o-budget", "b"), "15000");
}

TEST_F(OfferHoldsTest, AHoldChecksTheOfferAsTheShardHoldsItNow) {
  Offer offer = Create(MakeOffer("o-checked"));
  RedeemedOffer stale = Applied(offer);
  stale.offer_version = offer.version + 1;
  EXPECT_EQ(CodeOf(Hold(Request("r-1", {stale}))), StatusCode::kQuoteChanged);

  HoldRequest after_the_end = Request("r-2", {Applied(offer)});
  after_the_end.at = offer.ends_at;
  EXPECT_EQ(CodeOf(Hold(after_the_end)), StatusCode::kOfferEnded);

  Offer paused = offer;
  paused.status = OfferStatus::kPaused;
  paused = SyncStore(*store_).UpdateOffer(paused, offer.version).value();
  EXPECT_EQ(CodeOf(Hold(Request("r-3", {Applied(paused)}))), StatusCode::kOfferPaused);

  RedeemedOffer missing = Applied(offer);
  missing.offer_id = "o-none";
  EXPECT_EQ(CodeOf(Hold(Request("r-4", {missing}))), StatusCode::kQuoteChanged);
  EXPECT_EQ(Counter("o-checked", "n"), "");
}

TEST_F(OfferHoldsTest, AReleaseGivesTheCountsBackOnceAndALateHoldOfTheIdIsRefused) {
  const Offer offer = Create(WithQuota(MakeOffer("o-released"), 1));
  ASSERT_TRUE(Hold(Request("r-1", {Applied(offer)})).ok());
  EXPECT_EQ(Release("r-1").value(), ReleaseOutcome::kReleased);
  EXPECT_EQ(Release("r-1").value(), ReleaseOutcome::kAlready);
  EXPECT_EQ(Counter("o-released", "n"), "0");
  EXPECT_EQ(Counter("o-released", "b"), "0");
  EXPECT_EQ(Counter("o-released", DayField()), "");

  // The first hold's call sent again (after a timeout, say): refused, nothing counted.
  EXPECT_EQ(CodeOf(Hold(Request("r-1", {Applied(offer)}))), StatusCode::kUnavailable);
  EXPECT_EQ(Counter("o-released", "n"), "0");
  EXPECT_EQ(Confirm("r-1").code(), StatusCode::kInvalidTransition);
  // The quota's one place is free for another redemption.
  EXPECT_TRUE(Hold(Request("r-2", {Applied(offer)})).ok());
}

TEST_F(OfferHoldsTest, AReleaseThatOvertakesItsHoldRefusesTheHold) {
  const Offer offer = Create(MakeOffer("o-overtaken"));
  EXPECT_EQ(Release("r-late").value(), ReleaseOutcome::kAbsent);
  EXPECT_EQ(CodeOf(Hold(Request("r-late", {Applied(offer)}))), StatusCode::kUnavailable);
  EXPECT_EQ(Counter("o-overtaken", "n"), "");
  // The tombstone does not outlive the deadline by more than a minute.
  const std::string ttl = RedisServer::Shared().Cli("PTTL '" + prefix_ + "h:r-late'");
  EXPECT_GT(std::stoll(ttl), 60'000);
  EXPECT_LE(std::stoll(ttl), 120'000);
}

TEST_F(OfferHoldsTest, ARefundGivesBackOnlyTheOffersThatRestoreOnARefund) {
  const Offer restores = Create(MakeOffer("o-restores"));
  Offer spent_for_good = MakeOffer("o-kept");
  spent_for_good.restore_on_refund = false;
  spent_for_good = Create(spent_for_good);
  ASSERT_TRUE(Hold(Request("r-1", {Applied(restores), Applied(spent_for_good)})).ok());
  ASSERT_TRUE(Confirm("r-1").ok());
  EXPECT_EQ(Release("r-1", HoldRelease::kRefund).value(), ReleaseOutcome::kReleased);
  EXPECT_EQ(Counter("o-restores", "n"), "0");
  EXPECT_EQ(Counter("o-kept", "n"), "1");
  EXPECT_EQ(Counter("o-kept", "b"), "10000");
}

TEST_F(OfferHoldsTest, AUniqueCodeIsHeldByOneRedemptionAtATime) {
  Offer coded = MakeOffer("o-coded");
  coded.code_mode = CodeMode::kUnique;
  coded = Create(coded);
  ASSERT_TRUE(SyncStore(*store_).IssueCodes("o-coded", {"SALE-AAAA-1111"}).ok());
  ASSERT_TRUE(Hold(Request("r-1", {Applied(coded, 10'000, "SALE-AAAA-1111")})).ok());
  EXPECT_EQ(CodeOf(Hold(Request("r-2", {Applied(coded, 10'000, "SALE-AAAA-1111")}))),
            StatusCode::kCodeUsed);
  EXPECT_EQ(CodeOf(Hold(Request("r-3", {Applied(coded, 10'000, "SALE-BBBB-2222")}))),
            StatusCode::kCodeUsed);
  ASSERT_TRUE(Release("r-1").ok());
  EXPECT_TRUE(Hold(Request("r-4", {Applied(coded, 10'000, "SALE-AAAA-1111")})).ok());
}

TEST_F(OfferHoldsTest, UnansweredHoldsComeDueAfterTheirDeadlineConfirmedOnesNever) {
  const Offer offer = Create(MakeOffer("o-due"));
  const HoldRequest unanswered = Request("r-unanswered", {Applied(offer)}, 1000ms);
  ASSERT_TRUE(Hold(unanswered).ok());
  ASSERT_TRUE(Hold(Request("r-confirmed", {Applied(offer)}, 1000ms)).ok());
  ASSERT_TRUE(Confirm("r-confirmed").ok());
  ASSERT_TRUE(Confirm("r-confirmed").ok());  // again: still confirmed
  EXPECT_TRUE(Due().value().empty());

  ASSERT_TRUE(testing::WaitUntil([&] { return !Due().value().empty(); }, 5000ms));
  const std::vector<DueHold> due = {{"r-unanswered", "home-1", unanswered.deadline}};
  EXPECT_EQ(Due().value(), due);
  // Past its deadline, the hold is refused if it is sent again; it stays counted until a
  // sweeper releases (or confirms) it.
  EXPECT_EQ(CodeOf(Hold(Request("r-after", {Applied(offer)}, -1ms))), StatusCode::kUnavailable);
  EXPECT_EQ(Counter("o-due", "n"), "2");
  ASSERT_EQ(Release("r-unanswered", HoldRelease::kAll, unanswered.deadline).value(),
            ReleaseOutcome::kReleased);
  EXPECT_TRUE(Due().value().empty());
  EXPECT_EQ(Counter("o-due", "n"), "1");
  // A tombstone whose deadline is over a minute past is not kept.
  EXPECT_EQ(Release("r-old", HoldRelease::kAll, Timestamp{WallNow().millis - 61'000}).value(),
            ReleaseOutcome::kAbsent);
  EXPECT_EQ(RedisServer::Shared().Cli("EXISTS '" + prefix_ + "h:r-old'"), "0");
}

TEST_F(OfferHoldsTest, ConfirmingWhatWasNeverHeldIsNotFound) {
  EXPECT_EQ(Confirm("r-none").code(), StatusCode::kNotFound);
}

// Many gateways' holds racing for a small quota: exactly the quota is held, and releasing
// every one of them brings the counters back to zero.
TEST_F(OfferHoldsTest, RacingHoldsNeverPassTheQuota) {
  constexpr int kQuota = 50;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 60;
  const Offer offer = Create(WithQuota(MakeOffer("o-race"), kQuota));
  std::mutex mutex;
  std::vector<std::string> held;
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      testing::IoThread io;
      auto connection = gateway::RedisConnection::Create(
          io.io(), testing::OptionsFor(RedisServer::Shared().url()));
      connection->Start();
      EXPECT_TRUE(testing::WaitUntil([&] { return connection->connected(); }, 5000ms));
      OfferHolds holds(connection, prefix_, CampaignZone());
      std::vector<Pending<HoldOutcome>> pending(kPerThread);
      for (int i = 0; i < kPerThread; ++i) {
        holds.Hold(Request("r-" + std::to_string(t) + "-" + std::to_string(i), {Applied(offer)}),
                   pending[i].callback());
      }
      for (int i = 0; i < kPerThread; ++i) {
        const auto outcome = pending[i].Wait();
        std::lock_guard lock(mutex);
        if (outcome.ok()) {
          held.push_back("r-" + std::to_string(t) + "-" + std::to_string(i));
        } else if (outcome.status().code() != StatusCode::kQuotaExhausted) {
          ++other;
        }
      }
      connection->Stop();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(held.size(), static_cast<std::size_t>(kQuota));
  EXPECT_EQ(Counter("o-race", "n"), std::to_string(kQuota));
  for (const std::string& id : held) ASSERT_TRUE(Release(id).ok());
  EXPECT_EQ(Counter("o-race", "n"), "0");
  EXPECT_EQ(Counter("o-race", DayField()), "");
}

}  // namespace
}  // namespace uudai::store_test
