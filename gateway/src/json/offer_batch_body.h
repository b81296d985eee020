// Reading the body of POST /v1/offers/batch: many offers in one request, as a JSON array
// (application/json) or as NDJSON (application/x-ndjson: one offer object per line).
#ifndef UUDAI_GATEWAY_JSON_OFFER_BATCH_BODY_H_
#define UUDAI_GATEWAY_JSON_OFFER_BATCH_BODY_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include "http/http_message.h"
#include "json/problem.h"

namespace uudai::gateway {

// application/x-ndjson (or application/jsonl, application/jsonlines), parameters allowed.
bool IsNdjsonMediaType(std::string_view content_type);

struct OfferBatchItem {
  boost::json::value value;               // the item (null when unreadable)
  std::optional<std::string> unreadable;  // why an NDJSON line is not JSON
};

// The items in order. Their DOMs live in `arena`: valid only as long as this OfferBatchBody.
struct OfferBatchBody {
  std::unique_ptr<boost::json::monotonic_resource> arena;
  std::vector<OfferBatchItem> items;
};

// The body's items, or the problem to answer: 415 when neither JSON nor NDJSON; 400 when a
// JSON body is malformed or not an array. In NDJSON every line is one item (a final newline
// ends the last line; CR before LF is dropped), so item i is line i + 1, and a line that is
// not JSON (or is empty) is an unreadable item, reported with the others' errors. Each item
// is parsed as ParseJsonObject parses a body (UTF-8, nesting at most kMaxJsonDepth).
std::variant<OfferBatchBody, Problem> ParseOfferBatchBody(const HttpRequest& request);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_OFFER_BATCH_BODY_H_
