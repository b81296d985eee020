// AskEveryShard: one question put to every shard of a spread store at once, for what lives in
// one shard that the question does not name (a redemption by id, a claim, an order). Internal
// to SpreadStore.
#ifndef UUDAI_GATEWAY_STORE_REDIS_ASK_EVERY_SHARD_H_
#define UUDAI_GATEWAY_STORE_REDIS_ASK_EVERY_SHARD_H_

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "store/redis/redis_store.h"

namespace uudai::gateway {

// Runs `call` on every shard; answers the first result `pick` takes. When none does: the
// failure of a shard that did not answer (kUnavailable: it may hold what was asked for, so
// fail closed), else `otherwise`.
template <typename T>
void AskEveryShard(std::span<const std::unique_ptr<RedisStore>> shards,
                   const std::function<void(RedisStore&, Completion<T>)>& call,
                   std::function<bool(const Result<T>&)> pick, Result<T> otherwise,
                   Completion<T> done) {
  struct Asking {
    Asking(std::size_t count, std::function<bool(const Result<T>&)> p, Result<T> o, Completion<T> d)
        : left(count), pick(std::move(p)), otherwise(std::move(o)), done(std::move(d)) {}
    std::mutex mutex;
    std::size_t left;
    bool answered = false;
    std::optional<Status> failure;
    std::function<bool(const Result<T>&)> pick;
    Result<T> otherwise;
    Completion<T> done;
  };
  auto asking = std::make_shared<Asking>(shards.size(), std::move(pick), std::move(otherwise),
                                         std::move(done));
  for (const auto& shard : shards) {
    call(*shard, [asking](Result<T> result) {
      std::unique_lock lock(asking->mutex);
      --asking->left;
      if (asking->answered) return;
      if (asking->pick(result)) {
        asking->answered = true;
        lock.unlock();
        return asking->done(std::move(result));
      }
      if (!result.ok() && result.status().code() == StatusCode::kUnavailable) {
        asking->failure = result.status();
      }
      if (asking->left > 0) return;
      asking->answered = true;
      lock.unlock();
      if (asking->failure) return asking->done(*asking->failure);
      asking->done(std::move(asking->otherwise));
    });
  }
}

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_ASK_EVERY_SHARD_H_
