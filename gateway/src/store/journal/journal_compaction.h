// Journal compaction at start-up: when it is worth it, and what one did.
//
// The journal only grows: every offer edit, code batch and redemption transition is a record.
// Once replayed, the store's export (MemoryStore::ExportMutations) is the same state in fewer
// records: each offer once at its latest version, codes in batches of 10,000, each redemption
// as created plus its transitions, idempotency records still within retention only. A
// compaction costs one export, one write and one fdatasync, so it runs only when the journal is
// large (min_bytes) and holds at least min_ratio times as many records as the export would.
// Redemptions are never merged away (the ledger keeps them all), so a journal of redemptions
// alone stays as it is: its size already follows the live state.
#ifndef UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_COMPACTION_H_
#define UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_COMPACTION_H_

#include <cstddef>
#include <cstdint>

#include "uudai/status.h"

namespace uudai {
class MemoryStore;
}  // namespace uudai

namespace uudai::gateway {

class Journal;
struct ReplaySummary;

struct JournalCompactionPolicy {
  std::size_t min_bytes = 1 << 20;  // smaller journals replay fast anyway
  std::size_t min_ratio = 2;        // records read ≥ min_ratio × records the export holds
};

struct JournalCompaction {
  bool done = false;
  std::size_t records_before = 0;
  std::size_t bytes_before = 0;
  std::size_t records_after = 0;
  std::size_t bytes_after = 0;
  std::int64_t millis = 0;  // export, write, sync and rename
};

// Compacts `journal`, just replayed (`replayed`) into `store`, when `policy` says it is worth
// it, and logs the figures. A compaction that fails before the new journal is in place is
// logged and skipped: the old journal stays in use. An error means the journal failed for good
// (Journal::Compact): the process must not serve.
// REQUIRES: between Journal::Replay and the first write to `store`.
Result<JournalCompaction> CompactJournalIfWorthIt(Journal& journal, const ReplaySummary& replayed,
                                                  const MemoryStore& store,
                                                  const JournalCompactionPolicy& policy);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_JOURNAL_JOURNAL_COMPACTION_H_
