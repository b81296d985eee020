// EventMerger: the events and the ledger of a store spread over several shards, in one order.
// Each data shard's calls write their events into that shard's stream (`ev`), each with the
// shard's clock in µs; the merger reads what every data shard wrote since the last merge,
// orders it by that clock (ties by shard, then by the shard's own order), and copies it into
// the hub's stream in one call, each redemption event with the redemption's record as it is
// then, and each creation's redemption into the hub's ledger. Readers (GET /v1/events,
// webhooks, exports) follow the hub as they follow a single shard. Every gateway merges; the
// call checks how far each shard was copied (events_merge), so no event is copied twice. The
// periodic merges are one gateway's at a time (a lease in the hub, merge_lease): the others
// would read and send the same events for nothing.
// Thread-safe: one merge runs at a time in a process (a call while one runs returns at once).
#ifndef UUDAI_GATEWAY_STORE_REDIS_EVENT_MERGER_H_
#define UUDAI_GATEWAY_STORE_REDIS_EVENT_MERGER_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "redis/redis_client.h"
#include "redis/redis_function.h"
#include "uudai/store.h"

namespace uudai::gateway {

class EventMerger {
 public:
  // The hub and the data shards whose keys start with `prefixes` (the hub first), through
  // `client`.
  EventMerger(std::shared_ptr<RedisClient> client, std::vector<std::string> prefixes);

  // Copies every shard's events not copied yet, `page` at a time; answers how many it copied
  // (0 when another merge was running). `leased`: only while this merger holds the hub's lease
  // of periodic merges (taken or renewed here for kLeaseMillis; 0 copied while another holds
  // it); otherwise (a reader about to read what was just written anywhere) regardless.
  void Merge(std::size_t page, Completion<std::size_t> done, bool leased = false);

  // How long the lease of periodic merges outlives its holder's last merge.
  static constexpr std::int64_t kLeaseMillis = 1'000;

 private:
  struct Job;
  // One round: every data shard's next events, copied in one call.
  void Round(std::shared_ptr<Job> job);
  void Copy(std::shared_ptr<Job> job);
  void Finish(const std::shared_ptr<Job>& job, Result<std::size_t> result);
  void Call(std::size_t shard, std::vector<std::string> args,
            std::function<void(Result<RedisReply>)> done);

  std::shared_ptr<RedisClient> client_;
  RedisFunction function_;
  std::vector<std::string> prefixes_;
  const std::string owner_;  // random: this merger's name in the lease
  std::shared_ptr<std::atomic<bool>> running_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_EVENT_MERGER_H_
