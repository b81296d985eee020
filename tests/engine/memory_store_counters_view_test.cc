// MemoryStoreOptions::keep_redemptions = false: the counters-only view RedisStore keeps of
// Redis. Fed the same mutations as a full store (transitions carrying their redemption, as the
// Redis change log carries them), it must answer every stats and usage question the same,
// while holding no redemption at all.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "engine/store_test_support.h"
#include "uudai/memory_store.h"

namespace uudai::store_test {
namespace {

constexpr CampaignGrouping kGroupings[] = {
    CampaignGrouping::kNone,          CampaignGrouping::kDay,      CampaignGrouping::kHour,
    CampaignGrouping::kPaymentMethod, CampaignGrouping::kMerchant, CampaignGrouping::kOffer,
    CampaignGrouping::kFundedBy};

MemoryStoreOptions Options(bool keep_redemptions) {
  MemoryStoreOptions options;
  options.keep_redemptions = keep_redemptions;
  return options;
}

class CountersViewTest : public ::testing::Test {
 protected:
  CountersViewTest()
      : clock_(CampaignNow()),
        source_(clock_, Options(true)),
        full_(clock_, Options(true)),
        view_(clock_, Options(false)),
        sync_(source_) {}

  // A history with every transition a redemption can take: commit, cancel, expiry, refund
  // with and without restoring quota; a unique code freed and taken again; two merchants,
  // two local days, several shoppers and payment methods.
  void WriteHistory() {
    Offer unique = MakeUniqueCodeOffer("o-u");
    unique.limits = OfferLimits{10, 1'000'000, 3, 8};
    unique_ = sync_.GivenOffer(unique);
    Offer platform = MakePlatformOffer("o-p");
    platform.restore_on_refund = false;
    platform_ = sync_.GivenOffer(platform);
    Offer other = MakeOffer("o-s");
    other.merchant_id = "m-2";
    other_ = sync_.GivenOffer(other);
    codes_ = MakeCodes(20);
    sync_.GivenCodes("o-u", codes_);

    auto both = [&](const std::string& id, const std::string& shopper, int code) {
      return RedemptionBuilder(id)
          .Shopper(shopper)
          .CreatedAt(clock_.Now())
          .Apply(unique_, 10'000 + code, codes_[code])
          .Apply(platform_, 5'000);
    };
    sync_.GivenRedemption(both("r-1", "s-1", 0).Build());
    sync_.GivenTransition("r-1", RedemptionAction::kCommit);
    sync_.GivenRedemption(both("r-2", "s-2", 1).Method(PaymentMethod::kZalopay).Build());
    sync_.GivenTransition("r-2", RedemptionAction::kCancel);
    sync_.GivenRedemption(both("r-3", "s-2", 1).Order("order-r-2").Committed().Build());
    sync_.GivenTransition("r-3", RedemptionAction::kRefund);  // frees code 1 and o-u's quota
    sync_.GivenRedemption(both("r-4", "s-3", 2).TtlMillis(kMillisPerMinute).Build());
    sync_.GivenRedemption(RedemptionBuilder("r-5")
                              .Merchant("m-2")
                              .Shopper("s-4")
                              .Method(PaymentMethod::kCard)
                              .CreatedAt(clock_.Now())
                              .Committed()
                              .Apply(other_, 20'000)
                              .Build());
    clock_.Advance(2 * kMillisPerMinute);
    ASSERT_EQ(sync_.ExpireDue().value(), 1U);  // r-4
    clock_.Advance(kMillisPerDay);
    sync_.GivenRedemption(both("r-6", "s-1", 1).Method(PaymentMethod::kVietqr).Build());
    sync_.GivenRedemption(both("r-7", "s-3", 3).Committed().Build());
    sync_.GivenTransition("r-7", RedemptionAction::kRefund);
    sync_.GivenRedemption(both("r-8", "s-4", 4).Build());  // still reserved
  }

  // The source's mutations, each transition carrying its redemption as the Redis log does.
  std::vector<StoreMutation> CarriedMutations() {
    std::vector<StoreMutation> out;
    source_.ExportMutations([&](const StoreMutation& m) {
      out.push_back(m);
      if (auto* t = std::get_if<RedemptionTransitioned>(&out.back())) {
        t->redemption = sync_.Get(t->redemption_id).value();
      }
    });
    return out;
  }

  void ReplayInto(MemoryStore& store, const std::vector<StoreMutation>& mutations) {
    for (const StoreMutation& m : mutations) store.Replay(m);
  }

  void ExpectSameAnswers(MemoryStore& full, MemoryStore& view) {
    SyncStore a(full);
    SyncStore b(view);
    for (const char* offer : {"o-u", "o-p", "o-s"}) {
      SCOPED_TRACE(offer);
      ExpectSameStats(b.Stats(offer).value(), a.Stats(offer).value());
    }
    for (CampaignGrouping grouping : kGroupings) {
      SCOPED_TRACE(static_cast<int>(grouping));
      CampaignQuery query;
      query.group_by = grouping;
      ExpectSameCampaignStats(b.CampaignStatsFor(query).value(), a.CampaignStatsFor(query).value());
    }
    const LocalDay today = DayOf(CampaignNow());
    for (const Offer* offer : {&unique_, &platform_, &other_}) {
      for (const char* shopper : {"s-1", "s-2", "s-3", "s-4", "s-none"}) {
        for (LocalDay day : {today, LocalDay{today.index + 1}}) {
          EXPECT_EQ(b.Usage(*offer, shopper, day), a.Usage(*offer, shopper, day))
              << offer->id << " " << shopper << " " << FormatLocalDay(day);
        }
      }
    }
    for (const std::string& code : codes_) {
      const auto in_full = full.usage().FindUniqueCode(code);
      const auto in_view = view.usage().FindUniqueCode(code);
      ASSERT_TRUE(in_full && in_view) << code;
      EXPECT_EQ(in_view->available, in_full->available) << code;
      EXPECT_EQ(in_view->offer_id, in_full->offer_id) << code;
    }
  }

  ManualClock clock_;
  MemoryStore source_;
  MemoryStore full_;
  MemoryStore view_;
  SyncStore sync_;
  Offer unique_, platform_, other_;
  std::vector<std::string> codes_;
};

TEST_F(CountersViewTest, AnswersStatsUsageAndCodesAsAFullStore) {
  WriteHistory();
  const auto mutations = CarriedMutations();
  ReplayInto(full_, mutations);
  ReplayInto(view_, mutations);
  ExpectSameAnswers(full_, view_);
  // The history moved every figure: a view that dropped transitions would differ.
  const OfferStats stats = SyncStore(view_).Stats("o-u").value();
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kReleased), 1);
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kExpired), 1);
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kRefunded), 2);
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kCommitted), 1);
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kReserved), 2);
  // ...and the full store answers as the source it was replayed from.
  ExpectSameAnswers(source_, view_);
}

