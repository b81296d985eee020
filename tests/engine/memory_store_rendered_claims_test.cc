// MemoryStoreOptions::render_response: an idempotency claim whose response is the rendering
// of the redemption as created keeps no copy of it; replays, lookups, the journal's replay
// and ExportMutations render it again, byte for byte the first response, whatever happened
// to the redemption since. A claim with any other response keeps its own text.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "engine/store_test_support.h"
#include "uudai/memory_store.h"

namespace uudai::store_test {
namespace {

class RenderedClaimsTest : public ::testing::Test {
 protected:
  RenderedClaimsTest() : clock_(CampaignNow()), store_(clock_, Options()), sync_(store_) {}

  MemoryStoreOptions Options() {
    MemoryStoreOptions options;
    options.render_response = [this](const Redemption& r) {
      renders_.fetch_add(1);
      return RenderForReplay(r);
    };
    return options;
  }

  ManualClock clock_;
  std::atomic<int> renders_{0};
  MemoryStore store_;
  SyncStore sync_;
};

TEST_F(RenderedClaimsTest, ReplayAfterCommitAndRefundRendersTheFirstResponse) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  const Redemption reserved = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();
  const std::string first = RenderForReplay(reserved);
  ASSERT_TRUE(sync_.Create(reserved, Claim("key-a:idem-1", "fp-1", first)).ok());
  clock_.Advance(kMillisPerMinute);
  ASSERT_TRUE(sync_.Commit("r-1").ok());
  ASSERT_TRUE(sync_.Refund("r-1").ok());
  const int renders_before = renders_.load();

  Result<CreateRedemptionOutcome> retry =
      sync_.Create(RedemptionBuilder("r-2").Apply(offer, 10'000).Build(),
                   Claim("key-a:idem-1", "fp-1", "not this"));
  Result<std::optional<std::string>> lookup = sync_.FindIdempotentResponse("key-a:idem-1", "fp-1");

  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->response, first) << "the reserved redemption as created, not as it is now";
  EXPECT_EQ(retry->redemption.status, RedemptionStatus::kRefunded);
  ASSERT_TRUE(lookup.ok());
  ASSERT_TRUE(lookup->has_value());
  EXPECT_EQ(lookup.value().value(), first);
  EXPECT_GE(renders_.load(), renders_before + 2) << "the text was rendered again, not kept";
}

TEST_F(RenderedClaimsTest, ClaimCreatedCommittedReplaysWithItsCommitTime) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  Redemption committed = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();
  committed.status = RedemptionStatus::kCommitted;
  committed.committed_at = committed.created_at;
  const std::string first = RenderForReplay(committed);
  ASSERT_TRUE(sync_.Create(committed, Claim("key-a:idem-1", "fp-1", first)).ok());
  clock_.Advance(kMillisPerHour);
  ASSERT_TRUE(sync_.Refund("r-1").ok());

  Result<std::optional<std::string>> lookup = sync_.FindIdempotentResponse("key-a:idem-1", "fp-1");

  ASSERT_TRUE(lookup.ok());
  ASSERT_TRUE(lookup->has_value());
  EXPECT_EQ(lookup.value().value(), first);
}

TEST_F(RenderedClaimsTest, ResponseThatIsNotTheRenderingIsKeptAsItIs) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  ASSERT_TRUE(sync_
                  .Create(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                          Claim("key-a:idem-1", "fp-1", "{\"written\":\"by hand\"}"))
                  .ok());
  ASSERT_TRUE(sync_.Commit("r-1").ok());

  Result<CreateRedemptionOutcome> retry = sync_.Create(
      RedemptionBuilder("r-2").Apply(offer, 10'000).Build(), Claim("key-a:idem-1", "fp-1", "x"));

  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_EQ(retry->response, "{\"written\":\"by hand\"}");
}

// The journal's replay at start-up and the compacted journal (ExportMutations) keep the
// first responses too.
TEST_F(RenderedClaimsTest, ExportAndReplayCarryTheFirstResponse) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  const Redemption reserved = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();
  const std::string first = RenderForReplay(reserved);
  ASSERT_TRUE(sync_.Create(reserved, Claim("key-a:idem-1", "fp-1", first)).ok());
  ASSERT_TRUE(sync_
                  .Create(RedemptionBuilder("r-2").Order("order-2").Apply(offer, 5'000).Build(),
                          Claim("key-a:idem-2", "fp-2", "kept text"))
                  .ok());
  ASSERT_TRUE(sync_.Commit("r-1").ok());

  std::vector<StoreMutation> exported;
  store_.ExportMutations([&exported](const StoreMutation& m) { exported.push_back(m); });
  std::vector<std::string> responses;
  for (const StoreMutation& m : exported) {
    if (const auto* created = std::get_if<RedemptionCreated>(&m); created && created->idempotency) {
      responses.push_back(created->idempotency->response);
    }
  }
  EXPECT_EQ(responses, (std::vector<std::string>{first, "kept text"}));

  MemoryStore replayed(clock_, Options());
  for (const StoreMutation& m : exported) replayed.Replay(m);
  SyncStore again(replayed);
  Result<std::optional<std::string>> one = again.FindIdempotentResponse("key-a:idem-1", "fp-1");
  Result<std::optional<std::string>> two = again.FindIdempotentResponse("key-a:idem-2", "fp-2");
  ASSERT_TRUE(one.ok() && one->has_value());
  ASSERT_TRUE(two.ok() && two->has_value());
  EXPECT_EQ(one.value().value(), first);
  EXPECT_EQ(two.value().value(), "kept text");
}

}  // namespace
}  // namespace uudai::store_test
