// MemoryStoreOptions::render_response: an idempotency claim whose response is left empty, or
// is the rendering of the redemption as created, keeps no copy of it (nor does its journal
// record); the first answer, replays, lookups, the journal's replay and ExportMutations render
// it, byte for byte the same, whatever happened to the redemption since. A claim with any other
// response keeps its own text.
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
  // A rendered response is exported as none (empty): replaying the export renders it.
  EXPECT_EQ(responses, (std::vector<std::string>{"", "kept text"}));

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

// Keeps every mutation the store logs; each is durable at once.
class KeptMutations final : public MutationLog {
 public:
  std::uint64_t Append(const StoreMutation& mutation) override {
    mutations.push_back(mutation);
    return mutations.size();
  }
  void WhenDurable(std::uint64_t, StatusCompletion done) override { done(Status()); }
  std::vector<StoreMutation> mutations;
};

// The gateway's way: the claim leaves its response to the store, which renders it once the
// redemption is created, logs the claim without it, and answers every replay with the same
// bytes.
TEST_F(RenderedClaimsTest, AClaimWithoutItsResponseIsAnsweredWithTheRenderingAndLoggedWithoutIt) {
  KeptMutations log;
  MemoryStoreOptions options = Options();
  options.log = &log;
  MemoryStore store(clock_, std::move(options));
  SyncStore sync(store);
  const Offer offer = sync.GivenOffer(MakeOffer("o-1"));
  const Redemption reserved = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();
  const int renders_before = renders_.load();

  Result<CreateRedemptionOutcome> created =
      sync.Create(reserved, Claim("key-a:idem-1", "fp-1", ""));

  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_FALSE(created->replayed);
  EXPECT_EQ(created->response, RenderForReplay(reserved));
  EXPECT_EQ(renders_.load(), renders_before + 1) << "rendered once, not rendered and checked";
  const auto* logged = std::get_if<RedemptionCreated>(&log.mutations.back());
  ASSERT_NE(logged, nullptr);
  ASSERT_TRUE(logged->idempotency.has_value());
  EXPECT_EQ(logged->idempotency->response, "") << "the log keeps no copy of a rendered answer";

  ASSERT_TRUE(sync.Commit("r-1").ok());
  Result<CreateRedemptionOutcome> retry = sync.Create(
      RedemptionBuilder("r-2").Apply(offer, 10'000).Build(), Claim("key-a:idem-1", "fp-1", ""));
  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->response, created->response) << "the reservation as created, not committed";

  // The log's replay (a restart) answers the same bytes.
  MemoryStore restarted(clock_, Options());
  for (const StoreMutation& m : log.mutations) restarted.Replay(m);
  Result<std::optional<std::string>> lookup =
      SyncStore(restarted).FindIdempotentResponse("key-a:idem-1", "fp-1");
  ASSERT_TRUE(lookup.ok() && lookup->has_value());
  EXPECT_EQ(lookup.value().value(), created->response);
}

// A refused attempt renders nothing: the answer is made only for a redemption created.
TEST_F(RenderedClaimsTest, AnAttemptTheStoreRefusesRendersNothing) {
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 1;
  const Offer offer = sync_.GivenOffer(limited);
  ASSERT_TRUE(sync_
                  .Create(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                          Claim("key-a:idem-1", "fp-1", ""))
                  .ok());
  const int renders_before = renders_.load();

  Result<CreateRedemptionOutcome> refused =
      sync_.Create(RedemptionBuilder("r-2").Order("order-2").Apply(offer, 10'000).Build(),
                   Claim("key-a:idem-2", "fp-2", ""));

  EXPECT_EQ(CodeOf(refused), StatusCode::kQuotaExhausted);
  EXPECT_EQ(renders_.load(), renders_before);
}

// Without a renderer a claim must carry its response: one without is refused, nothing kept.
TEST(RenderedClaimsWithoutRendererTest, AClaimWithoutItsResponseIsRefusedAndNothingIsWritten) {
  ManualClock clock(CampaignNow());
  MemoryStore store(clock, MemoryStoreOptions{});
  SyncStore sync(store);
  const Offer offer = sync.GivenOffer(MakeOffer("o-1"));

  Result<CreateRedemptionOutcome> created = sync.Create(
      RedemptionBuilder("r-1").Apply(offer, 10'000).Build(), Claim("key-a:idem-1", "fp-1", ""));

  EXPECT_EQ(CodeOf(created), StatusCode::kInternal);
  EXPECT_EQ(CodeOf(sync.Get("r-1")), StatusCode::kNotFound);
  const Result<std::optional<std::string>> lookup =
      sync.FindIdempotentResponse("key-a:idem-1", "fp-1");
  ASSERT_TRUE(lookup.ok());
  EXPECT_FALSE(lookup->has_value());
  EXPECT_EQ(SyncStore(store).Stats("o-1").value().totals.count(RedemptionStatus::kReserved), 0);
}

}  // namespace
}  // namespace uudai::store_test
