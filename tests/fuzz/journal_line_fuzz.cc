// Fuzz target: the embedded store's journal as start-up reads it — lines of JSON decoded by
// DecodeMutation and replayed into a MemoryStore (GatewayApp's start, Journal::Replay).
//
// A journal is written by uudai itself, so it is trusted; but a disk, a crash or an operator
// can damage it, and start-up must then refuse the line with a Status, never crash.
//
// Invariants:
// - decoding never crashes: a line is a mutation or a Status;
// - round trip: a decoded mutation, encoded again, decodes, and encodes to the same line (the
//   codec is lossless for everything it accepts, so compaction rewrites nothing differently);
// - replaying whatever decodes, in order, into a MemoryStore never crashes, and its reads
//   (stats, the ledger) still answer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "store/codec/mutation_codec.h"
#include "store_answers.h"
#include "uudai/clock.h"
#include "uudai/memory_store.h"

namespace uudai::fuzz {
namespace {

void CheckRoundTrip(const StoreMutation& mutation) {
  const std::string line = gateway::EncodeMutation(mutation);
  const auto again = gateway::DecodeMutation(line);
  FUZZ_CHECK(again.ok(), "EncodeMutation wrote a line DecodeMutation refuses: " + line + " → " +
                             again.status().message());
  const std::string line_again = gateway::EncodeMutation(again.value());
  FUZZ_CHECK(line_again == line, "round trip changed the line:\n  " + line + "\n  " + line_again);
}

}  // namespace
}  // namespace uudai::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace uudai;
  const std::string_view journal(reinterpret_cast<const char*>(data), size);
  const ManualClock clock(Timestamp{1'791'608'400'000});  // 2026-10-10T12:00:00+07:00
  MemoryStore store(clock, {});
  std::size_t start = 0;
  while (start < journal.size()) {
    std::size_t end = journal.find('\n', start);
    if (end == std::string_view::npos) end = journal.size();
    const auto mutation = gateway::DecodeMutation(journal.substr(start, end - start));
    if (mutation.ok()) {
      fuzz::CheckRoundTrip(mutation.value());
      store.Replay(mutation.value());
    }
    start = end + 1;
  }
  fuzz::CheckStoreStillAnswers(store);
  return 0;
}
