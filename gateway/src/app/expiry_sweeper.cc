#include "app/expiry_sweeper.h"

#include <atomic>
#include <utility>

namespace uudai::gateway {

struct ExpirySweeper::State {
  State(Store& s, std::size_t n) : store(s), per_call(n) {}
  Store& store;
  const std::size_t per_call;
  std::atomic<bool> running{false};
  std::atomic<bool> stopped{false};
};

ExpirySweeper::ExpirySweeper(Store& store, std::size_t per_call)
    : state_(std::make_shared<State>(store, per_call == 0 ? 1 : per_call)) {}

bool ExpirySweeper::Sweep(Completion<std::size_t> done) {
  if (state_->stopped.load() || state_->running.exchange(true)) return false;
  Step(state_, 0, std::move(done));
  return true;
}

void ExpirySweeper::Stop() { state_->stopped.store(true); }

// The next step is called from the previous one's completion: with a store completing inline
// (MemoryStore without a journal) the stack grows by a frame per per_call reservations expired.
void ExpirySweeper::Step(std::shared_ptr<State> state, std::size_t total,
                         Completion<std::size_t> done) {
  state->store.ExpireDue(
      state->per_call, [state, total, done = std::move(done)](Result<std::size_t> expired) mutable {
        const bool more = expired.ok() && expired.value() >= state->per_call;
        if (more && !state->stopped.load()) {
          return Step(std::move(state), total + expired.value(), std::move(done));
        }
        state->running.store(false);
        if (!done) return;
        if (!expired.ok()) return done(expired.status());
        done(total + expired.value());
      });
}

}  // namespace uudai::gateway
