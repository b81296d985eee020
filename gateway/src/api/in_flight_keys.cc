#include "api/in_flight_keys.h"

namespace uudai::gateway {

std::unique_ptr<InFlightKeys::Hold> InFlightKeys::TryHold(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    if (!held_.insert(key).second) return nullptr;
  }
  return std::make_unique<Hold>(*this, key);
}

void InFlightKeys::Release(const std::string& key) {
  std::lock_guard lock(mutex_);
  held_.erase(key);
}

}  // namespace uudai::gateway
