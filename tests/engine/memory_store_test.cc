// MemoryStore: the conformance suite, plus what only MemoryStore has — the MutationLog hook
// (writes complete once durable; the store fails closed when the log fails), Replay of the
// logged mutations, and LedgerSnapshot.
#include "uudai/memory_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "engine/forwarding_store.h"
#include "engine/store_conformance.h"
#include "engine/store_test_support.h"

namespace uudai::store_test {
namespace {

// A MutationLog that records every mutation. Durability is immediate until Hold(); from then
// on each WhenDurable completion waits until the test calls Release() or Fail().
class HeldMutationLog final : public MutationLog {
 public:
  std::uint64_t Append(const StoreMutation& mutation) override {
    std::lock_guard lock(mutex_);
    mutations_.push_back(mutation);
    return mutations_.size();
  }

  void WhenDurable(std::uint64_t sequence, StatusCompletion done) override {
    std::unique_lock lock(mutex_);
    if (holding_) {
      held_.emplace_back(sequence, std::move(done));
      return;
    }
    lock.unlock();
    done(Status::Ok());
  }

  void Hold() {
    std::lock_guard lock(mutex_);
    holding_ = true;
  }
  // Makes every held mutation durable, and later ones at once.
  void Release() { Finish(Status::Ok()); }
  // The journal broke: every held mutation will never be durable.
  void Fail() { Finish(Status(StatusCode::kUnavailable, "disk full")); }

  std::size_t held() const {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  std::vector<StoreMutation> mutations() const {
    std::lock_guard lock(mutex_);
    return mutations_;
  }

 private:
  void Finish(const Status& status) {
    std::vector<std::pair<std::uint64_t, StatusCompletion>> held;
    {
      std::lock_guard lock(mutex_);
      holding_ = false;
      held.swap(held_);
    }
    for (auto& [sequence, done] : held) done(status);
  }

  mutable std::mutex mutex_;
  bool holding_ = false;
  std::vector<StoreMutation> mutations_;
  std::vector<std::pair<std::uint64_t, StatusCompletion>> held_;
};

// A MutationLog that makes mutations durable on a thread of its own, in batches, as the
// gateway's journal does with group commit: every completion arrives on that thread.
class BackgroundMutationLog final : public MutationLog {
 public:
  BackgroundMutationLog() : worker_([this] { Run(); }) {}
  ~BackgroundMutationLog() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  std::uint64_t Append(const StoreMutation&) override {
    std::lock_guard lock(mutex_);
    return ++appended_;
  }
  void WhenDurable(std::uint64_t, StatusCompletion done) override {
    std::lock_guard lock(mutex_);
    waiting_.push_back(std::move(done));
    wake_.notify_all();
  }

 private:
  void Run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (waiting_.empty()) return;  // stopping, nothing left
      std::vector<StatusCompletion> batch;
      batch.swap(waiting_);
      lock.unlock();
      for (StatusCompletion& done : batch) done(Status::Ok());
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t appended_ = 0;
  std::vector<StatusCompletion> waiting_;
  std::thread worker_;  // last: starts once the rest is built
};

// A MemoryStore that owns its MutationLog, so that MakeStore can hand out a plain Store.
class LoggedMemoryStore final : public ForwardingStore {
 public:
  LoggedMemoryStore(const Clock& clock, std::unique_ptr<MutationLog> log)
      : ForwardingStore(store_),
        log_(std::move(log)),
        store_(clock, MemoryStoreOptions{CampaignZone(), 24 * kMillisPerHour, log_.get(), {}}) {}

