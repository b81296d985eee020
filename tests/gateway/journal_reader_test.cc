// ReadJournalRecords: every record in order whatever the read size, the torn tail, a corrupt
// record (and which records came before it). The restart and compaction tests cover the
// journal as the gateway uses it.
#include "store/journal/journal_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "store/codec/mutation_codec.h"

namespace uudai::gateway {
namespace {

// Records of uneven lengths (a few bytes to ~6 KB), so that lines straddle every chunk size.
std::vector<std::string> SomeRecords(int count) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    if (i % 3 == 2) {
      lines.push_back(
          EncodeMutation(RedemptionTransitioned{"r-" + std::to_string(i), RedemptionAction::kCommit,
                                                Timestamp{1'790'000'000'000 + i}, std::nullopt}));
      continue;
    }
    std::vector<std::string> codes;
    for (int c = 0; c < (i * 37) % 500; ++c) codes.push_back("CODE" + std::to_string(i * 1000 + c));
    lines.push_back(EncodeMutation(CodesIssued{"o-" + std::to_string(i), codes}));
  }
  return lines;
}

class JournalReaderTest : public ::testing::Test {
 protected:
  JournalReaderTest()
      : path_(std::filesystem::temp_directory_path() /
              ("uudai-journal-reader-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {}
  ~JournalReaderTest() override { std::filesystem::remove(path_); }

  void Write(const std::string& content) {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << content;
  }
  static std::string Joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
  }
  // Reads the file with `chunk_bytes` per read; the records applied, re-encoded.
  Result<JournalRecords> Read(std::size_t chunk_bytes, std::vector<std::string>& applied) {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0);
    auto result = ReadJournalRecords(
        fd, "journal.log",
        [&applied](const StoreMutation& m) { applied.push_back(EncodeMutation(m)); }, chunk_bytes);
    ::close(fd);
    return result;
  }

  std::filesystem::path path_;
};

TEST_F(JournalReaderTest, EveryRecordInOrderWhateverTheReadSize) {
  const std::vector<std::string> lines = SomeRecords(500);
  const std::string content = Joined(lines);
  ASSERT_GT(content.size(), 1'000'000U);  // more than one default chunk
  Write(content);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{1} << 20,
                            content.size() * 2}) {
    std::vector<std::string> applied;
    const auto read = Read(chunk, applied);
    ASSERT_TRUE(read.ok()) << read.status().message();
    EXPECT_EQ(applied, lines) << "chunk " << chunk;
    EXPECT_EQ(read->records, lines.size());
    EXPECT_EQ(read->complete_bytes, content.size());
    EXPECT_EQ(read->torn_tail_bytes, 0U);
  }
}

TEST_F(JournalReaderTest, EmptyFileHasNoRecord) {
  Write("");
  std::vector<std::string> applied;
  const auto read = Read(4096, applied);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->records, 0U);
  EXPECT_EQ(read->complete_bytes, 0U);
  EXPECT_TRUE(applied.empty());
}

TEST_F(JournalReaderTest, ALastLineWithoutItsNewlineIsTheTornTailNotARecord) {
  const std::vector<std::string> lines = SomeRecords(40);
  const std::string complete = Joined(lines);
  const std::string torn = lines[4].substr(0, lines[4].size() / 2);
  Write(complete + torn);
  for (std::size_t chunk : {std::size_t{5}, std::size_t{1} << 20}) {
    std::vector<std::string> applied;
    const auto read = Read(chunk, applied);
    ASSERT_TRUE(read.ok()) << read.status().message();
    EXPECT_EQ(applied, lines);
    EXPECT_EQ(read->complete_bytes, complete.size());
    EXPECT_EQ(read->torn_tail_bytes, torn.size());
  }
}

TEST_F(JournalReaderTest, ACorruptRecordStopsTheReadAfterTheRecordsBeforeIt) {
  std::vector<std::string> lines = SomeRecords(200);
  const std::size_t bad = 150;
  lines[bad] = "{\"k\":\"not a mutation\"}";
  const std::string content = Joined(lines);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < bad; ++i) offset += lines[i].size() + 1;
  Write(content);
  for (std::size_t chunk : {std::size_t{3}, std::size_t{1} << 20}) {
    std::vector<std::string> applied;
    const auto read = Read(chunk, applied);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), StatusCode::kInternal);
    EXPECT_NE(read.status().message().find("journal.log: record at byte " + std::to_string(offset) +
                                           " is corrupt"),
              std::string::npos)
        << read.status().message();
    EXPECT_EQ(applied, std::vector<std::string>(lines.begin(), lines.begin() + bad));
  }
}

// Tens of thousands of small records are cut into many pieces that several threads decode
// side by side: still applied in file order, and a corrupt record far into the file stops the
// read after exactly the records before it, whichever pieces after it were decoded already.
TEST_F(JournalReaderTest, ManyPiecesDecodedSideBySideAreAppliedInFileOrder) {
  std::vector<std::string> lines;
  for (int i = 0; i < 40'000; ++i) {
    lines.push_back(
        EncodeMutation(RedemptionTransitioned{"r-" + std::to_string(i), RedemptionAction::kCommit,
                                              Timestamp{1'790'000'000'000 + i}, std::nullopt}));
  }
  Write(Joined(lines));
  {
    std::vector<std::string> applied;
    const auto read = Read(std::size_t{1} << 16, applied);
    ASSERT_TRUE(read.ok()) << read.status().message();
    EXPECT_EQ(applied, lines);
    EXPECT_EQ(read->records, lines.size());
  }
  const std::size_t bad = 31'234;
  lines[bad] = "not a record";
  Write(Joined(lines));
  std::size_t offset = 0;
  for (std::size_t i = 0; i < bad; ++i) offset += lines[i].size() + 1;
  std::vector<std::string> applied;
  const auto read = Read(std::size_t{1} << 16, applied);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(
      read.status().message().find("record at byte " + std::to_string(offset) + " is corrupt"),
      std::string::npos)
      << read.status().message();
  EXPECT_EQ(applied, std::vector<std::string>(lines.begin(), lines.begin() + bad));
}

}  // namespace
}  // namespace uudai::gateway
