#include "journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "journal_codec.h"

namespace uudai::gateway {
namespace {

Status Unavailable(const std::string& what) {
  return Status(StatusCode::kUnavailable, "journal: " + what);
}

bool WriteAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
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

Result<std::unique_ptr<Journal>> Journal::Open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable("cannot create " + dir + ": " + ec.message());
  // One process per data directory: a second one appending to the same journal would
  // interleave records and keep its own idea of every counter.
  const std::string lock_path = dir + "/LOCK";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return Unavailable("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return Unavailable(dir + " is in use by another uudai process");
  }
  const std::string path = dir + "/journal.log";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    ::close(lock_fd);
    return Unavailable("cannot open " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<Journal>(new Journal(fd, lock_fd, path));
}

Result<ReplaySummary> Journal::Replay(const std::function<void(const StoreMutation&)>& replay) {
  std::string content;
  {
    char buffer[1 << 16];
    ssize_t n = 0;
    while ((n = ::read(fd_, buffer, sizeof buffer)) > 0) {
      content.append(buffer, static_cast<std::size_t>(n));
    }
    if (n < 0) return Unavailable("cannot read " + path_ + ": " + std::strerror(errno));
  }
  ReplaySummary summary;
  std::size_t pos = 0;
  while (pos < content.size()) {
    const std::size_t end = content.find('\n', pos);
    if (end == std::string::npos) break;  // no newline: the tail was torn mid-write
    auto mutation = DecodeMutation(std::string_view(content).substr(pos, end - pos));
    if (!mutation.ok()) {
      return Status(StatusCode::kInternal, path_ + ": record at byte " + std::to_string(pos) +
                                               " is corrupt: " + mutation.status().message());
    }
    replay(mutation.value());
    ++summary.records;
    pos = end + 1;
  }
  if (pos < content.size()) {
    summary.torn_tail_bytes = content.size() - pos;
    if (::ftruncate(fd_, static_cast<off_t>(pos)) != 0) {
      return Unavailable("cannot cut the torn tail of " + path_);
    }
  }
  if (::lseek(fd_, 0, SEEK_END) < 0) return Unavailable("cannot seek " + path_);
  writer_ = std::thread([this] { WriterLoop(); });
  return summary;
}

Journal::Journal(int fd, int lock_fd, std::string path)
    : fd_(fd), lock_fd_(lock_fd), path_(std::move(path)) {}

Journal::~Journal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  if (writer_.joinable()) writer_.join();
  ::close(fd_);
  ::close(lock_fd_);  // releases the directory lock
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
    {
      std::unique_lock lock(mutex_);
      wake_writer_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty() && stopping_) return;
      batch.swap(pending_);
      pending_.clear();
      batch_end = appended_;
    }
    const bool ok = !failed_ && WriteAll(fd_, batch.data(), batch.size()) && ::fdatasync(fd_) == 0;
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
