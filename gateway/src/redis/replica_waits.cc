#include "redis/replica_waits.h"

#include <algorithm>
#include <set>

namespace uudai::gateway {

ReplicaWaits::ReplicaWaits(int replicas, std::chrono::milliseconds wait,
                           std::shared_ptr<RedisCounters> counters, Send send)
    : replicas_(replicas), wait_(wait), counters_(std::move(counters)), send_(std::move(send)) {}

void ReplicaWaits::Hold(RedisReply reply, std::string mark_key, Callback done) {
  waiting_.push_back(Held{std::move(reply), std::move(mark_key), std::move(done)});
  if (!in_flight_) SendBatch();
}

void ReplicaWaits::SendBatch() {
  struct Batch {
    std::vector<Held> held;
    std::set<std::string> refused_marks;  // marks Redis did not write, with why
    std::string refusal;
  };
  auto batch = std::make_shared<Batch>();
  batch->held = std::move(waiting_);
  waiting_.clear();
  in_flight_ = true;
  std::set<std::string> marks;
  for (const Held& held : batch->held) {
    if (!held.mark_key.empty()) marks.insert(held.mark_key);
  }
  for (const std::string& mark : marks) {
    send_({"SET", mark, "1", "PX", "10000"}, [batch, mark](Result<RedisReply> written) {
      if (written.ok() && !written->is_error()) return;
      batch->refused_marks.insert(mark);
      batch->refusal = written.ok() ? written->str() : written.status().message();
    });
  }
  // Replies come in the order the commands went: the marks' before the WAIT's.
  send_({"WAIT", std::to_string(replicas_), std::to_string(wait_.count())},
        [this, batch](Result<RedisReply> acks) {
          Status failure;
          if (!acks.ok()) {
            failure = acks.status();
          } else if (!acks->is_integer()) {
            failure =
                Status(StatusCode::kUnavailable, "redis: WAIT failed: " + acks->DebugString());
          } else if (acks->integer() < replicas_) {
            if (counters_) counters_->replica_waits_short.fetch_add(1, std::memory_order_relaxed);
            failure = Status(StatusCode::kUnavailable,
                             "redis: the write reached " + std::to_string(acks->integer()) +
                                 " of " + std::to_string(replicas_) + " replicas within " +
                                 std::to_string(wait_.count()) + " ms");
          }
          in_flight_ = false;
          // The next batch goes out before this one is answered: an answer may send more.
          if (!waiting_.empty()) SendBatch();
          for (Held& held : batch->held) {
            if (!failure.ok()) {
              held.done(failure);
            } else if (batch->refused_marks.count(held.mark_key) != 0) {
              held.done(Status(StatusCode::kUnavailable,
                               "redis: the replication mark was refused: " + batch->refusal));
            } else {
              held.done(std::move(held.reply));
            }
          }
        });
}

}  // namespace uudai::gateway
