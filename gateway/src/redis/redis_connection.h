// RedisConnection: one pipelined connection to one Redis server, driven by one Asio io_context
// (the RedisClient of a single server, and of each node of a RedisCluster).
//
// It adapts hiredis's asynchronous API to Asio (hiredis 0.14 ships no Asio adapter) and adds
// what hiredis 0.14 lacks: a connect timeout, per-command timeouts, reconnection with
// exponential backoff, AUTH and SELECT from the URL, and FCALL of a function
// library that loads it when Redis does not have it.
//
// Threading: the connection belongs to the io_context it was created with; every callback
// runs on a thread running that io_context. Meant for an io_context run by ONE thread (the
// gateway's model: one io_context and one RedisConnection per I/O thread), so concurrent
// commands from that thread pipeline on the connection without locks. Command, Eval, Start
// and Stop may be called from any thread (they hop onto the io_context); connected() and
// last_error() too.
//
// Failure model: fail fast, never queue. While the connection is not established (starting,
// Redis down, reconnecting) a command is answered kUnavailable right away. A command that
// gets no reply within command_timeout is answered kUnavailable and the connection is torn
// down and re-established, because its late reply would otherwise be matched to the next
// command; every other command in flight on it is answered kUnavailable too. kUnavailable
// does NOT mean the command did not run: Redis may have executed it before the connection
// broke, so commands that must not run twice need their own idempotency.
//
// Process-wide: the first Create() makes the process ignore SIGPIPE (when it has no handler of
// its own), because hiredis writes with write(2), and a write to a Redis that has gone away
// would otherwise kill the process.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_CONNECTION_H_
#define UUDAI_GATEWAY_REDIS_REDIS_CONNECTION_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "redis/redis_client.h"

namespace uudai::gateway {

class RedisConnection final : public RedisClient {
 public:
  // Does not connect yet: see Start(). `io` must outlive the handle.
  static std::shared_ptr<RedisConnection> Create(boost::asio::io_context& io, RedisOptions options);
  // Stop()s the connection. Callbacks still pending are answered later on the io_context
  // (kUnavailable), so they must not refer to anything destroyed with this handle. If the
  // io_context is destroyed before it ran them, they are destroyed uncalled.
  ~RedisConnection() override;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects (AUTH and SELECT as the URL says) and, whenever the connection breaks or an
  // attempt fails, reconnects with backoff, until Stop(). Idempotent.
  void Start() override;
  // Closes the connection for good and answers every pending command kUnavailable (on the
  // io_context, after Stop returns). Start() after Stop() does nothing. Idempotent: only the
  // first call touches the io_context, so once Stop() was called while the io_context ran,
  // the handle may be destroyed after the io_context stopped or was destroyed.
  void Stop() override;

  // True while commands can be sent: connected, authenticated, database selected.
  bool connected() const override;
  // Why the last attempt failed or the last connection broke, e.g. "Connection refused" or
  // "AUTH failed: WRONGPASS ...". Empty when nothing has failed yet.
  std::string last_error() const override;

  // Sends `argv` (binary-safe; argv[0] is the command name) and calls `done` exactly once,
  // on the io_context, never before Command returns: with Redis's reply (an error reply is a
  // reply, see RedisReply), or kUnavailable when not connected, when the reply did not come
  // within command_timeout, or when the connection broke first. Pub/sub and MONITOR are
  // refused (kInternal): their replies do not pair one-to-one with commands.
  void Command(std::vector<std::string> argv, Callback done) override;

  // FCALL (FCALL_RO for a read-only function) of `function` with `keys` and `args`. When Redis does
  // not have it (a new Redis, or FUNCTION FLUSH), it pipelines FUNCTION LOAD and the FCALL once
  // more; `done` gets the retry's reply, or the FUNCTION LOAD error if loading failed. Same
  // contract as Command otherwise; the retry has its own command_timeout. With
  // options.wait_replicas, every call (and every keyed command) waits for the replicas (see
  // RedisOptions).
  void Call(const RedisFunction& function, std::vector<std::string> keys,
            std::vector<std::string> args, Callback done) override;

 private:
  class Impl;
  explicit RedisConnection(std::shared_ptr<Impl> impl);

  // Shared with the io_context's pending handlers, which keep it alive until they complete.
  std::shared_ptr<Impl> impl_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_CONNECTION_H_
