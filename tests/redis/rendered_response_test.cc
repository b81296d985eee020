// RedisStoreOptions::render_response: an idempotency record whose first response is the
// rendering of the redemption as created keeps no copy of it in Redis; every way of reading it
// back (a create's replay, a settled refusal, FindIdempotentResponse) renders it again from the
// redemption's record, byte for byte, whatever happened to the redemption since. A record whose
// response is anything else keeps its own text. A claim that leaves its response empty (as the
// gateway's do) gets the rendering as its first answer, made once the redemption is created,
// from its record as Redis keeps it; without a renderer such a claim is refused.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "engine/store_test_support.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/redis/redis_store.h"

namespace uudai::store_test {
namespace {

using testing::RedisServer;

class RenderedResponseTest : public ::testing::Test {
 protected:
  RenderedResponseTest() : clock_(CampaignNow()), prefix_(testing::FreshKeyPrefix()) {
    gateway::RedisStoreOptions options;
    options.key_prefix = prefix_;
    options.render_response = RenderForReplay;
    store_ = testing::MakeUnloadedRedisStore(clock_, std::move(options));
    EXPECT_TRUE(store_->Load(std::chrono::milliseconds(5'000)).ok());
  }

  // The idempotency record of scope `scope` as Redis keeps it.
  std::string KeptRecord(const std::string& scope) {
    return RedisServer::Shared().Cli("GET '" + prefix_ + "i:" + scope + "'");
  }

  Result<SettledRefusal> Settle(RefusalCheck check) {
    return Await<SettledRefusal>([&](Completion<SettledRefusal> done) {
      store_->SettleRefusal(std::move(check), std::move(done));
    });
  }

  ManualClock clock_;
  std::string prefix_;
  std::unique_ptr<gateway::RedisStore> store_;
};

TEST_F(RenderedResponseTest, ARenderedResponseIsNotKeptAndEveryReplayRendersItAgain) {
  SyncStore store(*store_);
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  const Redemption planned = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();
  const std::string first = RenderForReplay(planned);
  store.GivenRedemption(planned, Claim("key:k-1", "fp-1", first));
  const std::string kept = KeptRecord("key:k-1");
  EXPECT_EQ(kept.find("created"), std::string::npos) << "the response was kept: " << kept;
  EXPECT_NE(kept.find("r-1"), std::string::npos) << kept;

  // Committed, then refunded: each replay still answers the reservation as it was created.
  for (RedemptionAction action : {RedemptionAction::kCommit, RedemptionAction::kRefund}) {
    ASSERT_TRUE(store.Transition("r-1", action).ok());
    Result<CreateRedemptionOutcome> replay = store.Create(
        RedemptionBuilder("r-retry").Apply(offer, 10'000).Build(), Claim("key:k-1", "fp-1", "x"));
    ASSERT_TRUE(replay.ok()) << replay.status().message();
    EXPECT_TRUE(replay->replayed);
    EXPECT_EQ(replay->response, first);
    Result<SettledRefusal> settled = Settle({"key:k-1", "fp-1", "m-1", "order-other"});
    ASSERT_TRUE(settled.ok()) << settled.status().message();
    EXPECT_EQ(settled->replay, first);
    Result<std::optional<std::string>> found = store.FindIdempotentResponse("key:k-1", "fp-1");
    ASSERT_TRUE(found.ok()) << found.status().message();
    EXPECT_EQ(found.value(), first);
  }
  EXPECT_EQ(CodeOf(store.FindIdempotentResponse("key:k-1", "fp-other")),
            StatusCode::kIdempotencyKeyReused);
}

TEST_F(RenderedResponseTest, ACommittedCashbackRedemptionIsRenderedAsCreated) {
  SyncStore store(*store_);
  const Offer offer = store.GivenOffer(MakeCashbackOffer("o-cb", 10, 50'000));
  const Redemption planned =
      RedemptionBuilder("r-1").ApplyCashback(offer, 20'000).Committed().Build();
  const std::string first = RenderForReplay(planned);
  ASSERT_NE(first.find("committed"), std::string::npos);
  store.GivenRedemption(planned, Claim("key:k-1", "fp-1", first));
  EXPECT_EQ(KeptRecord("key:k-1").find("created"), std::string::npos);
  ASSERT_TRUE(store.Refund("r-1").ok());
  Result<std::optional<std::string>> found = store.FindIdempotentResponse("key:k-1", "fp-1");
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found.value(), first);
}

TEST_F(RenderedResponseTest, AnyOtherResponseIsKeptAsItIs) {
  SyncStore store(*store_);
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                        Claim("key:k-1", "fp-1", "a response of its own"));
  EXPECT_NE(KeptRecord("key:k-1").find("a response of its own"), std::string::npos);
  ASSERT_TRUE(store.Commit("r-1").ok());
  Result<std::optional<std::string>> found = store.FindIdempotentResponse("key:k-1", "fp-1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found.value(), "a response of its own");
  Result<SettledRefusal> settled = Settle({"key:k-1", "fp-1", "m-1", "order-other"});
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(settled->replay, "a response of its own");
}

// A store on the shared server whose renderer counts its calls (nullptr: no renderer).
std::unique_ptr<gateway::RedisStore> StoreRendering(const Clock& clock, const std::string& prefix,
                                                    std::atomic<int>* renders) {
  gateway::RedisStoreOptions options;
  options.key_prefix = prefix;
  if (renders != nullptr) {
    options.render_response = [renders](const Redemption& r) {
      renders->fetch_add(1);
      return RenderForReplay(r);
    };
  }
  auto store = testing::MakeUnloadedRedisStore(clock, std::move(options));
  EXPECT_TRUE(store->Load(std::chrono::milliseconds(5'000)).ok());
  return store;
}

TEST_F(RenderedResponseTest, AClaimWithoutItsResponseIsAnsweredWithTheRenderingAndNotKept) {
  std::atomic<int> renders{0};
  auto rendering = StoreRendering(clock_, prefix_, &renders);
  SyncStore store(*rendering);
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 1;
  const Offer offer = store.GivenOffer(limited);
  const Redemption planned = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();

  Result<CreateRedemptionOutcome> created = store.Create(planned, Claim("key:k-1", "fp-1", ""));

  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_FALSE(created->replayed);
  EXPECT_EQ(created->response, RenderForReplay(planned));
  EXPECT_EQ(renders.load(), 1) << "rendered once, not rendered and checked";
  const std::string kept = KeptRecord("key:k-1");
  EXPECT_NE(kept.find("r-1"), std::string::npos) << kept;
  EXPECT_EQ(kept.find("created"), std::string::npos) << "the response was kept: " << kept;

  // A replay, after a commit, answers the same bytes; an attempt refused renders nothing.
  ASSERT_TRUE(store.Commit("r-1").ok());
  Result<CreateRedemptionOutcome> replay = store.Create(
      RedemptionBuilder("r-retry").Apply(offer, 10'000).Build(), Claim("key:k-1", "fp-1", ""));
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->response, created->response);
  const int renders_before_refusal = renders.load();
  Result<CreateRedemptionOutcome> refused =
      store.Create(RedemptionBuilder("r-2").Order("order-2").Apply(offer, 10'000).Build(),
                   Claim("key:k-2", "fp-2", ""));
  EXPECT_EQ(CodeOf(refused), StatusCode::kQuotaExhausted);
  EXPECT_EQ(renders.load(), renders_before_refusal);
}

TEST_F(RenderedResponseTest, WithoutARendererAClaimWithoutItsResponseIsRefusedAndNothingWritten) {
  auto plain = StoreRendering(clock_, prefix_, nullptr);
  SyncStore store(*plain);
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));

  Result<CreateRedemptionOutcome> created = store.Create(
      RedemptionBuilder("r-1").Apply(offer, 10'000).Build(), Claim("key:k-1", "fp-1", ""));

  EXPECT_EQ(CodeOf(created), StatusCode::kInternal);
  EXPECT_EQ(RedisServer::Shared().Cli("EXISTS '" + prefix_ + "i:key:k-1'"), "0");
  EXPECT_EQ(RedisServer::Shared().Cli("HEXISTS '" + prefix_ + "rec' r-1"), "0");
  EXPECT_EQ(CodeOf(store.Get("r-1")), StatusCode::kNotFound);
}

}  // namespace
}  // namespace uudai::store_test
