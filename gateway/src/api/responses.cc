#include "api/responses.h"

namespace uudai::gateway {

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse ProblemResponse(const Problem& problem) {
  HttpResponse response;
  response.status = problem.status;
  response.content_type = "application/problem+json";
  response.body = problem.ToJson();
  if (problem.retry_after_seconds) {
    response.headers.emplace_back("Retry-After", std::to_string(*problem.retry_after_seconds));
  }
  return response;
}

HttpResponse StatusResponse(const Status& status) {
  return ProblemResponse(ProblemFromStatus(status));
}

HttpResponse StatusResponse(const Status& status, std::string extra_members) {
  Problem problem = ProblemFromStatus(status);
  problem.extra_members = std::move(extra_members);
  return ProblemResponse(problem);
}

}  // namespace uudai::gateway
