// The Beast side of one HTTP exchange, apart from any socket: the request parser with the
// server's limits, the answer to a framing error, and the conversions between Beast messages
// and the handler's HttpRequest / HttpResponse.
//
// HttpSession applies these to a connection; the request-path fuzzer (tests/fuzz) applies them
// to bytes in memory, so both follow exactly the same rules. Include only where Beast is
// wanted anyway (it is heavy). Stateless functions, thread-safe.
#ifndef UUDAI_GATEWAY_HTTP_HTTP_EXCHANGE_H_
#define UUDAI_GATEWAY_HTTP_HTTP_EXCHANGE_H_

#include <optional>
#include <string>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/http_message.h"
#include "http/http_server.h"

namespace uudai::gateway {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Sets the header and body limits of a fresh parser (the body's, the largest any request may
// have: LimitBody narrows it once the header says which request this is). REQUIRES: no byte
// parsed yet.
void LimitParser(RequestParser& parser, const ServerOptions& options);

// The body limit of the request whose header `parser` holds: options.bulk_body_limit for a
// POST to one of options.bulk_paths that options.bulk_admission admits, options.body_limit for
// any other.
std::size_t BodyLimitFor(const RequestParser& parser, const ServerOptions& options);

// Sets that limit on the parser; the 413 to answer when the Content-Length is over it.
// REQUIRES: parser.is_header_done(), no byte of the body parsed yet.
std::optional<HttpResponse> LimitBody(RequestParser& parser, const ServerOptions& options);

// The answer to an error from reading a request (header too large → 431, body too large → 413
// naming `body_limit`, malformed or ambiguous framing → 400), after which the connection
// closes; nullopt when there is nobody to answer (timeout, or the peer closed between
// requests).
std::optional<HttpResponse> FramingRefusal(boost::beast::error_code ec,
                                           const ServerOptions& options, std::size_t body_limit);

// The answer to a request whose header leaves the length of its body open to more than one
// reading (RFC 9112 §6.1, §6.3): a Transfer-Encoding that is not exactly `chunked` (another
// coding, chunked twice or not last, an empty value, over all its lines), or one together with
// Content-Length → 400, after which the connection closes, so no byte after the header is ever
// taken for a request (request smuggling). Beast refuses some of these itself, but reads
// `gzip` or `chunked, gzip` as a request without a body and lets a Content-Length follow them.
// nullopt when the framing is clear. REQUIRES: parser.is_header_done().
std::optional<HttpResponse> AmbiguousFramingRefusal(const RequestParser& parser);

// A problem+json response for a request refused before the handler (400/413/431).
HttpResponse FramingProblem(int status, std::string code, std::string detail);

// The handler's view of a parsed request: HEAD becomes GET, the path is percent-decoded, header
// names lower-cased, the request id taken from X-Request-Id when it is short and printable (else
// generated). The body is moved out of `message`. nullopt when the target is not a valid
// origin-form path (→ 400).
std::optional<HttpRequest> ToHttpRequest(BeastRequest& message);

// `response` as the Beast message answering a request of HTTP `version` (11 = 1.1); for HEAD
// the body is left out but Content-Length stays that of the GET response.
BeastResponse ToBeastResponse(HttpResponse response, unsigned version, bool head, bool keep_alive);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_HTTP_HTTP_EXCHANGE_H_
