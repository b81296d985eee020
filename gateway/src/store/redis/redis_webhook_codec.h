// RedisWebhookCodec: webhooks as the store function keeps them (redis_store.lua's `wh`, `whp`
// and `wha:<id>`) and reads them back. Pure functions.
//
// A webhook is kept as two strings: its line (EncodeWebhookLine, written once, progress left
// at 0) and its progress, "<delivered_through> US <rewinds>", which every attempt and rewind
// rewrites; a reply about one webhook carries both.
#ifndef UUDAI_GATEWAY_STORE_REDIS_REDIS_WEBHOOK_CODEC_H_
#define UUDAI_GATEWAY_STORE_REDIS_REDIS_WEBHOOK_CODEC_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_reply.h"
#include "uudai/status.h"
#include "uudai/webhook.h"

namespace uudai::gateway {

// The line `wh` keeps of `webhook`: its progress is `whp`'s business, so it is written as 0.
std::string StoredWebhookLine(Webhook webhook);

// The webhook of a `line` (from `wh`) at `progress` (from `whp`). kInternal when either is
// malformed.
Result<Webhook> WebhookOfStored(std::string_view line, std::string_view progress);

// A webhook from the payload of webhook_delete, webhook_attempt and webhook_rewind: {line,
// progress}.
Result<Webhook> WebhookFromPayload(const std::vector<RedisReply>& payload);

// `registered` as webhook_create stored it, from its payload: {delivered_through}.
Result<Webhook> CreatedWebhookFromPayload(const std::vector<RedisReply>& payload,
                                          Webhook registered);

// The webhooks of webhooks_list's payload ({line, progress} per webhook, in no order): those of
// `merchant_id` only when it is set, sorted by id.
Result<std::vector<Webhook>> WebhookListFromPayload(const std::vector<RedisReply>& payload,
                                                    const std::optional<std::string>& merchant_id);

// The attempts of webhook_deliveries' payload: one line each, newest first.
Result<std::vector<DeliveryAttempt>> DeliveriesFromPayload(const std::vector<RedisReply>& payload);

// Whether webhook_lease's payload ({"1" | "0"}) says the lease is the caller's.
Result<bool> LeaseFromPayload(const std::vector<RedisReply>& payload);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_REDIS_WEBHOOK_CODEC_H_
