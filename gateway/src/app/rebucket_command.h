// `uudai redis-rebucket`: moves a Redis store (every shard of a spread one) to another bucket
// count (--redis-buckets), with every gateway of the store stopped.
#ifndef UUDAI_GATEWAY_APP_REBUCKET_COMMAND_H_
#define UUDAI_GATEWAY_APP_REBUCKET_COMMAND_H_

#include "app/serve_command.h"

namespace uudai::gateway {

// Reads --redis, --redis-prefix, --redis-shards, --redis-timeout, --redis-wait-replicas,
// --log-level and --redis-buckets (the count to move to) of `config`; `gateways_stopped`: move
// without waiting for the readers' timeout (RedisStore::MoveBuckets). Returns the process exit
// code: 0 once the store has the count, 1 when the store refused (a gateway still runs,
// another move is under way), Redis failed or SIGINT/SIGTERM stopped it (run it again: a move
// goes on from where it stopped), 2 for a usage error.
int RunRedisRebucket(const ServeConfig& config, bool gateways_stopped);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_APP_REBUCKET_COMMAND_H_
