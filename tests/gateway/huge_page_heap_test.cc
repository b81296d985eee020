// The heap of the executables that link uudai_malloc with tcmalloc lies in mappings advised
// for transparent huge pages (gateway/src/malloc/huge_page_heap.cc).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Mapping {
  std::uintptr_t start = 0;
  std::uintptr_t end = 0;
  std::string flags;  // the VmFlags line's flags, e.g. " rd wr mr mw me ac sd hg"
};

// The mapping of /proc/self/smaps that holds `address` (empty flags if none does).
Mapping MappingOf(const void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  Mapping current;
  bool holds = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> start >> dash >> end && dash == '-') {
      current = Mapping{start, end, ""};
      holds = start <= at && at < end;
    } else if (holds && line.rfind("VmFlags:", 0) == 0) {
      current.flags = line.substr(8) + " ";
      return current;
    }
  }
  return Mapping{};
}

bool Advised(const Mapping& mapping) { return mapping.flags.find(" hg ") != std::string::npos; }

TEST(HugePageHeapTest, ALargeBlockLiesInAMappingAdvisedForHugePages) {
  constexpr std::size_t kSize = std::size_t{64} << 20;
  std::unique_ptr<char, decltype(&std::free)> block(static_cast<char*>(std::malloc(kSize)),
                                                    &std::free);
  ASSERT_NE(block, nullptr);
  std::memset(block.get(), 1, kSize);
  const Mapping mapping = MappingOf(block.get());
  EXPECT_TRUE(Advised(mapping)) << "VmFlags:" << mapping.flags;
  EXPECT_EQ(mapping.start % (std::size_t{2} << 20), 0u) << "a mapping starts on a huge page";
}

// Past the first chunk of the heap, which tcmalloc took for the shared libraries' start,
// before the executable could install anything.
TEST(HugePageHeapTest, SmallBlocksDoToo) {
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 100'000; ++i) blocks.push_back(std::make_unique<char[]>(48));
  for (const std::size_t i : {blocks.size() / 2, blocks.size() - 1}) {
    const Mapping mapping = MappingOf(blocks[i].get());
    EXPECT_TRUE(Advised(mapping)) << i << ": VmFlags:" << mapping.flags;
  }
}

}  // namespace
