// HttpRequest / HttpResponse: the plain request and response handlers see.
//
// The Beast session converts to and from these, so no handler (and no test of one) ever sees a
// socket or a Beast type. Cheap to include.
#ifndef UUDAI_GATEWAY_HTTP_MESSAGE_H_
#define UUDAI_GATEWAY_HTTP_MESSAGE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uudai::gateway {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded path, without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string request_id;

  // First header with this (lower-case) name.
  std::optional<std::string_view> Header(std::string_view lower_name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // A streamed body: when set, called repeatedly to produce chunks until it returns false.
  std::function<bool(std::string& chunk)> stream;
};

using Respond = std::function<void(HttpResponse)>;

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_HTTP_MESSAGE_H_
