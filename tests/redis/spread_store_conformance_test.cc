// SpreadStore (three shards on the fixture's redis-server, each store under keys of its own)
// against the Store conformance suite (tests/engine/store_conformance.h): spread over shards,
// the store answers as one.
#include <memory>
#include <string>

#include "engine/store_conformance.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/redis/spread_store.h"

namespace uudai::store_test {
namespace {

struct SpreadStoreEnvironment {
  static std::unique_ptr<Store> MakeStore(const Clock& clock) {
    return testing::MakeSpreadStore(clock, testing::FreshKeyPrefix(), 3);
  }
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Spread, StoreConformanceTest,
                         ::testing::Values(EnvironmentOf<SpreadStoreEnvironment>("spread", true)));
INSTANTIATE_TEST_SUITE_P(Spread, LedgerConformanceTest,
                         ::testing::Values(EnvironmentOf<SpreadStoreEnvironment>("spread", true)));
INSTANTIATE_TEST_SUITE_P(Spread, OfferRecheckConformanceTest,
                         ::testing::Values(EnvironmentOf<SpreadStoreEnvironment>("spread", true)));

}  // namespace uudai::store_test
