#include "http/http_exchange.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

namespace uudai::gateway {
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// A request id from X-Request-Id when it is short and printable; otherwise none.
std::string SanitizedRequestId(beast::string_view given) {
  if (given.empty() || given.size() > 128) return {};
  for (char c : given) {
    if (c <= 32 || c >= 127 || c == '"') return {};
  }
  return std::string(given);
}

std::string NextRequestId() {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t boot =
      static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  // "%08x-%08x" of the boot's low 32 bits and the counter (more digits once it passes 2^32),
  // written by hand: snprintf showed in the profile of every request.
  static constexpr char kHex[] = "0123456789abcdef";
  auto append_hex = [](std::string& out, std::uint64_t value) {
    char digits[16];
    int n = 0;
    do {
      digits[n++] = kHex[value & 0xf];
      value >>= 4;
    } while (value != 0);
    out.append(static_cast<std::size_t>(std::max(0, 8 - n)), '0');
    while (n > 0) out.push_back(digits[--n]);
  };
  std::string id;
  id.reserve(17);
  append_hex(id, boot & 0xffffffffULL);
  id.push_back('-');
  append_hex(id, counter.fetch_add(1));
  return id;
}

std::string Lower(beast::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `value` without the optional whitespace (SP, HTAB) around it.
beast::string_view TrimOws(beast::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

}  // namespace

void LimitParser(RequestParser& parser, const ServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
  parser.body_limit(options.bulk_paths.empty()
                        ? options.body_limit
                        : std::max(options.body_limit, options.bulk_body_limit));
}

std::size_t BodyLimitFor(const RequestParser& parser, const ServerOptions& options) {
  const auto& header = parser.get();
  if (header.method() != http::verb::post || options.bulk_paths.empty()) {
    return options.body_limit;
  }
  const beast::string_view target = header.target();
  const beast::string_view path = target.substr(0, target.find('?'));
  for (const std::string& bulk : options.bulk_paths) {
    if (path != bulk) continue;
    const beast::string_view authorization = header[http::field::authorization];
    if (options.bulk_admission &&
        !options.bulk_admission(std::string_view(authorization.data(), authorization.size()))) {
      break;
    }
    return std::max(options.body_limit, options.bulk_body_limit);
  }
  return options.body_limit;
}

std::optional<HttpResponse> LimitBody(RequestParser& parser, const ServerOptions& options) {
  const std::size_t limit = BodyLimitFor(parser, options);
  if (const auto length = parser.content_length(); length && *length > limit) {
    return FramingRefusal(http::error::body_limit, options, limit);
  }
  parser.body_limit(limit);
  return std::nullopt;
}

std::optional<HttpResponse> FramingRefusal(beast::error_code ec, const ServerOptions& options,
                                           std::size_t body_limit) {
  if (ec == beast::error::timeout || ec == http::error::end_of_stream ||
      ec == boost::asio::error::eof) {
    return std::nullopt;
  }
  if (ec == http::error::header_limit) {
    return FramingProblem(
        431, "headers_too_large",
        "request headers are limited to " + std::to_string(options.header_limit / 1024) + " KiB");
  }
  if (ec == http::error::body_limit) {  // also a Content-Length over the limit
    return FramingProblem(413, "payload_too_large",
                          "bodies are limited to " + std::to_string(body_limit) + " bytes");
  }
  return FramingProblem(400, "bad_request", ec.message());
}

std::optional<HttpResponse> AmbiguousFramingRefusal(const RequestParser& parser) {
  const auto& header = parser.get();
  const auto codings = header.equal_range(http::field::transfer_encoding);
  if (codings.first == codings.second) return std::nullopt;  // Content-Length alone, or no body
  if (header.count(http::field::content_length) > 0) {
    return FramingProblem(400, "bad_request",
                          "a request may not carry both Transfer-Encoding and Content-Length");
  }
  // The codings of every line, in order, as one list (RFC 9110 §5.3); empty elements do not
  // count (§5.6.1). Anything but the single element `chunked` is refused.
  std::size_t chunked = 0;
  std::size_t others = 0;
  for (auto line = codings.first; line != codings.second; ++line) {
    beast::string_view rest = line->value();
    while (true) {
      const auto comma = rest.find(',');
      const beast::string_view element = TrimOws(rest.substr(0, comma));
      if (beast::iequals(element, "chunked")) {
        ++chunked;
      } else if (!element.empty()) {
        ++others;
      }
      if (comma == beast::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  // parser.chunked(): Beast reads the body as chunked too; it must agree before any is read.
  if (chunked != 1 || others != 0 || !parser.chunked()) {
    return FramingProblem(400, "bad_request",
                          "Transfer-Encoding must be exactly chunked, the only coding uudai reads");
  }
  return std::nullopt;
}

HttpResponse FramingProblem(int status, std::string code, std::string detail) {
  // The members of every uudai problem document (json/problem.h), written here because the
  // transport answers these itself, before any handler. The texts are ASCII.
  boost::json::object problem;
  problem["type"] = "urn:uudai:problem:" + code;
  problem["title"] = status == 431   ? "Request headers too large"
                     : status == 413 ? "The body is too large"
                                     : "Bad request";
  problem["status"] = status;
  problem["code"] = code;
  problem["detail"] = detail;
  HttpResponse response;
  response.status = status;
  response.content_type = "application/problem+json";
  response.body = boost::json::serialize(problem);
  response.headers.emplace_back("X-Request-Id", NextRequestId());
  return response;
}

std::optional<HttpRequest> ToHttpRequest(BeastRequest& message) {
  HttpRequest request;
  // HEAD is GET without the body (RFC 9110 §9.3.2); ToBeastResponse leaves the body out.
  request.method =
      message.method() == http::verb::head ? "GET" : std::string(message.method_string());
  const auto target = boost::urls::parse_origin_form(message.target());
  if (!target) return std::nullopt;
  request.path = std::string(target->path());
  for (const auto& param : target->params()) request.query.emplace_back(param.key, param.value);
  for (const auto& field : message) {
    request.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
  }
  request.request_id = SanitizedRequestId(message["x-request-id"]);
  if (request.request_id.empty()) request.request_id = NextRequestId();
  request.body = std::move(message.body());
  return request;
}

BeastResponse ToBeastResponse(HttpResponse response, unsigned version, bool head, bool keep_alive) {
  BeastResponse message;
  message.version(version);
  message.result(static_cast<unsigned>(response.status));
  message.set(http::field::server, "uudai");
  message.set(http::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) message.set(name, value);
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  if (head) message.body().clear();  // Content-Length stays that of the GET response
  return message;
}

}  // namespace uudai::gateway
