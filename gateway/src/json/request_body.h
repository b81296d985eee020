// Reading a request's JSON body: media type, size, syntax (UTF-8, depth), top-level object.
#ifndef UUDAI_GATEWAY_JSON_REQUEST_BODY_H_
#define UUDAI_GATEWAY_JSON_REQUEST_BODY_H_

#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>

#include "http/http_message.h"
#include "json/field_reader.h"
#include "json/problem.h"

namespace uudai::gateway {

inline constexpr std::size_t kMaxJsonDepth = 16;

// A Content-Type's media type: lower-cased, without parameters (";charset=utf-8").
std::string MediaTypeOf(std::string_view content_type);

// application/json or application/*+json, parameters allowed.
bool IsJsonMediaType(std::string_view content_type);

// A parsed body. Its DOM lives in `arena` (one allocation instead of one per node), so it is
// valid only as long as this JsonBody; copy `object` into default storage to keep it longer.
struct JsonBody {
  std::unique_ptr<boost::json::monotonic_resource> arena;
  boost::json::object object;
};

// The body as a JSON object, or the problem to answer: 415 when not JSON, 400 when malformed
// (invalid UTF-8 and nesting deeper than kMaxJsonDepth included) or not an object.
std::variant<JsonBody, Problem> ParseJsonObject(const HttpRequest& request);

// The 422 for a body that failed strict reading: unknown fields first (a typo is the likelier
// cause of everything else), then invalid fields.
Problem ProblemFor(BodyProblems problems);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_REQUEST_BODY_H_
