// The heap of the executables that link tcmalloc (uudai_malloc) on transparent huge pages.
//
// tcmalloc takes memory from the system a megabyte or more at a time. This system allocator,
// installed before main(), hands it 2 MiB-aligned anonymous mappings, whole 2 MiB pages, and
// asks the kernel to back them with huge pages (madvise MADV_HUGEPAGE), which Debian's default
// (/sys/kernel/mm/transparent_hugepage/enabled = madvise) grants only to memory that asks. A
// million offers' catalog then takes ~500 times fewer page faults to build (start-up), and its
// lookups miss the TLB less. Where the setting is `never` the advice changes nothing; the
// memory is used as it would be otherwise. If a mapping fails, tcmalloc's own system
// allocator is asked instead.
//
// `uudai serve --heap-huge-pages off` turns it off (AdviseHeapHugePages).
//
// Alloc runs under tcmalloc's page heap lock: it must not allocate (mmap, munmap and madvise
// do not).
#include "malloc/huge_page_heap.h"

#include <gperftools/malloc_extension.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace uudai::gateway {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

constexpr std::uintptr_t RoundUp(std::uintptr_t value, std::size_t to) {
  return (value + to - 1) / to * to;
}

class HugePageSysAllocator final : public SysAllocator {
 public:
  explicit HugePageSysAllocator(SysAllocator* fallback) : fallback_(fallback) {}

  void* Alloc(std::size_t size, std::size_t* actual_size, std::size_t alignment) override {
    if (!advise_.load(std::memory_order_relaxed)) return Fallback(size, actual_size, alignment);
    const std::size_t align = std::max(alignment, kHugePage);
    const std::size_t length = RoundUp(size, kHugePage);
    // Mapped `align` longer than needed, then trimmed to an aligned start.
    void* mapped =
        mmap(nullptr, length + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return Fallback(size, actual_size, alignment);
    const auto start = reinterpret_cast<std::uintptr_t>(mapped);
    const std::uintptr_t aligned = RoundUp(start, align);
    const std::uintptr_t end = start + length + align;
    if (aligned > start) munmap(mapped, aligned - start);
    if (end > aligned + length) {
      munmap(reinterpret_cast<void*>(aligned + length), end - (aligned + length));
    }
    madvise(reinterpret_cast<void*>(aligned), length, MADV_HUGEPAGE);
    if (advised_count_ < advised_.size()) advised_[advised_count_++] = {aligned, length};
    if (actual_size != nullptr) *actual_size = length;
    return reinterpret_cast<void*>(aligned);
  }

  // Stops advising; what was handed out so far (the first mappings: the options are read
  // early) is advised against huge pages.
  void StopAdvising() {
    if (!advise_.exchange(false)) return;
    for (std::size_t i = 0; i < advised_count_; ++i) {
      madvise(reinterpret_cast<void*>(advised_[i].start), advised_[i].length, MADV_NOHUGEPAGE);
    }
  }

 private:
  struct Mapping {
    std::uintptr_t start;
    std::size_t length;
  };

  // tcmalloc's own system allocator.
  void* Fallback(std::size_t size, std::size_t* actual_size, std::size_t alignment) {
    return fallback_ != nullptr ? fallback_->Alloc(size, actual_size, alignment) : nullptr;
  }

  SysAllocator* fallback_;
  std::atomic<bool> advise_{true};
  // The first mappings, for StopAdvising: a process reads its options long before it has
  // taken this many.
  std::array<Mapping, 64> advised_{};
  std::size_t advised_count_ = 0;
};

HugePageSysAllocator* installed = nullptr;

// Installed during static initialisation, ahead of the executable's other initialisers
// (init_priority), before the heap grows much: only the chunk tcmalloc took for the shared
// libraries' own start lies outside it.
struct Installer {
  Installer() {
    MallocExtension* malloc = MallocExtension::instance();
    static HugePageSysAllocator allocator(malloc->GetSystemAllocator());
    malloc->SetSystemAllocator(&allocator);
    installed = &allocator;
  }
};
__attribute__((init_priority(101))) const Installer kInstaller;

}  // namespace

void AdviseHeapHugePages(bool advise) {
  if (!advise && installed != nullptr) installed->StopAdvising();
}

}  // namespace uudai::gateway
