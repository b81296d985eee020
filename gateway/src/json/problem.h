// Problem: an RFC 9457 problem+json error, and the one mapping from engine Status to HTTP.
#ifndef UUDAI_GATEWAY_JSON_PROBLEM_H_
#define UUDAI_GATEWAY_JSON_PROBLEM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "uudai/status.h"

namespace uudai::gateway {

struct Problem {
  int status = 500;
  std::string code;    // stable, snake_case: what clients switch on
  std::string title;   // short, constant per code
  std::string detail;  // this occurrence
  std::optional<std::string> offer_id;
  std::vector<FieldError> errors;          // 422: every problem with its field path
  std::optional<int> retry_after_seconds;  // 429, 503
  // More members, already serialized as `"name":value` pairs (e.g. a refused redemption's
  // "rejected" codes), appended to the body as they are.
  std::string extra_members;

  // The problem+json body: {"type","title","status","code","detail",...}.
  std::string ToJson() const;
};

// THE mapping from engine status codes to HTTP (docs/design.md §4). REQUIRES: !status.ok().
Problem ProblemFromStatus(const Status& status);
// The HTTP status ProblemFromStatus gives a status with this code.
int HttpStatusOf(StatusCode code);

// Gateway-level problems (not engine outcomes).
Problem MalformedJson(std::string detail);                 // 400 malformed_json
Problem MissingHeader(std::string header);                 // 400 missing_header
Problem BadRequest(std::string code, std::string detail);  // 400
Problem UnknownFields(std::vector<FieldError> fields);     // 422 unknown_field
Problem InvalidFields(std::vector<FieldError> fields);     // 422 validation_failed
Problem Unauthorized(std::string detail);                  // 401 unauthorized
Problem Forbidden(std::string detail);                     // 403 forbidden
Problem NotFoundProblem(std::string detail);               // 404 not_found
Problem MethodNotAllowed(std::string allowed);             // 405 method_not_allowed
Problem UnsupportedMediaType();                            // 415 unsupported_media_type
Problem RateLimited(int retry_after_seconds);              // 429 rate_limited
// 409 version_conflict: a PATCH without If-Match lost the race to other writers at every
// attempt it may make.
Problem VersionConflict(std::string offer_id, std::string detail);
// 410 events_expired: events after `after` were dropped (retention) before they were read; the
// oldest still held is `oldest_seq` (0: none), given as a member of that name.
Problem EventsExpired(std::uint64_t after, std::uint64_t oldest_seq);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_PROBLEM_H_
