// Redis Cluster's key slots: which of the 16,384 slots a key belongs to (CRC16/XMODEM of the
// key, or of its {hash tag} when it has a non-empty one, modulo 16,384), and which key of a
// command decides where the command goes. Thread-safe: pure functions.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_SLOT_H_
#define UUDAI_GATEWAY_REDIS_REDIS_SLOT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uudai::gateway {

inline constexpr int kRedisClusterSlots = 16384;

// The slot of `key`, as CLUSTER KEYSLOT answers it.
int RedisKeySlot(std::string_view key);

// A key of the same slot as `key`: `key` followed by `suffix` when `key` has a hash tag,
// "{key}" followed by `suffix` otherwise; "" for a key without a hash tag that holds a '}'.
std::string SameSlotKey(std::string_view key, std::string_view suffix);

// The key that routes `argv` (argv[0] is the command name): the first declared key of FCALL,
// FCALL_RO, EVAL and EVALSHA, the first stream of XREAD, the key argument of XINFO, OBJECT and
// MEMORY USAGE, argv[1] for the other keyed commands. nullopt for commands that name no key
// (PING, INFO, WAIT, FUNCTION, CLUSTER, a script called with no keys, ...): any primary may
// answer them.
std::optional<std::string_view> RoutingKey(const std::vector<std::string>& argv);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_SLOT_H_
