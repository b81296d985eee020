// RedisStore's webhooks (Store's webhook methods): one call of the store function each
// (redis_store_webhooks.lua's webhook_* ops), kept in `wh`, `whp`, `wha:<id>` and `whl:<id>`. No
// view keeps webhooks and nothing of them goes through the change log: every gateway reads them
// from Redis, so all see the same ones.
#include <algorithm>

#include "store/codec/webhook_codec.h"
#include "store/redis/redis_store_core.h"
#include "store/redis/redis_webhook_codec.h"

namespace uudai::gateway {
namespace {

// The completion of a script call: its refusal, or what `decode` reads from its payload.
template <typename T, typename Decode>
std::function<void(Result<ScriptReply>)> Answer(Completion<T> done, Decode decode) {
  return [done = std::move(done), decode = std::move(decode)](Result<ScriptReply> reply) {
    if (!reply.ok()) return done(reply.status());
    if (!reply->status.ok()) return done(reply->status);
    done(decode(reply->payload));
  };
}

}  // namespace

void RedisStore::CreateWebhook(Webhook webhook, Completion<Webhook> done) {
  std::vector<std::string> args = {"webhook_create", webhook.id, StoredWebhookLine(webhook)};
  core_->Run(std::move(args), Answer(std::move(done), [webhook = std::move(webhook)](
                                                          const std::vector<RedisReply>& payload) {
               return CreatedWebhookFromPayload(payload, webhook);
             }));
}

void RedisStore::ListWebhooks(std::optional<std::string> merchant_id,
                              Completion<std::vector<Webhook>> done) {
  core_->Run({"webhooks_list"},
             Answer(std::move(done),
                    [merchant_id = std::move(merchant_id)](const std::vector<RedisReply>& payload) {
                      return WebhookListFromPayload(payload, merchant_id);
                    }));
}

void RedisStore::DeleteWebhook(std::string id, Completion<Webhook> done) {
  core_->Run({"webhook_delete", std::move(id)}, Answer(std::move(done), WebhookFromPayload));
}

void RedisStore::RecordWebhookAttempt(std::string id, std::uint64_t rewinds,
                                      DeliveryAttempt attempt, Completion<Webhook> done) {
  const bool settles = attempt.result != DeliveryResult::kRetrying;
  core_->Run({"webhook_attempt", std::move(id), std::to_string(rewinds),
              EncodeDeliveryAttemptLine(attempt), std::to_string(attempt.event_seq),
              settles ? "1" : "0", std::to_string(kDeliveryLogLength)},
             Answer(std::move(done), WebhookFromPayload));
}

// The log never holds more than kDeliveryLogLength attempts: a larger limit asks for them all.
void RedisStore::ReadWebhookDeliveries(std::string id, std::size_t limit,
                                       Completion<std::vector<DeliveryAttempt>> done) {
  core_->Run(
      {"webhook_deliveries", std::move(id), std::to_string(std::min(limit, kDeliveryLogLength))},
      Answer(std::move(done), DeliveriesFromPayload));
}

void RedisStore::RewindWebhook(std::string id, std::uint64_t through, Completion<Webhook> done) {
  core_->Run({"webhook_rewind", std::move(id), std::to_string(through)},
             Answer(std::move(done), WebhookFromPayload));
}

// The lease expires in Redis (PX), by Redis's clock: the processes' clocks do not matter.
void RedisStore::LeaseWebhook(std::string id, std::string owner, std::int64_t lease_millis,
                              Completion<bool> done) {
  core_->Run({"webhook_lease", std::move(id), std::move(owner),
              std::to_string(std::max<std::int64_t>(lease_millis, 1))},
             Answer(std::move(done), LeaseFromPayload));
}

}  // namespace uudai::gateway
