#include "store/journal/journal_reader.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "store/codec/mutation_codec.h"

namespace uudai::gateway {
namespace {

using Batch = std::vector<StoreMutation>;

constexpr std::size_t kRecordsPerBatch = 512;
// Batches decoded ahead of the caller: enough to ride out an uneven record, few enough that
// the memory they hold stays small (~kRecordsPerBatch KB each).
constexpr std::size_t kBatchesAhead = 4;

// The decoder's batches on their way to the caller; then how the read ended.
class BatchQueue {
 public:
  // Blocks while kBatchesAhead batches wait.
  void Push(Batch batch) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [this] { return batches_.size() < kBatchesAhead; });
    batches_.push_back(std::move(batch));
    ready_.notify_one();
  }
  // No batch follows; `end` is how the read ended.
  void Close(Status end) {
    std::lock_guard lock(mutex_);
    end_ = std::move(end);
    closed_ = true;
    ready_.notify_one();
  }
  // The next batch; nullopt once the queue is closed and empty.
  std::optional<Batch> Pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return !batches_.empty() || closed_; });
    if (batches_.empty()) return std::nullopt;
    Batch batch = std::move(batches_.front());
    batches_.pop_front();
    room_.notify_one();
    return batch;
  }
  // REQUIRES: Pop() returned nullopt.
  Status end() const {
    std::lock_guard lock(mutex_);
    return end_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable room_;
  std::deque<Batch> batches_;
  bool closed_ = false;
  Status end_;
};

// The decoder thread: reads `fd` chunk by chunk, decodes each complete line, hands the records
// on in batches and closes `queue` with how it ended; fills `result`.
void DecodeRecords(FileSystem& files, int fd, const std::string& path, std::size_t chunk_bytes,
                   BatchQueue& queue, JournalRecords& result) {
  std::vector<char> chunk(std::max<std::size_t>(chunk_bytes, 1));
  std::string pending;            // bytes after the last complete line read so far
  std::size_t pending_start = 0;  // offset of pending[0] from where the read began
  Batch batch;
  auto hand_on = [&batch, &queue] {
    if (batch.empty()) return;
    queue.Push(std::move(batch));
    batch = Batch();
    batch.reserve(kRecordsPerBatch);
  };
  batch.reserve(kRecordsPerBatch);
  while (true) {
    const ssize_t n = files.Read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string error = std::strerror(errno);
      hand_on();
      return queue.Close(Status(StatusCode::kUnavailable, "cannot read " + path + ": " + error));
    }
    if (n == 0) break;
    pending.append(chunk.data(), static_cast<std::size_t>(n));
    std::size_t line = 0;
    for (std::size_t newline; (newline = pending.find('\n', line)) != std::string::npos;
         line = newline + 1) {
      auto mutation = DecodeMutation(std::string_view(pending).substr(line, newline - line));
      if (!mutation.ok()) {
        hand_on();  // the records before it are applied, as a replay of them would be
        return queue.Close(
            Status(StatusCode::kInternal, path + ": record at byte " +
                                              std::to_string(pending_start + line) +
                                              " is corrupt: " + mutation.status().message()));
      }
      batch.push_back(std::move(mutation).value());
      ++result.records;
      if (batch.size() == kRecordsPerBatch) hand_on();
    }
    pending.erase(0, line);
    pending_start += line;
    hand_on();
  }
  result.complete_bytes = pending_start;
  result.torn_tail_bytes = pending.size();
  queue.Close(Status::Ok());
}

}  // namespace

Result<JournalRecords> ReadJournalRecords(int fd, const std::string& path,
                                          const std::function<void(const StoreMutation&)>& apply,
                                          std::size_t chunk_bytes, FileSystem& files) {
  BatchQueue queue;
  JournalRecords result;
  std::thread decoder([&] { DecodeRecords(files, fd, path, chunk_bytes, queue, result); });
  while (std::optional<Batch> batch = queue.Pop()) {
    for (const StoreMutation& mutation : *batch) apply(mutation);
  }
  decoder.join();
  if (Status end = queue.end(); !end.ok()) return end;
  return result;
}

}  // namespace uudai::gateway
