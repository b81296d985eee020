// What a Redis Cluster answers about itself, parsed: the map of slots (CLUSTER SLOTS) and the
// redirects MOVED and ASK. Thread-safe: pure functions.
#ifndef UUDAI_GATEWAY_REDIS_CLUSTER_REPLY_H_
#define UUDAI_GATEWAY_REDIS_CLUSTER_REPLY_H_

#include <optional>
#include <string_view>
#include <vector>

#include "redis/redis_reply.h"
#include "redis/redis_url.h"
#include "uudai/status.h"

namespace uudai::gateway {

// Slots first..last (inclusive) are served by the primary at `primary`.
struct SlotRange {
  int first = 0;
  int last = 0;
  RedisAddress primary;
};

// CLUSTER SLOTS: [[first, last, [endpoint, port, id, [metadata...]], replica...], ...]. An
// empty endpoint means the node that was asked (`asked`); "?" (a hostname the node does not
// know yet) means the entry's "ip" metadata, or the node asked when there is none. Fails
// (kUnavailable) on an entry it cannot read or a map that serves no slot.
Result<std::vector<SlotRange>> ParseClusterSlots(const RedisReply& reply,
                                                 const RedisAddress& asked);

struct ClusterRedirect {
  bool ask = false;  // ASK (a migration: this command only) rather than MOVED (a new owner)
  int slot = 0;
  RedisAddress address;
};

// Whether `message` (an error reply) is a MOVED or an ASK.
bool IsClusterRedirect(std::string_view message);
// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 127.0.0.1:6381" (an IPv6 host is not bracketed; an
// empty host or "?" means the node that answered, `replier`). nullopt when unreadable.
std::optional<ClusterRedirect> ParseClusterRedirect(std::string_view message,
                                                    const RedisAddress& replier);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_CLUSTER_REPLY_H_
