#include "json/problem.h"

#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace uudai::gateway {
namespace {

Problem Make(int status, std::string code, std::string title, std::string detail) {
  Problem p;
  p.status = status;
  p.code = std::move(code);
  p.title = std::move(title);
  p.detail = std::move(detail);
  return p;
}

struct Mapping {
  int status;
  const char* title;
};

Mapping MappingFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return {200, "OK"};
    case StatusCode::kValidation:
      return {422, "The request has invalid fields"};
    case StatusCode::kNotFound:
      return {404, "Not found"};
    case StatusCode::kVersionMismatch:
      return {412, "The offer has changed"};
    case StatusCode::kQuotaExhausted:
      return {409, "The offer has no redemptions left"};
    case StatusCode::kBudgetExhausted:
      return {409, "The offer's budget is spent"};
    case StatusCode::kPerShopperLimit:
      return {409, "The shopper reached the offer's limit"};
    case StatusCode::kDailyLimit:
      return {409, "The offer reached today's limit"};
    case StatusCode::kNotFirstOrder:
      return {409, "The offer is for a shopper's first order"};
    case StatusCode::kCodeUsed:
      return {409, "The code is already used"};
    case StatusCode::kInvalidTransition:
      return {409, "Transition not allowed"};
    case StatusCode::kReservationExpired:
      return {409, "The reservation expired"};
    case StatusCode::kOrderAlreadyRedeemed:
      return {409, "The order already has a redemption"};
    case StatusCode::kRequestInProgress:
      return {409, "The first request is still running"};
    case StatusCode::kIdempotencyKeyReused:
      return {422, "Idempotency-Key reused with a different body"};
    case StatusCode::kQuoteChanged:
      return {409, "The discount changed since the quote"};
    case StatusCode::kNothingToRedeem:
      return {409, "No offer applies"};
    case StatusCode::kOfferPaused:
      return {409, "The offer is paused"};
    case StatusCode::kOfferNotStarted:
      return {409, "The offer has not started"};
    case StatusCode::kOfferEnded:
      return {409, "The offer has ended"};
    case StatusCode::kOutsideWindow:
      return {409, "The offer is outside its daily window"};
    case StatusCode::kAmountCeiling:
      return {409, "The store's amount ceiling is reached"};
    case StatusCode::kCodeConflict:
      return {409, "The code belongs to another offer"};
    case StatusCode::kAlreadyExists:
      return {409, "Already exists"};
    case StatusCode::kUnavailable:
      return {503, "The store is unavailable"};
    case StatusCode::kInternal:
      return {500, "Internal error"};
  }
  return {500, "Internal error"};
}

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates,
// ≤ U+10FFFF) at the start of `s`, or 0 when it does not start with one.
std::size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t len = 0;
  unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < len || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return len;
}

// `text` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD. A problem
// often quotes the request (a path segment, an id), which may be any bytes once
// percent-decoded; the body must stay valid JSON all the same (RFC 8259 §8.1).
std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t len = Utf8SequenceLength(text);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      text.remove_prefix(1);
    } else {
      out.append(text.substr(0, len));
      text.remove_prefix(len);
    }
  }
  return out;
}

}  // namespace

std::string Problem::ToJson() const {
  boost::json::object body;
  body["type"] = "urn:uudai:problem:" + ValidUtf8(code);  // stable, dereferences nowhere
  body["title"] = ValidUtf8(title);
  body["status"] = status;
  body["code"] = ValidUtf8(code);
  body["detail"] = ValidUtf8(detail);
  if (offer_id) body["offer_id"] = ValidUtf8(*offer_id);
  if (!errors.empty()) {
    boost::json::array list;
    for (const FieldError& e : errors) {
      list.push_back({{"path", ValidUtf8(e.path)}, {"message", ValidUtf8(e.message)}});
    }
    body["errors"] = std::move(list);
  }
  std::string out = boost::json::serialize(body);
  if (!extra_members.empty()) {
    out.pop_back();  // the closing brace
    out += "," + extra_members + "}";
  }
  return out;
}

int HttpStatusOf(StatusCode code) { return MappingFor(code).status; }

Problem ProblemFromStatus(const Status& status) {
  const Mapping m = MappingFor(status.code());
  Problem p = Make(m.status, std::string(CodeName(status.code())), m.title, status.message());
  p.offer_id = status.offer_id();
  p.errors = status.field_errors();
  if (m.status == 503) p.retry_after_seconds = 1;
  return p;
}

Problem MalformedJson(std::string detail) {
  return Make(400, "malformed_json", "The body is not valid JSON", std::move(detail));
}
Problem MissingHeader(std::string header) {
  return Make(400, "missing_header", "A required header is missing",
              "the " + header + " header is required");
}
Problem BadRequest(std::string code, std::string detail) {
  return Make(400, std::move(code), "Bad request", std::move(detail));
}
Problem UnknownFields(std::vector<FieldError> fields) {
  Problem p = Make(422, "unknown_field", "The body has fields uudai does not know",
                   "unknown fields are refused so that a typo never drops a condition");
  p.errors = std::move(fields);
  return p;
}
Problem InvalidFields(std::vector<FieldError> fields) {
  Problem p = ProblemFromStatus(Status::Invalid(std::move(fields)));
  return p;
}
Problem Unauthorized(std::string detail) {
  return Make(401, "unauthorized", "Missing or unknown API key", std::move(detail));
}
Problem Forbidden(std::string detail) {
  return Make(403, "forbidden", "The key may not do this", std::move(detail));
}
Problem NotFoundProblem(std::string detail) {
  return Make(404, "not_found", "Not found", std::move(detail));
}
Problem MethodNotAllowed(std::string allowed) {
  return Make(405, "method_not_allowed", "Method not allowed", "allowed: " + allowed);
}
Problem VersionConflict(std::string offer_id, std::string detail) {
  Problem p = Make(409, "version_conflict", "The offer kept changing", std::move(detail));
  p.offer_id = std::move(offer_id);
  return p;
}
Problem EventsExpired(std::uint64_t after, std::uint64_t oldest_seq) {
  Problem p = Make(410, "events_expired", "Events were dropped before they were read",
                   "events after seq " + std::to_string(after) +
                       " are no longer held; read again from after=" +
                       std::to_string(oldest_seq == 0 ? 0 : oldest_seq - 1));
  p.extra_members = "\"oldest_seq\":" + std::to_string(oldest_seq);
  return p;
}
Problem UnsupportedMediaType() {
  return Make(415, "unsupported_media_type", "The body must be JSON",
              "send Content-Type: application/json");
}
Problem RateLimited(int retry_after_seconds) {
  Problem p = Make(429, "rate_limited", "Too many requests",
                   "this key is over its rate limit; retry later");
  p.retry_after_seconds = retry_after_seconds;
  return p;
}

}  // namespace uudai::gateway