TEST_F(CountersViewTest, HoldsNoRedemption) {
  WriteHistory();
  ReplayInto(view_, CarriedMutations());
  SyncStore view(view_);
  EXPECT_EQ(CodeOf(view.Get("r-1")), StatusCode::kNotFound);
  EXPECT_EQ(view.FindLiveOrder("m-1", "order-r-8").value(), std::nullopt);
  EXPECT_TRUE(view_.LedgerSnapshot().empty());
  const auto page = Await<LedgerPage>(
      [&](Completion<LedgerPage> done) { view_.ReadLedger({}, std::move(done)); });
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->rows.empty());
  EXPECT_EQ(view_.ExportedMutationCount(), 3U + 1U) << "offers and codes only";
  // Reservations live elsewhere too: the view has nothing to expire.
  clock_.Advance(kMillisPerDay);
  EXPECT_EQ(view.ExpireDue().value(), 0U);
}

TEST_F(CountersViewTest, ATransitionWithoutItsRedemptionIsSkipped) {
  const Offer offer = sync_.GivenOffer(MakeOffer("o-1"));
  const Redemption r = sync_.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  ReplayInto(view_, CarriedMutations());
  view_.Replay(
      RedemptionTransitioned{"r-1", RedemptionAction::kCancel, clock_.Now(), std::nullopt});
  EXPECT_EQ(SyncStore(view_).Stats("o-1")->totals.count(RedemptionStatus::kReserved), 1);
  view_.Replay(RedemptionTransitioned{"r-1", RedemptionAction::kCancel, clock_.Now(), r});
  EXPECT_EQ(SyncStore(view_).Stats("o-1")->totals.count(RedemptionStatus::kReserved), 0);
  EXPECT_EQ(SyncStore(view_).Stats("o-1")->totals.count(RedemptionStatus::kReleased), 1);
}

TEST_F(CountersViewTest, RefusesRedemptionWritesOfItsOwn) {
  const Offer offer = SyncStore(view_).GivenOffer(MakeOffer("o-1"));
  EXPECT_EQ(CodeOf(SyncStore(view_).Create(RedemptionBuilder("r-1").Apply(offer, 10'000).Build())),
            StatusCode::kInternal);
}

}  // namespace
}  // namespace uudai::store_test
