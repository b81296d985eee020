#include "request_body.h"

#include <boost/json/parser.hpp>

namespace uudai::gateway {

std::variant<boost::json::object, Problem> ParseJsonObject(const HttpRequest& request) {
  const auto type = request.Header("content-type");
  if (!type || !(type->starts_with("application/json") ||
                 (type->starts_with("application/") && type->find("+json") != std::string::npos))) {
    return UnsupportedMediaType();
  }
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::parser parser({}, options);
  boost::system::error_code ec;
  parser.write(request.body.data(), request.body.size(), ec);
  if (ec) return MalformedJson("the body is not valid JSON: " + ec.message());
  boost::json::value value = parser.release();
  if (!value.is_object()) return MalformedJson("the body must be a JSON object");
  return std::move(value.get_object());
}

Problem ProblemFor(BodyProblems problems) {
  if (!problems.unknown.empty()) return UnknownFields(std::move(problems.unknown));
  return InvalidFields(std::move(problems.invalid));
}

}  // namespace uudai::gateway
