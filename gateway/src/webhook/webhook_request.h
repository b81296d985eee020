// What a webhook post sends, worked out before it connects: where it goes (WebhookTargetOf) and
// whether the headers its webhook adds may be sent (WebhookHeaderProblem). No I/O.
#ifndef UUDAI_GATEWAY_WEBHOOK_WEBHOOK_REQUEST_H_
#define UUDAI_GATEWAY_WEBHOOK_WEBHOOK_REQUEST_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uudai::gateway {

// Where a post goes.
struct WebhookTarget {
  bool tls = false;
  std::string host;         // as resolved and checked: a name, or an address without brackets
  std::string port;         // decimal
  std::string host_header;  // Host: the host (IPv6 in brackets) and the port when written
  std::string path;         // the request target: path and query, "/" at least
  std::string tls_name;     // the name the certificate must carry (no trailing dot)
  bool host_is_address = false;
};

// The target of `url`, which OutboundPolicy::CheckUrl accepted (an http or https URL naming a
// host): anything else is a caller's error.
WebhookTarget WebhookTargetOf(std::string_view url);

// Why `headers` cannot be sent as given, or nullopt: a name that is not an RFC 9110 token, a
// header the client sets itself (Host, Content-Type, Content-Length, Transfer-Encoding,
// Connection, User-Agent), a value with control characters (HTAB excepted).
std::optional<std::string> WebhookHeaderProblem(
    const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_WEBHOOK_WEBHOOK_REQUEST_H_
