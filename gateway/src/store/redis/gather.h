// Gather: one answer made of every shard's part, for a spread store's questions whose answer
// may be in any shard or in all of them (an offer no view holds yet, an offer's stats, the
// campaign's). Internal to SpreadStore.
#ifndef UUDAI_GATEWAY_STORE_REDIS_GATHER_H_
#define UUDAI_GATEWAY_STORE_REDIS_GATHER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "uudai/status.h"
#include "uudai/store.h"

namespace uudai::gateway {

// Answers `done` once `count` parts arrived, with what `combine` makes of them; the first
// failure instead, if any.
template <typename Part, typename Whole>
class Gather : public std::enable_shared_from_this<Gather<Part, Whole>> {
 public:
  Gather(std::size_t count, std::function<Result<Whole>(std::vector<Part>)> combine,
         Completion<Whole> done)
      : parts_(count), left_(count), combine_(std::move(combine)), done_(std::move(done)) {}

  Completion<Part> Slot(std::size_t i) {
    return [self = this->shared_from_this(), i](Result<Part> part) {
      std::unique_lock lock(self->mutex_);
      if (!part.ok()) {
        if (!self->failure_) self->failure_ = part.status();
      } else {
        self->parts_[i] = std::move(part).value();
      }
      if (--self->left_ > 0) return;
      lock.unlock();
      if (self->failure_) return self->done_(*self->failure_);
      self->done_(self->combine_(std::move(self->parts_)));
    };
  }

 private:
  std::mutex mutex_;
  std::vector<Part> parts_;
  std::size_t left_;
  std::optional<Status> failure_;
  std::function<Result<Whole>(std::vector<Part>)> combine_;
  Completion<Whole> done_;
};

template <typename Part, typename Whole>
std::shared_ptr<Gather<Part, Whole>> MakeGather(
    std::size_t count, std::function<Result<Whole>(std::vector<Part>)> combine,
    Completion<Whole> done) {
  return std::make_shared<Gather<Part, Whole>>(count, std::move(combine), std::move(done));
}

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_GATHER_H_
