// ReplicaWaits: the replies of one connection held back until N replicas have what they wrote or
// read (RedisOptions::wait_replicas). Each reply's mark key (a key of its slot) is written, then
// one WAIT covers them all: WAIT waits for the connection's last write, and a mark, written after
// whatever a command read, is one.
//
// At most one WAIT is in flight: Redis reads nothing more from a connection blocked in WAIT, so a
// WAIT per reply would queue one behind the other, each up to its timeout, and hold every command
// pipelined after them past its deadline. Replies that arrive while a WAIT is in flight go out
// with the next one, so a command waits behind at most one WAIT.
//
// Threading: the connection's io_context thread only.
#ifndef UUDAI_GATEWAY_REDIS_REPLICA_WAITS_H_
#define UUDAI_GATEWAY_REDIS_REPLICA_WAITS_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "redis/redis_counters.h"
#include "redis/redis_reply.h"
#include "uudai/status.h"

namespace uudai::gateway {

class ReplicaWaits {
 public:
  using Callback = std::function<void(Result<RedisReply>)>;
  // Sends a command on the connection; its callback is called exactly once.
  using Send = std::function<void(std::vector<std::string> argv, Callback done)>;

  ReplicaWaits(int replicas, std::chrono::milliseconds wait,
               std::shared_ptr<RedisCounters> counters, Send send);

  // Answers `done` with `reply` once `replicas` replicas acknowledged the connection's writes up
  // to a write of `mark_key` ("" for none: the connection's writes so far); kUnavailable when
  // fewer did within `wait`, when the mark was refused (it would cover nothing) or when the
  // connection failed.
  void Hold(RedisReply reply, std::string mark_key, Callback done);

 private:
  struct Held {
    RedisReply reply;
    std::string mark_key;
    Callback done;
  };
  void SendBatch();

  const int replicas_;
  const std::chrono::milliseconds wait_;
  const std::shared_ptr<RedisCounters> counters_;
  const Send send_;
  std::vector<Held> waiting_;  // for the next WAIT
  bool in_flight_ = false;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REPLICA_WAITS_H_
