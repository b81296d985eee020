// MemoryStore: webhooks (webhook.h), each change one journalled mutation.
#include "memory_store/memory_store_state.h"
#include "memory_store/webhook_registry.h"
#include "uudai/memory_store.h"

namespace uudai {

void MemoryStore::ChangeWebhook(StoreMutation mutation, Completion<Webhook> done) {
  if (failed()) return done(State::Unavailable());
  if (!state_->keep_redemptions()) {
    return done(Status(StatusCode::kInternal,
                       "this store keeps no webhooks: it is a view, written by Replay only"));
  }
  std::uint64_t sequence = 0;
  Result<Webhook> changed =
      webhooks_->Change(mutation, [&](const StoreMutation& m) { sequence = Record(m, {}); });
  if (!changed.ok()) return done(changed.status());
  AfterDurable(sequence, [changed = std::move(changed), done = std::move(done)](Status status) {
    if (!status.ok()) return done(std::move(status));
    done(changed);
  });
}

void MemoryStore::CreateWebhook(Webhook webhook, Completion<Webhook> done) {
  // From now on: the events written so far are not its.
  webhook.delivered_through = events_.last_seq();
  webhook.rewinds = 0;
  ChangeWebhook(WebhookCreated{std::move(webhook), {}}, std::move(done));
}

void MemoryStore::ListWebhooks(std::optional<std::string> merchant_id,
                               Completion<std::vector<Webhook>> done) {
  done(webhooks_->List(merchant_id));
}

void MemoryStore::DeleteWebhook(std::string id, Completion<Webhook> done) {
  ChangeWebhook(WebhookDeleted{std::move(id)}, std::move(done));
}

void MemoryStore::RecordWebhookAttempt(std::string id, std::uint64_t rewinds,
                                       DeliveryAttempt attempt, Completion<Webhook> done) {
  ChangeWebhook(WebhookAttempted{std::move(id), rewinds, std::move(attempt)}, std::move(done));
}

void MemoryStore::ReadWebhookDeliveries(std::string id, std::size_t limit,
                                        Completion<std::vector<DeliveryAttempt>> done) {
  done(webhooks_->Deliveries(id, limit));
}

void MemoryStore::RewindWebhook(std::string id, std::uint64_t through, Completion<Webhook> done) {
  ChangeWebhook(WebhookRewound{std::move(id), through}, std::move(done));
}

void MemoryStore::LeaseWebhook(std::string id, std::string, std::int64_t, Completion<bool> done) {
  if (!webhooks_->Contains(id)) {
    return done(Status(StatusCode::kNotFound, "webhook " + id + " does not exist"));
  }
  done(true);
}

}  // namespace uudai
