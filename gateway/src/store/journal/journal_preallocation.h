// JournalPreallocation: how much zeroed space the journal keeps ahead of its records (see
// journal.h), apart from the journal so that the app's options need not include it.
#ifndef UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_PREALLOCATION_H_
#define UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_PREALLOCATION_H_

#include <cstddef>

namespace uudai::gateway {

// The space after the last record kept as zeroes on disk: topped up a piece at a time whenever
// a whole piece fits under `ahead_bytes`. 0 = none: every write grows the file.
struct JournalPreallocation {
  std::size_t ahead_bytes = std::size_t{8} << 20;
  std::size_t piece_bytes = std::size_t{1} << 20;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_PREALLOCATION_H_
