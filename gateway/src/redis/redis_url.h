// RedisUrl: where a Redis server is and how to log in, parsed from
// `redis://[[user]:password@]host[:port][/db]`, or where a Redis Cluster is, parsed from
// `redis+cluster://[[user]:password@]host[:port][,host[:port]...]`: the nodes listed are seeds
// the cluster's map of slots is first asked from (any of them is enough; the others are
// fallbacks), and the credentials are every node's. Thread-safe: a plain value.
//
// The port defaults to 6379 and the database to 0. The password (and the ACL user, Redis 6+)
// are percent-decoded, so a password containing '@', ':' or '/' is written %40, %3A, %2F.
// Anything the connection would silently ignore is refused instead: another scheme (TLS
// `rediss://` is not supported by hiredis 0.14 as packaged), a query, a fragment, a user
// without a password, a database that is not a plain number.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_URL_H_
#define UUDAI_GATEWAY_REDIS_REDIS_URL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uudai/status.h"

namespace uudai::gateway {

struct RedisAddress {
  std::string host;  // a name, an IPv4 address or an IPv6 address (no brackets)
  std::uint16_t port = 6379;

  // "host:port", "[v6]:port" for an IPv6 address.
  std::string ToString() const;
  friend bool operator==(const RedisAddress&, const RedisAddress&) = default;
};

struct RedisUrl {
  std::string host = "127.0.0.1";  // a name, an IPv4 address or an IPv6 address (no brackets)
  std::uint16_t port = 6379;
  int db = 0;                           // SELECTed after connecting when not 0
  std::optional<std::string> user;      // AUTH user password (ACL); absent: AUTH password
  std::optional<std::string> password;  // absent: no AUTH
  // redis+cluster://: every node listed, in order (host and port above are the first). Empty
  // for a single server.
  std::vector<RedisAddress> cluster_seeds;

  bool cluster() const { return !cluster_seeds.empty(); }
  // The same server settings at `address` (a node of the cluster): a single server's URL.
  RedisUrl AtNode(const RedisAddress& address) const;

  // The URL with the password masked ("redis://:***@host:6379/0",
  // "redis+cluster://:***@a:7000,b:7001"), for logs and errors.
  std::string Redacted() const;

  friend bool operator==(const RedisUrl&, const RedisUrl&) = default;
};

// Parses a redis:// or redis+cluster:// URL (a cluster has database 0 only). Fails with kValidation
// and a message naming the problem.
Result<RedisUrl> ParseRedisUrl(std::string_view text);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_URL_H_
