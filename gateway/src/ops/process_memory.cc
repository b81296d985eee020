#include "ops/process_memory.h"

#include <malloc.h>
#include <unistd.h>

#include <fstream>

namespace uudai::gateway {

ProcessMemory ReadProcessMemory() {
  ProcessMemory memory;
  // statm: size resident shared text lib data dt, in pages.
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0;
  std::uint64_t resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    memory.resident_bytes = resident_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  }
#if defined(__GLIBC__)
  const struct mallinfo2 info = ::mallinfo2();
  // uordblks: in-use chunks of the arenas; hblkhd: blocks mmap'd on their own (large ones).
  memory.heap_in_use_bytes = info.uordblks + info.hblkhd;
#endif
  return memory;
}

void ReleaseFreedMemory() {
#if defined(__GLIBC__)
  ::malloc_trim(0);
#endif
}

}  // namespace uudai::gateway
