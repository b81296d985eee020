#include "webhook/webhook_request.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace uudai::gateway {
namespace {

// RFC 9110 §5.6.2: a field name is a token.
bool IsToken(std::string_view name) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSymbols.find(c) != kSymbols.npos;
  });
}

}  // namespace

WebhookTarget WebhookTargetOf(std::string_view url_text) {
  const boost::urls::url_view url = boost::urls::parse_uri(url_text).value();
  WebhookTarget target;
  std::string scheme = url.scheme();
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  target.tls = scheme == "https";
  target.host_is_address = url.host_type() == boost::urls::host_type::ipv4 ||
                           url.host_type() == boost::urls::host_type::ipv6;
  target.host = target.host_is_address ? std::string(url.host_address()) : url.host_name();
  target.port = url.has_port() ? std::string(url.port()) : (target.tls ? "443" : "80");
  target.host_header =
      url.host_type() == boost::urls::host_type::ipv6 ? "[" + target.host + "]" : target.host;
  if (url.has_port()) target.host_header += ":" + target.port;
  target.path = url.encoded_target();
  if (target.path.empty() || target.path.front() != '/') target.path.insert(0, "/");
  target.tls_name = target.host;
  if (!target.tls_name.empty() && target.tls_name.back() == '.') target.tls_name.pop_back();
  return target;
}

std::optional<std::string> WebhookHeaderProblem(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  static constexpr std::array<std::string_view, 6> kOwn = {
      "host", "content-type", "content-length", "transfer-encoding", "connection", "user-agent"};
  for (const auto& [name, value] : headers) {
    if (!IsToken(name)) return "invalid header name";
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::find(kOwn.begin(), kOwn.end(), lower) != kOwn.end()) {
      return "header " + name + " is set by the client";
    }
    // Control characters (CR and LF above all: header injection), HTAB excepted.
    if (std::any_of(value.begin(), value.end(), [](char c) {
          const auto u = static_cast<unsigned char>(c);
          return (u < 0x20 && u != '\t') || u == 0x7f;
        })) {
      return "invalid value for header " + name;
    }
  }
  return std::nullopt;
}

}  // namespace uudai::gateway
