// SagaSweeper: what a spread store's gateways run periodically so that no cross-shard
// redemption (CreateAcrossShards) stays half-resolved when the gateway running it died or lost
// Redis half-way:
//   - every hold past its deadline still waiting for an answer is settled with its home
//     (OfferHolds::Claim): confirmed when the redemption exists, released when it does not
//     (and from then on cannot);
//   - every release a home queued (a cross-shard redemption cancelled, expired or refunded) is
//     sent to its shard, then taken off the queue.
// Both are idempotent, so any number of gateways may sweep at once. Thread-safe.
#ifndef UUDAI_GATEWAY_STORE_REDIS_SAGA_SWEEPER_H_
#define UUDAI_GATEWAY_STORE_REDIS_SAGA_SWEEPER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "store/redis/cross_shard_create.h"

namespace uudai::gateway {

struct SagaSweep {
  std::size_t confirmed = 0;  // holds whose redemption exists
  std::size_t released = 0;   // holds whose redemption does not
  std::size_t sent = 0;       // queued releases sent
  std::size_t failed = 0;     // steps that failed (Redis did not answer): tried next time
  friend bool operator==(const SagaSweep&, const SagaSweep&) = default;
};

class SagaSweeper {
 public:
  explicit SagaSweeper(std::vector<SagaShard> shards);

  // One pass over every shard: at most `max_count` due holds and `max_count` queued releases
  // each. `done` runs once all of its steps answered, on a Redis client's thread.
  void Sweep(std::size_t max_count, Completion<SagaSweep> done) const;
  // The queued releases only (at most `max_count` per shard), of home `home` ("": of every
  // shard): what a cancel, expiry or refund just queued, sent before it is answered.
  void SendReleases(std::size_t max_count, const std::string& home,
                    Completion<SagaSweep> done) const;

 private:
  std::vector<SagaShard> shards_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_SAGA_SWEEPER_H_
