// LockSet: locks a variable set of mutexes without deadlock, by always taking them in address
// order. Every write in MemoryStore gathers the mutexes of the state it touches into one
// LockSet, so two writes either touch disjoint state or serialize on the first shared mutex.
#ifndef UUDAI_ENGINE_MEMORY_STORE_LOCK_SET_H_
#define UUDAI_ENGINE_MEMORY_STORE_LOCK_SET_H_

#include <algorithm>
#include <functional>
#include <mutex>
#include <vector>

namespace uudai::internal {

class LockSet {
 public:
  LockSet() = default;
  LockSet(const LockSet&) = delete;
  LockSet& operator=(const LockSet&) = delete;
  ~LockSet() { Unlock(); }

  // REQUIRES: not locked yet.
  void Add(std::mutex& mutex) { mutexes_.push_back(&mutex); }

  void Lock() {
    std::sort(mutexes_.begin(), mutexes_.end(), std::less<std::mutex*>());
    mutexes_.erase(std::unique(mutexes_.begin(), mutexes_.end()), mutexes_.end());
    for (std::mutex* m : mutexes_) m->lock();
    locked_ = true;
  }

  void Unlock() {
    if (!locked_) return;
    for (auto it = mutexes_.rbegin(); it != mutexes_.rend(); ++it) (*it)->unlock();
    locked_ = false;
  }

 private:
  std::vector<std::mutex*> mutexes_;
  bool locked_ = false;
};

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_MEMORY_STORE_LOCK_SET_H_
