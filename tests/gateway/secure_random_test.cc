// SecureRandom hands out OpenSSL's random bytes a block at a time per thread: what it hands out
// must never repeat, whatever the sizes asked for and however they straddle a block.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/system_sources.h"

namespace uudai::gateway {
namespace {

std::string Draw(SecureRandom& random, std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  random.Fill(bytes);
  return std::string(bytes.begin(), bytes.end());
}

TEST(SecureRandomTest, IdSizedDrawsNeverRepeat) {
  SecureRandom random;
  std::set<std::string> seen;
  for (int i = 0; i < 20000; ++i) {
    ASSERT_TRUE(seen.insert(Draw(random, 10)).second) << "draw " << i << " repeated an earlier one";
  }
}

TEST(SecureRandomTest, DrawsOfEverySizeStraddlingBlocksNeverRepeat) {
  SecureRandom random;
  std::set<std::string> seen;
  // Sizes that end a block exactly, leave a few bytes over, and pass a whole block (the
  // last ones go straight to OpenSSL).
  const std::array<std::size_t, 10> sizes = {1, 7, 16, 100, 255, 256, 511, 512, 513, 4096};
  for (int round = 0; round < 50; ++round) {
    for (std::size_t size : sizes) {
      const std::string bytes = Draw(random, size);
      ASSERT_EQ(bytes.size(), size);
      if (size >= 16) {
        EXPECT_TRUE(seen.insert(bytes.substr(0, 16)).second)
            << "a draw of " << size << " bytes repeated";
        EXPECT_NE(bytes.find_first_not_of('\0'), std::string::npos) << "a draw of zeros";
      }
    }
  }
}

TEST(SecureRandomTest, ThreadsGetDifferentBytes) {
  SecureRandom random;
  std::array<std::vector<std::string>, 4> drawn;
  std::vector<std::thread> threads;
  for (auto& mine : drawn) {
    threads.emplace_back([&random, &mine] {
      for (int i = 0; i < 2000; ++i) mine.push_back(Draw(random, 12));
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> seen;
  for (const auto& mine : drawn) {
    for (const auto& bytes : mine) EXPECT_TRUE(seen.insert(bytes).second) << "two draws alike";
  }
  EXPECT_EQ(seen.size(), 8000u);
}

}  // namespace
}  // namespace uudai::gateway
