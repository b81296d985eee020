// StoreMirror (the view each gateway keeps of a shared store): own changes whose replies come
// back out of order (one Redis connection per I/O thread) are applied in log order without
// reading the log, and waiters are released as soon as the view holds their entry.
#include "store/redis/store_mirror.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "engine/store_test_support.h"

namespace uudai::testing {
namespace {

using gateway::LogEntry;
using gateway::LogPosition;
using gateway::LogRead;
using gateway::StoreMirror;
using store_test::MakeOffer;

StoreMutation OfferChange(const std::string& id) {
  return OfferWritten{std::make_shared<const Offer>(MakeOffer(id))};
}

class StoreMirrorTest : public ::testing::Test {
 protected:
  StoreMirrorTest()
      : clock_(store_test::CampaignNow()),
        mirror_(clock_, MemoryStoreOptions{}, 100,
                [this](LogPosition after, StoreMirror::FetchDone done) {
                  fetches_.push_back(after);
                  pending_fetch_ = std::move(done);
                }) {}

  ManualClock clock_;
  std::vector<LogPosition> fetches_;
  StoreMirror::FetchDone pending_fetch_;
  StoreMirror mirror_;
};

TEST_F(StoreMirrorTest, OwnChangesArrivingOutOfOrderAreAppliedInOrderWithoutReadingTheLog) {
  const LogPosition e1{10, 0}, e2{10, 1}, e3{10, 2};
  mirror_.ApplyOwn(e2, e3, OfferChange("o-3"));  // thread B's reply first
  mirror_.ApplyOwn(e1, e2, OfferChange("o-2"));
  EXPECT_EQ(mirror_.view().FindOffer("o-2"), nullptr) << "o-1 is not there yet";
  mirror_.ApplyOwn(LogPosition{}, e1, OfferChange("o-1"));  // the first change of the log

  EXPECT_EQ(mirror_.position(), e3);
  EXPECT_NE(mirror_.view().FindOffer("o-1"), nullptr);
  EXPECT_NE(mirror_.view().FindOffer("o-2"), nullptr);
  EXPECT_NE(mirror_.view().FindOffer("o-3"), nullptr);
  EXPECT_TRUE(fetches_.empty());
}

TEST_F(StoreMirrorTest, WaiterOfAnOutOfOrderChangeIsReleasedByItsPredecessor) {
  const LogPosition e1{10, 0}, e2{10, 1};
  bool applied = false;
  mirror_.ApplyOwn(e1, e2, OfferChange("o-2"));
  mirror_.WhenApplied(e2, [&] { applied = true; });
  EXPECT_FALSE(applied);
  ASSERT_EQ(fetches_.size(), 1U) << "the gap might be another gateway's: the log is read too";

  mirror_.ApplyOwn(LogPosition{}, e1, OfferChange("o-1"));

  EXPECT_TRUE(applied) << "released without waiting for the read";
  // The read comes back with both: they are not applied twice.
  pending_fetch_(LogRead{{}, 2, std::nullopt});
  EXPECT_EQ(mirror_.position(), e2);
}

TEST_F(StoreMirrorTest, GapFilledByAnotherGatewaysChangeFromTheLogThenOwnChangesFollow) {
  const LogPosition foreign{10, 0}, own{10, 1};
  bool applied = false;
  mirror_.ApplyOwn(foreign, own, OfferChange("o-own"));
  mirror_.WhenApplied(own, [&] { applied = true; });
  ASSERT_EQ(fetches_.size(), 1U);

  // The read brings the other gateway's change only (the own one was skipped: see
  // LogEntriesFromXread), and the kept-aside own change follows it.
  pending_fetch_(LogRead{{LogEntry{foreign, OfferChange("o-foreign")}}, 2, std::nullopt});

  EXPECT_TRUE(applied);
  EXPECT_EQ(mirror_.position(), own);
  EXPECT_NE(mirror_.view().FindOffer("o-foreign"), nullptr);
  EXPECT_NE(mirror_.view().FindOffer("o-own"), nullptr);
}

TEST_F(StoreMirrorTest, KeptAsideChangeTheLogAlreadyBroughtIsDropped) {
  const LogPosition e1{10, 0}, e2{10, 1}, e3{10, 2};
  mirror_.ApplyOwn(e1, e2, OfferChange("o-2"));
  mirror_.WhenApplied(e2, [] {});
  ASSERT_EQ(fetches_.size(), 1U);
  pending_fetch_(LogRead{{LogEntry{e1, OfferChange("o-1")}, LogEntry{e2, OfferChange("o-2")},
                          LogEntry{e3, OfferChange("o-3")}},
                         3,
                         std::nullopt});
  EXPECT_EQ(mirror_.position(), e3);
  // A late own change before the position changes nothing.
  mirror_.ApplyOwn(e1, e2, OfferChange("o-2-late"));
  EXPECT_EQ(mirror_.position(), e3);
  EXPECT_EQ(mirror_.view().FindOffer("o-2-late"), nullptr);
}

TEST_F(StoreMirrorTest, ReadFindingEntriesTrimmedBeforeItsPositionBreaksTheView) {
  mirror_.StartAt(LogPosition{5, 0});
  Status caught_up;
  mirror_.CatchUp([&](Status status) { caught_up = status; });
  ASSERT_EQ(fetches_.size(), 1U);
  ASSERT_EQ(fetches_.front(), (LogPosition{5, 0}));
  // Entry 6 is gone: the read starts at 8.
  const LogPosition e8{8, 0};
  pending_fetch_(LogRead{{LogEntry{e8, OfferChange("o-8")}}, 1, e8});

  EXPECT_TRUE(mirror_.broken());
  EXPECT_FALSE(mirror_.log_readable());
  EXPECT_EQ(caught_up.code(), StatusCode::kUnavailable);
  EXPECT_EQ(mirror_.position(), (LogPosition{5, 0})) << "nothing after the gap is applied";
  EXPECT_EQ(mirror_.view().FindOffer("o-8"), nullptr);
}

TEST_F(StoreMirrorTest, ReadStartingRightAfterThePositionIsNoGap) {
  mirror_.StartAt(LogPosition{5, 0});
  mirror_.CatchUp([](const Status&) {});
  ASSERT_EQ(fetches_.size(), 1U);
  const LogPosition e6{6, 0};
  pending_fetch_(LogRead{{LogEntry{e6, OfferChange("o-6")}}, 1, e6});
  EXPECT_FALSE(mirror_.broken());
  EXPECT_EQ(mirror_.position(), e6);
  EXPECT_NE(mirror_.view().FindOffer("o-6"), nullptr);
}

TEST_F(StoreMirrorTest, ReadOvertakenByOwnChangesWhileTheLogWasTrimmedIsNoGap) {
  mirror_.StartAt(LogPosition{5, 0});
  mirror_.CatchUp([](const Status&) {});
  ASSERT_EQ(fetches_.size(), 1U);
  // While the read (after 5) is in flight, own changes 6 and 7 are applied, and the log is
  // trimmed up to them: the read finds 8 first.
  mirror_.ApplyOwn(LogPosition{5, 0}, LogPosition{6, 0}, OfferChange("o-6"));
  mirror_.ApplyOwn(LogPosition{6, 0}, LogPosition{7, 0}, OfferChange("o-7"));
  const LogPosition e8{8, 0};
  pending_fetch_(LogRead{{LogEntry{e8, OfferChange("o-8")}}, 1, e8});
  EXPECT_FALSE(mirror_.broken());
  EXPECT_EQ(mirror_.position(), e8);
}

}  // namespace
}  // namespace uudai::testing
