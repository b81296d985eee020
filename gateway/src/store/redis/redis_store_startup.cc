// RedisStore's start and stop: Load (Redis answering, the store's format and bucket count, this
// store's registration as a reader of the change log, its view built from the log or, after a trim,
// from the store's state) and Leave.
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "store/redis/log_watcher.h"
#include "store/redis/redis_store.h"
#include "store/redis/redis_store_codec.h"
#include "store/redis/redis_store_core.h"
#include "store/redis/store_mirror.h"
#include "store/redis/view_bootstrap.h"

namespace uudai::gateway {

namespace {

// Waits for `start(done)`'s answer until `deadline`.
template <typename T>
Result<T> Await(std::chrono::steady_clock::time_point deadline,
                const std::function<void(std::function<void(Result<T>)>)>& start) {
  auto answered = std::make_shared<std::promise<Result<T>>>();
  auto future = answered->get_future();
  start([answered](Result<T> value) { answered->set_value(std::move(value)); });
  if (future.wait_until(deadline) != std::future_status::ready) {
    return Status(StatusCode::kUnavailable, "Redis did not answer in time");
  }
  return future.get();
}

}  // namespace

Status RedisStore::Load(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!core_->connected()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status(StatusCode::kUnavailable,
                    "Redis did not answer within " + std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (Status format = CheckFormat(deadline); !format.ok()) return format;
  if (Status buckets = CheckBuckets(deadline); !buckets.ok()) return buckets;
  if (Status started = StartView(deadline); !started.ok()) return started;
  while (true) {
    auto caught_up = std::make_shared<std::promise<Status>>();
    auto future = caught_up->get_future();
    core_->mirror().CatchUp([caught_up](Status status) { caught_up->set_value(status); });
    if (future.wait_until(deadline) != std::future_status::ready) {
      return Status(StatusCode::kUnavailable, "reading the change log took longer than " +
                                                  std::to_string(timeout.count()) + " ms");
    }
    Status status = future.get();
    if (status.ok()) return status;
    if (std::chrono::steady_clock::now() >= deadline) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Runs the script's op `args` until it is answered other than kUnavailable (Redis LOADING, say,
// or the store being moved to another bucket count), or `deadline`: then the last answer, or
// the last failure when nothing answered.
Result<ScriptReply> RedisStore::RunUntilAnswered(std::vector<std::string> args,
                                                 std::chrono::steady_clock::time_point deadline) {
  std::optional<Result<ScriptReply>> answered;
  while (true) {
    Result<ScriptReply> reply = Await<ScriptReply>(
        deadline, [this, &args](auto done) { core_->Run(args, std::move(done)); });
    const Status failed = reply.ok() ? reply->status : reply.status();
    if (failed.code() != StatusCode::kUnavailable) return reply;
    if (reply.ok()) answered = reply;
    if (std::chrono::steady_clock::now() >= deadline) return answered ? *answered : reply;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The script's "format" op: refuses a store whose log was written in another layout (an older
// build's transitions carry no redemption, and a counters-only view cannot count them).
Status RedisStore::CheckFormat(std::chrono::steady_clock::time_point deadline) {
  Result<ScriptReply> reply = RunUntilAnswered({"format"}, deadline);
  if (!reply.ok()) return reply.status();
  if (!reply->status.ok()) return reply->status;
  const std::vector<RedisReply>& p = reply->payload;
  if (p.size() != 4) return Status(StatusCode::kInternal, "malformed format reply");
  const std::string& expected = p[0].str();
  const std::string& stored = p[1].str();
  const std::string& older = p[3].str();
  if (stored == expected || stored == older || (stored.empty() && p[2].str() == "0")) {
    return Status::Ok();
  }
  return Status(StatusCode::kInternal,
                "the Redis store under \"" + core_->options().key_prefix + "\" is in format " +
                    (stored.empty() ? std::string("1 (no format key)") : stored) +
                    ", this build reads formats " + expected + " and " + older +
                    ": it was written by another build of uudai. Serve it with that build, "
                    "or start this one on an empty key prefix (--redis-prefix)");
}

// The script's "buckets" op: fixes a new store's bucket count, answers an existing one's.
Status RedisStore::CheckBuckets(std::chrono::steady_clock::time_point deadline) {
  const std::uint32_t wanted = core_->options().buckets;
  Result<ScriptReply> reply =
      RunUntilAnswered({"buckets", wanted == 0 ? std::string() : std::to_string(wanted),
                        core_->reader_id(), std::to_string(WallMillis())},
                       deadline);
  if (!reply.ok()) return reply.status();
  if (!reply->status.ok()) return reply->status;
  if (reply->payload.size() != 2) return Status(StatusCode::kInternal, "malformed buckets reply");
  const std::string& stored = reply->payload[0].str();
  if (wanted != 0 && stored != std::to_string(wanted)) {
    return Status(StatusCode::kInternal,
                  "the Redis store under \"" + core_->options().key_prefix +
                      "\" keeps live orders and shoppers' counts in " + stored +
                      " buckets, fixed when it was created: --redis-buckets " +
                      std::to_string(wanted) +
                      " applies to a new store only. Start without it (the store's count is "
                      "used), or on an empty key prefix (--redis-prefix)");
  }
  // The op answers one of the counts (it refuses a store whose count is none of them).
  if (!core_->NoteBucketFill(reply->payload)) {
    return Status(StatusCode::kInternal, "malformed buckets reply");
  }
  return Status::Ok();
}

std::uint32_t RedisStore::buckets() const { return core_->buckets(); }

std::uint64_t RedisStore::bucket_fill() const { return core_->bucket_fill(); }

Status RedisStore::StartView(std::chrono::steady_clock::time_point deadline) {
  Core& core = *core_;
  auto call = [&core, deadline](std::vector<std::string> args) {
    return Await<ScriptReply>(
        deadline, [&core, &args](auto done) { core.Run(std::move(args), std::move(done)); });
  };
  Result<ScriptReply> registered =
      call({"reader_register", core.reader_id(), std::to_string(WallMillis())});
  if (!registered.ok()) return registered.status();
  if (!registered->status.ok()) return registered->status;
  const std::vector<RedisReply>& p = registered->payload;
  if (p.size() != 2) return Status(StatusCode::kInternal, "malformed reader registration");
  if (p[1].str() == "1") return Status::Ok();  // the log holds everything: read it all
  const std::uint64_t start = std::stoull(p[0].str());
  ViewBootstrapSource source;
  source.call = call;
  source.read = [&core, deadline](LogPosition after, LogPosition last, std::size_t count) {
    return Await<LogRead>(
        deadline, [&](auto done) { core.ReadLogRange(after, last, count, std::move(done)); });
  };
  const auto began = std::chrono::steady_clock::now();
  auto built = BootstrapView(core.mirror(), start, source, core.options().log_batch);
  if (!built.ok()) return built.status();
  spdlog::info(
      "store view: built from the store's state as of log entry {} in {} ms ({} offers, {} codes, "
      "{} redemptions, {} later log entries read), the log having been trimmed",
      start,
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                            began)
          .count(),
      built->offers, built->codes, built->redemptions, built->log_entries);
  return Status::Ok();
}

void RedisStore::Leave(std::chrono::milliseconds timeout) {
  if (watcher_) watcher_->Stop();
  Core& core = *core_;
  const Result<ScriptReply> left =
      Await<ScriptReply>(std::chrono::steady_clock::now() + timeout, [&core](auto done) {
        core.Run({"reader_leave", core.reader_id()}, std::move(done));
      });
  if (!left.ok() || !left->status.ok()) {
    spdlog::warn(
        "store view: could not leave the log's readers (it is trimmed without this "
        "gateway after {} s): {}",
        core.options().reader_timeout_millis / 1000,
        left.ok() ? left->status.message() : left.status().message());
  }
}

}  // namespace uudai::gateway
