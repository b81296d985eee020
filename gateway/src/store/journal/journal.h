// Journal: the embedded store's durability — an append-only file of StoreMutations.
//
// Append() queues an encoded record (cheap: called under store locks); a writer thread
// writes whatever has queued in one pwrite() after the last record and fdatasync()s it (group
// commit), then completes the WhenDurable waiters. An acknowledged write is therefore on disk. On a
// write or sync error the journal fails for good: every waiter then gets kUnavailable, and so does
// the store (which refuses writes until restart). Thread-safe.
//
// The file is its records (lines, which never hold a NUL byte) followed by zeroes: a zeroing
// thread keeps the space ahead of the last record written out as zeroes and fdatasync'd
// (JournalPreallocation), so that the writer overwrites blocks the file already has and its
// fdatasync flushes data alone, not the file's size and block map as an append's does (the
// same reason PostgreSQL zero-fills its WAL segments). A reader stops at the first NUL. A clean
// stop cuts the zeroes off; after a crash, Replay does.
//
// Compaction (at start, between Replay and the first Append) replaces the journal with a
// shorter one holding the same state: written to journal.log.compact, fdatasync'd, renamed
// over journal.log, the directory fsync'd. A crash at any point leaves either the old or the
// new journal, complete; Open deletes a journal.log.compact that a crash left behind.
#ifndef UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_H_
#define UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/journal/file_system.h"
#include "store/journal/journal_preallocation.h"
#include "uudai/status.h"
#include "uudai/store_mutation.h"

namespace uudai::gateway {

struct ReplaySummary {
  std::size_t records = 0;
  std::size_t bytes = 0;              // of the complete records
  std::size_t torn_tail_bytes = 0;    // an incomplete last record (crash mid-write), cut off
  bool discarded_compaction = false;  // Open deleted an unfinished journal.log.compact
};

struct CompactionSummary {
  std::size_t records = 0;  // in the new journal
  std::size_t bytes = 0;
};

// Receives mutations one by one (MemoryStore::ExportMutations writes into one).
using MutationSink = std::function<void(const StoreMutation&)>;

class Journal final : public MutationLog {
 public:
  // Opens `dir`/journal.log, creating both if needed, and locks `dir` (kUnavailable when
  // another process holds it). Call Replay() next. Every file-system call goes through
  // `files`, which must outlive the journal.
  static Result<std::unique_ptr<Journal>> Open(const std::string& dir,
                                               FileSystem& files = DefaultFileSystem(),
                                               JournalPreallocation preallocation = {});

  // Feeds every complete record to `replay` in order, cuts off a torn tail and the zeroes
  // after the records, and starts the writer and the zeroing thread (which waits for the first
  // Append). Fails on a corrupt record that is not the last one (better to stop than to serve
  // from a state we cannot trust). REQUIRES: called once, before Append.
  Result<ReplaySummary> Replay(const std::function<void(const StoreMutation&)>& replay);

  // Replaces the journal with the mutations `produce` writes into the sink it is given (the
  // store's export), then appends to the new file. On failure before the new journal is in
  // place, the old one is kept and stays in use; when the rename may not be durable (the
  // directory could not be synced), the journal fails for good (failed()): the process must
  // stop, and the next start finds either journal complete.
  // REQUIRES: after Replay, before the first Append; no other call meanwhile.
  Result<CompactionSummary> Compact(const std::function<void(const MutationSink&)>& produce);

  // True once a write, a sync or a compaction failed for good.
  bool failed() const;

  ~Journal() override;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  std::uint64_t Append(const StoreMutation& mutation) override;
  void WhenDurable(std::uint64_t sequence, StatusCompletion done) override;

  // Blocks until everything appended so far is durable (or the journal failed).
  Status Flush();

 private:
  Journal(FileSystem& files, int fd, int lock_fd, std::string dir, bool discarded_compaction,
          JournalPreallocation preallocation);
  void WriterLoop();
  void ZeroingLoop();

  FileSystem& files_;
  int fd_;             // GUARDED_BY mutex_ (Compact replaces it; the writer reads it per batch)
  const int lock_fd_;  // flock'd: one process per data directory
  const std::string dir_;
  const std::string path_;
  const bool discarded_compaction_;
  const JournalPreallocation preallocation_;
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable durable_changed_;
  // Wakes the zeroing thread (the end moved, a write that grows the file ended, stop) and a
  // writer waiting for a piece being zeroed.
  std::condition_variable zeroing_changed_;
  // [end_, zeroed_end_) is zeroes on disk; from zeroed_end_ on the file may hold anything a
  // failed zeroing left (zeroes too) or nothing. The writer writes at end_; while it writes past
  // zeroed_end_ (growing_) no piece is zeroed, and while a piece is (zeroing_) it waits to.
  std::uint64_t end_ = 0;                                   // GUARDED_BY mutex_
  std::uint64_t zeroed_end_ = 0;                            // GUARDED_BY mutex_
  bool growing_ = false;                                    // GUARDED_BY mutex_
  bool zeroing_ = false;                                    // GUARDED_BY mutex_
  std::string pending_;                                     // GUARDED_BY mutex_
  std::uint64_t appended_ = 0;                              // GUARDED_BY mutex_
  std::uint64_t durable_ = 0;                               // GUARDED_BY mutex_
  bool failed_ = false;                                     // GUARDED_BY mutex_
  bool stopping_ = false;                                   // GUARDED_BY mutex_
  std::multimap<std::uint64_t, StatusCompletion> waiters_;  // GUARDED_BY mutex_
  std::thread writer_;
  std::thread zeroer_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_H_
