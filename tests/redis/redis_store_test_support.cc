#include "redis_store_test_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <random>

#include "redis_test_support.h"

namespace uudai::testing {

std::string FreshKeyPrefix() {
  // The process id alone repeats within a run (a test is a process, and pids wrap at 32,768),
  // and the shared server keeps every test's keys until the run ends: a random part too.
  static const std::string process = [] {
    std::random_device random;
    char tag[9];
    std::snprintf(tag, sizeof tag, "%08x", random());
    return std::to_string(::getpid()) + "-" + tag;
  }();
  static std::atomic<int> next{0};
  return "uudai:{t" + process + "-" + std::to_string(next.fetch_add(1)) + "}:";
}

namespace {

// Lua, the store function's bucket_place: the key (k) and the field (f) of ARGV[2] among the
// buckets of kind ARGV[1] of the store KEYS[1].
constexpr char kBucketPlace[] =
    "local d = redis.sha1hex(ARGV[2]) local f = ARGV[2] if #f > 64 then f = \"#\" .. d end "
    "local n = ({[\"65536\"] = 4, [\"1048576\"] = 5})[redis.call(\"GET\", KEYS[1] .. "
    "\"buckets\") or \"\"] or 3 "
    "local k = KEYS[1] .. ARGV[1] .. \":\" .. string.sub(d, 1, n) ";

// Runs kBucketPlace, then `then`, with ARGV kind, text and `extra`.
std::string EvalBucketPlace(const std::string& then, const std::string& prefix,
                            const std::string& kind, const std::string& text,
                            const std::string& extra = "") {
  return RedisServer::Shared().Cli("EVAL '" + std::string(kBucketPlace) + then + "' 1 '" + prefix +
                                   "' " + kind + " '" + text + "' '" + extra + "'");
}

}  // namespace

std::string ShopperCount(const std::string& prefix, const std::string& shopper,
                         const std::string& name) {
  // The store function's read_counts, read-only.
  return EvalBucketPlace(
      "local t = redis.call(\"HGET\", k, f) or \"\" "
      "if t == \"*\" then return redis.call(\"HGET\", KEYS[1] .. \"s:\" .. ARGV[2], ARGV[3]) end "
      "for n, c in string.gmatch(t .. \"\\31\", \"([^\\31]*)\\31([^\\31]*)\\31\") do "
      "if n == ARGV[3] then return c end end return \"\"",
      prefix, "sb", shopper, name);
}

std::string BucketField(const std::string& prefix, const std::string& kind,
                        const std::string& text) {
  return EvalBucketPlace("return redis.call(\"HGET\", k, f) or \"\"", prefix, kind, text);
}

std::string BucketKey(const std::string& prefix, const std::string& kind, const std::string& text) {
  return EvalBucketPlace("return k", prefix, kind, text);
}

std::unique_ptr<gateway::RedisStore> MakeUnloadedRedisStore(const Clock& clock,
                                                            const std::string& key_prefix) {
  gateway::RedisStoreOptions options;
  options.key_prefix = key_prefix;
  return MakeUnloadedRedisStore(clock, std::move(options));
}

std::unique_ptr<gateway::RedisStore> MakeUnloadedRedisStore(const Clock& clock,
                                                            gateway::RedisStoreOptions options) {
  return MakeUnloadedRedisStoreAt(RedisServer::Shared().url(), clock, std::move(options));
}

std::unique_ptr<gateway::RedisStore> MakeUnloadedRedisStoreAt(const std::string& url,
                                                              const Clock& clock,
                                                              gateway::RedisStoreOptions options) {
  // Never destroyed: completions of every store's connections run on it until the process exits.
  static IoThread* io = new IoThread();
  std::shared_ptr<gateway::RedisClient> client =
      gateway::CreateRedisClient(io->io(), OptionsFor(url));
  client->Start();
  return std::make_unique<gateway::RedisStore>(clock, std::move(options),
                                               std::vector{std::move(client)});
}

namespace {

std::shared_ptr<gateway::RedisClient> StartedClient(const std::string& url) {
  // Never destroyed: completions run on it until the process exits.
  static IoThread* io = new IoThread();
  std::shared_ptr<gateway::RedisClient> client =
      gateway::CreateRedisClient(io->io(), OptionsFor(url));
  client->Start();
  return client;
}

}  // namespace

std::shared_ptr<gateway::RedisClient> SharedServerClient() {
  return StartedClient(RedisServer::Shared().url());
}

std::unique_ptr<gateway::SpreadStore> MakeSpreadStore(const Clock& clock,
                                                      const std::string& key_prefix,
                                                      std::size_t shards, const std::string& url,
                                                      gateway::SpreadStoreOptions options) {
  std::shared_ptr<gateway::RedisClient> client =
      StartedClient(url.empty() ? RedisServer::Shared().url() : url);
  options.store.key_prefix = key_prefix;
  auto layout = gateway::ShardLayout::Make(key_prefix, shards);
  EXPECT_TRUE(layout.ok()) << layout.status().message();
  auto store = std::make_unique<gateway::SpreadStore>(clock, std::move(options), layout.value(),
                                                      std::vector{std::move(client)});
  const Status loaded = store->Load(std::chrono::seconds(5));
  EXPECT_TRUE(loaded.ok()) << loaded.message();
  return store;
}

std::unique_ptr<gateway::RedisStore> MakeRedisStore(const Clock& clock,
                                                    const std::string& key_prefix) {
  auto store = MakeUnloadedRedisStore(clock, key_prefix);
  const Status loaded = store->Load(std::chrono::seconds(5));
  EXPECT_TRUE(loaded.ok()) << loaded.message();
  return store;
}

OwnThreadStore::OwnThreadStore(const std::string& url, const Clock& clock,
                               const std::string& key_prefix)
    : connection_(gateway::RedisConnection::Create(io_.io(), OptionsFor(url))) {
  connection_->Start();
  gateway::RedisStoreOptions options;
  options.key_prefix = key_prefix;
  store_ = std::make_unique<gateway::RedisStore>(
      clock, options, std::vector<std::shared_ptr<gateway::RedisClient>>{connection_});
  const Status loaded = store_->Load(std::chrono::seconds(5));
  EXPECT_TRUE(loaded.ok()) << loaded.message();
}

OwnThreadStore::~OwnThreadStore() { connection_->Stop(); }

}  // namespace uudai::testing
