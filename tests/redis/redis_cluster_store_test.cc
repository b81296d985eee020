// RedisStore and SpreadStore on a Redis Cluster of 3 primaries and 3 replicas (the CTest
// fixture's) against the Store conformance suite. Each store gets keys of its own, under a hash
// tag of its own, so the stores of a run are spread over the cluster's primaries; a spread
// store's three data shards sit one on each primary (ShardLayout), so its sagas cross them.
#include <memory>
#include <string>

#include "engine/store_conformance.h"
#include "redis_cluster_test_support.h"
#include "redis_store_test_support.h"
#include "store/redis/redis_store.h"
#include "store/redis/spread_store.h"

namespace uudai::store_test {
namespace {

struct RedisClusterStoreEnvironment {
  static std::unique_ptr<Store> MakeStore(const Clock& clock) {
    gateway::RedisStoreOptions options;
    options.key_prefix = testing::FreshKeyPrefix();
    auto store = testing::MakeUnloadedRedisStoreAt(testing::RedisClusterServers::Shared().url(),
                                                   clock, std::move(options));
    const Status loaded = store->Load(std::chrono::seconds(10));
    EXPECT_TRUE(loaded.ok()) << loaded.message();
    return store;
  }
};

struct SpreadClusterStoreEnvironment {
  static std::unique_ptr<Store> MakeStore(const Clock& clock) {
    return testing::MakeSpreadStore(clock, testing::FreshKeyPrefix(), 3,
                                    testing::RedisClusterServers::Shared().url());
  }
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(
    SpreadCluster, StoreConformanceTest,
    ::testing::Values(EnvironmentOf<SpreadClusterStoreEnvironment>("spread_cluster", true)));
INSTANTIATE_TEST_SUITE_P(
    SpreadCluster, LedgerConformanceTest,
    ::testing::Values(EnvironmentOf<SpreadClusterStoreEnvironment>("spread_cluster", true)));
INSTANTIATE_TEST_SUITE_P(
    SpreadCluster, OfferRecheckConformanceTest,
    ::testing::Values(EnvironmentOf<SpreadClusterStoreEnvironment>("spread_cluster", true)));

INSTANTIATE_TEST_SUITE_P(RedisCluster, StoreConformanceTest,
                         ::testing::Values(EnvironmentOf<RedisClusterStoreEnvironment>("cluster")));
INSTANTIATE_TEST_SUITE_P(RedisCluster, LedgerConformanceTest,
                         ::testing::Values(EnvironmentOf<RedisClusterStoreEnvironment>("cluster")));
INSTANTIATE_TEST_SUITE_P(RedisCluster, OfferRecheckConformanceTest,
                         ::testing::Values(EnvironmentOf<RedisClusterStoreEnvironment>("cluster")));

}  // namespace uudai::store_test
