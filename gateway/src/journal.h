// Journal: the embedded store's durability — an append-only file of StoreMutations.
//
// Append() queues an encoded record (cheap: called under store locks); a writer thread
// writes whatever has queued in one write() and fdatasync()s it (group commit), then completes
// the WhenDurable waiters. An acknowledged write is therefore on disk. On a write or sync
// error the journal fails for good: every waiter then gets kUnavailable, and so does the
// store (which refuses writes until restart). Thread-safe.
#ifndef UUDAI_GATEWAY_JOURNAL_H_
#define UUDAI_GATEWAY_JOURNAL_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "uudai/status.h"
#include "uudai/store_mutation.h"

namespace uudai::gateway {

struct ReplaySummary {
  std::size_t records = 0;
  std::size_t torn_tail_bytes = 0;  // an incomplete last record (crash mid-write), cut off
};

class Journal final : public MutationLog {
 public:
  // Opens `dir`/journal.log, creating both if needed, and locks `dir` (kUnavailable when
  // another process holds it). Call Replay() next.
  static Result<std::unique_ptr<Journal>> Open(const std::string& dir);

  // Feeds every complete record to `replay` in order, cuts off a torn tail, and starts the
  // writer. Fails on a corrupt record that is not the last one (better to stop than to serve
  // from a state we cannot trust). REQUIRES: called once, before Append.
  Result<ReplaySummary> Replay(const std::function<void(const StoreMutation&)>& replay);

  ~Journal() override;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  std::uint64_t Append(const StoreMutation& mutation) override;
  void WhenDurable(std::uint64_t sequence, StatusCompletion done) override;

  // Blocks until everything appended so far is durable (or the journal failed).
  Status Flush();

 private:
  Journal(int fd, int lock_fd, std::string path);
  void WriterLoop();

  const int fd_;
  const int lock_fd_;  // flock'd: one process per data directory
  const std::string path_;
  std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable durable_changed_;
  std::string pending_;                                     // GUARDED_BY mutex_
  std::uint64_t appended_ = 0;                              // GUARDED_BY mutex_
  std::uint64_t durable_ = 0;                               // GUARDED_BY mutex_
  bool failed_ = false;                                     // GUARDED_BY mutex_
  bool stopping_ = false;                                   // GUARDED_BY mutex_
  std::multimap<std::uint64_t, StatusCompletion> waiters_;  // GUARDED_BY mutex_
  std::thread writer_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JOURNAL_H_
