// ExpirySweeper: a gateway's reservation expiry (docs/design.md §3 lifecycle). The gateway sweeps
// every second (every gateway does, with Redis too: the store makes each expiry happen once).
// A sweep calls Store::ExpireDue for at most `per_call` reservations at a time and goes on
// while a call expired that many, so a backlog (e.g. a burst of reservations made in the same
// second) drains within one sweep; sweeps never overlap. How long one step holds the store is
// the store's own bound (RedisStore: RedisStoreOptions::expiries_per_call per script call).
// Thread-safe.
#ifndef UUDAI_GATEWAY_APP_EXPIRY_SWEEPER_H_
#define UUDAI_GATEWAY_APP_EXPIRY_SWEEPER_H_

#include <cstddef>
#include <memory>

#include "uudai/store.h"

namespace uudai::gateway {

class ExpirySweeper {
 public:
  // `store` must outlive every sweep (see Stop).
  ExpirySweeper(Store& store, std::size_t per_call);

  // Starts a sweep unless one is still running, then returns false. `done`, when set, gets
  // the number the sweep expired, or the first failure (what was expired before it stays so).
  bool Sweep(Completion<std::size_t> done = {});
  // A sweep in flight makes no further call to the store (it ends at its current step), and
  // no sweep starts.
  void Stop();

 private:
  struct State;
  static void Step(std::shared_ptr<State> state, std::size_t total, Completion<std::size_t> done);

  // Shared with the store's completions, which may run after the sweeper is gone.
  std::shared_ptr<State> state_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_APP_EXPIRY_SWEEPER_H_
