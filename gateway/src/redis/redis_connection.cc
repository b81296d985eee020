#include "redis/redis_connection.h"

#include <hiredis/async.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/hiredis_asio_events.h"
#include "redis/redis_slot.h"
#include "redis/replica_waits.h"

namespace uudai::gateway {
namespace net = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != lower[i]) return false;
  }
  return true;
}

// hiredis writes to its socket with write(2), which raises SIGPIPE once Redis has gone away
// (killed, restarted): by default that kills the whole process, silently, where the
// connection should just fail and reconnect. So the first connection makes the process
// ignore SIGPIPE (write then fails with EPIPE), unless someone installed a handler of their
// own. Asio's sockets are unaffected (they send with MSG_NOSIGNAL).
void IgnoreSigpipe() {
  static const bool once = [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      struct sigaction ignore {};
      ignore.sa_handler = SIG_IGN;
      ::sigemptyset(&ignore.sa_mask);
      ::sigaction(SIGPIPE, &ignore, nullptr);
    }
    return true;
  }();
  (void)once;
}

// Commands whose replies do not pair one-to-one with the commands sent.
bool IsUnpairedCommand(std::string_view name) {
  for (const std::string_view unpaired : {"subscribe", "psubscribe", "ssubscribe", "unsubscribe",
                                          "punsubscribe", "sunsubscribe", "monitor"}) {
    if (EqualsIgnoringCase(name, unpaired)) return true;
  }
  return false;
}

}  // namespace

