// RedisConnection's connection lifecycle: resolving and connecting, the session's setup
// commands (AUTH, SELECT, or a PING), teardown when a command times out or the connection
// breaks, and reconnection with equal-jitter exponential backoff until Stop().
#include <hiredis/async.h>

#include <algorithm>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>

#include "redis/redis_connection_impl.h"

namespace uudai::gateway {
namespace net = boost::asio;

void RedisConnection::Impl::Connect() {
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

void RedisConnection::Impl::ConnectTo(const std::string& ip) {
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
  events_ =
      HiredisAsioEvents::Attach(io_, ac_, weak_from_this(),
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
    Send(argv, deadline, [this, attempt = attempt_, name = argv.front()](Result<RedisReply> reply) {
      OnSetupReply(attempt, name, std::move(reply));
    });
  }
}

void RedisConnection::Impl::OnSetupReply(std::uint64_t attempt, const std::string& name,
                                         Result<RedisReply> reply) {
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

void RedisConnection::Impl::AttemptFailed(const std::string& reason) {
  SetError(reason);
  ScheduleReconnect();
}

void RedisConnection::Impl::Fail(const std::string& reason) {
  SetError(reason);
  Teardown();
}

void RedisConnection::Impl::Teardown() {
  if (state_ != State::kStopped) state_ = State::kClosing;
  connected_.store(false, std::memory_order_release);
  if (ac_ == nullptr || freeing_) return;
  freeing_ = true;
  redisAsyncFree(ac_);
}

void RedisConnection::Impl::OnCleanup() {
  if (ac_ == nullptr) return;
  if (ac_->err != 0 && !freeing_) SetError(ac_->errstr);
  ac_ = nullptr;
  freeing_ = false;
  ++attempt_;
  connected_.store(false, std::memory_order_release);
  if (destroying_ || state_ == State::kStopped) return;
  ScheduleReconnect();
}

void RedisConnection::Impl::ScheduleReconnect() {
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

void RedisConnection::Impl::DoStop() {
  if (state_ == State::kStopped) return;
  state_ = State::kStopped;
  reconnect_timer_.cancel();
  resolver_.cancel();
  Teardown();
  deadline_timer_.cancel();
}

void RedisConnection::Impl::SetError(const std::string& reason) {
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
}  // namespace uudai::gateway
