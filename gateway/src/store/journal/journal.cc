#include "store/journal/journal.h"

#include <fcntl.h>

#include <cerrno>
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

bool WriteAll(FileSystem& files, int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = files.Write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<Journal>> Journal::Open(const std::string& dir, FileSystem& files) {
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
  return std::unique_ptr<Journal>(new Journal(files, fd, lock_fd, dir, discarded_compaction));
}

Result<ReplaySummary> Journal::Replay(const std::function<void(const StoreMutation&)>& replay) {
  auto read = ReadJournalRecords(fd_, path_, replay, kReadChunkBytes, files_);
  if (!read.ok()) return read.status();
  ReplaySummary summary;
  summary.discarded_compaction = discarded_compaction_;
  summary.records = read->records;
  summary.bytes = read->complete_bytes;
  if (read->torn_tail_bytes > 0) {
    summary.torn_tail_bytes = read->torn_tail_bytes;
    if (files_.Truncate(fd_, static_cast<off_t>(summary.bytes)) != 0) {
      return Unavailable("cannot cut the torn tail of " + path_);
    }
  }
  if (files_.SeekToEnd(fd_) < 0) return Unavailable("cannot seek " + path_);
  writer_ = std::thread([this] { WriterLoop(); });
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
    written = written && WriteAll(files_, fd, chunk.data(), chunk.size());
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

Journal::Journal(FileSystem& files, int fd, int lock_fd, std::string dir, bool discarded_compaction)
    : files_(files),
      fd_(fd),
      lock_fd_(lock_fd),
      dir_(std::move(dir)),
      path_(dir_ + "/" + kJournalFile),
      discarded_compaction_(discarded_compaction) {}

Journal::~Journal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  if (writer_.joinable()) writer_.join();
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
    }
    const bool ok =
        !failed && WriteAll(files_, fd, batch.data(), batch.size()) && files_.DataSync(fd) == 0;
    batch.clear();
    std::vector<StatusCompletion> ready;
    {
      std::lock_guard lock(mutex_);
      if (ok) {
        durable_ = batch_end;
      } else {
        failed_ = true;
      }
      const auto last = failed_ ? waiters_.end() : waiters_.upper_bound(durable_);
      for (auto it = waiters_.begin(); it != last; ++it) ready.push_back(std::move(it->second));
      waiters_.erase(waiters_.begin(), last);
    }
    durable_changed_.notify_all();
    const Status status = ok ? Status::Ok() : Unavailable("a write to disk failed");
    for (auto& done : ready) done(status);
  }
}

}  // namespace uudai::gateway