class RedisConnection::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(net::io_context& io, RedisOptions options)
      : io_(io),
        options_(std::move(options)),
        resolver_(io),
        reconnect_timer_(io),
        deadline_timer_(io),
        backoff_(options_.backoff_min),
        rng_(std::random_device{}()) {
    if (options_.wait_replicas > 0) {
      // Within a command's timeout: a command pipelined behind a WAIT waits for it.
      const auto wait = std::max(std::chrono::milliseconds(1), options_.command_timeout / 2);
      replica_waits_ =
          std::make_unique<ReplicaWaits>(options_.wait_replicas, wait, options_.counters,
                                         [this](std::vector<std::string> argv, Callback done) {
                                           DoCommand(argv, std::move(done));
                                         });
    }
  }

  // Only reached once no handler holds the Impl: after Stop() completed, or when the
  // io_context is destroyed first (then pending callbacks are destroyed uncalled).
  ~Impl() {
    destroying_ = true;
    if (ac_ != nullptr && !freeing_) redisAsyncFree(ac_);
  }

  void Start() {
    net::dispatch(io_, [self = shared_from_this()] {
      if (self->state_ == State::kIdle) self->Connect();
    });
  }

  // Hops onto the io_context once; later calls (e.g. the handle's destructor after an explicit
  // Stop) touch nothing, so the handle may outlive a stopped io_context.
  void Stop() {
    if (stop_requested_.exchange(true)) return;
    net::dispatch(io_, [self = shared_from_this()] { self->DoStop(); });
  }

  bool connected() const { return connected_.load(std::memory_order_acquire); }

  std::string last_error() const {
    std::lock_guard lock(error_mutex_);
    return last_error_;
  }

  void Command(std::vector<std::string> argv, Callback done) {
    if (options_.wait_replicas > 0) {
      if (const auto key = RoutingKey(argv)) {
        // A command answered nil read nothing and wrote nothing (XREAD with no new entry, HGET
        // of no field, SET NX not set): nothing to wait for.
        done = WaitForReplicas(std::move(done), SameSlotKey(*key, ":replicated"),
                               /*unless_nil=*/true);
      }
    }
    if (io_.get_executor().running_in_this_thread()) {
      DoCommand(argv, std::move(done));
      return;
    }
    net::post(io_, [self = shared_from_this(), argv = std::move(argv),
                    done = std::move(done)]() mutable { self->DoCommand(argv, std::move(done)); });
  }

  void Call(const RedisFunction& function, std::vector<std::string> keys,
            std::vector<std::string> args, Callback done) {
    if (options_.wait_replicas > 0) {
      done = WaitForReplicas(
          std::move(done), keys.empty() ? std::string() : SameSlotKey(keys.front(), ":replicated"),
          /*unless_nil=*/false);
    }
    std::vector<std::string> argv;
    argv.reserve(3 + keys.size() + args.size());
    argv.emplace_back(function.read_only() ? "FCALL_RO" : "FCALL");
    argv.push_back(function.name());
    argv.push_back(std::to_string(keys.size()));
    std::move(keys.begin(), keys.end(), std::back_inserter(argv));
    std::move(args.begin(), args.end(), std::back_inserter(argv));
    // Kept for a retry after the function turned out not to be loaded.
    auto shared_argv = std::make_shared<const std::vector<std::string>>(std::move(argv));
    auto call = [this, function, shared_argv, done = std::move(done)]() mutable {
      DoCommand(*shared_argv, [this, function, shared_argv,
                               done = std::move(done)](Result<RedisReply> reply) mutable {
        if (reply.ok() && reply->is_error() &&
            reply->str().find("Function not found") != std::string::npos) {
          LoadAndRetry(function, *shared_argv, std::move(done));
          return;
        }
        done(std::move(reply));
      });
    };
    if (io_.get_executor().running_in_this_thread()) {
      call();
      return;
    }
    net::post(io_, [self = shared_from_this(), call = std::move(call)]() mutable { call(); });
  }

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

  // --- Commands ------------------------------------------------------------------------------

  void DoCommand(const std::vector<std::string>& argv, Callback done) {
    if (argv.empty() || IsUnpairedCommand(argv.front())) {
      Answer(std::move(done), Status(StatusCode::kInternal,
                                     "redis: empty, pub/sub or MONITOR command not supported"));
      return;
    }
    if (state_ != State::kReady) {
      AnswerUnavailable(std::move(done));
      return;
    }
    Send(argv, SteadyClock::now() + options_.command_timeout, std::move(done));
  }

  // `done`, called once the replicas have what the call wrote or read (ReplicaWaits), after a
  // reply that is not an error (with `unless_nil`, not nil either: nothing read or written).
  Callback WaitForReplicas(Callback done, std::string mark_key, bool unless_nil) {
    return [this, done = std::move(done), mark_key = std::move(mark_key),
            unless_nil](Result<RedisReply> reply) mutable {
      if (!reply.ok() || reply->is_error() || (unless_nil && reply->is_nil())) {
        return done(std::move(reply));
      }
      replica_waits_->Hold(std::move(reply).value(), std::move(mark_key), std::move(done));
    };
  }

  // Pipelines FUNCTION LOAD and the FCALL again: one round trip.
  void LoadAndRetry(const RedisFunction& function, const std::vector<std::string>& argv,
                    Callback done) {
    auto load_error = std::make_shared<std::optional<RedisReply>>();
    DoCommand({"FUNCTION", "LOAD", function.source()}, [load_error](Result<RedisReply> reply) {
      // Another connection may have loaded it in between: the retry finds it.
      if (reply.ok() && reply->is_error() &&
          reply->str().find("already exists") == std::string::npos) {
        *load_error = std::move(reply).value();
      }
    });
    DoCommand(argv, [load_error, done = std::move(done)](Result<RedisReply> reply) {
      if (reply.ok() && load_error->has_value()) {
        done(std::move(**load_error));
        return;
      }
      done(std::move(reply));
    });
  }

  // REQUIRES: ac_ is live and not closing.
  void Send(const std::vector<std::string>& argv, SteadyClock::time_point deadline, Callback done) {
    argv_ptrs_.clear();
    argv_lens_.clear();
    for (const std::string& arg : argv) {
      argv_ptrs_.push_back(arg.data());
      argv_lens_.push_back(arg.size());
    }
    const std::uint64_t seq = next_seq_++;
    pending_.push_back(Pending{seq, deadline, std::move(done)});
    // The privdata is the command's sequence number, a tag never dereferenced. hiredis copies
    // the arguments into its output buffer before returning.
    void* tag = reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr)
        static_cast<std::uintptr_t>(seq));
    if (redisAsyncCommandArgv(ac_, &Impl::OnReplyHook, tag, static_cast<int>(argv.size()),
                              argv_ptrs_.data(), argv_lens_.data()) != REDIS_OK) {
      Callback failed = std::move(pending_.back().done);
      pending_.pop_back();
      AnswerUnavailable(std::move(failed));
      return;
    }
    ArmDeadline();
  }

  static void OnReplyHook(redisAsyncContext* ac, void* reply, void* privdata) {
    static_cast<Impl*>(ac->data)->OnReply(static_cast<redisReply*>(reply),
                                          reinterpret_cast<std::uintptr_t>(privdata));
  }

  // hiredis calls this for each reply in order, and with reply == nullptr for every command
  // still pending when the context is freed.
  void OnReply(redisReply* reply, std::uint64_t seq) {
    if (pending_.empty() || pending_.front().seq != seq) {
      // Cannot happen with paired commands; if it does, no reply on this connection can be
      // trusted to belong to its command.
      const auto it = std::find_if(pending_.begin(), pending_.end(),
                                   [seq](const Pending& p) { return p.seq == seq; });
      if (it == pending_.end()) return;
      Callback done = std::move(it->done);
      pending_.erase(it);
      if (!destroying_) Answer(std::move(done), Status(StatusCode::kInternal, "reply mismatch"));
      Fail("replies out of order");
      return;
    }
    Callback done = std::move(pending_.front().done);
    pending_.pop_front();
    if (destroying_) return;
    if (reply == nullptr) {
      AnswerUnavailable(std::move(done));  // posted: hiredis is freeing the context
      return;
    }
    done(RedisReply::FromHiredis(*reply));
  }

  // Calls `done` later on the io_context, never inside the caller or inside hiredis.
  void Answer(Callback done, Status status) {
    net::post(io_, [self = shared_from_this(), done = std::move(done),
                    status = std::move(status)]() mutable { done(std::move(status)); });
  }

  // Same, with the reason known by then (hiredis reports it after failing the callbacks).
  void AnswerUnavailable(Callback done) {
    net::post(io_, [self = shared_from_this(), done = std::move(done)]() mutable {
      done(self->Unavailable());
    });
  }

  Status Unavailable() const {
    if (state_ == State::kStopped) return {StatusCode::kUnavailable, "redis: connection stopped"};
    const std::string error = last_error();
    return {StatusCode::kUnavailable,
            "redis unavailable: " + (error.empty() ? std::string("not connected") : error)};
  }

  // One timer for all deadlines: it waits for the oldest pending command's. It is moved
  // earlier when needed (the setup commands' connect deadline may be later than a command's).
  void ArmDeadline() {
    if (pending_.empty()) return;
    const auto deadline = pending_.front().deadline;
    if (deadline_armed_ && armed_until_ <= deadline) return;
    deadline_armed_ = true;
    armed_until_ = deadline;
    const std::uint64_t wait = ++deadline_wait_;
    deadline_timer_.expires_at(deadline);
    deadline_timer_.async_wait(
        [self = shared_from_this(), wait](const boost::system::error_code& ec) {
          if (wait != self->deadline_wait_) return;  // superseded by a later ArmDeadline
          self->deadline_armed_ = false;
          if (!ec) self->OnDeadline();
        });
  }

  void OnDeadline() {
    if (pending_.empty()) return;
    if (pending_.front().deadline > SteadyClock::now()) {
      ArmDeadline();  // that command was answered; wait for the next one
      return;
    }
    const bool ready = state_ == State::kReady;
    const auto timeout = ready ? options_.command_timeout : options_.connect_timeout;
    Fail((ready ? "no reply within " : "not ready within ") + std::to_string(timeout.count()) +
         " ms");
  }

  // --- Connection lifecycle ------------------------------------------------------------------

  void Connect() {
    state_ = State::kConnecting;
    boost::system::error_code ec;
    const auto address = net::ip::make_address(options_.url.host, ec);
    if (!ec) {
      ConnectTo(address.to_string());
      return;
    }
    // Resolved on Asio's resolver thread: a slow DNS never stalls this io_context.
    resolver_.async_resolve(
        options_.url.host, std::to_string(options_.url.port),
        [self = shared_from_this()](const boost::system::error_code& error,
                                    const net::ip::tcp::resolver::results_type& results) {
          if (self->state_ != State::kConnecting) return;  // stopped meanwhile
          if (error || results.empty()) {
            self->AttemptFailed("cannot resolve " + self->options_.url.host + ": " +
                                (error ? error.message() : std::string("no address")));
            return;
          }
          self->ConnectTo(results.begin()->endpoint().address().to_string());
        });
  }

  void ConnectTo(const std::string& ip) {
    redisAsyncContext* ac = redisAsyncConnect(ip.c_str(), options_.url.port);
    if (ac == nullptr) {
      AttemptFailed("cannot allocate a hiredis context");
      return;
    }
    if (ac->err != 0) {
      const std::string error = ac->errstr;
      redisAsyncFree(ac);
      AttemptFailed(error);
      return;
    }
    ac_ = ac;
    ac_->data = this;  // for OnReplyHook
    events_ = HiredisAsioEvents::Attach(
        io_, ac_, weak_from_this(),
        {.on_detach = [this] { OnCleanup(); },
         .on_error = [this](const std::string& reason) { Fail(reason); }});

    // Queued now, sent as soon as the TCP connection is up; their deadline bounds the attempt.
    std::vector<std::vector<std::string>> setup;
    const RedisUrl& url = options_.url;
    if (url.password && url.user) setup.push_back({"AUTH", *url.user, *url.password});
    if (url.password && !url.user) setup.push_back({"AUTH", *url.password});
    if (url.db != 0) setup.push_back({"SELECT", std::to_string(url.db)});
    if (setup.empty()) setup.push_back({"PING"});
    setup_remaining_ = setup.size();
    const auto deadline = SteadyClock::now() + options_.connect_timeout;
    for (const auto& argv : setup) {
      Send(argv, deadline,
           [this, attempt = attempt_, name = argv.front()](Result<RedisReply> reply) {
             OnSetupReply(attempt, name, std::move(reply));
           });
    }
  }

  void OnSetupReply(std::uint64_t attempt, const std::string& name, Result<RedisReply> reply) {
    // A failure without a reply belongs to a context already gone; OnCleanup dealt with it.
    if (attempt != attempt_ || !reply.ok()) return;
    if (reply->is_error()) {
      Fail(name + " failed: " + reply->str());
      return;
    }
    if (--setup_remaining_ > 0) return;
    state_ = State::kReady;
    backoff_ = options_.backoff_min;
    connected_.store(true, std::memory_order_release);
    logged_error_.clear();
    spdlog::info("redis {}: connected", options_.url.Redacted());
  }

  void AttemptFailed(const std::string& reason) {
    SetError(reason);
    ScheduleReconnect();
  }

  // Records `reason` and frees the hiredis context; OnCleanup then schedules a reconnect.
  void Fail(const std::string& reason) {
    SetError(reason);
    Teardown();
  }

  // Frees the hiredis context: pending commands are answered kUnavailable. Inside a hiredis
  // callback the free is deferred by hiredis until that callback returns.
  void Teardown() {
    if (state_ != State::kStopped) state_ = State::kClosing;
    connected_.store(false, std::memory_order_release);
    if (ac_ == nullptr || freeing_) return;
    freeing_ = true;
    redisAsyncFree(ac_);
  }

  // The context is being freed (by us, or by hiredis on EOF, a socket error or a failed
  // connect): hiredis's cleanup hook, through HiredisAsioEvents, before hiredis closes the fd.
  void OnCleanup() {
    if (ac_ == nullptr) return;
    if (ac_->err != 0 && !freeing_) SetError(ac_->errstr);
    ac_ = nullptr;
    freeing_ = false;
    ++attempt_;
    connected_.store(false, std::memory_order_release);
    if (destroying_ || state_ == State::kStopped) return;
    ScheduleReconnect();
  }

  void ScheduleReconnect() {
    state_ = State::kBackoff;
    // Equal jitter: half the backoff, plus up to the other half at random.
    const auto half = backoff_.count() / 2;
    const auto delay = std::chrono::milliseconds(
        half + std::uniform_int_distribution<std::int64_t>(0, backoff_.count() - half)(rng_));
    backoff_ = std::min(backoff_ * 2, options_.backoff_max);
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec && self->state_ == State::kBackoff) self->Connect();
    });
  }

  void DoStop() {
    if (state_ == State::kStopped) return;
    state_ = State::kStopped;
    reconnect_timer_.cancel();
    resolver_.cancel();
    Teardown();
    deadline_timer_.cancel();
  }

  // Records why the connection is not usable; logs a warning once per distinct reason
  // between two successful connections, so a long outage does not flood the log.
  void SetError(const std::string& reason) {
    {
      std::lock_guard lock(error_mutex_);
      last_error_ = reason;
    }
    if (reason == logged_error_) {
      spdlog::debug("redis {}: {}", options_.url.Redacted(), reason);
      return;
    }
    logged_error_ = reason;
    spdlog::warn("redis {}: {}", options_.url.Redacted(), reason);
  }

  net::io_context& io_;
  const RedisOptions options_;
  net::ip::tcp::resolver resolver_;
  net::steady_timer reconnect_timer_;
  net::steady_timer deadline_timer_;

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

std::shared_ptr<RedisConnection> RedisConnection::Create(net::io_context& io,
                                                         RedisOptions options) {
  IgnoreSigpipe();
  return std::shared_ptr<RedisConnection>(
      new RedisConnection(std::make_shared<Impl>(io, std::move(options))));
}

RedisConnection::RedisConnection(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

RedisConnection::~RedisConnection() { impl_->Stop(); }

void RedisConnection::Start() { impl_->Start(); }
void RedisConnection::Stop() { impl_->Stop(); }
bool RedisConnection::connected() const { return impl_->connected(); }
std::string RedisConnection::last_error() const { return impl_->last_error(); }

void RedisConnection::Command(std::vector<std::string> argv, Callback done) {
  impl_->Command(std::move(argv), std::move(done));
}

void RedisConnection::Call(const RedisFunction& function, std::vector<std::string> keys,
                           std::vector<std::string> args, Callback done) {
  impl_->Call(function, std::move(keys), std::move(args), std::move(done));
}

}  // namespace uudai::gateway
