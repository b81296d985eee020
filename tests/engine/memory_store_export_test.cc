// MemoryStore::ExportMutations: the current state as a short sequence of mutations, which
// the gateway writes as a compacted journal. Replayed into an empty store it must rebuild
// everything a client can observe, and it must be short: each offer once, codes in batches,
// each redemption as created plus its transitions.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/store_test_support.h"
#include "uudai/memory_store.h"

namespace uudai::store_test {
namespace {

constexpr std::int64_t kRetention = 24 * kMillisPerHour;

std::vector<StoreMutation> ExportOf(const MemoryStore& store) {
  std::vector<StoreMutation> out;
  const std::size_t count =
      store.ExportMutations([&out](const StoreMutation& m) { out.push_back(m); });
  EXPECT_EQ(count, out.size());
  EXPECT_EQ(store.ExportedMutationCount(), out.size());
  return out;
}

std::unique_ptr<MemoryStore> Replayed(const std::vector<StoreMutation>& mutations,
                                      const Clock& clock, std::int64_t retention = kRetention) {
  auto store = std::make_unique<MemoryStore>(
      clock, MemoryStoreOptions{CampaignZone(), retention, nullptr, {}});
  for (const StoreMutation& m : mutations) store->Replay(m);
  return store;
}

template <typename T>
std::vector<const T*> All(const std::vector<StoreMutation>& mutations) {
  std::vector<const T*> out;
  for (const StoreMutation& m : mutations) {
    if (const auto* typed = std::get_if<T>(&m)) out.push_back(typed);
  }
  return out;
}

// A history with much to compact and every kind of state to get right: offers edited many
// times, a public code moved to another code, an archived public offer, codes issued in many
// small calls, a code and an order taken again after their first redemption let them go (once
// by a redemption planned before the first one), an idempotency key reused after retention,
// claims pruned, late commits, expiry, refunds with and without restore, two merchants.
struct History {
  std::vector<std::string> offer_ids = {"o-m", "o-p", "o-c", "o-z", "o-s"};
  std::vector<std::string> shoppers = {"s-1", "s-2", "s-3", "s-4"};
  std::vector<std::string> codes = MakeCodes(25'000);
  std::vector<LocalDay> days = {DayOf(CampaignNow()), LocalDay{DayOf(CampaignNow()).index + 1}};
  // (scope key, fingerprint) of every claim made.
  std::vector<std::pair<std::string, std::string>> claims = {{"key-a:idem-1", "fp-1"},
                                                             {"key-a:idem-2", "fp-2"},
                                                             {"key-a:idem-3", "fp-3"},
                                                             {"key-a:idem-1", "fp-1b"}};
  int offer_edits = 50;
};

History WriteHistory(SyncStore& store, ManualClock& clock) {
  History h;
  Offer merchant = MakeUniqueCodeOffer("o-m");
  merchant.limits = OfferLimits{10, 100'000, 3, 8};
  Offer platform = MakePlatformOffer("o-p");
  platform.limits.total_redemptions = 20;
  platform.restore_on_refund = false;
  Offer m = store.GivenOffer(merchant);
  const Offer p = store.GivenOffer(platform);
  Offer c = store.GivenOffer(MakePublicCodeOffer("o-c", "THANG10"));
  Offer z = store.GivenOffer(MakePublicCodeOffer("o-z", "ZALO"));
  Offer other_shop = MakeOffer("o-s");
  other_shop.merchant_id = "m-2";
  const Offer s = store.GivenOffer(other_shop);
  for (int i = 0; i < h.offer_edits; ++i) {
    m.name = "Giảm giá lần " + std::to_string(i);
    m.priority = i;
    m = store.UpdateOffer(m, m.version).value();
  }
  c.code = "THANG11";
  c = store.UpdateOffer(c, c.version).value();
  z.status = OfferStatus::kArchived;
  z = store.UpdateOffer(z, z.version).value();
  for (std::size_t begin = 0; begin < h.codes.size(); begin += 1'000) {
    store.GivenCodes("o-m", {h.codes.begin() + static_cast<std::ptrdiff_t>(begin),
                             h.codes.begin() + static_cast<std::ptrdiff_t>(begin + 1'000)});
  }

  auto both = [&](const std::string& id, const std::string& shopper, int code) {
    return RedemptionBuilder(id)
        .Shopper(shopper)
        .CreatedAt(clock.Now())
        .Apply(m, 10'000 + code, h.codes[code])
        .Apply(p, 5'000);
  };
  store.GivenRedemption(both("r-1", "s-1", 0).Build(), Claim("key-a:idem-1", "fp-1", "first"));
  store.GivenTransition("r-1", RedemptionAction::kCommit);
  store.GivenRedemption(both("r-2", "s-2", 1).Build());
  store.GivenTransition("r-2", RedemptionAction::kCancel);
  store.GivenRedemption(
      RedemptionBuilder("r-3").Committed().CreatedAt(clock.Now()).Apply(p, 7'000).Build());
  store.GivenTransition("r-3", RedemptionAction::kRefund);
  store.GivenRedemption(
      both("r-4", "s-3", 2).TtlMillis(kMillisPerMinute).Method(PaymentMethod::kVietqr).Build());
  store.GivenRedemption(
      RedemptionBuilder("r-5").CreatedAt(clock.Now()).Apply(c, 10'000, "THANG11").Build(),
      Claim("key-a:idem-2", "fp-2", "second"));
  // r-2 let code 1 and its order go: r-6 takes both
  store.GivenRedemption(both("r-6", "s-2", 1).Order("order-r-2").Committed().Build());
  store.GivenRedemption(RedemptionBuilder("r-7")
                            .Merchant("m-2")
                            .Shopper("s-4")
                            .Method(PaymentMethod::kCard)
                            .CreatedAt(clock.Now())
                            .Committed()
                            .Apply(s, 10'000)
                            .Build());
  // r-9 was planned before r-8 but reaches the store after r-8 let code 3 and the order go
  const Timestamp planned_earlier = clock.Now();
  clock.Advance(kMillisPerMinute);
  store.GivenRedemption(both("r-8", "s-4", 3).Order("order-shared").Build());
  store.GivenTransition("r-8", RedemptionAction::kCancel);
  store.GivenRedemption(
      both("r-9", "s-4", 3).Order("order-shared").CreatedAt(planned_earlier).Build());
  clock.Advance(2 * kMillisPerMinute);
  EXPECT_EQ(CodeOf(store.Commit("r-4")), StatusCode::kReservationExpired);
  // The next local day: the first two claims are past retention; the first key is used again.
  clock.Advance(kMillisPerDay);
  store.GivenRedemption(both("r-10", "s-1", 4).Build(), Claim("key-a:idem-3", "fp-3", "third"));
  store.GivenRedemption(both("r-11", "s-3", 5).Committed().Build(),
                        Claim("key-a:idem-1", "fp-1b", "first again"));
  store.GivenTransition("r-11", RedemptionAction::kRefund);
  clock.Advance(14 * kMillisPerMinute);
  store.GivenTransition("r-10", RedemptionAction::kCommit);
  clock.Advance(kMillisPerMinute);
  EXPECT_EQ(store.ExpireDue().value(), 2U);  // r-5 and r-9; "key-a:idem-2" is pruned
  return h;
}

// Everything a client of the Store port can read is the same in both stores.
void ExpectSameObservableState(MemoryStore& replayed, MemoryStore& original, const History& h) {
  SyncStore replayed_sync(replayed);
  SyncStore original_sync(original);
  EXPECT_EQ(replayed.LedgerSnapshot(), original.LedgerSnapshot());
  const auto offers = original.ListOffers();
  const auto replayed_offers = replayed.ListOffers();
  ASSERT_EQ(replayed_offers.size(), offers.size());
  for (std::size_t i = 0; i < offers.size(); ++i) EXPECT_EQ(*replayed_offers[i], *offers[i]);
  for (const std::string& id : h.offer_ids) {
    SCOPED_TRACE(id);
    const auto offer = original.FindOffer(id);
    ASSERT_NE(offer, nullptr);
    for (const std::string& shopper : h.shoppers) {
      for (const LocalDay day : h.days) {
        EXPECT_EQ(replayed.usage().UsageOf(*offer, shopper, day),
                  original.usage().UsageOf(*offer, shopper, day))
            << shopper << " " << FormatLocalDay(day);
      }
    }
    ExpectSameStats(replayed_sync.Stats(id).value(), original_sync.Stats(id).value());
    const auto replayed_history = replayed_sync.OfferHistory({id, 0, 1000});
    const auto original_history = original_sync.OfferHistory({id, 0, 1000});
    ASSERT_TRUE(replayed_history.ok() && original_history.ok());
    EXPECT_EQ(replayed_history->versions, original_history->versions);
    EXPECT_EQ(replayed_history->versions.size(), static_cast<std::size_t>(offer->version));
  }
  for (CampaignGrouping group_by :
       {CampaignGrouping::kNone, CampaignGrouping::kDay, CampaignGrouping::kHour,
        CampaignGrouping::kPaymentMethod, CampaignGrouping::kMerchant, CampaignGrouping::kOffer,
        CampaignGrouping::kFundedBy}) {
    SCOPED_TRACE(static_cast<int>(group_by));
    const CampaignQuery query{std::nullopt, std::nullopt, std::nullopt, group_by};
    ExpectSameCampaignStats(replayed_sync.CampaignStatsFor(query).value(),
                            original_sync.CampaignStatsFor(query).value());
  }
  for (const std::string& code : h.codes) {
    const auto original_code = original.usage().FindUniqueCode(code);
    const auto replayed_code = replayed.usage().FindUniqueCode(code);
    ASSERT_TRUE(original_code.has_value() && replayed_code.has_value()) << code;
    EXPECT_EQ(replayed_code->offer_id, original_code->offer_id) << code;
    EXPECT_EQ(replayed_code->available, original_code->available) << code;
  }
  for (const Redemption& r : original.LedgerSnapshot()) {
    EXPECT_EQ(replayed_sync.FindLiveOrder(r.merchant_id, r.order_id).value(),
              original_sync.FindLiveOrder(r.merchant_id, r.order_id).value())
        << r.order_id;
  }
  for (const auto& [scope, fingerprint] : h.claims) {
    const auto replayed_claim = replayed_sync.FindIdempotentResponse(scope, fingerprint);
    const auto original_claim = original_sync.FindIdempotentResponse(scope, fingerprint);
    EXPECT_EQ(CodeOf(replayed_claim), CodeOf(original_claim)) << scope << " " << fingerprint;
    if (replayed_claim.ok() && original_claim.ok()) {
      EXPECT_EQ(replayed_claim.value(), original_claim.value()) << scope << " " << fingerprint;
    }
  }
}

class MemoryStoreExportTest : public ::testing::Test {
 protected:
  MemoryStoreExportTest()
      : clock_(CampaignNow()),
        store_(clock_, MemoryStoreOptions{CampaignZone(), kRetention, nullptr, {}}),
        sync_(store_) {}

  ManualClock clock_;
  MemoryStore store_;
  SyncStore sync_;
};

TEST_F(MemoryStoreExportTest, ReplayedExportRebuildsTheSameObservableState) {
  // Given a long history
  const History h = WriteHistory(sync_, clock_);
  ASSERT_EQ(store_.LedgerSnapshot().size(), 11U);
  // When its export is replayed into an empty store
  const auto replayed = Replayed(ExportOf(store_), clock_);
  // Then ledger, offers, limit counters, stats, codes, order guards and claims are the same
  ExpectSameObservableState(*replayed, store_, h);
}

TEST_F(MemoryStoreExportTest, ExportHoldsEachOfferAtItsLatestVersionAfterItsHistory) {
  const History h = WriteHistory(sync_, clock_);
  const auto mutations = ExportOf(store_);
  std::vector<std::string> ids;
  std::map<std::string, std::vector<std::int64_t>> history;  // offer id → earlier versions
  for (const StoreMutation& m : mutations) {
    if (const auto* carried = std::get_if<OfferHistoryCarried>(&m)) {
      EXPECT_EQ(history.count(carried->offer_id), 0U) << "one history record an offer";
      for (const auto& v : carried->versions) history[carried->offer_id].push_back(v->version);
    } else if (const auto* written = std::get_if<OfferWritten>(&m)) {
      ids.push_back(written->offer->id);
      EXPECT_EQ(*written->offer, *store_.FindOffer(written->offer->id));
    }
  }
  std::vector<std::string> expected = h.offer_ids;
  std::sort(expected.begin(), expected.end());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, expected);
  for (const std::string& id : expected) {
    SCOPED_TRACE(id);
    std::vector<std::int64_t> earlier(static_cast<std::size_t>(store_.FindOffer(id)->version - 1));
    std::iota(earlier.begin(), earlier.end(), 1);
    EXPECT_EQ(history[id], earlier);
  }
  EXPECT_EQ(store_.FindOffer("o-m")->version, h.offer_edits + 1);
}

// An offer's earlier versions are history: replayed, they do not take back a public code that
// another offer holds now.
TEST_F(MemoryStoreExportTest, AReplayedHistoryLeavesPublicCodesWithTheirHoldersNow) {
  Offer giver = MakePublicCodeOffer("o-2", "SALE");
  sync_.GivenOffer(giver);
  Offer moved = *store_.FindOffer("o-2");
  moved.code = "SALE2";
  ASSERT_TRUE(sync_.UpdateOffer(moved, 1).ok());
  sync_.GivenOffer(MakePublicCodeOffer("o-1", "SALE"));  // SALE is free again: o-1 takes it

  const auto replayed = Replayed(ExportOf(store_), clock_);
  SyncStore replayed_sync(*replayed);
  // SALE still belongs to o-1: a third offer of the shop may not take it
  EXPECT_EQ(CodeOf(replayed_sync.CreateOffer(MakePublicCodeOffer("o-3", "SALE"))),
            StatusCode::kCodeConflict);
  EXPECT_EQ(CodeOf(replayed_sync.CreateOffer(MakePublicCodeOffer("o-4", "SALE2"))),
            StatusCode::kCodeConflict);
  EXPECT_EQ(replayed_sync.OfferHistory({"o-2", 0, 10}).value().versions.size(), 2U);
}

TEST_F(MemoryStoreExportTest, ExportIssuesCodesInBatchesOfAtMostTenThousand) {
  const History h = WriteHistory(sync_, clock_);  // 25 calls of 1,000 codes
  const auto mutations = ExportOf(store_);
  const auto batches = All<CodesIssued>(mutations);
  std::multiset<std::string> exported;
  for (const CodesIssued* batch : batches) {
    EXPECT_EQ(batch->offer_id, "o-m");
    EXPECT_LE(batch->codes.size(), MemoryStore::kExportedCodesPerBatch);
    exported.insert(batch->codes.begin(), batch->codes.end());
  }
  EXPECT_EQ(batches.size(), 3U);
  EXPECT_EQ(exported, std::multiset<std::string>(h.codes.begin(), h.codes.end()));
}

TEST_F(MemoryStoreExportTest, ExportIsOrderedOffersThenCodesThenRedemptionsInCreationOrder) {
  WriteHistory(sync_, clock_);
  const auto mutations = ExportOf(store_);
  std::vector<std::size_t> kinds;
  std::vector<std::string> created;
  std::set<std::string> seen;
  for (const StoreMutation& m : mutations) {
    // offers (their histories too): 0, codes: 1, created and transitioned: 2
    const std::size_t kind =
        std::holds_alternative<OfferHistoryCarried>(m) ? 0 : std::min<std::size_t>(m.index(), 2);
    EXPECT_TRUE(kinds.empty() || kinds.back() <= kind) << "mutation " << kinds.size();
    kinds.push_back(kind);
    if (const auto* c = std::get_if<RedemptionCreated>(&m)) {
      created.push_back(c->redemption.id);
      seen.insert(c->redemption.id);
    } else if (const auto* t = std::get_if<RedemptionTransitioned>(&m)) {
      EXPECT_EQ(seen.count(t->redemption_id), 1U) << t->redemption_id << " before its creation";
    }
  }
  EXPECT_EQ(created, (std::vector<std::string>{"r-1", "r-2", "r-3", "r-4", "r-5", "r-6", "r-7",
                                               "r-8", "r-9", "r-10", "r-11"}));
}

TEST_F(MemoryStoreExportTest, RedemptionIsExportedAsCreatedThenItsTransitions) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  const Redemption reserved = sync_.GivenRedemption(
      RedemptionBuilder("r-1").Apply(offer, 10'000).Build(), Claim("k:1", "fp", "body"));
  clock_.Advance(kMillisPerMinute);
  const Redemption committed = sync_.GivenTransition("r-1", RedemptionAction::kCommit);
  clock_.Advance(kMillisPerMinute);
  const Redemption refunded = sync_.GivenTransition("r-1", RedemptionAction::kRefund);
  const Redemption direct = sync_.GivenRedemption(
      RedemptionBuilder("r-2").Committed().Order("o-2").Apply(offer, 10'000).Build());
  clock_.Advance(kMillisPerMinute);
  const Redemption direct_refunded = sync_.GivenTransition("r-2", RedemptionAction::kRefund);

  const auto mutations = ExportOf(store_);

  // The offer, the redemptions with their transitions, then the events held.
  ASSERT_EQ(mutations.size(), 1U + 5U + 1U);
  EXPECT_EQ(std::get<EventsCarried>(mutations.back()).last_seq, 6U);
  const auto& first = std::get<RedemptionCreated>(mutations[1]);
  EXPECT_EQ(first.redemption, reserved);
  ASSERT_TRUE(first.idempotency.has_value());
  EXPECT_EQ(first.idempotency->scope_key, "k:1");
  EXPECT_EQ(first.idempotency->response, "body");
  const auto& commit = std::get<RedemptionTransitioned>(mutations[2]);
  EXPECT_EQ(commit.action, RedemptionAction::kCommit);
  EXPECT_EQ(commit.at, *committed.committed_at);
  const auto& refund = std::get<RedemptionTransitioned>(mutations[3]);
  EXPECT_EQ(refund.action, RedemptionAction::kRefund);
  EXPECT_EQ(refund.at, *refunded.refunded_at);
  const auto& second = std::get<RedemptionCreated>(mutations[4]);
  EXPECT_EQ(second.redemption, direct);
  EXPECT_EQ(second.redemption.status, RedemptionStatus::kCommitted);
  EXPECT_FALSE(second.idempotency.has_value());
  const auto& second_refund = std::get<RedemptionTransitioned>(mutations[5]);
  EXPECT_EQ(second_refund.redemption_id, "r-2");
  EXPECT_EQ(second_refund.at, *direct_refunded.refunded_at);
}

TEST_F(MemoryStoreExportTest, LaterCreationPlannedEarlierKeepsItsCodeAndOrder) {
  // Given r-2, planned before r-1, that takes r-1's code and order once r-1 let them go
  const Offer offer = sync_.GivenOffer(MakeUniqueCodeOffer("o-1"));
  const auto codes = MakeCodes(1);
  sync_.GivenCodes("o-1", codes);
  const Timestamp planned = clock_.Now();
  clock_.Advance(1'000);
  sync_.GivenRedemption(RedemptionBuilder("r-1")
                            .Order("order-1")
                            .CreatedAt(clock_.Now())
                            .Apply(offer, 10'000, codes[0])
                            .Build());
  sync_.GivenTransition("r-1", RedemptionAction::kCancel);
  sync_.GivenRedemption(RedemptionBuilder("r-2")
                            .Order("order-1")
                            .CreatedAt(planned)
                            .Committed()
                            .Apply(offer, 10'000, codes[0])
                            .Build());
  // When the export is replayed
  const auto replayed = Replayed(ExportOf(store_), clock_);
  SyncStore replayed_sync(*replayed);
  // Then r-2 still holds both
  EXPECT_FALSE(replayed->usage().FindUniqueCode(codes[0])->available);
  EXPECT_EQ(replayed_sync.FindLiveOrder("m-1", "order-1").value(), "r-2");
}

TEST_F(MemoryStoreExportTest, RetainedClaimIsStillReplayedAfterReplayingTheExport) {
  const History h = WriteHistory(sync_, clock_);
  const auto replayed = Replayed(ExportOf(store_), clock_);
  SyncStore replayed_sync(*replayed);
  const Offer offer = *replayed->FindOffer("o-p");

  Result<CreateRedemptionOutcome> third = replayed_sync.Create(
      RedemptionBuilder("r-20").CreatedAt(clock_.Now()).Apply(offer, 1'000).Build(),
      Claim("key-a:idem-3", "fp-3", "again"));
  Result<CreateRedemptionOutcome> reused = replayed_sync.Create(
      RedemptionBuilder("r-21").CreatedAt(clock_.Now()).Apply(offer, 1'000).Build(),
      Claim("key-a:idem-1", "fp-1b", "again"));

  ASSERT_TRUE(third.ok()) << third.status().message();
  EXPECT_TRUE(third->replayed);
  EXPECT_EQ(third->redemption.id, "r-10");
  EXPECT_EQ(third->response, "third");
  ASSERT_TRUE(reused.ok()) << reused.status().message();
  EXPECT_TRUE(reused->replayed);
  EXPECT_EQ(reused->redemption.id, "r-11") << "the key's second use, not its first";
}

TEST_F(MemoryStoreExportTest, ClaimsPastRetentionAreNotExported) {
  // Given a claim that was pruned and one past retention but not pruned yet
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  sync_.GivenRedemption(RedemptionBuilder("r-1").Order("o-1").Apply(offer, 10'000).Build(),
                        Claim("k:pruned", "fp", "one"));
  clock_.Advance(kRetention);
  ASSERT_TRUE(sync_.ExpireDue().ok());  // prunes k:pruned
  sync_.GivenRedemption(RedemptionBuilder("r-2").Order("o-2").Apply(offer, 10'000).Build(),
                        Claim("k:expired", "fp", "two"));
  clock_.Advance(kRetention - 1);
  sync_.GivenRedemption(RedemptionBuilder("r-3").Order("o-3").Apply(offer, 10'000).Build(),
                        Claim("k:kept", "fp", "three"));
  clock_.Advance(1);  // k:expired is now past retention, and not pruned
  // When the export is replayed into a store that keeps claims twice as long
  const auto mutations = ExportOf(store_);
  const auto replayed = Replayed(mutations, clock_, 2 * kRetention);
  SyncStore replayed_sync(*replayed);
  // Then only the claim within retention is there
  std::size_t claims = 0;
  for (const RedemptionCreated* created : All<RedemptionCreated>(mutations)) {
    claims += created->idempotency.has_value() ? 1 : 0;
  }
  EXPECT_EQ(claims, 1U);
  const std::optional<std::string> none;
  EXPECT_EQ(replayed_sync.FindIdempotentResponse("k:pruned", "fp").value(), none);
  EXPECT_EQ(replayed_sync.FindIdempotentResponse("k:expired", "fp").value(), none);
  EXPECT_EQ(replayed_sync.FindIdempotentResponse("k:kept", "fp").value(), "three");
  EXPECT_EQ(replayed->LedgerSnapshot().size(), 3U);
}

TEST_F(MemoryStoreExportTest, ExportIsShorterThanTheLogOfTheSameHistory) {
  // The history logs 102 records: 5 offers + 52 edits + 25 calls issuing codes + 11
  // creations + 9 transitions (commits, cancels, refunds and expiries).
  WriteHistory(sync_, clock_);
  const auto mutations = ExportOf(store_);
  // Every offer version is kept (each offer's history in one record beside it), the codes'
  // calls and the redemptions' entries are not.
  EXPECT_EQ(All<OfferWritten>(mutations).size(), 5U);
  const std::size_t histories = All<OfferHistoryCarried>(mutations).size();
  EXPECT_GE(histories, 1U);
  EXPECT_EQ(All<CodesIssued>(mutations).size(), 3U);
  EXPECT_EQ(All<RedemptionCreated>(mutations).size(), 11U);
  EXPECT_EQ(All<RedemptionTransitioned>(mutations).size(), 9U);
  EXPECT_EQ(All<EventsCarried>(mutations).size(), 1U);
  EXPECT_EQ(store_.ExportedMutationCount(), 5U + histories + 3U + 11U + 9U + 1U);
  EXPECT_EQ(store_.ExportedMutationCount(), mutations.size());
}

TEST_F(MemoryStoreExportTest, WebhooksAreExportedWithTheirProgressAndLog) {
  Webhook webhook;
  webhook.id = "wh-1";
  webhook.merchant_id = "m-1";
  webhook.url = "https://erp.example.vn/uudai";
  webhook.events = {EventType::kRedemptionCommitted};
  webhook.secret = "whsec_x";
  ASSERT_TRUE(sync_.CreateWebhook(webhook).ok());
  webhook.id = "wh-2";
  ASSERT_TRUE(sync_.CreateWebhook(webhook).ok());
  DeliveryAttempt attempt;
  attempt.event_seq = 40;
  attempt.result = DeliveryResult::kDelivered;
  ASSERT_TRUE(sync_.RecordWebhookAttempt("wh-1", 0, attempt).ok());
  ASSERT_TRUE(sync_.RewindWebhook("wh-1", 12).ok());  // after an attempt past it
  attempt.event_seq = 13;
  attempt.result = DeliveryResult::kRetrying;
  ASSERT_TRUE(sync_.RecordWebhookAttempt("wh-1", 1, attempt).ok());
  ASSERT_TRUE(sync_.DeleteWebhook("wh-2").ok());

  const auto mutations = ExportOf(store_);
  EXPECT_EQ(All<WebhookCreated>(mutations).size(), 1U);
  EXPECT_EQ(store_.ExportedMutationCount(), mutations.size());
  const auto replayed = Replayed(mutations, clock_);
  SyncStore replayed_sync(*replayed);
  EXPECT_EQ(replayed_sync.ListWebhooks().value(), sync_.ListWebhooks().value());
  EXPECT_EQ(replayed_sync.ListWebhooks().value().at(0).delivered_through, 12U);
  EXPECT_EQ(replayed_sync.WebhookDeliveries("wh-1").value(),
            sync_.WebhookDeliveries("wh-1").value());
}

TEST_F(MemoryStoreExportTest, EmptyStoreExportsNothing) {
  EXPECT_TRUE(ExportOf(store_).empty());
  EXPECT_EQ(store_.ExportedMutationCount(), 0U);
}

}  // namespace
}  // namespace uudai::store_test
