#include "serve_command.h"

#include <csignal>
#include <ctime>
#include <thread>

#include <spdlog/spdlog.h>

#include "api.h"
#include "demo_campaign.h"
#include "http_server.h"
#include "journal.h"
#include "key_ring.h"
#include "metrics.h"
#include "system_sources.h"
#include "uudai/memory_store.h"

namespace uudai::gateway {

extern const std::string_view kOpenApiYaml;

namespace {

bool SplitListen(const std::string& listen, std::string& host, std::uint16_t& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  try {
    const int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<std::uint16_t>(p);
  } catch (const std::exception&) {
    return false;
  }
  return !host.empty();
}

int CurrentYear(Timestamp now, const CampaignZone& zone) {
  return std::stoi(FormatLocalDay(zone.DayOf(now)).substr(0, 4));
}

}  // namespace

int RunServe(const ServeConfig& config) {
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  if (config.redis_url) {
    spdlog::error(
        "--redis is not available in this build yet (issue 4); run without it to use "
        "the embedded store");
    return 2;
  }
  auto keys = KeyRing::Load(config.keys_file);
  if (!keys.ok()) {
    spdlog::error("keys file {}: {}", config.keys_file, keys.status().message());
    for (const auto& e : keys.status().field_errors()) spdlog::error("  {}: {}", e.path, e.message);
    return 2;
  }
  std::string host;
  std::uint16_t port = 0;
  if (!SplitListen(config.listen, host, port)) {
    spdlog::error("--listen must be HOST:PORT, got {}", config.listen);
    return 2;
  }
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  SystemClock clock;
  SecureRandom random;
  const CampaignZone zone(config.zone_offset_minutes);
  const auto started = std::chrono::steady_clock::now();

  auto journal = Journal::Open(config.data_dir);
  if (!journal.ok()) {
    spdlog::error("{}", journal.status().message());
    return 1;
  }
  MemoryStoreOptions store_options;
  store_options.zone = zone;
  store_options.log = journal.value().get();
  MemoryStore store(clock, store_options);
  auto replayed = journal.value()->Replay([&store](const StoreMutation& m) { store.Replay(m); });
  if (!replayed.ok()) {
    spdlog::error("{}", replayed.status().message());
    return 1;
  }
  if (replayed->torn_tail_bytes > 0) {
    spdlog::warn("journal: cut {} bytes of an incomplete last record", replayed->torn_tail_bytes);
  }
  Catalog catalog;
  catalog.Reset(store.ListOffers());
  store.SetOfferObserver([&catalog](const auto& changes) { catalog.Apply(changes); });
  if (config.demo) {
    auto demo = LoadDemoCampaign(store, random, clock.Now(), CurrentYear(clock.Now(), zone));
    if (!demo.ok()) {
      spdlog::error("demo campaign: {}", demo.status().message());
      return 1;
    }
    if (demo->offers > 0) {
      spdlog::info("demo campaign: {} offers; unique codes for demo-thoitrang-50k: {}",
                   demo->offers, fmt::join(demo->unique_codes, " "));
    }
  }
  const auto loaded = std::chrono::steady_clock::now();

  Metrics metrics;
  ApiOptions api_options;
  api_options.zone = zone;
  api_options.reservation_ttl_millis = config.reservation_ttl_seconds * 1000;
  api_options.openapi_yaml = std::string(kOpenApiYaml);
  Api api(store, catalog, keys.value(), clock, random, metrics, api_options);

  ServerOptions server_options;
  server_options.address = host;
  server_options.port = port;
  server_options.threads =
      config.threads > 0 ? config.threads
                         : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  server_options.body_limit = config.body_limit;
  server_options.max_connections = config.max_connections;
  HttpServer server(
      server_options,
      [&api, &metrics](HttpRequest request, Respond respond) {
        const auto start = std::chrono::steady_clock::now();
        auto route = api.RouteLabel(request);
        auto log_line = request.method + " " + request.path;
        auto request_id = request.request_id;
        api.Handle(request, [&metrics, start, route = std::move(route),
                             log_line = std::move(log_line), request_id = std::move(request_id),
                             respond = std::move(respond)](HttpResponse response) {
          const double seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          metrics.ObserveRequest(route, response.status, seconds);
          // Access log: never a key, a secret or a body.
          spdlog::info("{} {} {} {:.3f}ms", request_id, log_line, response.status, seconds * 1e3);
          respond(std::move(response));
        });
      },
      metrics);
  if (Status started_server = server.Start(); !started_server.ok()) {
    spdlog::error("{}", started_server.message());
    return 1;
  }
  // Reservation expiry in the background.
  server.RunEvery(std::chrono::milliseconds(1000), [&store] {
    store.ExpireDue(10'000, [](Result<std::size_t> expired) {
      if (expired.ok() && expired.value() > 0)
        spdlog::info("expired {} reservations", expired.value());
    });
  });
  spdlog::info(
      "uudai serving on {}:{} | store: embedded ({}; {} journal records replayed, {} offers) | "
      "threads: {} | keys: {} | reservation TTL: {} s | zone: UTC{:+03d}:{:02d} | body limit: "
      "{} B | started in {} ms",
      host, server.port(), config.data_dir, replayed->records, store.ListOffers().size(),
      server_options.threads, keys->size(), config.reservation_ttl_seconds,
      config.zone_offset_minutes / 60, std::abs(config.zone_offset_minutes % 60), config.body_limit,
      std::chrono::duration_cast<std::chrono::milliseconds>(loaded - started).count());

  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("received {}, draining", signal == SIGINT ? "SIGINT" : "SIGTERM");
  server.Stop();
  if (Status flushed = journal.value()->Flush(); !flushed.ok()) {
    spdlog::error("{}", flushed.message());
    return 1;
  }
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace uudai::gateway
