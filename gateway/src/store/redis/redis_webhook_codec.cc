#include "store/redis/redis_webhook_codec.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "store/codec/webhook_codec.h"
#include "store/redis/redemption_record.h"

namespace uudai::gateway {
namespace {

Status Malformed(const std::string& what) {
  return Status(StatusCode::kInternal, "unexpected webhook reply from the Redis store: " + what);
}

std::optional<std::uint64_t> ParseUnsigned(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string StoredWebhookLine(Webhook webhook) {
  webhook.delivered_through = 0;
  webhook.rewinds = 0;
  return EncodeWebhookLine(webhook);
}

Result<Webhook> WebhookOfStored(std::string_view line, std::string_view progress) {
  const std::vector<std::string_view> fields = SplitFields(progress, kRecordField);
  const auto through = ParseUnsigned(fields[0]);
  const auto rewinds = fields.size() == 2 ? ParseUnsigned(fields[1]) : std::nullopt;
  if (!through || !rewinds) return Malformed("progress " + std::string(progress.substr(0, 40)));
  Result<Webhook> webhook = DecodeWebhookLine(line);
  if (!webhook.ok()) return webhook.status();
  webhook->delivered_through = *through;
  webhook->rewinds = *rewinds;
  return webhook;
}

Result<Webhook> WebhookFromPayload(const std::vector<RedisReply>& payload) {
  if (payload.size() != 2) {
    return Malformed("a webhook of " + std::to_string(payload.size()) + " fields");
  }
  return WebhookOfStored(payload[0].str(), payload[1].str());
}

Result<Webhook> CreatedWebhookFromPayload(const std::vector<RedisReply>& payload,
                                          Webhook registered) {
  const auto through = payload.size() == 1 ? ParseUnsigned(payload[0].str()) : std::nullopt;
  if (!through) return Malformed("created webhook");
  registered.delivered_through = *through;
  registered.rewinds = 0;
  return registered;
}

Result<std::vector<Webhook>> WebhookListFromPayload(const std::vector<RedisReply>& payload,
                                                    const std::optional<std::string>& merchant_id) {
  if (payload.size() % 2 != 0) {
    return Malformed("webhook list of " + std::to_string(payload.size()) + " fields");
  }
  std::vector<Webhook> out;
  for (std::size_t i = 0; i < payload.size(); i += 2) {
    Result<Webhook> webhook = WebhookOfStored(payload[i].str(), payload[i + 1].str());
    if (!webhook.ok()) return webhook.status();
    if (merchant_id && webhook->merchant_id != merchant_id) continue;
    out.push_back(std::move(webhook).value());
  }
  std::sort(out.begin(), out.end(), [](const Webhook& a, const Webhook& b) { return a.id < b.id; });
  return out;
}

Result<std::vector<DeliveryAttempt>> DeliveriesFromPayload(const std::vector<RedisReply>& payload) {
  std::vector<DeliveryAttempt> out;
  out.reserve(payload.size());
  for (const RedisReply& line : payload) {
    Result<DeliveryAttempt> attempt = DecodeDeliveryAttemptLine(line.str());
    if (!attempt.ok()) return attempt.status();
    out.push_back(std::move(attempt).value());
  }
  return out;
}

Result<bool> LeaseFromPayload(const std::vector<RedisReply>& payload) {
  if (payload.size() != 1 || (payload[0].str() != "1" && payload[0].str() != "0")) {
    return Malformed("lease");
  }
  return payload[0].str() == "1";
}

}  // namespace uudai::gateway
