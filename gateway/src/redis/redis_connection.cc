#include "redis/redis_connection.h"

#include <hiredis/async.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "redis/redis_connection_impl.h"
#include "redis/redis_slot.h"

namespace uudai::gateway {
namespace net = boost::asio;

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

RedisConnection::Impl::Impl(net::io_context& io, RedisOptions options)
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
    replica_waits_ = std::make_unique<ReplicaWaits>(
        options_.wait_replicas, wait, options_.counters,
        [this](std::vector<std::string> argv, Callback done) { DoCommand(argv, std::move(done)); });
  }
}

RedisConnection::Impl::~Impl() {
  destroying_ = true;
  if (ac_ != nullptr && !freeing_) redisAsyncFree(ac_);
}

void RedisConnection::Impl::Start() {
  net::dispatch(io_, [self = shared_from_this()] {
    if (self->state_ == State::kIdle) self->Connect();
  });
}

void RedisConnection::Impl::Stop() {
  if (stop_requested_.exchange(true)) return;
  net::dispatch(io_, [self = shared_from_this()] { self->DoStop(); });
}

std::string RedisConnection::Impl::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

void RedisConnection::Impl::Command(std::vector<std::string> argv, Callback done) {
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

void RedisConnection::Impl::Call(const RedisFunction& function, std::vector<std::string> keys,
                                 std::vector<std::string> args, Callback done) {
  if (options_.wait_replicas > 0) {
    done = WaitForReplicas(std::move(done),
                           keys.empty() ? std::string() : SameSlotKey(keys.front(), ":replicated"),
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

void RedisConnection::Impl::DoCommand(const std::vector<std::string>& argv, Callback done) {
  if (argv.empty() || IsUnpairedCommand(argv.front())) {
    Answer(std::move(done),
           Status(StatusCode::kInternal, "redis: empty, pub/sub or MONITOR command not supported"));
    return;
  }
  if (state_ != State::kReady) {
    AnswerUnavailable(std::move(done));
    return;
  }
  Send(argv, SteadyClock::now() + options_.command_timeout, std::move(done));
}

RedisClient::Callback RedisConnection::Impl::WaitForReplicas(Callback done, std::string mark_key,
                                                             bool unless_nil) {
  return [this, done = std::move(done), mark_key = std::move(mark_key),
          unless_nil](Result<RedisReply> reply) mutable {
    if (!reply.ok() || reply->is_error() || (unless_nil && reply->is_nil())) {
      return done(std::move(reply));
    }
    replica_waits_->Hold(std::move(reply).value(), std::move(mark_key), std::move(done));
  };
}

void RedisConnection::Impl::LoadAndRetry(const RedisFunction& function,
                                         const std::vector<std::string>& argv, Callback done) {
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

void RedisConnection::Impl::Send(const std::vector<std::string>& argv,
                                 SteadyClock::time_point deadline, Callback done) {
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

void RedisConnection::Impl::OnReplyHook(redisAsyncContext* ac, void* reply, void* privdata) {
  static_cast<Impl*>(ac->data)->OnReply(static_cast<redisReply*>(reply),
                                        reinterpret_cast<std::uintptr_t>(privdata));
}

void RedisConnection::Impl::OnReply(redisReply* reply, std::uint64_t seq) {
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

void RedisConnection::Impl::Answer(Callback done, Status status) {
  net::post(io_, [self = shared_from_this(), done = std::move(done),
                  status = std::move(status)]() mutable { done(std::move(status)); });
}

void RedisConnection::Impl::AnswerUnavailable(Callback done) {
  net::post(io_, [self = shared_from_this(), done = std::move(done)]() mutable {
    done(self->Unavailable());
  });
}

Status RedisConnection::Impl::Unavailable() const {
  if (state_ == State::kStopped) return {StatusCode::kUnavailable, "redis: connection stopped"};
  const std::string error = last_error();
  return {StatusCode::kUnavailable,
          "redis unavailable: " + (error.empty() ? std::string("not connected") : error)};
}

void RedisConnection::Impl::ArmDeadline() {
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

void RedisConnection::Impl::OnDeadline() {
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
