// WebhookRegistry: a MemoryStore's webhooks, their delivery progress and delivery logs.
//
// Every change is applied under the registry's mutex, which the store holds while it journals
// the change (MemoryStore::Record), so the journal orders the changes as they were applied and
// a replay (Apply) rebuilds the same registry.
#ifndef UUDAI_ENGINE_MEMORY_STORE_WEBHOOK_REGISTRY_H_
#define UUDAI_ENGINE_MEMORY_STORE_WEBHOOK_REGISTRY_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "uudai/status.h"
#include "uudai/store_mutation.h"
#include "uudai/webhook.h"

namespace uudai::internal {

class WebhookRegistry {
 public:
  // Applies `mutation` (one of the webhook mutations) and, when it applies, calls `record`
  // with it while the registry is still locked (the journal append). Answers the webhook as it
  // is after the change (as it was, for a delete), or kAlreadyExists / kNotFound. Nothing is
  // applied or recorded when refused.
  Result<Webhook> Change(const StoreMutation& mutation,
                         const std::function<void(const StoreMutation&)>& record);
  // Applies a replayed mutation (as Change, without recording; refusals are ignored).
  void Apply(const StoreMutation& mutation);

  bool Contains(const std::string& id) const;
  std::vector<Webhook> List(const std::optional<std::string>& merchant_id) const;
  Result<std::vector<DeliveryAttempt>> Deliveries(const std::string& id, std::size_t limit) const;
  // Each webhook, by id, with its delivery log: what an export writes.
  std::vector<WebhookCreated> Export() const;
  std::size_t size() const;

 private:
  struct Entry {
    Webhook webhook;
    std::deque<DeliveryAttempt> deliveries;  // newest first, at most kDeliveryLogLength
  };
  // REQUIRES: mutex_ held.
  Result<Webhook> ApplyLocked(const StoreMutation& mutation);

  mutable std::mutex mutex_;
  std::map<std::string, Entry> webhooks_;  // GUARDED_BY mutex_
};

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_MEMORY_STORE_WEBHOOK_REGISTRY_H_
