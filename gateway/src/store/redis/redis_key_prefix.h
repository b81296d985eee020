// The prefix of every key RedisStore writes. Its {hash tag} puts all of a store's keys in one
// Redis Cluster slot, which the store's scripts need (they touch many keys in one call).
#ifndef UUDAI_GATEWAY_STORE_REDIS_REDIS_KEY_PREFIX_H_
#define UUDAI_GATEWAY_STORE_REDIS_REDIS_KEY_PREFIX_H_

#include <string_view>

namespace uudai::gateway {

inline constexpr std::string_view kDefaultRedisKeyPrefix = "uudai:{main}:";

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_REDIS_KEY_PREFIX_H_
