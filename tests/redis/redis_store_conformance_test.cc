// RedisStore against the Store conformance suite (tests/engine/store_conformance.h), on the
// real redis-server of the CTest fixture. Each store gets keys of its own (a fresh prefix), so
// tests never see each other's state.
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "engine/store_conformance.h"
#include "redis_store_test_support.h"
#include "store/redis/redis_store.h"

namespace uudai::store_test {
namespace {

struct RedisStoreEnvironment {
  static std::unique_ptr<Store> MakeStore(const Clock& clock) {
    return testing::MakeRedisStore(clock, testing::FreshKeyPrefix());
  }
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Redis, StoreConformanceTest,
                         ::testing::Values(EnvironmentOf<RedisStoreEnvironment>("redis")));
INSTANTIATE_TEST_SUITE_P(Redis, LedgerConformanceTest,
                         ::testing::Values(EnvironmentOf<RedisStoreEnvironment>("redis")));
INSTANTIATE_TEST_SUITE_P(Redis, OfferRecheckConformanceTest,
                         ::testing::Values(EnvironmentOf<RedisStoreEnvironment>("redis")));

}  // namespace uudai::store_test