 private:
  std::unique_ptr<MutationLog> log_;  // declared first: outlives the store that uses it
  MemoryStore store_;
};

// The conformance suite runs against MemoryStore as the embedded default has it: without a
// journal, with one that is durable at once, and with one that completes on its own thread.
struct MemoryStoreEnvironment {
  static std::unique_ptr<Store> MakeStore(const Clock& clock) {
    return std::make_unique<MemoryStore>(clock, MemoryStoreOptions{});
  }
};
struct JournaledMemoryStoreEnvironment {
  static std::unique_ptr<Store> MakeStore(const Clock& clock) {
    return std::make_unique<LoggedMemoryStore>(clock, std::make_unique<HeldMutationLog>());
  }
};
struct GroupCommitMemoryStoreEnvironment {
  static std::unique_ptr<Store> MakeStore(const Clock& clock) {
    return std::make_unique<LoggedMemoryStore>(clock, std::make_unique<BackgroundMutationLog>());
  }
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Memory, StoreConformanceTest,
                         ::testing::Values(EnvironmentOf<MemoryStoreEnvironment>("memory")));
INSTANTIATE_TEST_SUITE_P(
    JournaledMemory, StoreConformanceTest,
    ::testing::Values(EnvironmentOf<JournaledMemoryStoreEnvironment>("journaled_memory")));
INSTANTIATE_TEST_SUITE_P(
    GroupCommitMemory, StoreConformanceTest,
    ::testing::Values(EnvironmentOf<GroupCommitMemoryStoreEnvironment>("group_commit_memory")));
INSTANTIATE_TEST_SUITE_P(Memory, LedgerConformanceTest,
                         ::testing::Values(EnvironmentOf<MemoryStoreEnvironment>("memory")));
INSTANTIATE_TEST_SUITE_P(
    JournaledMemory, LedgerConformanceTest,
    ::testing::Values(EnvironmentOf<JournaledMemoryStoreEnvironment>("journaled_memory")));
INSTANTIATE_TEST_SUITE_P(Memory, OfferRecheckConformanceTest,
                         ::testing::Values(EnvironmentOf<MemoryStoreEnvironment>("memory")));

namespace {

class MemoryStoreTest : public ::testing::Test {
 protected:
  MemoryStoreTest()
      : clock_(CampaignNow()),
        store_(clock_, MemoryStoreOptions{CampaignZone(), 24 * kMillisPerHour, &log_, {}}),
        sync_(store_) {}

  // Starts creating `r` with `claim` and returns its (maybe not yet arrived) completion.
  Pending<CreateRedemptionOutcome> StartCreate(Redemption r,
                                               std::optional<IdempotencyClaim> claim) {
    Pending<CreateRedemptionOutcome> pending;
    store_.CreateRedemption(CreateRedemptionRequest{std::move(r), std::move(claim)},
                            pending.callback());
    return pending;
  }

  ManualClock clock_;
  HeldMutationLog log_;
  MemoryStore store_;
  SyncStore sync_;
};

// --- Durability ------------------------------------------------------------------------------

TEST_F(MemoryStoreTest, CreateCompletesOnlyOnceDurable) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  log_.Hold();
  Pending<CreateRedemptionOutcome> created =
      StartCreate(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                  Claim("key-a:idem-1", "fp-1", "first"));
  EXPECT_FALSE(created.arrived());
  EXPECT_EQ(log_.held(), 1U);
  log_.Release();
  ASSERT_TRUE(created.arrived());
  Result<CreateRedemptionOutcome> outcome = created.Wait();
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_FALSE(outcome->replayed);
  EXPECT_EQ(outcome->response, "first");
}

// An event is read only once its change is durable: until then the change may still be lost
// (and its seq told again of another change after a restart).
TEST_F(MemoryStoreTest, AnEventIsReadOnlyOnceItsChangeIsDurable) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  log_.Hold();
  Pending<CreateRedemptionOutcome> created =
      StartCreate(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(), std::nullopt);
  Result<EventPage> before = sync_.Events({});
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->events.size(), 1U);
  EXPECT_EQ(before->events[0].type, EventType::kOfferCreated);
  EXPECT_EQ(before->last_seq, 1U);
  EXPECT_EQ(before->next_after, 1U);
  log_.Release();
  ASSERT_TRUE(created.Wait().ok());
  Result<EventPage> after = sync_.Events({});
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->events.size(), 2U);
  EXPECT_EQ(after->events[1].type, EventType::kRedemptionReserved);
  EXPECT_EQ(after->last_seq, 2U);
}

