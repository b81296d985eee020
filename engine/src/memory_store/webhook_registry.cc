#include "memory_store/webhook_registry.h"

#include <algorithm>

namespace uudai::internal {
namespace {

Status UnknownWebhook(const std::string& id) {
  return Status(StatusCode::kNotFound, "webhook " + id + " does not exist");
}

}  // namespace

Result<Webhook> WebhookRegistry::ApplyLocked(const StoreMutation& mutation) {
  if (const auto* m = std::get_if<WebhookCreated>(&mutation)) {
    auto [it, inserted] = webhooks_.try_emplace(m->webhook.id);
    if (!inserted) {
      return Status(StatusCode::kAlreadyExists, "webhook " + m->webhook.id + " already exists");
    }
    it->second.webhook = m->webhook;
    it->second.deliveries.assign(m->deliveries.begin(), m->deliveries.end());
    return it->second.webhook;
  }
  const std::string* id = nullptr;
  if (const auto* m = std::get_if<WebhookDeleted>(&mutation)) id = &m->webhook_id;
  if (const auto* m = std::get_if<WebhookAttempted>(&mutation)) id = &m->webhook_id;
  if (const auto* m = std::get_if<WebhookRewound>(&mutation)) id = &m->webhook_id;
  if (id == nullptr) return Status(StatusCode::kInternal, "not a webhook change");
  auto it = webhooks_.find(*id);
  if (it == webhooks_.end()) return UnknownWebhook(*id);
  Webhook& webhook = it->second.webhook;
  if (std::holds_alternative<WebhookDeleted>(mutation)) {
    Webhook removed = std::move(webhook);
    webhooks_.erase(it);
    return removed;
  }
  if (const auto* m = std::get_if<WebhookAttempted>(&mutation)) {
    auto& log = it->second.deliveries;
    log.push_front(m->attempt);
    if (log.size() > kDeliveryLogLength) log.pop_back();
    const bool settles = m->attempt.result != DeliveryResult::kRetrying;
    if (settles && m->rewinds == webhook.rewinds) {
      webhook.delivered_through = std::max(webhook.delivered_through, m->attempt.event_seq);
    }
  } else if (const auto* m = std::get_if<WebhookRewound>(&mutation)) {
    webhook.delivered_through = m->through;
    ++webhook.rewinds;
  }
  return webhook;
}

Result<Webhook> WebhookRegistry::Change(const StoreMutation& mutation,
                                        const std::function<void(const StoreMutation&)>& record) {
  std::lock_guard lock(mutex_);
  Result<Webhook> changed = ApplyLocked(mutation);
  if (changed.ok()) record(mutation);
  return changed;
}

void WebhookRegistry::Apply(const StoreMutation& mutation) {
  std::lock_guard lock(mutex_);
  if (const auto* m = std::get_if<WebhookCreated>(&mutation)) webhooks_.erase(m->webhook.id);
  (void)ApplyLocked(mutation);
}

bool WebhookRegistry::Contains(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return webhooks_.count(id) != 0;
}

std::vector<Webhook> WebhookRegistry::List(const std::optional<std::string>& merchant_id) const {
  std::lock_guard lock(mutex_);
  std::vector<Webhook> out;
  for (const auto& [id, entry] : webhooks_) {
    if (!merchant_id || entry.webhook.merchant_id == merchant_id) out.push_back(entry.webhook);
  }
  return out;
}

Result<std::vector<DeliveryAttempt>> WebhookRegistry::Deliveries(const std::string& id,
                                                                 std::size_t limit) const {
  std::lock_guard lock(mutex_);
  auto it = webhooks_.find(id);
  if (it == webhooks_.end()) return UnknownWebhook(id);
  const auto& log = it->second.deliveries;
  return std::vector<DeliveryAttempt>(
      log.begin(), log.begin() + static_cast<std::ptrdiff_t>(std::min(limit, log.size())));
}

std::vector<WebhookCreated> WebhookRegistry::Export() const {
  std::lock_guard lock(mutex_);
  std::vector<WebhookCreated> out;
  out.reserve(webhooks_.size());
  for (const auto& [id, entry] : webhooks_) {
    out.push_back(WebhookCreated{
        entry.webhook,
        std::vector<DeliveryAttempt>(entry.deliveries.begin(), entry.deliveries.end())});
  }
  return out;
}

std::size_t WebhookRegistry::size() const {
  std::lock_guard lock(mutex_);
  return webhooks_.size();
}

}  // namespace uudai::internal
