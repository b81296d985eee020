// Start-up time of the embedded store: journal replay (+ compaction) + catalog build for N
// offers. DESIGN §6: start-up with 100,000 offers ≤ 1 s.
// Usage: startup_bench [offers] [edits per offer]   (defaults: 100000 and 1)
// The journal holds every offer's creation and then its edits (superseded records). uudai
// starts on it twice: the first start replays it and compacts it (when worth it, see
// gateway/src/journal_compaction.h), the second replays the compacted journal.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>

#include "demo_catalog.h"
#include "gateway_app.h"
#include "journal.h"
#include "uudai/clock.h"
#include "uudai/memory_store.h"

using namespace uudai;

namespace {

// Writes the journal the way a running gateway does: one OfferWritten per creation or edit.
bool WriteJournal(const std::filesystem::path& dir, std::size_t offers, std::size_t edits) {
  auto journal = gateway::Journal::Open(dir.string());
  if (!journal.ok() || !journal.value()->Replay([](const StoreMutation&) {}).ok()) return false;
  ManualClock clock(bench::DemoNow());
  MemoryStoreOptions options;
  options.log = journal.value().get();
  MemoryStore store(clock, options);
  const auto campaign = bench::MakeDemoCampaign(offers);
  std::promise<void> last;
  std::atomic<std::size_t> left = campaign.offers.size() * (1 + edits);
  auto done = [&left, &last](Result<Offer> r) {
    if (!r.ok()) std::abort();
    if (--left == 0) last.set_value();
  };
  for (const auto& offer : campaign.offers) store.CreateOffer(*offer, done);
  for (std::size_t edit = 0; edit < edits; ++edit) {
    for (const auto& offer : campaign.offers) {
      Offer edited = *offer;
      edited.priority = static_cast<std::int32_t>(edit) + 1;
      store.UpdateOffer(edited, static_cast<std::int64_t>(edit) + 1, done);
    }
  }
  last.get_future().wait();
  return journal.value()->Flush().ok();
}

// Starts uudai on `dir`, prints what the start did; false when it could not start.
bool StartOnce(const std::filesystem::path& dir, int start) {
  const auto journal_bytes = std::filesystem::file_size(dir / "journal.log");
  auto keys = gateway::KeyRing::Parse(R"([{"key":"bench-admin-key-000001","role":"admin"}])");
  gateway::AppOptions options;
  options.server.port = 0;
  options.server.threads = 1;
  options.data_dir = dir.string();
  const auto begin = std::chrono::steady_clock::now();
  auto app = gateway::GatewayApp::Start(options, std::move(keys).value());
  const auto ready = std::chrono::steady_clock::now();
  if (!app.ok()) return false;
  const gateway::StartupReport& s = app.value()->startup();
  std::printf(
      "start=%d offers=%zu journal_bytes=%ju journal_records=%zu compacted=%s "
      "records_after=%zu bytes_after=%zu compaction_ms=%lld load_ms=%lld "
      "start_to_listening_ms=%lld\n",
      start, s.offers, static_cast<std::uintmax_t>(journal_bytes), s.journal_records,
      s.compaction.done ? "yes" : "no", s.compaction.records_after, s.compaction.bytes_after,
      static_cast<long long>(s.compaction.millis), static_cast<long long>(s.load_millis),
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(ready - begin).count()));
  (void)app.value()->Stop();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t offers = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100'000;
  const std::size_t edits = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1;
  const auto dir =
      std::filesystem::temp_directory_path() / ("uudai-startup-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const bool ok = WriteJournal(dir, offers, edits) && StartOnce(dir, 1) && StartOnce(dir, 2);
  std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
