// Start-up time of the embedded store: journal replay + catalog build for N offers.
// DESIGN §6: start-up with 100,000 offers ≤ 1 s. Usage: startup_bench [offers] (default 100000)
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

int main(int argc, char** argv) {
  const std::size_t offers = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100'000;
  const auto dir =
      std::filesystem::temp_directory_path() / ("uudai-startup-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {  // Write the journal the way a running gateway does: one OfferWritten per offer.
    auto journal = gateway::Journal::Open(dir.string());
    if (!journal.ok() || !journal.value()->Replay([](const StoreMutation&) {}).ok()) return 1;
    ManualClock clock(bench::DemoNow());
    MemoryStoreOptions options;
    options.log = journal.value().get();
    MemoryStore store(clock, options);
    const auto campaign = bench::MakeDemoCampaign(offers);
    std::promise<void> last;
    std::size_t left = campaign.offers.size();
    for (const auto& offer : campaign.offers) {
      store.CreateOffer(*offer, [&left, &last](Result<Offer> r) {
        if (!r.ok()) std::abort();
        if (--left == 0) last.set_value();
      });
    }
    last.get_future().wait();
  }
  const auto journal_bytes = std::filesystem::file_size(dir / "journal.log");
  auto keys = gateway::KeyRing::Parse(R"([{"key":"bench-admin-key-000001","role":"admin"}])");
  gateway::AppOptions options;
  options.server.port = 0;
  options.server.threads = 1;
  options.data_dir = dir.string();
  const auto start = std::chrono::steady_clock::now();
  auto app = gateway::GatewayApp::Start(options, std::move(keys).value());
  const auto ready = std::chrono::steady_clock::now();
  if (!app.ok()) return 1;
  std::printf(
      "offers=%zu journal_bytes=%ju journal_records=%zu load_ms=%lld start_to_listening_ms=%lld\n",
      app.value()->startup().offers, static_cast<std::uintmax_t>(journal_bytes),
      app.value()->startup().journal_records,
      static_cast<long long>(app.value()->startup().load_millis),
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(ready - start).count()));
  (void)app.value()->Stop();
  std::filesystem::remove_all(dir);
  return 0;
}
