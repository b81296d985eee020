// RedisConnection's implementation (redis_connection.h), shared by its two files:
// redis_connection.cc sends commands and pairs their replies (FCALL with the library's load,
// replica waits, deadlines); redis_connection_lifecycle.cc connects, sets the session up
// (AUTH, SELECT), tears down and reconnects with backoff. Private to those two files.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_CONNECTION_IMPL_H_
#define UUDAI_GATEWAY_REDIS_REDIS_CONNECTION_IMPL_H_

#include <hiredis/async.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/hiredis_asio_events.h"
#include "redis/redis_connection.h"
#include "redis/replica_waits.h"

namespace uudai::gateway {

class RedisConnection::Impl : public std::enable_shared_from_this<Impl> {
 public:
  using SteadyClock = std::chrono::steady_clock;

  Impl(boost::asio::io_context& io, RedisOptions options);
  // Only reached once no handler holds the Impl: after Stop() completed, or when the
  // io_context is destroyed first (then pending callbacks are destroyed uncalled).
  ~Impl();

  void Start();
  // Hops onto the io_context once; later calls (e.g. the handle's destructor after an explicit
  // Stop) touch nothing, so the handle may outlive a stopped io_context.
  void Stop();
  bool connected() const { return connected_.load(std::memory_order_acquire); }
  std::string last_error() const;

  // The public class's (redis_connection.h), from any thread.
  void Command(std::vector<std::string> argv, Callback done);
  void Call(const RedisFunction& function, std::vector<std::string> keys,
            std::vector<std::string> args, Callback done);

 private:
  enum class State {
    kIdle,        // before Start()
    kConnecting,  // resolving, connecting, AUTH/SELECT in flight
    kReady,       // commands accepted
    kClosing,     // the hiredis context is being freed
    kBackoff,     // waiting to reconnect
    kStopped,     // for good
  };

  // A command sent and not yet answered. Callbacks kept in pending_ may capture a raw `this`:
  // they are only ever called by OnReply, or by a posted Answer that holds a reference. hiredis
  // answers in the order commands were sent, so pending_ is in that order and so are the deadlines
  // (all are "sent at + one timeout").
  struct Pending {
    std::uint64_t seq;
    SteadyClock::time_point deadline;
    Callback done;
  };

  // --- Commands (redis_connection.cc) ---------------------------------------------------------

  void DoCommand(const std::vector<std::string>& argv, Callback done);

  // `done`, called once the replicas have what the call wrote or read (ReplicaWaits), after a
  // reply that is not an error (with `unless_nil`, not nil either: nothing read or written).
  Callback WaitForReplicas(Callback done, std::string mark_key, bool unless_nil);

  // Pipelines FUNCTION LOAD and the FCALL again: one round trip.
  void LoadAndRetry(const RedisFunction& function, const std::vector<std::string>& argv,
                    Callback done);

  // REQUIRES: ac_ is live and not closing.
  void Send(const std::vector<std::string>& argv, SteadyClock::time_point deadline, Callback done);

  static void OnReplyHook(redisAsyncContext* ac, void* reply, void* privdata);

  // hiredis calls this for each reply in order, and with reply == nullptr for every command
  // still pending when the context is freed.
  void OnReply(redisReply* reply, std::uint64_t seq);

  // Calls `done` later on the io_context, never inside the caller or inside hiredis.
  void Answer(Callback done, Status status);

  // Same, with the reason known by then (hiredis reports it after failing the callbacks).
  void AnswerUnavailable(Callback done);

  Status Unavailable() const;

  // One timer for all deadlines: it waits for the oldest pending command's. It is moved
  // earlier when needed (the setup commands' connect deadline may be later than a command's).
  void ArmDeadline();
  void OnDeadline();

  // --- Connection lifecycle (redis_connection_lifecycle.cc) ----------------------------------

  void Connect();
  void ConnectTo(const std::string& ip);
  void OnSetupReply(std::uint64_t attempt, const std::string& name, Result<RedisReply> reply);
  void AttemptFailed(const std::string& reason);

  // Records `reason` and frees the hiredis context; OnCleanup then schedules a reconnect.
  void Fail(const std::string& reason);

  // Frees the hiredis context: pending commands are answered kUnavailable. Inside a hiredis
  // callback the free is deferred by hiredis until that callback returns.
  void Teardown();

  // The context is being freed (by us, or by hiredis on EOF, a socket error or a failed
  // connect): hiredis's cleanup hook, through HiredisAsioEvents, before hiredis closes the fd.
  void OnCleanup();

  void ScheduleReconnect();
  void DoStop();

  // Records why the connection is not usable; logs a warning once per distinct reason
  // between two successful connections, so a long outage does not flood the log.
  void SetError(const std::string& reason);

  boost::asio::io_context& io_;
  const RedisOptions options_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer deadline_timer_;

  State state_ = State::kIdle;
  redisAsyncContext* ac_ = nullptr;            // live hiredis context, if any
  bool freeing_ = false;                       // redisAsyncFree(ac_) was called
  std::shared_ptr<HiredisAsioEvents> events_;  // drives ac_ (or the last context)
  std::uint64_t attempt_ = 0;                  // +1 whenever a context goes away
  bool destroying_ = false;
  std::size_t setup_remaining_ = 0;  // AUTH/SELECT/PING replies still due

  std::deque<Pending> pending_;
  std::unique_ptr<ReplicaWaits> replica_waits_;  // with options_.wait_replicas
  std::uint64_t next_seq_ = 1;
  bool deadline_armed_ = false;
  SteadyClock::time_point armed_until_;  // when deadline_armed_
  std::uint64_t deadline_wait_ = 0;      // identifies the current wait
  std::vector<const char*> argv_ptrs_;   // scratch for Send
  std::vector<std::size_t> argv_lens_;

  std::chrono::milliseconds backoff_;
  std::minstd_rand rng_;

  std::atomic<bool> connected_{false};
  std::atomic<bool> stop_requested_{false};
  mutable std::mutex error_mutex_;
  std::string last_error_;    // GUARDED_BY(error_mutex_)
  std::string logged_error_;  // io_context thread only
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_CONNECTION_IMPL_H_
