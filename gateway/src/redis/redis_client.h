// RedisClient: what uudai asks of Redis, whether a single server (RedisConnection) or a Redis
// Cluster (RedisCluster): commands and function calls answered by callbacks on one io_context,
// failing fast and closed. CreateRedisClient picks the kind the URL names.
//
// Threading: a client belongs to the io_context it was created with, which ONE thread runs;
// every callback runs on that thread, never before the call returns. Command, Call, Start and
// Stop may be called from any thread (they hop onto the io_context); connected() and
// last_error() too.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_CLIENT_H_
#define UUDAI_GATEWAY_REDIS_REDIS_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_counters.h"
#include "redis/redis_function.h"
#include "redis/redis_reply.h"
#include "redis/redis_url.h"
#include "uudai/status.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace uudai::gateway {

struct RedisOptions {
  RedisUrl url;
  // From the start of an attempt to the end of AUTH/SELECT (name resolution not included).
  std::chrono::milliseconds connect_timeout{1000};
  // From sending a command to its reply.
  std::chrono::milliseconds command_timeout{500};
  // Delay before reconnecting: starts at backoff_min after a working connection broke and
  // doubles after each failed attempt up to backoff_max; each delay is jittered to 50–100 %
  // so that many gateways do not reconnect in lockstep.
  std::chrono::milliseconds backoff_min{50};
  std::chrono::milliseconds backoff_max{2000};
  // When above 0, every function call and every command that names a key is followed, on the
  // same connection, by a small write in that key's slot (SameSlotKey(key, ":replicated"),
  // expiring after 10 s; none when there is no such key) and WAIT wait_replicas
  // (command_timeout / 2), and answered only once that many replicas acknowledged it: so what
  // a call wrote, and what it read (a replay of an earlier write, a change-log entry another
  // gateway wrote), is on the replicas before the caller hears of it. With fewer, it answers
  // kUnavailable (a write happened on the primary, and may or may not survive its failover).
  // Commands that name no key (PING, CLUSTER, ...) and commands answered nil (nothing read or
  // written: an XREAD with no new entry, an HGET of no field) do not wait.
  int wait_replicas = 0;
  // Redis Cluster only: how often the map of slots is read again when nothing asked for it
  // (a redirect, a node that stopped answering and CLUSTERDOWN ask at once).
  std::chrono::milliseconds cluster_refresh_interval{1000};
  // Where redirects, maps read and short replica waits are counted; none when null. Copies of
  // the options share it.
  std::shared_ptr<RedisCounters> counters;
};

class RedisClient {
 public:
  using Callback = std::function<void(Result<RedisReply>)>;

  virtual ~RedisClient() = default;

  // Connects, and reconnects whenever a connection breaks, until Stop(). Idempotent.
  virtual void Start() = 0;
  // Closes for good and answers every pending command kUnavailable (on the io_context, after
  // Stop returns). Idempotent.
  virtual void Stop() = 0;

  // True while commands can be sent (for a cluster: the map of slots is known and a primary in
  // it is connected).
  virtual bool connected() const = 0;
  // True while commands for `key` can be sent (for a cluster: the primary serving its slot is
  // connected).
  virtual bool connected_for(std::string_view /*key*/) const { return connected(); }
  // Why the last attempt failed or the last connection broke; empty when nothing failed yet.
  virtual std::string last_error() const = 0;

  // Sends `argv` (binary-safe; argv[0] is the command name) and calls `done` exactly once, on
  // the io_context, never before Command returns: with Redis's reply (an error reply is a
  // reply, see RedisReply), or kUnavailable when Redis could not be asked or did not answer in
  // time. kUnavailable does NOT mean the command did not run.
  virtual void Command(std::vector<std::string> argv, Callback done) = 0;

  // FCALL (FCALL_RO for a read-only function) of `function` with `keys` and `args`, loading
  // the function where Redis does not have it. Same contract as Command.
  virtual void Call(const RedisFunction& function, std::vector<std::string> keys,
                    std::vector<std::string> args, Callback done) = 0;
};

// A RedisCluster when options.url is a redis+cluster:// URL, a RedisConnection otherwise. Not
// started yet. `io` must outlive the client.
std::shared_ptr<RedisClient> CreateRedisClient(boost::asio::io_context& io, RedisOptions options);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_CLIENT_H_
