// StoreConformanceTest: the behaviour every Store must have (docs/design.md §3 and store.h), written
// once and run against each implementation. A behaviour exists only when every store passes.
//
// The suite is parameterised by an Environment type with one static factory:
//
//   struct MemoryStoreEnvironment {
//     // A new store holding nothing (no offers, codes, redemptions or idempotency records).
//     // It reads "now" only from `clock` (which outlives it), counts days in the campaign
//     // zone UTC+07:00, keeps idempotency records for 24 hours and expires reservations only
//     // when ExpireDue is called (no sweeper of its own).
//     static std::unique_ptr<uudai::Store> MakeStore(const uudai::Clock& clock);
//   };
//
// GoogleTest needs a suite's REGISTER_TYPED_TEST_SUITE_P and its INSTANTIATE_TYPED_TEST_SUITE_P
// in one translation unit, so a test binary compiles store_conformance_test.cc (the test
// bodies and their registration) as part of the file that instantiates the suite:
//
//   #include "engine/store_conformance_test.cc"
//   INSTANTIATE_TYPED_TEST_SUITE_P(Memory, StoreConformanceTest, MemoryStoreEnvironment);
//
// and does not list store_conformance_test.cc as a source of its own. One binary may
// instantiate the suite for several environments (e.g. a store with and without a journal).
//
// The tests reach the store only through the Store port, and wait for every completion with
// Await, so completions may run inline or later on another thread.
#ifndef UUDAI_TESTS_ENGINE_STORE_CONFORMANCE_H_
#define UUDAI_TESTS_ENGINE_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <memory>

#include "engine/store_test_support.h"
#include "uudai/clock.h"
#include "uudai/store.h"

namespace uudai::store_test {

template <typename Environment>
class StoreConformanceTest : public ::testing::Test {
 protected:
  StoreConformanceTest()
      : clock_(CampaignNow()),
        owned_store_(Environment::MakeStore(clock_)),
        store_(*owned_store_) {}

  ManualClock clock_;
  std::unique_ptr<Store> owned_store_;
  SyncStore store_;
};

TYPED_TEST_SUITE_P(StoreConformanceTest);

}  // namespace uudai::store_test

#endif  // UUDAI_TESTS_ENGINE_STORE_CONFORMANCE_H_
