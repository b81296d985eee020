#include "store/journal/journal_reader.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
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

// A piece of the file cut at line ends: what one decoder takes at a time. Small records are
// grouped (up to kRecordsPerPiece or kPieceBytes), a larger record is a piece of its own.
constexpr std::size_t kRecordsPerPiece = 512;
constexpr std::size_t kPieceBytes = std::size_t{256} << 10;

struct Piece {
  std::size_t index = 0;   // pieces are numbered in file order from 0
  std::size_t offset = 0;  // of its first line, from where the read began
  std::string lines;       // whole lines, each with its newline
};

struct DecodedPiece {
  Batch records;
  Status failure;  // not ok: the record after `records` is corrupt (and nothing follows)
};

// The reader thread cuts the file into pieces, decoder threads decode them in any order, and
// the caller applies them in file order. Pieces read and not yet applied are bounded, so the
// memory a replay holds beside the store stays a few pieces' worth whatever the file's size.
class DecodePipeline {
 public:
  explicit DecodePipeline(std::size_t decoders) : pieces_ahead_(2 * decoders + 2) {}

  // Reader side. Blocks while pieces_ahead_ pieces are read and not yet applied; false once
  // the caller has stopped.
  bool PushPiece(std::size_t offset, std::string lines) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return unapplied_ < pieces_ahead_ || stopped_; });
    if (stopped_) return false;
    to_decode_.push_back({read_pieces_++, offset, std::move(lines)});
    ++unapplied_;
    changed_.notify_all();
    return true;
  }
  // No piece follows; `end` is how the read ended (not ok: after the pieces pushed).
  void EndOfReading(Status end) {
    std::lock_guard lock(mutex_);
    read_end_ = std::move(end);
    reading_done_ = true;
    changed_.notify_all();
  }

  // Decoder side: the next piece to decode; nullopt when there will be none.
  std::optional<Piece> TakePiece() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !to_decode_.empty() || reading_done_ || stopped_; });
    if (stopped_ || to_decode_.empty()) return std::nullopt;
    Piece piece = std::move(to_decode_.front());
    to_decode_.pop_front();
    return piece;
  }
  void PutDecoded(std::size_t index, DecodedPiece decoded) {
    std::lock_guard lock(mutex_);
    decoded_.emplace(index, std::move(decoded));
    changed_.notify_all();
  }

  // Caller side: the pieces in file order; nullopt after the last.
  std::optional<DecodedPiece> NextInOrder() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] {
      return decoded_.contains(applied_) || (reading_done_ && applied_ == read_pieces_);
    });
    auto it = decoded_.find(applied_);
    if (it == decoded_.end()) return std::nullopt;
    DecodedPiece decoded = std::move(it->second);
    decoded_.erase(it);
    ++applied_;
    --unapplied_;
    changed_.notify_all();
    return decoded;
  }
  // REQUIRES: NextInOrder() returned nullopt.
  Status read_end() const {
    std::lock_guard lock(mutex_);
    return read_end_;
  }
  // The caller takes no more pieces: the reader and the decoders finish.
  void Stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  const std::size_t pieces_ahead_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;  // any change of the state below
  std::deque<Piece> to_decode_;
  std::map<std::size_t, DecodedPiece> decoded_;  // by index, waiting for their turn
  std::size_t read_pieces_ = 0;
  std::size_t applied_ = 0;    // index of the next piece the caller takes
  std::size_t unapplied_ = 0;  // read and not yet taken by the caller
  bool reading_done_ = false;
  bool stopped_ = false;
  Status read_end_;
};

