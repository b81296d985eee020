// Journal: the zeroed space it keeps ahead of its records. Writes overwrite zeroes instead of
// growing the file, a clean stop leaves the records alone, a restart cuts whatever follows the
// records (zeroes, a torn record, parts of a write a crash left past the zeroes), a zeroing that
// fails costs nothing but speed, and records appended from many threads while pieces are zeroed
// all come back in order. The restart, crash and fault tests cover the journal in the gateway.
#include "store/journal/journal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "forwarding_file_system.h"
#include "store/codec/mutation_codec.h"

namespace uudai::gateway {
namespace {

using std::chrono::milliseconds;

constexpr JournalPreallocation kSmall{.ahead_bytes = 64 << 10, .piece_bytes = 16 << 10};

StoreMutation Record(int i) {
  return CodesIssued{"o-" + std::to_string(i), {"CODE-" + std::to_string(i)}};
}
std::string Line(int i) { return EncodeMutation(Record(i)) + "\n"; }

class JournalTest : public ::testing::Test {
 protected:
  JournalTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("uudai-journal-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::remove_all(dir_);
  }
  ~JournalTest() override { std::filesystem::remove_all(dir_); }

  std::string path() const { return (dir_ / "journal.log").string(); }
  std::string Content() const {
    std::ifstream in(path(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  std::uintmax_t Size() const { return std::filesystem::file_size(path()); }

  // Opens the journal and replays it; the records read, re-encoded as lines.
  std::unique_ptr<Journal> Open(std::vector<std::string>& replayed,
                                ReplaySummary* summary = nullptr,
                                FileSystem& files = DefaultFileSystem(),
                                JournalPreallocation preallocation = kSmall) {
    // A journal that did not open or replay has no writer: the test stops here (gtest reports
    // the exception) rather than wait on it.
    auto journal = Journal::Open(dir_.string(), files, preallocation);
    if (!journal.ok()) throw std::runtime_error("open: " + journal.status().message());
    auto read = journal.value()->Replay(
        [&replayed](const StoreMutation& m) { replayed.push_back(EncodeMutation(m) + "\n"); });
    if (!read.ok()) throw std::runtime_error("replay: " + read.status().message());
    if (summary != nullptr) *summary = read.value();
    return std::move(journal).value();
  }
  // Waits until the file holds at least `bytes`.
  bool GrowsTo(std::uintmax_t bytes) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Size() < bytes) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(2));
    }
    return true;
  }