// A change the journal never made durable is never told.
TEST_F(MemoryStoreTest, AnEventOfAChangeTheLogLostIsNeverRead) {
  sync_.GivenOffer(MakeOffer("o-1"));
  log_.Hold();
  Pending<Offer> second;
  store_.CreateOffer(MakeOffer("o-2"), second.callback());
  log_.Fail();
  EXPECT_EQ(CodeOf(second.Wait()), StatusCode::kUnavailable);
  Result<EventPage> page = sync_.Events({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1U);
  EXPECT_EQ(page->events[0].offer_id, "o-1");
  EXPECT_EQ(page->last_seq, 1U);
}

// Offer ids may be the client's, so a create may be sent again while its first attempt waits
// for the journal: that attempt may still fail, so the retry is told it is in progress, not that
// the offer exists; once durable, it exists.
TEST_F(MemoryStoreTest, ACreateOfAnIdNotDurableYetIsInProgressThenAlreadyExists) {
  log_.Hold();
  Pending<Offer> first;
  store_.CreateOffer(MakeOffer("o-1"), first.callback());
  Pending<std::vector<Offer>> batch;
  store_.CreateOffers({MakeOffer("o-2"), MakeOffer("o-3")}, batch.callback());
  ASSERT_FALSE(first.arrived());

  const Result<Offer> retry = sync_.CreateOffer(MakeOffer("o-1"));
  const Result<std::vector<Offer>> batch_retry =
      sync_.CreateOffers({MakeOffer("o-4"), MakeOffer("o-3"), MakeOffer("o-1")});
  const Result<Offer> single_of_batch = sync_.CreateOffer(MakeOffer("o-2"));

  EXPECT_EQ(CodeOf(retry), StatusCode::kRequestInProgress);
  EXPECT_EQ(CodeOf(single_of_batch), StatusCode::kRequestInProgress);
  ASSERT_EQ(CodeOf(batch_retry), StatusCode::kRequestInProgress);
  std::vector<std::string> paths;
  for (const FieldError& e : batch_retry.status().field_errors()) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"[1].id", "[2].id"}));
  EXPECT_EQ(store_.FindOffer("o-4"), nullptr);

  log_.Release();
  ASSERT_TRUE(first.Wait().ok());
  ASSERT_TRUE(batch.Wait().ok());
  EXPECT_EQ(CodeOf(sync_.CreateOffer(MakeOffer("o-1"))), StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeOf(sync_.CreateOffers({MakeOffer("o-2")})), StatusCode::kAlreadyExists);
}

TEST_F(MemoryStoreTest, TransitionCompletesOnlyOnceDurable) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  sync_.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  log_.Hold();
  Pending<Redemption> committed;
  store_.TransitionRedemption("r-1", RedemptionAction::kCommit, committed.callback());
  EXPECT_FALSE(committed.arrived());
  log_.Release();
  Result<Redemption> after = committed.Wait();
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(after->status, RedemptionStatus::kCommitted);
}

TEST_F(MemoryStoreTest, SameKeyWhileFirstIsNotDurableIsRequestInProgress) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  log_.Hold();
  Pending<CreateRedemptionOutcome> first =
      StartCreate(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                  Claim("key-a:idem-1", "fp-1", "first"));
  // The retry and the lookup are answered at once, without waiting for the log
  Pending<CreateRedemptionOutcome> retry =
      StartCreate(RedemptionBuilder("r-2").Apply(offer, 10'000).Build(),
                  Claim("key-a:idem-1", "fp-1", "again"));
  Pending<std::optional<std::string>> lookup;
  store_.FindIdempotentResponse("key-a:idem-1", "fp-1", lookup.callback());
  ASSERT_TRUE(retry.arrived());
  EXPECT_EQ(CodeOf(retry.Wait()), StatusCode::kRequestInProgress);
  ASSERT_TRUE(lookup.arrived());
  EXPECT_EQ(CodeOf(lookup.Wait()), StatusCode::kRequestInProgress);
  log_.Release();
  EXPECT_EQ(CodeOf(first.Wait()), StatusCode::kOk);
}

