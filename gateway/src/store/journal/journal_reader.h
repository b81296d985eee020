// ReadJournalRecords: the records of a journal file, in order, for the start-up replay.
//
// The file is read a chunk at a time, never whole: a campaign's journal grows by ~1 KB per
// redemption, so a month of one can be gigabytes, which must not all be in memory at once
// beside the store they rebuild. Decoding is most of a replay's work: a reader thread cuts
// the file into pieces at line ends, decoder threads (one a core, up to four) decode pieces
// side by side, and the caller applies them in file order meanwhile, a few pieces behind.
#ifndef UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_READER_H_
#define UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_READER_H_

#include <cstddef>
#include <functional>
#include <string>

#include "store/journal/file_system.h"
#include "uudai/status.h"
#include "uudai/store_mutation.h"

namespace uudai::gateway {

struct JournalRecords {
  std::size_t records = 0;          // complete records, all applied
  std::size_t complete_bytes = 0;   // bytes they span from where the read began
  std::size_t torn_tail_bytes = 0;  // after them: a last record without its newline
};

// Reads `fd` from its current offset to its end, or to its first NUL byte (records never hold
// one: the zeroes after them are space kept ahead), and calls `apply` for each complete record
// (a line), in file order, on the calling thread. A last line without its newline (a write
// cut short by a crash) is not a record: it is counted as the torn tail. Fails with
// kInternal ("<path>: record at byte N is corrupt: ...", N from where the read began) on a
// record that does not decode, after applying every record before it; kUnavailable when the
// file cannot be read. `chunk_bytes`: how much one read takes (tests make it small); `files`
// makes the reads.
Result<JournalRecords> ReadJournalRecords(int fd, const std::string& path,
                                          const std::function<void(const StoreMutation&)>& apply,
                                          std::size_t chunk_bytes = std::size_t{1} << 20,
                                          FileSystem& files = DefaultFileSystem());

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_READER_H_
