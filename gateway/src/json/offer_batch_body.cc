#include "json/offer_batch_body.h"

#include <boost/json/parser.hpp>

#include "json/request_body.h"

namespace uudai::gateway {
namespace {

// Parses `text` as one JSON value into `arena`; the error text when it is not one.
std::variant<boost::json::value, std::string> ParseValue(std::string_view text,
                                                         boost::json::monotonic_resource& arena) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::parser parser({}, options);
  parser.reset(&arena);
  boost::system::error_code ec;
  parser.write(text.data(), text.size(), ec);
  if (ec) return ec.message();
  return parser.release();
}

}  // namespace

bool IsNdjsonMediaType(std::string_view content_type) {
  const std::string type = MediaTypeOf(content_type);
  return type == "application/x-ndjson" || type == "application/jsonl" ||
         type == "application/jsonlines";
}

std::variant<OfferBatchBody, Problem> ParseOfferBatchBody(const HttpRequest& request) {
  const std::string_view content_type = request.Header("content-type").value_or("");
  const bool ndjson = IsNdjsonMediaType(content_type);
  if (!ndjson && !IsJsonMediaType(content_type)) {
    Problem problem = UnsupportedMediaType();
    problem.detail =
        "send Content-Type: application/json (an array of offers) or "
        "application/x-ndjson (one offer per line)";
    return problem;
  }
  OfferBatchBody body;
  body.arena = std::make_unique<boost::json::monotonic_resource>(2 * request.body.size() + 512);
  std::string_view text = request.body;
  if (!ndjson) {
    auto parsed = ParseValue(text, *body.arena);
    if (auto* error = std::get_if<std::string>(&parsed)) {
      return MalformedJson("the body is not valid JSON: " + *error);
    }
    auto& value = std::get<boost::json::value>(parsed);
    if (!value.is_array()) return MalformedJson("the body must be a JSON array of offers");
    for (boost::json::value& item : value.get_array()) {
      body.items.push_back({std::move(item), std::nullopt});
    }
    return body;
  }
  if (text.ends_with('\n')) text.remove_suffix(1);
  if (text.empty()) return body;
  while (true) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    auto parsed = ParseValue(line, *body.arena);
    if (auto* error = std::get_if<std::string>(&parsed)) {
      body.items.push_back({nullptr, line.empty() ? "an empty line" : "not valid JSON: " + *error});
    } else {
      body.items.push_back({std::move(std::get<boost::json::value>(parsed)), std::nullopt});
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return body;
}

}  // namespace uudai::gateway
