// Test support for RedisStore: stores on the fixture's redis-server, each under keys of its
// own, driven by one shared io_context thread.
#ifndef UUDAI_TESTS_REDIS_REDIS_STORE_TEST_SUPPORT_H_
#define UUDAI_TESTS_REDIS_REDIS_STORE_TEST_SUPPORT_H_

#include <memory>
#include <string>

#include "redis/redis_connection.h"
#include "redis_test_support.h"
#include "store/redis/redis_store.h"
#include "store/redis/spread_store.h"
#include "uudai/clock.h"

namespace uudai::testing {

// "uudai:{t<pid>-<random>-<n>}:", new on every call (and in every process of a run).
std::string FreshKeyPrefix();

// Count `name` (p, m:<merchant> or o:<offer id>) of `shopper`'s live redemptions in the store
// under `prefix` on the shared test server: its field of the bucket sb:<the first 3, 4 or 5 hex
// digits of the shopper's SHA-1, as the store's bucket count says> holds name ␟ count pairs, or
// "*" when they are in s:<shopper>. "" when it has none.
std::string ShopperCount(const std::string& prefix, const std::string& shopper,
                         const std::string& name);

// The value of `text`'s field in its bucket of kind `kind` ("ob": live orders, "sb": shoppers'
// counts) of the store under `prefix` on the shared test server, looked up as the store looks
// it up (redis_store.lua, bucket_place: the store's bucket count; a text past 64 bytes as "#"
// and its SHA-1). "" when there is none.
std::string BucketField(const std::string& prefix, const std::string& kind,
                        const std::string& text);
// The key of that bucket.
std::string BucketKey(const std::string& prefix, const std::string& kind, const std::string& text);

// A RedisStore on the shared test server under `key_prefix`, loaded (fails the test when
// Redis does not answer). Connections run on an io_context thread shared by every store.
std::unique_ptr<gateway::RedisStore> MakeRedisStore(const Clock& clock,
                                                    const std::string& key_prefix);
// The same, not loaded yet (the test calls Load).
std::unique_ptr<gateway::RedisStore> MakeUnloadedRedisStore(const Clock& clock,
                                                            const std::string& key_prefix);
// Not loaded, with options of the test's own (key prefix included).
std::unique_ptr<gateway::RedisStore> MakeUnloadedRedisStore(const Clock& clock,
                                                            gateway::RedisStoreOptions options);

// A SpreadStore of `shards` shards derived from `key_prefix` on the shared test server (or the
// server or cluster at `url`), loaded; `options` but their key prefix as given.
std::unique_ptr<gateway::SpreadStore> MakeSpreadStore(const Clock& clock,
                                                      const std::string& key_prefix,
                                                      std::size_t shards,
                                                      const std::string& url = "",
                                                      gateway::SpreadStoreOptions options = {});

// A started client of the shared test server (on a thread that lives until the process exits,
// as completions may run on it until then).
std::shared_ptr<gateway::RedisClient> SharedServerClient();

// The same on the server or cluster at `url` (redis:// or redis+cluster://).
std::unique_ptr<gateway::RedisStore> MakeUnloadedRedisStoreAt(const std::string& url,
                                                              const Clock& clock,
                                                              gateway::RedisStoreOptions options);

// A RedisStore on the server at `url` with an io thread and a connection of its own (its
// replies never wait behind another store's completions, and the test may stop the server),
// loaded; both stopped before they go.
class OwnThreadStore {
 public:
  OwnThreadStore(const std::string& url, const Clock& clock, const std::string& key_prefix);
  ~OwnThreadStore();
  gateway::RedisStore& store() { return *store_; }
  gateway::RedisConnection& connection() { return *connection_; }

 private:
  IoThread io_;
  std::shared_ptr<gateway::RedisConnection> connection_;
  std::unique_ptr<gateway::RedisStore> store_;
};

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_REDIS_REDIS_STORE_TEST_SUPPORT_H_
