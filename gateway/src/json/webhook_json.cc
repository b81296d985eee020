#include "json/webhook_json.h"

#include <algorithm>

#include <boost/json/array.hpp>

#include "json/offer_json.h"
#include "uudai/text_rules.h"

namespace uudai::gateway {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxUrlLength = 2048;
constexpr std::size_t kMinSecretLength = 16;
constexpr std::size_t kMaxSecretLength = 128;

std::optional<EventType> ParseEventTypeName(std::string_view name) {
  for (std::size_t t = 0; t < kEventTypeCount; ++t) {
    if (EventTypeName(static_cast<EventType>(t)) == name) return static_cast<EventType>(t);
  }
  return std::nullopt;
}

}  // namespace

std::optional<WebhookRegistration> WebhookRegistrationFromJson(const json::object& body,
                                                               BodyProblems& problems) {
  FieldReader reader(body, "", problems);
  WebhookRegistration out;
  auto url = reader.String("url", true);
  if (url && url->size() > kMaxUrlLength) {
    reader.Invalid("url", "must be at most 2048 characters");
  } else if (url) {
    out.url = *url;
  }
  if (auto events = reader.StringList("events", kEventTypeCount)) {
    if (events->empty()) reader.Invalid("events", "must name at least one event type");
    for (const std::string& name : *events) {
      auto type = ParseEventTypeName(name);
      if (!type) {
        reader.Invalid("events", "unknown event type " + name);
      } else if (std::find(out.events.begin(), out.events.end(), *type) != out.events.end()) {
        reader.Invalid("events", "names " + name + " twice");
      } else {
        out.events.push_back(*type);
      }
    }
  } else if (!reader.Has("events")) {
    reader.Invalid("events", "is required");
  }
  if (auto secret = reader.String("secret")) {
    const bool printable =
        std::all_of(secret->begin(), secret->end(), [](char c) { return c > ' ' && c < 0x7f; });
    if (secret->size() < kMinSecretLength || secret->size() > kMaxSecretLength || !printable) {
      reader.Invalid("secret", "must be 16 to 128 printable ASCII characters without spaces");
    } else {
      out.secret = *secret;
    }
  }
  if (auto merchant = reader.String("merchant_id")) {
    if (!IsValidIdentifier(*merchant)) {
      reader.Invalid("merchant_id", "must be a valid identifier");
    } else {
      out.merchant_id = *merchant;
    }
  }
  reader.Finish();
  if (!problems.empty()) return std::nullopt;
  return out;
}

json::object WebhookToJson(const Webhook& webhook, const CampaignZone& zone) {
  json::array events;
  for (EventType type : webhook.events) events.emplace_back(EventTypeName(type));
  json::object out{{"id", webhook.id},
                   {"url", webhook.url},
                   {"events", std::move(events)},
                   {"created_at", FormatRfc3339(webhook.created_at, zone)},
                   {"created_by", OfferAuthorToJson(webhook.created_by)},
                   {"delivered_through", webhook.delivered_through}};
  out["merchant_id"] = webhook.merchant_id ? json::value(*webhook.merchant_id) : nullptr;
  return out;
}

json::object DeliveryAttemptToJson(const DeliveryAttempt& a, const CampaignZone& zone) {
  json::object out{{"event_seq", a.event_seq},
                   {"event_type", EventTypeName(a.event_type)},
                   {"attempt", a.attempt},
                   {"at", FormatRfc3339(a.at, zone)},
                   {"result", DeliveryResultName(a.result)},
                   {"latency_ms", a.latency_millis}};
  out["status"] = a.status != 0 ? json::value(a.status) : nullptr;
  out["error"] = a.error.empty() ? json::value(nullptr) : json::value(a.error);
  return out;
}

}  // namespace uudai::gateway
