// RedisStore against the Store conformance suite (tests/engine/store_conformance.h), on the
// real redis-server of the CTest fixture. Each store gets keys of its own (a fresh prefix), so
// tests never see each other's state.
#include <unistd.h>

#include <atomic>
#include <chrono>
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

// A store created with 4,096 buckets of live orders and shoppers' counts (a new store has
// 65,536): every rule that reads or writes them finds them where its own calls put them.
struct FewBucketsEnvironment {
  static std::unique_ptr<Store> MakeStore(const Clock& clock) {
    gateway::RedisStoreOptions options;
    options.key_prefix = testing::FreshKeyPrefix();
    options.buckets = 4'096;
    auto store = testing::MakeUnloadedRedisStore(clock, std::move(options));
    const Status loaded = store->Load(std::chrono::milliseconds(10'000));
    if (!loaded.ok() || store->buckets() != 4'096) {
      ADD_FAILURE() << "the store did not load with 4,096 buckets: " << loaded.message();
    }
    return store;
  }
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Redis, StoreConformanceTest,
                         ::testing::Values(EnvironmentOf<RedisStoreEnvironment>("redis")));
INSTANTIATE_TEST_SUITE_P(Redis, LedgerConformanceTest,
                         ::testing::Values(EnvironmentOf<RedisStoreEnvironment>("redis")));
INSTANTIATE_TEST_SUITE_P(Redis, OfferRecheckConformanceTest,
                         ::testing::Values(EnvironmentOf<RedisStoreEnvironment>("redis")));
INSTANTIATE_TEST_SUITE_P(RedisFewBuckets, StoreConformanceTest,
                         ::testing::Values(EnvironmentOf<FewBucketsEnvironment>("redis")));
INSTANTIATE_TEST_SUITE_P(RedisFewBuckets, LedgerConformanceTest,
                         ::testing::Values(EnvironmentOf<FewBucketsEnvironment>("redis")));
INSTANTIATE_TEST_SUITE_P(RedisFewBuckets, OfferRecheckConformanceTest,
                         ::testing::Values(EnvironmentOf<FewBucketsEnvironment>("redis")));

}  // namespace uudai::store_test
