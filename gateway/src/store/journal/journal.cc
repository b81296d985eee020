#include "store/journal/journal.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "store/codec/mutation_codec.h"
#include "store/journal/file_system.h"
#include "store/journal/journal_reader.h"

namespace uudai::gateway {
namespace {

Status Unavailable(const std::string& what) {
  return Status(StatusCode::kUnavailable, "journal: " + what);
}

constexpr const char* kJournalFile = "journal.log";
constexpr const char* kCompactFile = "journal.log.compact";
constexpr std::size_t kCompactWriteChunk = 1 << 20;
constexpr std::size_t kReadChunkBytes = 1 << 20;

bool WriteAllAt(FileSystem& files, int fd, const char* data, std::size_t size,
                std::uint64_t offset) {
  while (size > 0) {
    const ssize_t n = files.WriteAt(fd, data, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

// How long the zeroing thread waits after a piece it could not write (a full disk, say)
// before it tries again; meanwhile the writer grows the file itself.
constexpr std::chrono::seconds kZeroingRetry{1};

}  // namespace

Result<std::unique_ptr<Journal>> Journal::Open(const std::string& dir, FileSystem& files,
                                               JournalPreallocation preallocation) {
  if (preallocation.ahead_bytes > 0 &&
      (preallocation.piece_bytes == 0 || preallocation.piece_bytes > preallocation.ahead_bytes)) {
    return Status(StatusCode::kInternal,
                  "journal: a preallocation piece must be from 1 byte to the space kept ahead");
  }
  if (files.CreateDirectories(dir) != 0) {
    return Unavailable("cannot create " + dir + ": " + std::strerror(errno));
  }
  // One process per data directory: a second one appending to the same journal would
  // interleave records and keep its own idea of every counter.
  const std::string lock_path = dir + "/LOCK";
  const int lock_fd = files.Open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return Unavailable("cannot open " + lock_path + ": " + std::strerror(errno));
  if (files.LockExclusive(lock_fd) != 0) {
    files.Close(lock_fd);
    return Unavailable(dir + " is in use by another uudai process");
  }
  // A compaction that a crash interrupted before its rename: journal.log is the whole story.
  const std::string compact_path = dir + "/" + kCompactFile;
  const bool discarded_compaction = files.Unlink(compact_path) == 0;
  if (!discarded_compaction && errno != ENOENT) {
    const std::string error = std::strerror(errno);
    files.Close(lock_fd);
    return Unavailable("cannot delete " + compact_path + ": " + error);
  }
  const std::string path = dir + "/" + kJournalFile;
  const int fd = files.Open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    const std::string error = std::strerror(errno);
    files.Close(lock_fd);
    return Unavailable("cannot open " + path + ": " + error);
  }
  return std::unique_ptr<Journal>(
      new Journal(files, fd, lock_fd, dir, discarded_compaction, preallocation));
}

Result<ReplaySummary> Journal::Replay(const std::function<void(const StoreMutation&)>& replay) {
  auto read = ReadJournalRecords(fd_, path_, replay, kReadChunkBytes, files_);
  if (!read.ok()) return read.status();
  ReplaySummary summary;
  summary.discarded_compaction = discarded_compaction_;
  summary.records = read->records;
  summary.bytes = read->complete_bytes;
  summary.torn_tail_bytes = read->torn_tail_bytes;
  // After the records: a torn one, the zeroes kept ahead, and after a crash perhaps parts of a
  // write that was never acknowledged, past a stretch of zeroes. All of it goes.
  const off_t size = files_.SeekToEnd(fd_);
  if (size < 0) return Unavailable("cannot seek " + path_);
  if (static_cast<std::uint64_t>(size) > summary.bytes &&
      files_.Truncate(fd_, static_cast<off_t>(summary.bytes)) != 0) {
    return Unavailable("cannot cut what follows the records of " + path_);
  }
  {
    std::lock_guard lock(mutex_);
    end_ = zeroed_end_ = summary.bytes;
  }
  writer_ = std::thread([this] { WriterLoop(); });
  if (preallocation_.ahead_bytes > 0) zeroer_ = std::thread([this] { ZeroingLoop(); });
  return summary;
}

Result<CompactionSummary> Journal::Compact(
    const std::function<void(const MutationSink&)>& produce) {
  {
    std::lock_guard lock(mutex_);
    if (appended_ != 0 || failed_) {
      return Status(StatusCode::kInternal, "journal: compaction comes before the first append");
    }
  }
  const std::string compact_path = dir_ + "/" + kCompactFile;
  const int fd = files_.Open(compact_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable("cannot create " + compact_path + ": " + std::strerror(errno));
  CompactionSummary summary;
  std::string chunk;
  bool written = true;
  auto write_chunk = [&] {
    written = written && WriteAllAt(files_, fd, chunk.data(), chunk.size(), summary.bytes);
    summary.bytes += chunk.size();
    chunk.clear();
  };
  produce([&](const StoreMutation& mutation) {
    chunk += EncodeMutation(mutation);
    chunk.push_back('\n');
    ++summary.records;
    if (chunk.size() >= kCompactWriteChunk) write_chunk();
  });
  write_chunk();
  // The new journal must be complete on disk before it takes the old one's place.
  if (!written || files_.DataSync(fd) != 0) {
    const std::string error = std::strerror(errno);
    files_.Close(fd);
    files_.Unlink(compact_path);
    return Unavailable("cannot write " + compact_path + ": " + error);
  }
  if (files_.Rename(compact_path, path_) != 0) {
    const std::string error = std::strerror(errno);
    files_.Close(fd);
    files_.Unlink(compact_path);
    return Unavailable("cannot rename " + compact_path + ": " + error);
  }
  // Until the rename is durable a crash may bring the old journal back, without whatever is
  // appended to the new one: nothing may be acknowledged before.
  const bool durable = files_.SyncDirectory(dir_) == 0;
  std::lock_guard lock(mutex_);
  files_.Close(fd_);
  fd_ = fd;
  end_ = zeroed_end_ = summary.bytes;
  if (!durable) {
    failed_ = true;
    return Unavailable("cannot sync " + dir_ + " after replacing " + path_ +
                       "; restart to read whichever journal the disk kept");
  }
  return summary;
}

bool Journal::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

Journal::Journal(FileSystem& files, int fd, int lock_fd, std::string dir, bool discarded_compaction,
                 JournalPreallocation preallocation)
    : files_(files),
      fd_(fd),
      lock_fd_(lock_fd),
      dir_(std::move(dir)),
      path_(dir_ + "/" + kJournalFile),
      discarded_compaction_(discarded_compaction),
      preallocation_(preallocation) {}

Journal::~Journal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  zeroing_changed_.notify_all();
  const bool replayed = writer_.joinable();
  if (replayed) writer_.join();
  if (zeroer_.joinable()) zeroer_.join();
  // A journal stopped cleanly is its records alone (the next start zeroes the space again).
  // Not synced: zeroes that a crash brings back are what Replay cuts anyway.
  if (replayed && !failed_) files_.Truncate(fd_, static_cast<off_t>(end_));
  files_.Close(fd_);
  files_.Close(lock_fd_);  // releases the directory lock
}

std::uint64_t Journal::Append(const StoreMutation& mutation) {
  std::string line = EncodeMutation(mutation);
  line.push_back('\n');
  std::lock_guard lock(mutex_);
  pending_ += line;
  const std::uint64_t sequence = ++appended_;
  wake_writer_.notify_one();
  return sequence;
}

void Journal::WhenDurable(std::uint64_t sequence, StatusCompletion done) {
  std::unique_lock lock(mutex_);
  if (failed_) {
    lock.unlock();
    return done(Unavailable("a write to disk failed"));
  }
  if (sequence <= durable_) {
    lock.unlock();
    return done(Status::Ok());
  }
  waiters_.emplace(sequence, std::move(done));
}

Status Journal::Flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = appended_;
  durable_changed_.wait(lock, [&] { return failed_ || durable_ >= target; });
  return failed_ ? Unavailable("a write to disk failed") : Status::Ok();
}

void Journal::WriterLoop() {
  std::string batch;
  while (true) {
    std::uint64_t batch_end = 0;
    std::uint64_t offset = 0;
    int fd = -1;
    bool failed = false;
    {
      std::unique_lock lock(mutex_);
      wake_writer_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty() && stopping_) return;
      batch.swap(pending_);
      pending_.clear();
      batch_end = appended_;
      fd = fd_;
      failed = failed_;
      offset = end_;
      if (offset + batch.size() > zeroed_end_) {
        // Past the zeroes: the file grows here, where a piece may be being zeroed.
        zeroing_changed_.wait(lock, [&] { return !zeroing_; });
        growing_ = true;
      }
    }
    const bool ok = !failed && WriteAllAt(files_, fd, batch.data(), batch.size(), offset) &&
                    files_.DataSync(fd) == 0;
    std::vector<StatusCompletion> ready;
    // The zeroing thread is woken only when this write lets it go on: it waited for the file to
    // stop growing, or the records came near enough to the zeroes' end for a piece to fit.
    // Waking it after every batch cost a switch to a thread with nothing to do.
    bool zeroer_may_go_on = false;
    {
      std::lock_guard lock(mutex_);
      if (ok) {
        durable_ = batch_end;
        end_ = offset + batch.size();
        zeroed_end_ = std::max(zeroed_end_, end_);
      } else {
        failed_ = true;
      }
      zeroer_may_go_on =
          growing_ || zeroed_end_ + preallocation_.piece_bytes <= end_ + preallocation_.ahead_bytes;
      growing_ = false;
      const auto last = failed_ ? waiters_.end() : waiters_.upper_bound(durable_);
      for (auto it = waiters_.begin(); it != last; ++it) ready.push_back(std::move(it->second));
      waiters_.erase(waiters_.begin(), last);
    }
    batch.clear();
    durable_changed_.notify_all();
    if (zeroer_may_go_on) zeroing_changed_.notify_all();
    const Status status = ok ? Status::Ok() : Unavailable("a write to disk failed");
    for (auto& done : ready) done(status);
  }
}

void Journal::ZeroingLoop() {
  const std::string zeroes(preallocation_.piece_bytes, '\0');
  // Its own descriptor of the file: a writeback error is then reported to the writer's next
  // fdatasync as well, not to whichever of the two descriptors synced first.
  int fd = -1;
  auto retry_at = std::chrono::steady_clock::time_point::min();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // Only once something was appended: before, Compact may still replace the file.
    const bool wanted = !failed_ && appended_ > 0 && !growing_ &&
                        zeroed_end_ + zeroes.size() <= end_ + preallocation_.ahead_bytes;
    if (!wanted) {
      zeroing_changed_.wait(lock);
      continue;
    }
    if (std::chrono::steady_clock::now() < retry_at) {
      zeroing_changed_.wait_until(lock, retry_at);
      continue;
    }
    const std::uint64_t from = zeroed_end_;
    zeroing_ = true;
    lock.unlock();
    if (fd < 0) fd = files_.Open(path_, O_WRONLY | O_CLOEXEC, 0600);
    const bool ok = fd >= 0 && WriteAllAt(files_, fd, zeroes.data(), zeroes.size(), from) &&
                    files_.DataSync(fd) == 0;
    lock.lock();
    zeroing_ = false;
    if (ok) {
      zeroed_end_ = from + zeroes.size();
    } else {
      retry_at = std::chrono::steady_clock::now() + kZeroingRetry;
    }
    zeroing_changed_.notify_all();
  }
  lock.unlock();
  if (fd >= 0) files_.Close(fd);
}

}  // namespace uudai::gateway
