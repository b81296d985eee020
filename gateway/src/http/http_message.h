// HttpRequest / HttpResponse: the plain request and response handlers see.
//
// The Beast session converts to and from these, so no handler (and no test of one) ever sees a
// socket or a Beast type. Cheap to include.
#ifndef UUDAI_GATEWAY_HTTP_HTTP_MESSAGE_H_
#define UUDAI_GATEWAY_HTTP_HTTP_MESSAGE_H_

#include <functional>
#include <memory>
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

// Where a BodyStream delivers its next piece: a non-empty chunk to send; an empty string at the
// end of the body; or nullopt when producing failed midway (the connection is then closed
// without the last chunk, so the client sees a truncated body, never one that looks whole).
using ChunkSink = std::function<void(std::optional<std::string> chunk)>;

// Produces a response body piece by piece, so a large body (an export) is never held whole.
// The session calls Next() for the first piece once the header is written, and for each
// following piece once the previous one is written (backpressure); Next() answers through
// `sink` exactly once, from any thread. Never called concurrently.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  virtual void Next(ChunkSink sink) = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // A streamed body, sent with chunked transfer coding; `body` is then ignored. See BodyStream.
  std::shared_ptr<BodyStream> stream;
};

using Respond = std::function<void(HttpResponse)>;

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_HTTP_HTTP_MESSAGE_H_