  std::filesystem::path dir_;
};

TEST_F(JournalTest, WritesGoIntoZeroesKeptAheadAndACleanStopLeavesTheRecordsAlone) {
  std::string records;
  {
    std::vector<std::string> replayed;
    auto journal = Open(replayed);
    EXPECT_EQ(Size(), 0U) << "nothing is zeroed before the first append";
    for (int i = 0; i < 20; ++i) {
      journal->Append(Record(i));
      records += Line(i);
    }
    ASSERT_TRUE(journal->Flush().ok());
    // Topped up while a whole piece fits: more than ahead - piece past the records.
    ASSERT_TRUE(GrowsTo(records.size() + (48 << 10) + 1));
    std::this_thread::sleep_for(milliseconds(50));  // a piece in flight
    const std::string content = Content();
    EXPECT_EQ(content.substr(0, records.size()), records);
    EXPECT_EQ(content.find_first_not_of('\0', records.size()), std::string::npos)
        << "only zeroes after the records";
    EXPECT_LE(content.size(), records.size() + (64 << 10));

    // A record that fits in the zeroes does not grow the file: it overwrites them.
    const std::uintmax_t size = Size();
    journal->Append(Record(20));
    records += Line(20);
    ASSERT_TRUE(journal->Flush().ok());
    EXPECT_EQ(Size(), size);
    EXPECT_EQ(Content().substr(0, records.size()), records);
  }
  EXPECT_EQ(Content(), records) << "a clean stop cuts the zeroes off";

  std::vector<std::string> replayed;
  auto reopened = Open(replayed);
  EXPECT_EQ(replayed.size(), 21U);
}

TEST_F(JournalTest, ARecordNeverHoldsANulByteEvenWhenItsTextDoes) {
  // Readers take the first NUL for the end of the records: a NUL in a code or a name is
  // written escaped.
  const std::string code("A\0B", 3);
  const std::string line = EncodeMutation(CodesIssued{"o-1", {code}});
  EXPECT_EQ(line.find('\0'), std::string::npos) << line;
  auto decoded = DecodeMutation(line);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  const auto* codes = std::get_if<CodesIssued>(&decoded.value());
  ASSERT_NE(codes, nullptr);
  EXPECT_EQ(codes->codes, std::vector<std::string>{code});
}

TEST_F(JournalTest, ReplayCutsEverythingAfterTheRecordsAPieceOfAWriteACrashLeftToo) {
  // Records, the first half of a record cut by a crash, zeroes, then a later page of the same
  // unacknowledged write that reached the disk: a whole line that decodes.
  std::string records;
  for (int i = 0; i < 5; ++i) records += Line(i);
  const std::string torn = Line(5).substr(0, 10);
  std::filesystem::create_directories(dir_);
  {
    std::ofstream out(path(), std::ios::binary);
    out << records << torn << std::string(4096, '\0') << Line(6) << std::string(100, '\0');
  }
  std::vector<std::string> replayed;
  ReplaySummary summary;
  {
    auto journal = Open(replayed, &summary);
    EXPECT_EQ(replayed.size(), 5U);
    EXPECT_EQ(summary.bytes, records.size());
    EXPECT_EQ(summary.torn_tail_bytes, torn.size());
    EXPECT_EQ(Content(), records) << "cut right after the last complete record";
    journal->Append(Record(7));
    ASSERT_TRUE(journal->Flush().ok());
  }
  replayed.clear();
  auto reopened = Open(replayed);
  EXPECT_EQ(replayed,
            (std::vector<std::string>{Line(0), Line(1), Line(2), Line(3), Line(4), Line(7)}));
}

// The system's file system, with every write of zeroes (the zeroing thread's) failing ENOSPC.
class NoRoomForZeroes final : public testing::ForwardingFileSystem {
 public:
  ssize_t WriteAt(int fd, const void* data, std::size_t size, off_t offset) override {
    const char* bytes = static_cast<const char*>(data);
    if (size > 0 && std::all_of(bytes, bytes + size, [](char c) { return c == '\0'; })) {
      ++refused;
      errno = ENOSPC;
      return -1;
    }
    return real_.WriteAt(fd, data, size, offset);
  }

  std::atomic<int> refused{0};
};

TEST_F(JournalTest, AZeroingThatFailsOnlyLeavesTheWritesToGrowTheFile) {
  NoRoomForZeroes files;
  std::string records;
  {
    std::vector<std::string> replayed;
    auto journal = Open(replayed, nullptr, files);
    for (int i = 0; i < 30; ++i) {
      journal->Append(Record(i));
      records += Line(i);
      ASSERT_TRUE(journal->Flush().ok()) << "record " << i;
      if (i == 0) {
        // The zeroing starts after the first append, on a thread of its own: the rest are
        // written once it has been refused.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (files.refused.load() == 0 && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        ASSERT_GE(files.refused.load(), 1) << "the zeroing never tried";
      }
    }
    EXPECT_FALSE(journal->failed());
    EXPECT_EQ(Content(), records);
  }
  std::vector<std::string> replayed;
  auto reopened = Open(replayed);
  EXPECT_EQ(replayed.size(), 30U);
}

TEST_F(JournalTest, RecordsFromManyThreadsWhilePiecesAreZeroedAllComeBackInOrder) {
  // Small pieces, so that the writer often writes past the zeroes while a piece is zeroed.
  constexpr JournalPreallocation kTiny{.ahead_bytes = 8 << 10, .piece_bytes = 2 << 10};
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::string> appended;
  std::mutex appended_mutex;
  {
    std::vector<std::string> replayed;
    auto journal = Open(replayed, nullptr, DefaultFileSystem(), kTiny);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const int n = t * kPerThread + i;
          std::lock_guard lock(appended_mutex);  // the file's order is the order of Append
          journal->Append(Record(n));
          appended.push_back(Line(n));
        }
      });
    }
    for (auto& thread : threads) thread.join();
    ASSERT_TRUE(journal->Flush().ok());
    EXPECT_FALSE(journal->failed());
  }
  std::vector<std::string> replayed;
  auto reopened = Open(replayed);
  EXPECT_EQ(replayed, appended);
}

}  // namespace
}  // namespace uudai::gateway
