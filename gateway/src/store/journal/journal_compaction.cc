#include "store/journal/journal_compaction.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "store/journal/journal.h"
#include "uudai/memory_store.h"

namespace uudai::gateway {

Result<JournalCompaction> CompactJournalIfWorthIt(Journal& journal, const ReplaySummary& replayed,
                                                  const MemoryStore& store,
                                                  const JournalCompactionPolicy& policy) {
  if (replayed.discarded_compaction) {
    spdlog::warn(
        "journal: deleted journal.log.compact, left by a compaction that a crash cut "
        "short; journal.log is complete");
  }
  JournalCompaction report;
  report.records_before = replayed.records;
  report.bytes_before = replayed.bytes;
  if (replayed.bytes < policy.min_bytes) return report;
  const std::size_t live = store.ExportedMutationCount();
  if (replayed.records <= live || replayed.records < policy.min_ratio * live) {
    spdlog::debug("journal: not compacted: {} records, {} after compaction", replayed.records,
                  live);
    return report;
  }
  const auto start = std::chrono::steady_clock::now();
  auto compacted =
      journal.Compact([&store](const MutationSink& sink) { (void)store.ExportMutations(sink); });
  if (!compacted.ok()) {
    if (journal.failed()) return compacted.status();
    spdlog::warn("journal: not compacted, the old journal stays in use: {}",
                 compacted.status().message());
    return report;
  }
  report.done = true;
  report.records_after = compacted->records;
  report.bytes_after = compacted->bytes;
  report.millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  spdlog::info("journal: compacted {} records ({} bytes) into {} records ({} bytes) in {} ms",
               report.records_before, report.bytes_before, report.records_after, report.bytes_after,
               report.millis);
  return report;
}

}  // namespace uudai::gateway
