// Engine benchmarks (Google Benchmark). Figures and the command that produced them are in
// bench/README.md. Goals (docs/design.md §6): quote at 10,000 offers ≤ 5 µs median; quote at
// 100,000 ≤ 2× quote at 1,000; 1,000,000 unique codes ≤ 3 s.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "demo_catalog.h"
#include "uudai/catalog.h"
#include "uudai/clock.h"
#include "uudai/memory_store.h"
#include "uudai/quote.h"
#include "uudai/redemption.h"
#include "uudai/unique_code.h"

namespace uudai::bench {
namespace {

// Catalogs and carts are built once per size and shared by every run of that size.
struct QuoteFixture {
  DemoCampaign campaign;
  std::shared_ptr<const CatalogSnapshot> snapshot;
  std::vector<Cart> carts;
};

const QuoteFixture& FixtureFor(std::size_t offers) {
  static std::map<std::size_t, QuoteFixture> fixtures;
  auto [it, inserted] = fixtures.try_emplace(offers);
  if (inserted) {
    QuoteFixture& f = it->second;
    f.campaign = MakeDemoCampaign(offers);
    f.snapshot = CatalogSnapshot::Build(f.campaign.offers);
    std::mt19937_64 rng(7);
    for (int i = 0; i < 4096; ++i) f.carts.push_back(MakeRandomCart(f.campaign, rng));
  }
  return it->second;
}

class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : rng_(seed) {}
  void Fill(std::span<std::uint8_t> out) override {
    std::size_t i = 0;
    for (; i + 8 <= out.size(); i += 8) {
      const std::uint64_t v = rng_();
      std::memcpy(out.data() + i, &v, 8);
    }
    for (; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(rng_());
  }

 private:
  std::mt19937_64 rng_;
};

// Quote of a random 5-item cart at a random shop against a catalog of N active offers.
void BM_Quote(benchmark::State& state) {
  const QuoteFixture& f = FixtureFor(static_cast<std::size_t>(state.range(0)));
  const ManualClock clock(DemoNow());
  MemoryStore store(clock, {});
  const QuoteEvaluator evaluator;
  std::size_t next = 0;
  std::int64_t applied = 0;
  for (auto _ : state) {
    const Cart& cart = f.carts[next++ & 4095];
    Quote quote = evaluator.Evaluate(*f.snapshot, cart, DemoNow(), store.usage());
    applied += static_cast<std::int64_t>(quote.applied.size());
    benchmark::DoNotOptimize(quote);
  }
  state.counters["offers_applied_per_quote"] =
      static_cast<double>(applied) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Quote)->ArgName("offers")->Arg(1'000)->Arg(10'000)->Arg(100'000);

// Building the indexed snapshot from scratch (start-up).
// A catalog of N offers built from scratch (start-up), its tasks run in turn (threads: 1) or
// on two threads, as start-up runs them on a machine of two cores. The snapshot is dropped
// outside the timing.
void BM_CatalogBuild(benchmark::State& state) {
  const QuoteFixture& f = FixtureFor(static_cast<std::size_t>(state.range(0)));
  const bool two_threads = state.range(1) == 2;
  auto on_two_threads = [](const CatalogSnapshot::Tasks& tasks) {
    std::atomic<std::size_t> next{0};
    auto work = [&] {
      for (std::size_t i; (i = next.fetch_add(1)) < tasks.size();) tasks[i]();
    };
    std::thread second(work);
    work();
    second.join();
  };
  for (auto _ : state) {
    auto snapshot = CatalogSnapshot::Build(
        f.campaign.offers, two_threads ? CatalogSnapshot::RunTasks(on_two_threads) : nullptr);
    benchmark::DoNotOptimize(snapshot);
    state.PauseTiming();
    snapshot.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_CatalogBuild)
    ->ArgNames({"offers", "threads"})
    ->ArgsProduct({{1'000, 100'000, 1'000'000}, {1, 2}})
    ->Unit(benchmark::kMillisecond);

// One offer write (a patch, a pause or resume, or a new offer, in turn) applied to a catalog of
// N offers: the new snapshot derived from the current one, published, and the old one dropped,
// as Catalog::Apply does for every offer write. Counters: p50 and p99 of one write, µs.
void BM_CatalogWrite(benchmark::State& state) {
  const std::size_t offers = static_cast<std::size_t>(state.range(0));
  const DemoCampaign campaign = MakeDemoCampaign(offers);
  constexpr std::size_t kWrites = 20'000;
  std::mt19937_64 rng(11);
  std::vector<std::shared_ptr<const Offer>> changes;
  std::map<std::size_t, std::int64_t> versions;
  for (std::size_t n = 0; n < kWrites; ++n) {
    if (n % 4 == 3) {
      auto created = std::make_shared<Offer>(*campaign.offers[rng() % offers]);
      created->id = "o-new-" + std::to_string(n);
      created->version = 1;
      changes.push_back(std::move(created));
      continue;
    }
    const std::size_t i = rng() % offers;
    auto changed = std::make_shared<Offer>(*campaign.offers[i]);
    auto [it, inserted] = versions.try_emplace(i, changed->version);
    changed->version = ++it->second;
    if (n % 4 == 1) changed->status = OfferStatus::kPaused;
    if (n % 4 == 0) changed->discount.value += 1;
    changes.push_back(std::move(changed));
  }
  Catalog catalog;
  catalog.Reset(campaign.offers);
  std::vector<double> micros;
  micros.reserve(kWrites);
  std::size_t next = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    catalog.Apply({changes[next++ % kWrites]});
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  state.counters["offers_after"] = static_cast<double>(catalog.Current()->size());
}
BENCHMARK(BM_CatalogWrite)
    ->ArgName("offers")
    ->Arg(1'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(20'000);

// Reserve then commit one redemption on MemoryStore (no journal): the store's own cost.
void BM_ReserveCommit(benchmark::State& state) {
  const ManualClock clock(DemoNow());
  MemoryStore store(clock, {});
  Offer offer;
  offer.id = "o-bench";
  offer.merchant_id = "shop-1";
  offer.name = "bench";
  offer.discount = Discount::Fixed(10'000);
  offer.limits.per_shopper = 1'000'000'000;
  offer.starts_at = *ParseRfc3339("2026-10-01T00:00:00+07:00");
  offer.ends_at = *ParseRfc3339("2026-11-01T00:00:00+07:00");
  store.CreateOffer(offer, [](Result<Offer> r) {
    if (!r.ok()) std::abort();
  });
  Cart cart{"s-1", "shop-1", PaymentMethod::kMomo, 20'000, {{"sku", "cat", 100'000, 1}}, {}, {}};
  Quote quote;
  quote.subtotal = 100'000;
  quote.shipping_fee = 20'000;
  quote.discount_total = 10'000;
  quote.applied.push_back({store.FindOffer("o-bench"), std::nullopt, 10'000});
  std::int64_t n = 0;
  for (auto _ : state) {
    const std::string id = "r-" + std::to_string(n++);
    RedemptionIntent intent{id, "order-" + id, DemoNow()};
    CreateRedemptionRequest request{PlanRedemption(cart, quote, intent), std::nullopt};
    bool ok = false;
    store.CreateRedemption(std::move(request),
                           [&ok](Result<CreateRedemptionOutcome> r) { ok = r.ok(); });
    store.TransitionRedemption(id, RedemptionAction::kCommit,
                               [&ok](Result<Redemption> r) { ok = ok && r.ok(); });
    if (!ok) state.SkipWithError("reserve+commit failed");
  }
}
BENCHMARK(BM_ReserveCommit);

// Each offer of `f` in `store`, with 3 committed redemptions at different hours (the last 3
// before DemoNow) and payment methods, from 5,000 shoppers.
void FillCampaign(MemoryStore& store, const QuoteFixture& f) {
  std::int64_t n = 0;
  for (const auto& offer : f.campaign.offers) {
    store.CreateOffer(*offer, [](Result<Offer> r) {
      if (!r.ok()) std::abort();
    });
    for (int i = 0; i < 3; ++i) {
      const std::string id = "r-" + std::to_string(n++);
      Cart cart{"s-" + std::to_string(n % 5000),
                offer->merchant_id,
                static_cast<PaymentMethod>(n % kPaymentMethodCount),
                0,
                {{"sku", "cat", 100'000, 1}},
                {},
                {}};
      Quote quote;
      quote.subtotal = 100'000;
      quote.discount_total = 1'000;
      quote.applied.push_back({offer, std::nullopt, 1'000});
      RedemptionIntent intent{id, "order-" + id, Timestamp{DemoNow().millis - i * kMillisPerHour},
                              kMillisPerDay, true};
      store.CreateRedemption({PlanRedemption(cart, quote, intent), std::nullopt},
                             [](Result<CreateRedemptionOutcome> r) {
                               if (!r.ok()) std::abort();
                             });
    }
  }
}

// Campaign stats over N offers, each with 3 committed redemptions (at different hours and
// payment methods): docs/design.md §6 asks that reading them costs milliseconds, not a ledger scan.
// Arg 1: 0 = totals only, 1 = group_by offer, 2 = group_by day, 3 = group_by merchant.
// Arg 2: 0 = no range, 1 = a range holding all of it (the campaign's dates), 2 = a range
// cutting through it (all but its first hour: unique shoppers merged from the hours' sets).
void BM_CampaignStats(benchmark::State& state) {
  const QuoteFixture& f = FixtureFor(static_cast<std::size_t>(state.range(0)));
  const ManualClock clock(DemoNow());
  MemoryStore store(clock, {});
  FillCampaign(store, f);
  constexpr CampaignGrouping kGroupings[] = {CampaignGrouping::kNone, CampaignGrouping::kOffer,
                                             CampaignGrouping::kDay, CampaignGrouping::kMerchant};
  CampaignQuery query;
  query.group_by = kGroupings[state.range(1)];
  if (state.range(2) == 1) {
    query.from = Timestamp{DemoNow().millis - 30 * kMillisPerDay};
    query.to = Timestamp{DemoNow().millis + kMillisPerDay};
  } else if (state.range(2) == 2) {
    query.from = Timestamp{DemoNow().millis - 90 * kMillisPerMinute};
    query.to = Timestamp{DemoNow().millis + kMillisPerHour};
  }
  std::size_t groups = 0;
  std::int64_t shoppers = 0;
  for (auto _ : state) {
    store.GetCampaignStats(query, [&](Result<CampaignStats> stats) {
      if (!stats.ok()) std::abort();
      groups = stats->groups.size();
      shoppers = stats->unique_shoppers;
    });
  }
  state.counters["groups"] = static_cast<double>(groups);
  state.counters["shoppers"] = static_cast<double>(shoppers);
  state.counters["redemptions"] = static_cast<double>(3 * f.campaign.offers.size());
}
BENCHMARK(BM_CampaignStats)
    ->ArgNames({"offers", "group_by", "range"})
    ->ArgsProduct({{1'000, 10'000}, {0, 1, 2, 3}, {0}})
    ->ArgsProduct({{10'000}, {0, 2}, {1, 2}})
    ->Unit(benchmark::kMicrosecond);

// Issuing N unique codes (generation only; the store insert is measured by the gateway).
void BM_GenerateUniqueCodes(benchmark::State& state) {
  SeededRandom random(1);
  for (auto _ : state) {
    auto codes = GenerateUniqueCodes(random, static_cast<std::size_t>(state.range(0)));
    benchmark::DoNotOptimize(codes);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_GenerateUniqueCodes)->ArgName("codes")->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Generating and recording N codes in a MemoryStore, as issuing does.
void BM_IssueUniqueCodes(benchmark::State& state) {
  SeededRandom random(2);
  const ManualClock clock(DemoNow());
  std::unique_ptr<MemoryStore> store;
  for (auto _ : state) {
    state.PauseTiming();
    store = std::make_unique<MemoryStore>(clock, MemoryStoreOptions{});
    Offer offer;
    offer.id = "o-codes";
    offer.merchant_id = "shop-1";
    offer.name = "codes";
    offer.code_mode = CodeMode::kUnique;
    offer.discount = Discount::Fixed(10'000);
    store->CreateOffer(offer, [](Result<Offer>) {});
    state.ResumeTiming();
    auto codes = GenerateUniqueCodes(random, static_cast<std::size_t>(state.range(0)));
    store->IssueCodes("o-codes", std::move(codes), [&state](Result<IssuedCodes> r) {
      if (!r.ok()) state.SkipWithError("issue failed");
    });
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_IssueUniqueCodes)->ArgName("codes")->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Registering N offers in a MemoryStore by batches of 10,000, as start-up and POST
// /v1/offers/batch do: the time, and the resident memory it grew by, per offer.
void BM_RegisterOffers(benchmark::State& state) {
  const std::size_t count = static_cast<std::size_t>(state.range(0));
  const DemoCampaign campaign = MakeDemoCampaign(count);
  static const ManualClock clock(DemoNow());
  auto resident_bytes = [] {
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
      std::fclose(f);
    }
    return static_cast<double>(resident) * 4096.0;
  };
  double grew = 0;
  for (auto _ : state) {
    std::vector<std::vector<Offer>> batches;
    for (std::size_t i = 0; i < count; i += 10'000) {
      auto& batch = batches.emplace_back();
      for (std::size_t j = i; j < std::min(i + 10'000, count); ++j) {
        batch.push_back(*campaign.offers[j]);
      }
    }
    const double before = resident_bytes();
    auto store = std::make_unique<MemoryStore>(clock, MemoryStoreOptions{});
    const auto started = std::chrono::steady_clock::now();
    for (auto& batch : batches) {
      store->CreateOffers(std::move(batch), [](Result<std::vector<Offer>> r) {
        if (!r.ok()) std::abort();
      });
    }
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    grew = resident_bytes() - before;
    state.PauseTiming();
    store.reset();
    state.ResumeTiming();
  }
  state.counters["rss_bytes_per_offer"] = grew / static_cast<double>(count);
}
BENCHMARK(BM_RegisterOffers)
    ->ArgName("offers")
    ->Arg(1'000'000)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// A page of GET /v1/offers from a MemoryStore of N offers (the embedded store, and every
// Redis gateway's view): 100 offers after a random cursor, of every shop (shop: 0) or of the
// cursor's own shop (shop: 1). Before the store kept its offers sorted, each page sorted them
// all (Store::ListOffers, kept as the page of a store that does not override it: listed as
// sorted: 1).
void BM_OfferListPage(benchmark::State& state) {
  const std::size_t count = static_cast<std::size_t>(state.range(0));
  const bool by_shop = state.range(1) == 1;
  const bool sorted_per_page = state.range(2) == 1;
  static std::map<std::size_t, std::unique_ptr<MemoryStore>> stores;
  static const ManualClock clock(DemoNow());
  auto& store = stores[count];
  if (store == nullptr) {
    store = std::make_unique<MemoryStore>(clock, MemoryStoreOptions{});
    const DemoCampaign campaign = MakeDemoCampaign(count);
    for (std::size_t i = 0; i < campaign.offers.size(); i += 10'000) {
      std::vector<Offer> batch;
      for (std::size_t j = i; j < std::min(i + 10'000, campaign.offers.size()); ++j) {
        batch.push_back(*campaign.offers[j]);
      }
      store->CreateOffers(std::move(batch), [](Result<std::vector<Offer>> r) {
        if (!r.ok()) std::abort();
      });
    }
  }
  const auto all = store->AllOffers();
  std::mt19937_64 rng(3);
  std::size_t listed = 0;
  for (auto _ : state) {
    const Offer& from = *all[rng() % all.size()];
    OfferListQuery query;
    query.after_id = from.id;
    if (by_shop) query.merchant_id = from.merchant_id;
    const OfferListPage page =
        sorted_per_page ? store->Store::ListOffersPage(query) : store->ListOffersPage(query);
    listed += page.offers.size();
    benchmark::DoNotOptimize(page);
  }
  state.counters["offers_per_page"] =
      static_cast<double>(listed) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_OfferListPage)
    ->ArgNames({"offers", "shop", "sorted"})
    ->ArgsProduct({{1'000, 1'000'000}, {0, 1}, {0}})
    ->Args({1'000, 0, 1})
    ->Args({1'000'000, 0, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace uudai::bench

BENCHMARK_MAIN();
