#include "redis/redis_url.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace uudai::gateway {
namespace {

// The URL itself is never echoed back: it may hold a password.
Status Invalid(std::string_view why) {
  return Status(StatusCode::kValidation, "invalid Redis URL: " + std::string(why));
}

// A whole non-negative decimal number within [0, max], or nullopt.
std::optional<std::int64_t> ParseDecimal(std::string_view digits, std::int64_t max) {
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

}  // namespace

std::string RedisAddress::ToString() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

std::string RedisUrl::Redacted() const {
  std::string out = cluster() ? "redis+cluster://" : "redis://";
  if (password) out += (user ? *user : std::string()) + ":***@";
  if (!cluster()) return out + RedisAddress{host, port}.ToString() + "/" + std::to_string(db);
  for (std::size_t i = 0; i < cluster_seeds.size(); ++i) {
    out += (i == 0 ? "" : ",") + cluster_seeds[i].ToString();
  }
  return out;
}

RedisUrl RedisUrl::AtNode(const RedisAddress& address) const {
  RedisUrl node = *this;
  node.host = address.host;
  node.port = address.port;
  node.cluster_seeds.clear();
  return node;
}

namespace {

// redis+cluster://[userinfo@]host[:port][,host[:port]...][/0]: each host is parsed as the
// single-server URL it would be, credentials and path included.
Result<RedisUrl> ParseRedisClusterUrl(std::string_view rest) {
  const std::size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  const std::string_view after_authority = rest.substr(authority_end);
  std::string_view userinfo;
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    userinfo = authority.substr(0, at + 1);
    authority = authority.substr(at + 1);
  }
  RedisUrl out;
  while (true) {
    const std::size_t comma = std::min(authority.find(','), authority.size());
    const std::string_view host = authority.substr(0, comma);
    if (host.empty()) return Invalid("missing host in the list of cluster nodes");
    auto node = ParseRedisUrl("redis://" + std::string(userinfo) + std::string(host) +
                              std::string(after_authority));
    if (!node.ok()) return node.status();
    if (node->db != 0) return Invalid("a Redis Cluster has database 0 only");
    if (out.cluster_seeds.empty()) out = node.value();
    out.cluster_seeds.push_back(RedisAddress{node->host, node->port});
    if (comma == authority.size()) break;
    authority = authority.substr(comma + 1);
  }
  return out;
}

}  // namespace

Result<RedisUrl> ParseRedisUrl(std::string_view text) {
  static constexpr std::string_view kClusterScheme = "redis+cluster://";
  if (text.size() >= kClusterScheme.size()) {
    std::string scheme(text.substr(0, kClusterScheme.size()));
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme == kClusterScheme) return ParseRedisClusterUrl(text.substr(kClusterScheme.size()));
  }
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return Invalid("not a URL (expected redis://host:port/db)");
  const boost::urls::url_view& url = *parsed;

  std::string scheme = url.scheme();  // schemes are case-insensitive (RFC 3986 §3.1)
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "redis") {
    return Invalid(scheme == "rediss" ? "TLS (rediss://) is not supported"
                                      : "scheme must be redis:// or redis+cluster://");
  }
  if (!url.has_authority() || url.encoded_host().empty()) return Invalid("missing host");
  if (url.host_type() == boost::urls::host_type::ipvfuture) {
    return Invalid("unsupported host address");
  }
  if (url.has_query()) return Invalid("query parameters are not supported");
  if (url.has_fragment()) return Invalid("a fragment is not supported");

  RedisUrl out;
  out.host = url.host_address();
  if (out.host.empty()) return Invalid("missing host");

  if (url.has_port()) {
    const auto port = ParseDecimal(url.port(), std::numeric_limits<std::uint16_t>::max());
    if (!port || *port == 0) return Invalid("port must be a number from 1 to 65535");
    out.port = static_cast<std::uint16_t>(*port);
  }

  if (url.has_userinfo()) {
    std::string user = url.user();
    if (!url.has_password() || url.encoded_password().empty()) {
      return Invalid("credentials must be :password@ or user:password@ with a non-empty password");
    }
    out.password = url.password();
    if (!user.empty()) out.user = std::move(user);
  }

  // The path is empty, "/" or "/<db>".
  const std::string_view path = url.encoded_path();
  if (!path.empty() && path != "/") {
    const auto db = ParseDecimal(path.substr(1), std::numeric_limits<int>::max());
    if (!db) return Invalid("database must be a number: redis://host:port/<db>");
    out.db = static_cast<int>(*db);
  }
  return out;
}

}  // namespace uudai::gateway
