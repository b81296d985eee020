#include "store/redis/log_watcher.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <optional>

namespace uudai::gateway {
namespace {

// The position of the first entry of an XREAD answer for one stream: [[stream, [[id, fields],
// ...]]]; nullopt when it has another shape.
std::optional<LogPosition> FirstEntry(const RedisReply& answer) {
  if (!answer.is_array() || answer.elements().empty()) return std::nullopt;
  const RedisReply& stream = answer.elements().front();
  if (!stream.is_array() || stream.elements().size() != 2) return std::nullopt;
  const RedisReply& entries = stream.elements()[1];
  if (!entries.is_array() || entries.elements().empty()) return std::nullopt;
  const RedisReply& entry = entries.elements().front();
  if (!entry.is_array() || entry.elements().empty() || !entry.elements().front().is_string()) {
    return std::nullopt;
  }
  return LogPosition::Parse(entry.elements().front().str());
}

}  // namespace

struct LogWatcher::Waiting {
  explicit Waiting(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
};

std::shared_ptr<LogWatcher> LogWatcher::Create(std::weak_ptr<RedisClient> connection,
                                               boost::asio::io_context& io, std::string log_key,
                                               Position position, Wake wake,
                                               LogWatcherOptions options) {
  return std::shared_ptr<LogWatcher>(new LogWatcher(std::move(connection), io, std::move(log_key),
                                                    std::move(position), std::move(wake), options));
}

LogWatcher::LogWatcher(std::weak_ptr<RedisClient> connection, boost::asio::io_context& io,
                       std::string log_key, Position position, Wake wake, LogWatcherOptions options)
    : connection_(std::move(connection)),
      io_(io),
      waiting_(std::make_unique<Waiting>(io)),
      log_key_(std::move(log_key)),
      position_(std::move(position)),
      wake_(std::move(wake)),
      options_(options) {}

LogWatcher::~LogWatcher() = default;

void LogWatcher::Start() {
  if (started_.exchange(true)) return;
  Block();
}

void LogWatcher::Stop() {
  if (stopped_.exchange(true)) return;
  boost::asio::post(io_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->waiting_->timer.cancel();
  });
}

void LogWatcher::Block() {
  if (stopped_.load()) return;
  const auto connection = connection_.lock();
  if (!connection) return;  // its owner closed it
  sent_at_nanos_.store(std::chrono::steady_clock::now().time_since_epoch().count());
  connection->Command({"XREAD", "BLOCK", std::to_string(options_.block.count()), "COUNT", "1",
                       "STREAMS", log_key_, position_().ToString()},
                      [self = shared_from_this()](Result<RedisReply> answer) {
                        self->OnAnswer(std::move(answer));
                      });
}

void LogWatcher::OnAnswer(Result<RedisReply> answer) {
  if (stopped_.load()) return;
  const auto now = std::chrono::steady_clock::now();
  if (!answer.ok() || answer->is_error()) {
    return Failed(now, answer.ok() ? answer->str() : answer.status().message());
  }
  if (answer->is_nil()) {
    const auto sent = std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(sent_at_nanos_.load()));
    if (now - sent < options_.block / 2) {
      return Failed(now,
                    "XREAD BLOCK answered at once with nothing (does something between "
                    "the gateway and Redis not pass blocking commands on? then run with "
                    "--redis-log-block 0)");
    }
    failures_.store(0);
    return Block();  // the block timed out: nothing new
  }
  const auto first = FirstEntry(answer.value());
  if (!first) return Failed(now, "an XREAD answer of another shape: " + answer->DebugString());
  // An entry the view applied meanwhile (most of a busy gateway's log is its own, applied as
  // each call answers) needs no read.
  if (*first <= position_()) {
    failures_.store(0);
    return BlockAfter(now, options_.min_gap);
  }
  wake_([self = shared_from_this(), now](Status caught_up) {
    if (!caught_up.ok()) return self->Failed(now, caught_up.message());
    self->failures_.store(0);
    self->BlockAfter(now, self->options_.min_gap);
  });
}

void LogWatcher::Failed(std::chrono::steady_clock::time_point since, const std::string& why) {
  const int failures = failures_.fetch_add(1) + 1;
  auto wait = options_.retry_after;
  for (int i = 1; i < failures && wait < options_.longest_retry; ++i) wait *= 2;
  wait = std::min(wait, options_.longest_retry);
  if (failures == 5) {
    spdlog::warn(
        "store view: the blocking read of the change log keeps failing ({}); the view "
        "still reads the log at every poll",
        why);
  } else {
    spdlog::debug("store view: the blocking read of the change log failed: {}", why);
  }
  BlockAfter(since, wait);
}

void LogWatcher::BlockAfter(std::chrono::steady_clock::time_point since,
                            std::chrono::milliseconds gap) {
  if (stopped_.load()) return;
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - since);
  if (waited >= gap) return Block();
  boost::asio::post(io_, [self = shared_from_this(), wait = gap - waited] {
    if (self->stopped_.load()) return;
    self->waiting_->timer.expires_after(wait);
    self->waiting_->timer.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->Block();
    });
  });
}

}  // namespace uudai::gateway
