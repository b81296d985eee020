// LimitShare: which share of a hot offer's limits one shard of a spread store keeps
// (Offer::hot, docs/design.md §1.6).
#ifndef UUDAI_GATEWAY_STORE_REDIS_LIMIT_SHARE_H_
#define UUDAI_GATEWAY_STORE_REDIS_LIMIT_SHARE_H_

#include <cstddef>
#include <cstdint>

namespace uudai::gateway {

// Share `index` of `count`: one per data shard of a spread store; count 1 is the whole limits.
struct LimitShare {
  std::size_t index = 0;
  std::size_t count = 1;

  // Share `index` of `limit` (≥ 0) split in `count`: limit / count, one more for the first
  // limit % count shares. The shares sum to `limit`, and none falls as `limit` grows, so
  // raising a limit never takes from a share what it may have counted already.
  std::int64_t Of(std::int64_t limit) const {
    const auto n = static_cast<std::int64_t>(count);
    return limit / n + (static_cast<std::int64_t>(index) < limit % n ? 1 : 0);
  }
  bool split() const { return count > 1; }
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_LIMIT_SHARE_H_