// The reader thread: reads `fd` chunk by chunk, cuts what it read into pieces at line ends and
// hands them on; the bytes after the last newline are the torn tail. Fills `result`'s sizes.
void ReadPieces(FileSystem& files, int fd, const std::string& path, std::size_t chunk_bytes,
                DecodePipeline& pipeline, JournalRecords& result) {
  std::vector<char> chunk(std::max<std::size_t>(chunk_bytes, 1));
  std::string pending;            // bytes after the last piece cut so far
  std::size_t pending_start = 0;  // offset of pending[0] from where the read began
  while (true) {
    const ssize_t n = files.Read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string error = std::strerror(errno);
      return pipeline.EndOfReading(
          Status(StatusCode::kUnavailable, "cannot read " + path + ": " + error));
    }
    if (n == 0) break;
    // The records end at the first NUL: what follows is the zeroed space the journal keeps
    // ahead (Journal), or what a crash left of a write never acknowledged.
    const auto* nul =
        static_cast<const char*>(std::memchr(chunk.data(), 0, static_cast<std::size_t>(n)));
    const std::size_t searched = pending.size();
    pending.append(chunk.data(), nul != nullptr ? static_cast<std::size_t>(nul - chunk.data())
                                                : static_cast<std::size_t>(n));
    const bool records_ended = nul != nullptr;
    if (!records_ended && pending.find('\n', searched) == std::string::npos) continue;
    // Cut every complete line into pieces; the rest waits for the next read.
    std::size_t piece_start = 0;
    std::size_t lines = 0;
    std::size_t cut = 0;  // end of the last complete line
    for (std::size_t newline; (newline = pending.find('\n', cut)) != std::string::npos;) {
      cut = newline + 1;
      if (++lines == kRecordsPerPiece || cut - piece_start >= kPieceBytes) {
        if (!pipeline.PushPiece(pending_start + piece_start,
                                pending.substr(piece_start, cut - piece_start))) {
          return;
        }
        piece_start = cut;
        lines = 0;
      }
    }
    if (cut > piece_start && !pipeline.PushPiece(pending_start + piece_start,
                                                 pending.substr(piece_start, cut - piece_start))) {
      return;
    }
    pending.erase(0, cut);
    pending_start += cut;
    if (records_ended) break;
  }
  result.complete_bytes = pending_start;
  result.torn_tail_bytes = pending.size();
  pipeline.EndOfReading(Status::Ok());
}

// A decoder thread: decodes pieces until there are none, each up to its first corrupt record.
void DecodePieces(const std::string& path, DecodePipeline& pipeline) {
  while (std::optional<Piece> piece = pipeline.TakePiece()) {
    DecodedPiece decoded;
    const std::string_view text = piece->lines;
    for (std::size_t line = 0, newline; (newline = text.find('\n', line)) != std::string::npos;
         line = newline + 1) {
      auto mutation = DecodeMutation(text.substr(line, newline - line));
      if (!mutation.ok()) {
        decoded.failure = Status(StatusCode::kInternal,
                                 path + ": record at byte " + std::to_string(piece->offset + line) +
                                     " is corrupt: " + mutation.status().message());
        break;
      }
      decoded.records.push_back(std::move(mutation).value());
    }
    pipeline.PutDecoded(piece->index, std::move(decoded));
  }
}

}  // namespace

Result<JournalRecords> ReadJournalRecords(int fd, const std::string& path,
                                          const std::function<void(const StoreMutation&)>& apply,
                                          std::size_t chunk_bytes, FileSystem& files) {
  // Decoding is most of a replay's work: as many decoders as cores (up to 4), the caller
  // applying meanwhile.
  const std::size_t decoders = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  DecodePipeline pipeline(decoders);
  JournalRecords result;
  std::vector<std::thread> threads;
  threads.emplace_back([&] { ReadPieces(files, fd, path, chunk_bytes, pipeline, result); });
  for (std::size_t d = 0; d < decoders; ++d) {
    threads.emplace_back([&] { DecodePieces(path, pipeline); });
  }
  Status end;
  while (std::optional<DecodedPiece> piece = pipeline.NextInOrder()) {
    for (const StoreMutation& mutation : piece->records) apply(mutation);
    result.records += piece->records.size();
    if (!piece->failure.ok()) {
      end = std::move(piece->failure);
      break;
    }
  }
  pipeline.Stop();
  for (std::thread& thread : threads) thread.join();
  if (!end.ok()) return end;
  if (Status read_end = pipeline.read_end(); !read_end.ok()) return read_end;
  return result;
}

}  // namespace uudai::gateway
