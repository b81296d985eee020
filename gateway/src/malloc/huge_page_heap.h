// The heap on transparent huge pages (huge_page_heap.cc), in the executables that link tcmalloc
// through uudai_malloc (UUDAI_HUGE_PAGE_HEAP is then defined for them).
#ifndef UUDAI_GATEWAY_MALLOC_HUGE_PAGE_HEAP_H_
#define UUDAI_GATEWAY_MALLOC_HUGE_PAGE_HEAP_H_

namespace uudai::gateway {

// Whether the heap asks the kernel for huge pages (the default) or not (`uudai serve
// --heap-huge-pages off`). Turned off, the memory handed out so far is advised against them
// (MADV_NOHUGEPAGE) and the heap grows as tcmalloc's own system allocator makes it grow.
// Call before the process starts its threads.
void AdviseHeapHugePages(bool advise);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_MALLOC_HUGE_PAGE_HEAP_H_
