// The handlers' answers: JSON bodies, RFC 9457 problems, and the one place an engine Status
// becomes an HTTP response (its code mapped by json/problem.h's ProblemFromStatus).
#ifndef UUDAI_GATEWAY_API_RESPONSES_H_
#define UUDAI_GATEWAY_API_RESPONSES_H_

#include <string>

#include "http/http_message.h"
#include "json/problem.h"
#include "uudai/status.h"

namespace uudai::gateway {

HttpResponse JsonResponse(int status, std::string body);
// With Retry-After when the problem carries one (429, 503).
HttpResponse ProblemResponse(const Problem& problem);
// REQUIRES: !status.ok().
HttpResponse StatusResponse(const Status& status);
// The same with more members in the problem, already serialized as `"name":value` pairs (a
// refused redemption's "rejected" codes).
HttpResponse StatusResponse(const Status& status, std::string extra_members);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_RESPONSES_H_
