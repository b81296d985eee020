// InFlightKeys: the idempotency scopes whose redemption request this gateway is answering now.
//
// A retry that arrives while the first request with the same Idempotency-Key is still being
// answered here gets 409 request_in_progress at once, instead of racing the first through the
// quote and the store (docs/design.md §3). Across gateways the store itself keeps the outcomes of
// one key from disagreeing (Store::SettleRefusal). Thread-safe.
#ifndef UUDAI_GATEWAY_API_IN_FLIGHT_KEYS_H_
#define UUDAI_GATEWAY_API_IN_FLIGHT_KEYS_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

namespace uudai::gateway {

class InFlightKeys {
 public:
  // Holds `key` until Release() or destruction, whichever comes first.
  class Hold {
   public:
    Hold(InFlightKeys& keys, std::string key) : keys_(keys), key_(std::move(key)) {}
    ~Hold() { Release(); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    void Release() {
      if (!released_.exchange(true)) keys_.Release(key_);
    }

   private:
    InFlightKeys& keys_;
    std::string key_;
    std::atomic<bool> released_{false};
  };

  // A hold on `key`, or nullptr when another request holds it.
  std::unique_ptr<Hold> TryHold(const std::string& key);

 private:
  void Release(const std::string& key);

  std::mutex mutex_;
  std::unordered_set<std::string> held_;  // GUARDED_BY mutex_
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_IN_FLIGHT_KEYS_H_
