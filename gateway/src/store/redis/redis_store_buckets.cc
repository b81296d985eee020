// RedisStore::MoveBuckets: a store moved to another bucket count (redis_store_buckets.lua).
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/redis/redis_store.h"
#include "store/redis/redis_store_codec.h"
#include "store/redis/redis_store_core.h"

namespace uudai::gateway {

namespace {

// Old buckets moved per call: a sized bucket holds ~128 live redemptions, so a call writes some
// 16,000 fields at most and holds Redis for milliseconds.
constexpr int kBucketsPerCall = 64;

}  // namespace

Status RedisStore::MoveBuckets(
    std::uint32_t buckets, std::chrono::milliseconds call_timeout,
    const std::function<bool(std::uint64_t moved, std::uint64_t total)>& progress,
    bool gateways_stopped) {
  const auto deadline = [call_timeout] { return std::chrono::steady_clock::now() + call_timeout; };
  Result<ScriptReply> reply = RunUntilAnswered(
      {"rebucket_begin", std::to_string(buckets), std::to_string(WallMillis()),
       std::to_string(core_->options().reader_timeout_millis), gateways_stopped ? "1" : "0"},
      deadline());
  while (true) {
    if (!reply.ok()) return reply.status();
    if (!reply->status.ok()) return reply->status;
    const std::vector<RedisReply>& p = reply->payload;
    if (p.size() != 3) return Status(StatusCode::kInternal, "malformed bucket move reply");
    const std::string moved = p[1].str();
    const std::string total = p[2].str();
    const bool go_on = progress(std::stoull(moved), std::stoull(total));
    if (p[0].str() == "done") return Status::Ok();
    if (!go_on) {
      return Status(StatusCode::kUnavailable,
                    "the move stopped after " + moved + " of the " + total +
                        " old buckets: no gateway starts on the store until it is moved to " +
                        std::to_string(buckets) + " buckets (run the move again to finish it)");
    }
    reply = RunUntilAnswered(
        {"rebucket_move", std::to_string(buckets), std::to_string(kBucketsPerCall)}, deadline());
  }
}

}  // namespace uudai::gateway
