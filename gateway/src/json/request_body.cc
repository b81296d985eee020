#include "json/request_body.h"

#include <cctype>

#include <boost/json/parser.hpp>

namespace uudai::gateway {

std::string MediaTypeOf(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

bool IsJsonMediaType(std::string_view content_type) {
  const std::string type = MediaTypeOf(content_type);
  return type == "application/json" ||
         (type.starts_with("application/") && type.ends_with("+json"));
}

std::variant<JsonBody, Problem> ParseJsonObject(const HttpRequest& request) {
  if (!IsJsonMediaType(request.Header("content-type").value_or(""))) {
    return UnsupportedMediaType();
  }
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  auto arena = std::make_unique<boost::json::monotonic_resource>(2 * request.body.size() + 512);
  // The parser's own stack (of values being built) starts in this buffer: no heap allocation
  // for bodies as shallow as a cart.
  unsigned char parser_stack[1024];
  boost::json::parser parser({}, options, parser_stack, sizeof parser_stack);
  parser.reset(arena.get());
  boost::system::error_code ec;
  parser.write(request.body.data(), request.body.size(), ec);
  if (ec) return MalformedJson("the body is not valid JSON: " + ec.message());
  boost::json::value value = parser.release();
  if (!value.is_object()) return MalformedJson("the body must be a JSON object");
  return JsonBody{std::move(arena), std::move(value.get_object())};
}

Problem ProblemFor(BodyProblems problems) {
  if (!problems.unknown.empty()) return UnknownFields(std::move(problems.unknown));
  return InvalidFields(std::move(problems.invalid));
}

}  // namespace uudai::gateway
