#include "redis/redis_url.h"

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

std::string RedisUrl::Redacted() const {
  std::string out = "redis://";
  if (password) out += (user ? *user : std::string()) + ":***@";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out += ":" + std::to_string(port) + "/" + std::to_string(db);
  return out;
}

Result<RedisUrl> ParseRedisUrl(std::string_view text) {
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return Invalid("not a URL (expected redis://host:port/db)");
  const boost::urls::url_view& url = *parsed;

  std::string scheme = url.scheme();  // schemes are case-insensitive (RFC 3986 §3.1)
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "redis") {
    return Invalid(scheme == "rediss" ? "TLS (rediss://) is not supported"
                                      : "scheme must be redis://");
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
