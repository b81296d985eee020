#include "store/codec/webhook_codec.h"

#include <stdexcept>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "store/codec/json_fields.h"

namespace uudai::gateway {
namespace json = boost::json;
using json_fields::AuthorArray;
using json_fields::Int;
using json_fields::OptAuthor;
using json_fields::Text;
using json_fields::Unsigned;
namespace {

EventType TypeOf(const json::value& v) {
  const auto n = v.to_number<std::int64_t>();
  if (n < 0 || n >= static_cast<std::int64_t>(kEventTypeCount)) {
    throw std::out_of_range("event type out of range");
  }
  return static_cast<EventType>(n);
}

template <typename T, typename Decode>
Result<T> DecodeLine(std::string_view line, Decode decode, const char* what) {
  boost::system::error_code ec;
  const json::value value = json::parse(line, ec);
  if (ec || !value.is_object())
    return Status(StatusCode::kInternal, std::string(what) + " is not JSON");
  try {
    return decode(value.as_object());
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, std::string("bad ") + what + ": " + e.what());
  }
}

}  // namespace

json::object EncodeWebhook(const Webhook& w) {
  json::array events;
  for (EventType type : w.events) events.emplace_back(static_cast<int>(type));
  json::object out{{"id", w.id},
                   {"url", w.url},
                   {"ev", std::move(events)},
                   {"sec", w.secret},
                   {"at", w.created_at.millis},
                   {"thr", w.delivered_through},
                   {"rw", w.rewinds}};
  if (w.merchant_id) out["m"] = *w.merchant_id;
  if (w.created_by) out["by"] = AuthorArray(*w.created_by);
  return out;
}

Webhook DecodeWebhook(const json::object& o) {
  Webhook w;
  w.id = Text(o, "id");
  w.url = Text(o, "url");
  for (const auto& type : o.at("ev").as_array()) w.events.push_back(TypeOf(type));
  w.secret = Text(o, "sec");
  w.created_at = Timestamp{Int(o, "at")};
  w.delivered_through = Unsigned(o, "thr");
  w.rewinds = Unsigned(o, "rw");
  if (const auto* m = o.if_contains("m")) w.merchant_id = std::string(m->as_string());
  w.created_by = OptAuthor(o, "by");
  return w;
}

json::object EncodeDeliveryAttempt(const DeliveryAttempt& a) {
  return json::object{{"s", a.event_seq},
                      {"t", static_cast<int>(a.event_type)},
                      {"n", a.attempt},
                      {"at", a.at.millis},
                      {"r", static_cast<int>(a.result)},
                      {"st", a.status},
                      {"err", a.error},
                      {"ms", a.latency_millis}};
}

DeliveryAttempt DecodeDeliveryAttempt(const json::object& o) {
  DeliveryAttempt a;
  a.event_seq = Unsigned(o, "s");
  a.event_type = TypeOf(o.at("t"));
  a.attempt = static_cast<int>(Int(o, "n"));
  a.at = Timestamp{Int(o, "at")};
  const auto result = Int(o, "r");
  if (result < 0 || result > static_cast<int>(DeliveryResult::kGivenUp)) {
    throw std::out_of_range("delivery result out of range");
  }
  a.result = static_cast<DeliveryResult>(result);
  a.status = static_cast<int>(Int(o, "st"));
  a.error = Text(o, "err");
  a.latency_millis = Int(o, "ms");
  return a;
}

std::string EncodeWebhookLine(const Webhook& webhook) {
  return json::serialize(EncodeWebhook(webhook));
}

Result<Webhook> DecodeWebhookLine(std::string_view line) {
  return DecodeLine<Webhook>(line, DecodeWebhook, "webhook");
}

std::string EncodeDeliveryAttemptLine(const DeliveryAttempt& attempt) {
  return json::serialize(EncodeDeliveryAttempt(attempt));
}

Result<DeliveryAttempt> DecodeDeliveryAttemptLine(std::string_view line) {
  return DecodeLine<DeliveryAttempt>(line, DecodeDeliveryAttempt, "delivery attempt");
}

}  // namespace uudai::gateway
