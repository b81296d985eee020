// Start-up time of the embedded store: journal replay (+ compaction) + catalog build for N
// offers, and optionally R redemptions. docs/design.md §6: start-up with 100,000 offers ≤ 1 s.
// Usage: startup_bench [offers] [edits per offer] [redemptions]   (defaults: 100000, 1, 0)
// The journal holds every offer's creation and then its edits (superseded records), then the
// redemptions as a gateway writes them: each with an idempotency claim whose response is the
// gateway's rendering, 70 % then committed, 20 % cancelled, 10 % left reserved (expired by
// the time uudai starts). uudai starts on it twice: the first start replays it and compacts it
// (when worth it, see gateway/src/store/journal/journal_compaction.h), the second replays the
// compacted journal. How long a gateway is down after a crash (kill -9) is the second figure.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>

#include <string>

#include "app/gateway_app.h"
#include "demo_catalog.h"
#include "json/checkout_json.h"
#include "store/journal/journal.h"
#include "uudai/clock.h"
#include "uudai/memory_store.h"

using namespace uudai;

namespace {

// `count` redemptions through `store`, as POST /v1/redemptions makes them (see the header),
// each of one offer of `campaign` for one of 200,000 shoppers. Waits until all are durable.
void WriteRedemptions(MemoryStore& store, const bench::DemoCampaign& campaign, std::size_t count) {
  std::promise<void> last;
  std::atomic<std::size_t> left = count;
  auto finished = [&left, &last] {
    if (--left == 0) last.set_value();
  };
  for (std::size_t n = 0; n < count; ++n) {
    // A shopper meets an offer again only after 200,000 × the offers redemptions: some demo
    // offers allow one redemption per shopper.
    const auto& offer = campaign.offers[(n + n / 200'000) % campaign.offers.size()];
    const std::string id = "rdm-" + std::to_string(1'000'000'000 + n);
    Cart cart{"shopper-" + std::to_string(n % 200'000),
              offer->merchant_id,
              static_cast<PaymentMethod>(n % kPaymentMethodCount),
              15'000,
              {{"sku-" + std::to_string(n % 977), "cat", 250'000, 1}},
              {},
              {}};
    Quote quote;
    quote.subtotal = 250'000;
    quote.shipping_fee = 15'000;
    quote.discount_total = 5'000;
    quote.applied.push_back({offer, std::nullopt, 5'000});
    RedemptionIntent intent{id, "order-" + std::to_string(n), bench::DemoNow()};
    Redemption planned = PlanRedemption(cart, quote, intent);
    IdempotencyClaim claim{"key-analyst\x1f" + id, std::string(64, 'f'),
                           gateway::RedemptionJsonText(planned, CampaignZone{})};
    const int kind = static_cast<int>(n % 10);  // 0-6 commit, 7-8 cancel, 9 stays reserved
    store.CreateRedemption({std::move(planned), std::move(claim)},
                           [&store, &finished, id, kind](Result<CreateRedemptionOutcome> r) {
                             if (!r.ok()) std::abort();
                             if (kind == 9) return finished();
                             store.TransitionRedemption(
                                 id,
                                 kind < 7 ? RedemptionAction::kCommit : RedemptionAction::kCancel,
                                 [&finished](Result<Redemption> t) {
                                   if (!t.ok()) std::abort();
                                   finished();
                                 });
                           });
  }
  if (count > 0) last.get_future().wait();
}

// Writes the journal the way a running gateway does: one OfferWritten per creation or edit,
// then the redemptions and their transitions.
bool WriteJournal(const std::filesystem::path& dir, std::size_t offers, std::size_t edits,
                  std::size_t redemptions) {
  auto journal = gateway::Journal::Open(dir.string());
  if (!journal.ok() || !journal.value()->Replay([](const StoreMutation&) {}).ok()) return false;
  ManualClock clock(bench::DemoNow());
  MemoryStoreOptions options;
  options.log = journal.value().get();
  options.render_response = [](const Redemption& created) {
    return gateway::RedemptionJsonText(created, CampaignZone{});
  };
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
  WriteRedemptions(store, campaign, redemptions);
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
  const std::size_t redemptions = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 0;
  const auto dir =
      std::filesystem::temp_directory_path() / ("uudai-startup-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const bool ok =
      WriteJournal(dir, offers, edits, redemptions) && StartOnce(dir, 1) && StartOnce(dir, 2);
  if (std::getenv("STARTUP_BENCH_KEEP") != nullptr) {  // e.g. to profile `uudai serve` on it
    std::printf("journal kept in %s\n", dir.c_str());
  } else {
    std::filesystem::remove_all(dir);
  }
  return ok ? 0 : 1;
}
