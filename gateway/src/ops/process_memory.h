// The gateway process's own memory, as /metrics reports it and as start-up tidies it.
//
// uudai keeps its data in memory by design (README, "Memory is sized by the data"): the
// resident set follows the data. These two figures let an operator, and bench/run-soak.sh,
// tell the data from what the process holds beyond it: the heap in use is what the live
// objects take; the resident set adds what the allocator keeps from freed blocks.
#ifndef UUDAI_GATEWAY_OPS_PROCESS_MEMORY_H_
#define UUDAI_GATEWAY_OPS_PROCESS_MEMORY_H_

#include <cstdint>

namespace uudai::gateway {

struct ProcessMemory {
  std::uint64_t resident_bytes = 0;     // VmRSS (/proc/self/statm); 0 if it cannot be read
  std::uint64_t heap_in_use_bytes = 0;  // malloc's blocks in use, all arenas (glibc mallinfo2)
};

// Reads both figures now. Takes the allocator's arena locks for a moment: for /metrics
// scrapes, not for the request path.
ProcessMemory ReadProcessMemory();

// Hands the allocator's free memory back to the system (glibc malloc_trim). Called once after
// start-up: replaying a journal or catching up a Redis log frees as much as it keeps (decoded
// batches, compaction chunks), and without this the resident set would keep those pages.
void ReleaseFreedMemory();

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_OPS_PROCESS_MEMORY_H_
