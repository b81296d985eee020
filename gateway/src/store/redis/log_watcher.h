// LogWatcher: wakes a view as soon as the change log grows, rather than at its next poll.
//
// It keeps one `XREAD BLOCK` of the log outstanding, from the position the view holds, on a
// connection of its own (a blocked connection can carry nothing else). When Redis answers
// with an entry after that position that the view has not applied meanwhile (its own
// changes it applies as they are answered), it asks the view to catch up (`wake`), waits until
// it has, and blocks again — no sooner than `min_gap` after that answer, so that a gateway
// whose own writes keep the log growing reads it at most 1 / min_gap times a second more, and
// not once per write. When the block times out (nothing new) it blocks again at once. After a
// failure it waits `retry_after`, doubled with each failure in a row up to `longest_retry`:
// Redis down, a catch-up that fails (a view the log was trimmed past), an answer of another
// shape, or a nil answered long before the block's time (a proxy that does not pass blocking
// commands on), which would otherwise send XREAD in a loop. The watcher only hastens: the
// view's periodic poll still reads the log whatever happens here.
//
// Thread-safe. Callbacks run on the connection's thread and wherever `wake` completes.
#ifndef UUDAI_GATEWAY_STORE_REDIS_LOG_WATCHER_H_
#define UUDAI_GATEWAY_STORE_REDIS_LOG_WATCHER_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "redis/redis_client.h"
#include "store/redis/redis_store_codec.h"
#include "uudai/status.h"

namespace uudai::gateway {

struct LogWatcherOptions {
  // How long one XREAD blocks; the connection's command timeout must be longer.
  std::chrono::milliseconds block{1000};
  // The least time from one wake to the next block.
  std::chrono::milliseconds min_gap{50};
  // The wait after a failure before blocking again, doubled with each failure in a row up to
  // longest_retry.
  std::chrono::milliseconds retry_after{200};
  std::chrono::milliseconds longest_retry{30'000};
};

class LogWatcher : public std::enable_shared_from_this<LogWatcher> {
 public:
  // The position the view holds.
  using Position = std::function<LogPosition()>;
  // Catches the view up with the log, then calls `done` with OK or why it could not.
  using Wake = std::function<void(std::function<void(Status)> done)>;

  // `connection`: started, used by nothing else; its owner keeps it while the watcher runs
  // (the watcher holds it weakly, so that a wait still pending when `io` goes keeps no
  // connection alive past its io_context). `io`: runs the watcher's waits; one thread runs it;
  // it must outlive the watcher.
  static std::shared_ptr<LogWatcher> Create(std::weak_ptr<RedisClient> connection,
                                            boost::asio::io_context& io, std::string log_key,
                                            Position position, Wake wake,
                                            LogWatcherOptions options = {});
  ~LogWatcher();
  LogWatcher(const LogWatcher&) = delete;
  LogWatcher& operator=(const LogWatcher&) = delete;

  // Starts blocking. Idempotent.
  void Start();
  // Sends nothing more and cancels a wait (a block in flight is answered when it times out or
  // the connection stops; its answer is ignored). Idempotent.
  void Stop();

 private:
  struct Waiting;  // the timer

  LogWatcher(std::weak_ptr<RedisClient> connection, boost::asio::io_context& io,
             std::string log_key, Position position, Wake wake, LogWatcherOptions options);
  void Block();
  void OnAnswer(Result<RedisReply> answer);
  // Blocks again after the wait for one more failure in a row (see the header).
  void Failed(std::chrono::steady_clock::time_point since, const std::string& why);
  // Blocks again once `gap` has passed since `since`.
  void BlockAfter(std::chrono::steady_clock::time_point since, std::chrono::milliseconds gap);

  const std::weak_ptr<RedisClient> connection_;
  boost::asio::io_context& io_;
  const std::unique_ptr<Waiting> waiting_;  // touched on io_'s thread only
  const std::string log_key_;
  const Position position_;
  const Wake wake_;
  const LogWatcherOptions options_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<int> failures_{0};                // in a row
  std::atomic<std::int64_t> sent_at_nanos_{0};  // of the block in flight (steady clock)
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_LOG_WATCHER_H_
