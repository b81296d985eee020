// StoreConformanceTest: the behaviour every Store must have (docs/design.md §3 and store.h),
// written once and run against each implementation. A behaviour exists only when every store
// passes.
//
// The suite is parameterised by a StoreEnvironment: how to make a fresh store, e.g.
//
//   struct MemoryStoreEnvironment {
//     // A new store holding nothing (no offers, codes, redemptions or idempotency records).
//     // It reads "now" only from `clock` (which outlives it), counts days in the campaign
//     // zone UTC+07:00, keeps idempotency records for 24 hours and expires reservations only
//     // when ExpireDue is called (no sweeper of its own).
//     static std::unique_ptr<uudai::Store> MakeStore(const uudai::Clock& clock);
//   };
//   INSTANTIATE_TEST_SUITE_P(Memory, StoreConformanceTest,
//                            ::testing::Values(EnvironmentOf<MemoryStoreEnvironment>("memory")));
//
// The test bodies (store_conformance_test.cc, store_ledger_conformance_test.cc,
// store_offer_recheck_conformance_test.cc) are compiled once, in the object library
// `store_conformance` (tests/CMakeLists.txt), and linked into every binary that instantiates
// the suites. One binary may instantiate them for several environments (e.g. a store with and
// without a journal).
//
// The tests reach the store only through the Store port, and wait for every completion with
// Await, so completions may run inline or later on another thread.
#ifndef UUDAI_TESTS_ENGINE_STORE_CONFORMANCE_H_
#define UUDAI_TESTS_ENGINE_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "engine/store_test_support.h"
#include "uudai/clock.h"
#include "uudai/store.h"

namespace uudai::store_test {

// A store under test: its name (in test names) and how to make a fresh one.
struct StoreEnvironment {
  const char* name;
  std::unique_ptr<Store> (*make_store)(const Clock& clock);
  // A store spread over shards (SpreadStore): where its documented differences show (a batch
  // of offers of several shards is heard of in one observer call per shard), a test checks
  // them instead.
  bool spread = false;

  friend void PrintTo(const StoreEnvironment& environment, std::ostream* out) {
    *out << environment.name;
  }
};

template <typename Environment>
StoreEnvironment EnvironmentOf(const char* name, bool spread = false) {
  return StoreEnvironment{name, &Environment::MakeStore, spread};
}

class StoreConformanceTest : public ::testing::TestWithParam<StoreEnvironment> {
 protected:
  StoreConformanceTest()
      : clock_(CampaignNow()), owned_store_(GetParam().make_store(clock_)), store_(*owned_store_) {}

  ManualClock clock_;
  std::unique_ptr<Store> owned_store_;
  SyncStore store_;
};

// The ledger suite's fixture (store_ledger_conformance_test.cc).
class LedgerConformanceTest : public StoreConformanceTest {
 protected:
  Result<LedgerPage> Page(LedgerPageQuery query) {
    return Await<LedgerPage>([&](Completion<LedgerPage> done) {
      this->store_.store().ReadLedger(std::move(query), std::move(done));
    });
  }
  // Every row of `query`, page after page (at most `limit` a page), as an export reads them.
  std::vector<Redemption> ReadAll(LedgerPageQuery query) {
    std::vector<Redemption> rows;
    for (int pages = 0; pages < 10'000; ++pages) {
      Result<LedgerPage> page = Page(query);
      if (!page.ok()) {
        ADD_FAILURE() << "ReadLedger failed: " << page.status().message();
        break;
      }
      rows.insert(rows.end(), page->rows.begin(), page->rows.end());
      if (page->done()) break;
      EXPECT_GT(page->next, query.start) << "a page that is not the last must move on";
      query.start = page->next;
      query.end = page->end;
    }
    return rows;
  }
};

// The offer re-check suite's fixture (store_offer_recheck_conformance_test.cc).
class OfferRecheckConformanceTest : public StoreConformanceTest {
 protected:
  // An offer limited to 1,000 redemptions and 10,000,000 đồng of budget, at version 1.
  Offer GivenLimitedOffer(const std::string& id) {
    Offer offer = MakeOffer(id);
    offer.limits.total_redemptions = 1'000;
    offer.limits.total_budget = 10'000'000;
    return this->store_.GivenOffer(offer);
  }

  // Plans a redemption of `seen` (the offer as a quote saw it), applies `edit` to the stored
  // offer (one version later), creates the planned redemption, and checks that it is refused
  // with `expected` for that offer and that nothing was counted: no redemption, no usage, no
  // order guard, no idempotency claim, no stats.
  void ExpectRefusedAfterEdit(const Offer& seen, const std::function<void(Offer&)>& edit,
                              StatusCode expected) {
    SyncStore& store = this->store_;
    const Redemption planned = RedemptionBuilder("r-late").Apply(seen, 10'000).Build();
    Offer edited = seen;
    edit(edited);
    Result<Offer> updated = store.UpdateOffer(edited, seen.version);
    ASSERT_TRUE(updated.ok()) << updated.status().message();
    ASSERT_EQ(updated->version, seen.version + 1);

    Result<CreateRedemptionOutcome> created =
        store.Create(planned, Claim("key-a:late", "fp-late", "late"));
    ASSERT_EQ(CodeOf(created), expected) << created.status().message();
    EXPECT_EQ(created.status().offer_id(), seen.id);
    EXPECT_EQ(CodeOf(store.Get("r-late")), StatusCode::kNotFound);
    EXPECT_EQ(store.Usage(updated.value(), "s-1", DayOf(CampaignNow())), (OfferUsage{0, 0, 0, 0}));
    EXPECT_EQ(store.FindLiveOrder("m-1", "order-r-late").value(), std::nullopt);
    EXPECT_EQ(store.FindIdempotentResponse("key-a:late", "fp-late").value(), std::nullopt);
    Result<OfferStats> stats = store.Stats(seen.id);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->totals, StatsBucket{});
  }
};

}  // namespace uudai::store_test

#endif  // UUDAI_TESTS_ENGINE_STORE_CONFORMANCE_H_
