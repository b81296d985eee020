// Webhook codec: a webhook and a delivery attempt as JSON, lossless, for the journal (inside
// mutation lines: mutation_codec) and for Redis (one line each).
//
// A storage format, not the API: short keys, times in epoch milliseconds, the secret kept.
#ifndef UUDAI_GATEWAY_STORE_CODEC_WEBHOOK_CODEC_H_
#define UUDAI_GATEWAY_STORE_CODEC_WEBHOOK_CODEC_H_

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "uudai/status.h"
#include "uudai/webhook.h"

namespace uudai::gateway {

boost::json::object EncodeWebhook(const Webhook& webhook);
// Throws std::exception when `o` is not a webhook.
Webhook DecodeWebhook(const boost::json::object& o);

boost::json::object EncodeDeliveryAttempt(const DeliveryAttempt& attempt);
// Throws std::exception when `o` is not an attempt.
DeliveryAttempt DecodeDeliveryAttempt(const boost::json::object& o);

// One line each (Redis).
std::string EncodeWebhookLine(const Webhook& webhook);
Result<Webhook> DecodeWebhookLine(std::string_view line);
std::string EncodeDeliveryAttemptLine(const DeliveryAttempt& attempt);
Result<DeliveryAttempt> DecodeDeliveryAttemptLine(std::string_view line);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_CODEC_WEBHOOK_CODEC_H_