TEST_F(MemoryStoreTest, SameKeyOnceFirstIsDurableIsReplayed) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  log_.Hold();
  Pending<CreateRedemptionOutcome> first =
      StartCreate(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                  Claim("key-a:idem-1", "fp-1", "first"));
  log_.Release();
  ASSERT_EQ(CodeOf(first.Wait()), StatusCode::kOk);
  Result<CreateRedemptionOutcome> retry =
      sync_.Create(RedemptionBuilder("r-2").Apply(offer, 10'000).Build(),
                   Claim("key-a:idem-1", "fp-1", "again"));
  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->response, "first");
  EXPECT_EQ(retry->redemption.id, "r-1");
}

TEST_F(MemoryStoreTest, LogFailureIsUnavailable) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  log_.Hold();
  Pending<CreateRedemptionOutcome> created =
      StartCreate(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                  Claim("key-a:idem-1", "fp-1", "first"));
  log_.Fail();
  EXPECT_EQ(CodeOf(created.Wait()), StatusCode::kUnavailable);
  EXPECT_TRUE(store_.failed());
  EXPECT_FALSE(store_.ready());
}

TEST_F(MemoryStoreTest, EveryWriteAfterLogFailureIsUnavailable) {
  // Given a store whose log failed on a commit
  const Offer offer = sync_.GivenOffer(MakeUniqueCodeOffer("o-1"));
  const auto codes = MakeCodes(2);
  sync_.GivenCodes("o-1", {codes[0]});
  sync_.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000, codes[0]).Build());
  sync_.GivenRedemption(RedemptionBuilder("r-2").TtlMillis(1).Apply(offer, 10'000).Build());
  log_.Hold();
  Pending<Redemption> committed;
  store_.TransitionRedemption("r-1", RedemptionAction::kCommit, committed.callback());
  log_.Fail();
  ASSERT_EQ(CodeOf(committed.Wait()), StatusCode::kUnavailable);
  const std::size_t logged = log_.mutations().size();
  clock_.Advance(1);
  // Then every kind of write is refused, and none reaches the log
  EXPECT_EQ(CodeOf(sync_.CreateOffer(MakeOffer("o-2"))), StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf(sync_.UpdateOffer(offer, 1)), StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf(sync_.IssueCodes("o-1", {codes[1]})), StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf(sync_.Create(RedemptionBuilder("r-3").Apply(offer, 10'000).Build())),
            StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf(sync_.Refund("r-1")), StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf(sync_.Cancel("r-2")), StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf(sync_.ExpireDue()), StatusCode::kUnavailable);
  EXPECT_EQ(log_.mutations().size(), logged);
  EXPECT_EQ(CodeOf(sync_.Get("r-3")), StatusCode::kNotFound);
}

// --- What is logged --------------------------------------------------------------------------

TEST_F(MemoryStoreTest, RedemptionIsLoggedAsOneMutationWithItsClaim) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  const std::size_t before = log_.mutations().size();
  const Redemption planned = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();
  sync_.GivenRedemption(planned, Claim("key-a:idem-1", "fp-1", "first"));
  const auto mutations = log_.mutations();
  ASSERT_EQ(mutations.size(), before + 1);
  const auto* created = std::get_if<RedemptionCreated>(&mutations.back());
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->redemption, planned);
  ASSERT_TRUE(created->idempotency.has_value());
  EXPECT_EQ(created->idempotency->scope_key, "key-a:idem-1");
  EXPECT_EQ(created->idempotency->fingerprint, "fp-1");
  EXPECT_EQ(created->idempotency->response, "first");
  EXPECT_EQ(created->idempotency->created_at, clock_.Now());
}

TEST_F(MemoryStoreTest, RefusedAndReplayedWritesAreNotLogged) {
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 1;
  const Offer offer = sync_.GivenOffer(limited);
  sync_.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                        Claim("key-a:idem-1", "fp-1", "first"));
  const std::size_t before = log_.mutations().size();
  EXPECT_EQ(CodeOf(sync_.Create(RedemptionBuilder("r-2").Shopper("s-2").Apply(offer, 1).Build())),
            StatusCode::kQuotaExhausted);
  EXPECT_TRUE(sync_
                  .Create(RedemptionBuilder("r-3").Apply(offer, 10'000).Build(),
                          Claim("key-a:idem-1", "fp-1", "again"))
                  ->replayed);
  EXPECT_EQ(CodeOf(sync_.Refund("r-1")), StatusCode::kInvalidTransition);
  EXPECT_EQ(CodeOf(sync_.UpdateOffer(offer, 7)), StatusCode::kVersionMismatch);
  EXPECT_EQ(log_.mutations().size(), before);
}

TEST_F(MemoryStoreTest, IssueCodesLogsOnlyNewCodes) {
  sync_.GivenOffer(MakeUniqueCodeOffer("o-1"));
  const auto codes = MakeCodes(3);
  sync_.GivenCodes("o-1", {codes[0], codes[1]});
  ASSERT_TRUE(sync_.IssueCodes("o-1", {codes[1], codes[2]}).ok());
  const std::vector<StoreMutation> mutations = log_.mutations();
  const auto* issued = std::get_if<CodesIssued>(&mutations.back());
  ASSERT_NE(issued, nullptr);
  EXPECT_EQ(issued->offer_id, "o-1");
  EXPECT_EQ(issued->codes, std::vector<std::string>{codes[2]});
}

TEST_F(MemoryStoreTest, LateCommitIsLoggedAsExpiry) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  const Redemption r = sync_.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  clock_.Set(r.expires_at);
  ASSERT_EQ(CodeOf(sync_.Commit("r-1")), StatusCode::kReservationExpired);
  const std::vector<StoreMutation> mutations = log_.mutations();
  const auto* transitioned = std::get_if<RedemptionTransitioned>(&mutations.back());
  ASSERT_NE(transitioned, nullptr);
  EXPECT_EQ(transitioned->redemption_id, "r-1");
  EXPECT_EQ(transitioned->action, RedemptionAction::kExpire);
  EXPECT_EQ(transitioned->at, r.expires_at);
}

// --- Offers registered together -------------------------------------------------------------

// Three offers of three kinds, one with a public code, for CreateOffers.
std::vector<Offer> SomeBatch() {
  Offer platform = MakePlatformOffer("o-p");
  platform.limits.total_redemptions = 50;
  return {MakePublicCodeOffer("o-c", "THANG10"), platform, MakeUniqueCodeOffer("o-u")};
}

TEST_F(MemoryStoreTest, CreateOffersIsLoggedAsOneMutationHoldingEveryOffer) {
  sync_.GivenOffer(MakeOffer("o-0"));
  const std::size_t before = log_.mutations().size();
  const Result<std::vector<Offer>> created = sync_.CreateOffers(SomeBatch());
  ASSERT_TRUE(created.ok()) << created.status().message();
  const std::vector<StoreMutation> mutations = log_.mutations();
  ASSERT_EQ(mutations.size(), before + 1);
  const auto* batch = std::get_if<OffersCreated>(&mutations.back());
  ASSERT_NE(batch, nullptr) << "logged as another kind of mutation";
  ASSERT_EQ(batch->offers.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(*batch->offers[i], created.value()[i]) << i;
}

TEST_F(MemoryStoreTest, RefusedCreateOffersIsNotLogged) {
  sync_.GivenOffer(MakePublicCodeOffer("o-a", "THANG10"));
  const std::size_t before = log_.mutations().size();
  EXPECT_EQ(CodeOf(sync_.CreateOffers(SomeBatch())), StatusCode::kCodeConflict);
  EXPECT_EQ(CodeOf(sync_.CreateOffers({MakeOffer("o-b"), MakeOffer("o-a")})),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(log_.mutations().size(), before);
}

TEST_F(MemoryStoreTest, CreateOffersCompletesOnlyOnceDurable) {
  log_.Hold();
  Pending<std::vector<Offer>> created;
  store_.CreateOffers(SomeBatch(), created.callback());
  EXPECT_FALSE(created.arrived());
  EXPECT_EQ(log_.held(), 1U) << "one mutation waits for the whole batch";
  log_.Release();
  Result<std::vector<Offer>> offers = created.Wait();
  ASSERT_TRUE(offers.ok()) << offers.status().message();
  EXPECT_EQ(offers->size(), 3U);
}

TEST_F(MemoryStoreTest, CreateOffersWhoseLogFailsIsUnavailable) {
  log_.Hold();
  Pending<std::vector<Offer>> created;
  store_.CreateOffers(SomeBatch(), created.callback());
  log_.Fail();
  EXPECT_EQ(CodeOf(created.Wait()), StatusCode::kUnavailable);
  EXPECT_TRUE(store_.failed());
  // And a failed store takes no batch at all
  const std::size_t logged = log_.mutations().size();
  EXPECT_EQ(CodeOf(sync_.CreateOffers({MakeOffer("o-9")})), StatusCode::kUnavailable);
  EXPECT_EQ(log_.mutations().size(), logged);
  EXPECT_EQ(store_.FindOffer("o-9"), nullptr);
}

TEST_F(MemoryStoreTest, ReplayOfABatchRebuildsItsOffersAndTheirCodes) {
  // Given a batch, then an edit of one of its offers, written through a logged store
  ASSERT_TRUE(sync_.CreateOffers(SomeBatch()).ok());
  Offer edited = *store_.FindOffer("o-p");
  edited.name = "Nền tảng giảm giá";
  ASSERT_TRUE(sync_.UpdateOffer(edited, 1).ok());
  // When its log is replayed into a fresh store
  MemoryStore replayed(clock_, MemoryStoreOptions{});
  for (const StoreMutation& mutation : log_.mutations()) replayed.Replay(mutation);
  SyncStore replayed_sync(replayed);
  // Then every offer is the same, at the same version
  ASSERT_EQ(replayed.ListOffers().size(), 3U);
  for (const std::string id : {"o-c", "o-p", "o-u"}) {
    ASSERT_NE(replayed.FindOffer(id), nullptr) << id;
    EXPECT_EQ(*replayed.FindOffer(id), *store_.FindOffer(id)) << id;
  }
  EXPECT_EQ(replayed.FindOffer("o-p")->version, 2);
  EXPECT_EQ(replayed.FindOffer("o-c")->version, 1);
  // And the batch's public code is held again, by the same offer
  Result<Offer> clash = replayed_sync.CreateOffer(MakePublicCodeOffer("o-x", "THANG10"));
  ASSERT_EQ(CodeOf(clash), StatusCode::kCodeConflict);
  EXPECT_EQ(clash.status().offer_id(), "o-c");
}

TEST_F(MemoryStoreTest, ExportAfterABatchReplaysToTheSameOffers) {
  ASSERT_TRUE(sync_.CreateOffers(SomeBatch()).ok());
  // A journal compacted from the store's export holds the same offers
  MemoryStore replayed(clock_, MemoryStoreOptions{});
  store_.ExportMutations([&](const StoreMutation& mutation) { replayed.Replay(mutation); });
  ASSERT_EQ(replayed.ListOffers().size(), 3U);
  for (const std::string id : {"o-c", "o-p", "o-u"}) {
    ASSERT_NE(replayed.FindOffer(id), nullptr) << id;
    EXPECT_EQ(*replayed.FindOffer(id), *store_.FindOffer(id)) << id;
  }
}

// --- Replay ----------------------------------------------------------------------------------

// A history touching every kind of mutation: offers and an edit, codes, one- and two-offer
// redemptions over two local days, commits, a cancel, refunds with and without restore, a late
// commit, expiry and idempotency claims.
struct History {
  std::vector<std::string> offer_ids = {"o-m", "o-p", "o-c"};
  std::vector<std::string> shoppers = {"s-1", "s-2", "s-3"};
  std::vector<std::string> codes = MakeCodes(8);  // the last two stay unused
  std::vector<LocalDay> days = {DayOf(CampaignNow()), LocalDay{DayOf(CampaignNow()).index + 1}};
  std::vector<IdempotencyClaim> claims = {Claim("key-a:idem-1", "fp-1", "first"),
                                          Claim("key-a:idem-2", "fp-2", "second"),
                                          Claim("key-a:idem-3", "fp-3", "third")};
};

History WriteHistory(SyncStore& store, ManualClock& clock) {
  History h;
  Offer merchant = MakeUniqueCodeOffer("o-m");
  merchant.limits = OfferLimits{10, 100'000, 2, 5};
  Offer platform = MakePlatformOffer("o-p");
  platform.limits.total_redemptions = 20;
  platform.restore_on_refund = false;
  const Offer m = store.GivenOffer(merchant);
  Offer p = store.GivenOffer(platform);
  const Offer c = store.GivenOffer(MakePublicCodeOffer("o-c", "THANG10"));
  p.name = "Nền tảng giảm giá";
  p = store.UpdateOffer(p, 1).value();
  store.GivenCodes("o-m", {h.codes.begin(), h.codes.begin() + 5});
  EXPECT_EQ(store.IssueCodes("o-m", {h.codes[4], h.codes[5], h.codes[6], h.codes[7]})->issued, 3U);

  auto both = [&](const std::string& id, const std::string& shopper, int code) {
    return RedemptionBuilder(id)
        .Shopper(shopper)
        .CreatedAt(clock.Now())
        .Apply(m, 10'000 + code, h.codes[code])
        .Apply(p, 5'000);
  };
  store.GivenRedemption(both("r-1", "s-1", 0).Build(), h.claims[0]);
  store.GivenTransition("r-1", RedemptionAction::kCommit);
  store.GivenRedemption(both("r-2", "s-2", 1).Build());
  store.GivenTransition("r-2", RedemptionAction::kCancel);
  store.GivenRedemption(
      RedemptionBuilder("r-3").Committed().CreatedAt(clock.Now()).Apply(p, 7'000).Build());
  store.GivenTransition("r-3", RedemptionAction::kRefund);
  store.GivenRedemption(
      both("r-4", "s-3", 2).TtlMillis(kMillisPerMinute).Method(PaymentMethod::kVietqr).Build());
  store.GivenRedemption(
      RedemptionBuilder("r-5").CreatedAt(clock.Now()).Apply(c, 10'000, "THANG10").Build(),
      h.claims[1]);
  EXPECT_TRUE(store.Create(both("r-9", "s-1", 0).Build(), h.claims[0])->replayed);
  clock.Advance(2 * kMillisPerMinute);
  EXPECT_EQ(CodeOf(store.Commit("r-4")), StatusCode::kReservationExpired);
  // The next local day: the first two claims are past retention.
  clock.Advance(kMillisPerDay);
  store.GivenRedemption(both("r-6", "s-2", 3).Build());
  store.GivenRedemption(both("r-7", "s-3", 4).Committed().Build());
  store.GivenTransition("r-7", RedemptionAction::kRefund);
  store.GivenRedemption(both("r-8", "s-1", 5).Subtotal(900'000).Build(), h.claims[2]);
  clock.Advance(14 * kMillisPerMinute);
  store.GivenTransition("r-8", RedemptionAction::kCommit);
  clock.Advance(kMillisPerMinute);
  EXPECT_EQ(store.ExpireDue().value(), 2U);  // r-5 and r-6
  return h;
}

TEST_F(MemoryStoreTest, ReplayOfTheLogRebuildsLedgerCountersAndStats) {
  // Given a history written through a logged store
  const History h = WriteHistory(sync_, clock_);
  // When its log is replayed into a fresh store
  MemoryStore replayed(clock_, MemoryStoreOptions{});
  for (const StoreMutation& mutation : log_.mutations()) replayed.Replay(mutation);
  SyncStore replayed_sync(replayed);
  // Then the ledger, the offers, every counter, code, claim and statistic are the same
  EXPECT_EQ(replayed.LedgerSnapshot(), store_.LedgerSnapshot());
  ASSERT_EQ(store_.LedgerSnapshot().size(), 8U);
  for (const std::string& id : h.offer_ids) {
    const auto offer = store_.FindOffer(id);
    ASSERT_NE(replayed.FindOffer(id), nullptr);
    EXPECT_EQ(*replayed.FindOffer(id), *offer);
    for (const std::string& shopper : h.shoppers) {
      for (const LocalDay day : h.days) {
        EXPECT_EQ(replayed.usage().UsageOf(*offer, shopper, day),
                  store_.usage().UsageOf(*offer, shopper, day))
            << id << " " << shopper << " " << FormatLocalDay(day);
      }
    }
    SCOPED_TRACE(id);
    ExpectSameStats(replayed_sync.Stats(id).value(), sync_.Stats(id).value());
  }
  for (const std::string& code : h.codes) {
    const auto original = store_.usage().FindUniqueCode(code);
    const auto again = replayed.usage().FindUniqueCode(code);
    ASSERT_TRUE(original.has_value() && again.has_value());
    EXPECT_EQ(again->offer_id, original->offer_id);
    EXPECT_EQ(again->available, original->available) << code;
  }
  for (const IdempotencyClaim& claim : h.claims) {
    EXPECT_EQ(replayed_sync.FindIdempotentResponse(claim.scope_key, claim.fingerprint).value(),
              sync_.FindIdempotentResponse(claim.scope_key, claim.fingerprint).value())
        << claim.scope_key;
  }
  EXPECT_EQ(replayed_sync.FindIdempotentResponse("key-a:idem-3", "fp-3").value(), "third");
}

TEST_F(MemoryStoreTest, ReplayedStoreKeepsEnforcingLimits) {
  const History h = WriteHistory(sync_, clock_);
  MemoryStore replayed(clock_, MemoryStoreOptions{});
  for (const StoreMutation& mutation : log_.mutations()) replayed.Replay(mutation);
  SyncStore replayed_sync(replayed);
  const Offer merchant = *replayed.FindOffer("o-m");
  // s-1 holds two live redemptions of o-m (r-1 committed, r-8 committed): per_shopper 2
  Result<CreateRedemptionOutcome> third = replayed_sync.Create(
      RedemptionBuilder("r-10").CreatedAt(clock_.Now()).Apply(merchant, 1'000).Build());
  EXPECT_EQ(CodeOf(third), StatusCode::kPerShopperLimit);
  // r-8 still holds codes[5]
  EXPECT_EQ(CodeOf(replayed_sync.Create(RedemptionBuilder("r-11")
                                            .Shopper("s-9")
                                            .CreatedAt(clock_.Now())
                                            .Apply(merchant, 1'000, h.codes[5])
                                            .Build())),
            StatusCode::kCodeUsed);
  // and r-8's claim is still answered from its record
  Result<CreateRedemptionOutcome> retry =
      replayed_sync.Create(RedemptionBuilder("r-12").Apply(merchant, 1'000).Build(), h.claims[2]);
  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->redemption.id, "r-8");
}

// --- Ledger ----------------------------------------------------------------------------------

TEST_F(MemoryStoreTest, LedgerSnapshotHoldsEveryCreatedRedemptionInItsCurrentState) {
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 2;
  const Offer offer = sync_.GivenOffer(limited);
  sync_.GivenRedemption(RedemptionBuilder("r-2").Apply(offer, 10'000).Build());
  sync_.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  const Redemption committed = sync_.GivenTransition("r-1", RedemptionAction::kCommit);
  ASSERT_EQ(CodeOf(sync_.Create(RedemptionBuilder("r-3").Apply(offer, 10'000).Build())),
            StatusCode::kQuotaExhausted);
  std::vector<Redemption> ledger = store_.LedgerSnapshot();
  ASSERT_EQ(ledger.size(), 2U);
  std::sort(ledger.begin(), ledger.end(),
            [](const Redemption& a, const Redemption& b) { return a.id < b.id; });
  EXPECT_EQ(ledger[0], committed);
  EXPECT_EQ(ledger[1], sync_.Get("r-2").value());
}

}  // namespace
}  // namespace uudai::store_test
