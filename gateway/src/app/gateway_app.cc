#include "app/gateway_app.h"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "api/api.h"
#include "api/new_id.h"
#include "app/demo_campaign.h"
#include "app/expiry_sweeper.h"
#include "app/redis_metrics.h"
#include "app/system_sources.h"
#include "delivery/webhook_dispatcher.h"
#include "json/checkout_json.h"
#include "ops/access_log.h"
#include "ops/metrics.h"
#include "ops/process_memory.h"
#include "redis/redis_client_pool.h"
#include "redis/redis_url.h"
#include "store/journal/journal.h"
#include "store/journal/journal_compaction.h"
#include "store/redis/log_watcher.h"
#include "store/redis/redis_store.h"
#include "store/redis/spread_store.h"
#include "uudai/memory_store.h"

namespace uudai::gateway {

extern const std::string_view kOpenApiYaml;

namespace {

// Reservations per Store::ExpireDue call of a sweep, which goes on while a call expired that
// many. MemoryStore expires them in one pass; RedisStore in script calls of its own bound.
constexpr std::size_t kExpiriesPerStoreCall = 10'000;

// Runs `tasks` on every core: start-up builds the catalog before the server takes its first
// request, while the cores have nothing else to do.
void RunOnEveryCore(const CatalogSnapshot::Tasks& tasks) {
  std::atomic<std::size_t> next{0};
  auto work = [&tasks, &next] {
    for (std::size_t i; (i = next.fetch_add(1)) < tasks.size();) tasks[i]();
  };
  const std::size_t more_threads =
      std::min<std::size_t>(tasks.size(), std::max(1U, std::thread::hardware_concurrency())) - 1;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < more_threads; ++t) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();
}

}  // namespace

GatewayApp::GatewayApp(AppOptions options, KeyRing keys)
    : options_(std::move(options)), keys_(std::move(keys)) {}

GatewayApp::~GatewayApp() {
  (void)Stop();
  webhooks_.reset();
  // Whatever holds Redis connections (the store, the pool) goes before the server's
  // io_contexts, which the connections' timers and sockets belong to.
  api_.reset();
  store_.reset();
  redis_.reset();
  server_.reset();
}

std::uint16_t GatewayApp::port() const { return server_->port(); }

Result<std::unique_ptr<GatewayApp>> GatewayApp::Start(AppOptions options, KeyRing keys) {
  std::unique_ptr<GatewayApp> app(new GatewayApp(std::move(options), std::move(keys)));
  const AppOptions& o = app->options_;
  if (o.clock == nullptr) app->own_clock_ = std::make_unique<SystemClock>();
  app->clock_ = o.clock != nullptr ? o.clock : app->own_clock_.get();
  app->random_ = std::make_unique<SecureRandom>();
  const auto load_start = std::chrono::steady_clock::now();

  // The server comes first: its threads also run the Redis connections (one per thread), which
  // must be up before the store loads. It listens only once everything is ready (Start below),
  // so the handler never runs before api_ is set.
  app->metrics_ = std::make_unique<Metrics>();
  GatewayApp* self = app.get();
  ServerOptions server_options = o.server;
  server_options.bulk_paths = {std::string(kOfferBatchPath)};
  // Only a key that may register offers may send a batch-sized body (it is read before the
  // handler checks the key).
  server_options.bulk_admission = [self](std::string_view authorization) {
    constexpr std::string_view kBearer = "Bearer ";
    if (!authorization.starts_with(kBearer)) return false;
    const ApiKey* key = self->keys_.Authenticate(authorization.substr(kBearer.size()));
    return key != nullptr && (key->role == Role::kAdmin || key->role == Role::kMerchant);
  };
  app->server_ = std::make_unique<HttpServer>(
      server_options,
      [self](HttpRequest request, Respond respond) {
        const auto start = std::chrono::steady_clock::now();
        self->api_->Handle(request, [start, method = request.method, path = request.path,
                                     request_id = request.request_id,
                                     respond = std::move(respond)](HttpResponse response) {
          if (spdlog::should_log(spdlog::level::info)) {
            const double millis =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
            spdlog::info(AccessLogLine(request_id, method, path, response.status, millis));
          }
          respond(std::move(response));
        });
      },
      ConnectionHooks{.opened = [metrics = app->metrics_.get()] { metrics->ConnectionOpened(); },
                      .closed = [metrics = app->metrics_.get()] { metrics->ConnectionClosed(); }});

  Catalog& catalog = app->catalog_;
  auto offer_observer = [&catalog](const auto& changes) { catalog.Apply(changes); };
  // POST /v1/redemptions answers RedemptionJsonText of the created redemption, which the handler
  // leaves to the store: either renders it once the redemption is created (never for an
  // attempt it refuses) and keeps no copy of it in the idempotency record; replays render it
  // again from the redemption as created (in Redis, ~500 B of memory a redemption less).
  auto render_response = [zone = o.zone](const Redemption& created) {
    return RedemptionJsonText(created, zone);
  };
  std::function<void()> poll_redis;
  // Starts the stores' blocking reads of the change log; with the poll, once the catalog is
  // built.
  std::function<void()> watch_redis;
  if (!o.redis_url.empty()) {
    auto url = ParseRedisUrl(o.redis_url);
    if (!url.ok()) return url.status();
    RedisOptions redis_options;
    redis_options.url = std::move(url).value();
    redis_options.command_timeout = o.redis_command_timeout;
    redis_options.wait_replicas = o.redis_wait_replicas;
    redis_options.counters = std::make_shared<RedisCounters>();
    app->metrics_->AddSource(
        [counters = redis_options.counters] { return RenderRedisMetrics(*counters); });
    app->server_->StartThreads();
    app->redis_ = std::make_unique<RedisClientPool>(redis_options, app->server_->io_contexts());
    RedisClientPool& pool = *app->redis_;
    app->server_->OnDrained([&pool, app = app.get()] {
      // Stop holding the change log back before the connections close.
      if (app->redis_store_ != nullptr) app->redis_store_->Leave(std::chrono::seconds(1));
      if (app->spread_store_ != nullptr) app->spread_store_->Leave(std::chrono::seconds(1));
      pool.Stop();
    });
    // Other gateways' changes reach the view as soon as they are logged (LogWatcher), a
    // blocked read of the log on a connection of its own per shard.
    LogWatcherOptions watch;
    watch.block = o.redis_log_block;
    // Redis ends a block on its clock's tick (100 ms at the default hz): a margin of a second at
    // least, so that a block that timed out is never taken for a Redis that did not answer.
    const auto timeout =
        watch.block + std::max(o.redis_command_timeout, std::chrono::milliseconds(1000));
    boost::asio::io_context& watch_io = *app->server_->io_contexts().front();
    RedisStoreOptions store_options;
    store_options.key_prefix = o.redis_key_prefix;
    store_options.zone = o.zone;
    store_options.idempotency_retention_millis = o.idempotency_retention_millis;
    store_options.event_retention = o.event_retention;
    store_options.buckets = o.redis_buckets;
    store_options.connection_for_this_thread = &RedisClientPool::CurrentThreadConnection;
    store_options.render_response = render_response;
    auto layout = ShardLayout::Make(o.redis_key_prefix, o.redis_shards);
    if (!layout.ok()) return layout.status();
    // Nothing reads the log between Load and the first Poll, which starts with the server:
    // the catalog built below from AllOffers misses no change.
    if (layout->spread()) {
      SpreadStoreOptions spread_options;
      spread_options.store = store_options;
      auto store = std::make_unique<SpreadStore>(*app->clock_, spread_options, layout.value(),
                                                 app->redis_->connections());
      if (Status loaded = store->Load(std::chrono::seconds(30)); !loaded.ok()) return loaded;
      app->startup_.redis_buckets = store->buckets();
      app->metrics_->AddSource([store = store.get()] {
        return RenderRedisBucketMetrics(store->buckets(), store->bucket_fill());
      });
      store->SetOfferObserver(offer_observer);
      app->spread_store_ = store.get();
      poll_redis = [store = store.get()] { store->Poll(); };
      watch_redis = [store = store.get(), &pool, io = &watch_io, watch, timeout] {
        store->WatchLogs([&pool, timeout] { return pool.Dedicated(timeout); }, *io, watch);
      };
      app->store_ = std::move(store);
    } else {
      if (Status one = CheckShardCount(*app->redis_->connections().front(), layout.value(),
                                       std::chrono::seconds(30));
          !one.ok()) {
        return one;
      }
      auto store =
          std::make_unique<RedisStore>(*app->clock_, store_options, app->redis_->connections());
      if (Status loaded = store->Load(std::chrono::seconds(30)); !loaded.ok()) return loaded;
      app->startup_.redis_buckets = store->buckets();
      app->metrics_->AddSource([store = store.get()] {
        return RenderRedisBucketMetrics(store->buckets(), store->bucket_fill());
      });
      store->SetOfferObserver(offer_observer);
      app->redis_store_ = store.get();
      poll_redis = [store = store.get()] { store->Poll(); };
      watch_redis = [store = store.get(), &pool, io = &watch_io, watch, timeout] {
        store->WatchLog(pool.Dedicated(timeout), *io, watch);
      };
      app->store_ = std::move(store);
    }
  } else {
    MemoryStoreOptions store_options;
    store_options.zone = o.zone;
    store_options.idempotency_retention_millis = o.idempotency_retention_millis;
    store_options.event_retention = o.event_retention;
    store_options.render_response = render_response;
    if (!o.data_dir.empty()) {
      auto journal = Journal::Open(
          o.data_dir, o.journal_files != nullptr ? *o.journal_files : DefaultFileSystem(),
          o.journal_preallocation);
      if (!journal.ok()) return journal.status();
      app->journal_ = std::move(journal).value();
      store_options.log = app->journal_.get();
    }
    auto store = std::make_unique<MemoryStore>(*app->clock_, store_options);
    if (app->journal_) {
      MemoryStore& memory = *store;
      auto replayed =
          app->journal_->Replay([&memory](const StoreMutation& m) { memory.Replay(m); });
      if (!replayed.ok()) return replayed.status();
      app->startup_.journal_records = replayed->records;
      app->startup_.journal_bytes = replayed->bytes;
      app->startup_.torn_tail_bytes = replayed->torn_tail_bytes;
      auto compaction =
          CompactJournalIfWorthIt(*app->journal_, replayed.value(), memory, o.journal_compaction);
      if (!compaction.ok()) return compaction.status();
      app->startup_.compaction = compaction.value();
    }
    store->SetOfferObserver(offer_observer);
    app->store_ = std::move(store);
  }
  app->catalog_.Reset(app->store_->AllOffers(), RunOnEveryCore);
  if (o.demo) {
    const Timestamp now = app->clock_->Now();
    const int year = std::stoi(FormatLocalDay(o.zone.DayOf(now)).substr(0, 4));
    auto demo = LoadDemoCampaign(*app->store_, *app->random_, now, year);
    if (!demo.ok()) return demo.status();
    app->startup_.demo_codes = demo->unique_codes;
  }
  app->startup_.offers = app->catalog_.Current()->size();
  ReleaseFreedMemory();  // what the replay or catch-up decoded and freed
  app->startup_.load_millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - load_start)
                                  .count();

  auto webhook_policy = OutboundPolicy::Parse(o.webhook_allow);
  if (const auto* bad = std::get_if<std::string>(&webhook_policy)) {
    return Status(StatusCode::kValidation, "--webhook-allow: " + *bad);
  }
  ApiOptions api_options;
  api_options.webhook_policy = std::get<OutboundPolicy>(webhook_policy);
  api_options.zone = o.zone;
  api_options.reservation_ttl_millis = o.reservation_ttl_millis;
  api_options.openapi_yaml = std::string(kOpenApiYaml);
  api_options.run_after = [io = app->server_->io_contexts().front()](
                              std::chrono::milliseconds delay, std::function<void()> run) {
    auto timer = std::make_shared<boost::asio::steady_timer>(*io, delay);
    timer->async_wait([timer, run = std::move(run)](const boost::system::error_code&) { run(); });
  };
  // Every gateway delivers webhooks; with Redis, each webhook's lease makes one of them do it.
  WebhookDispatcherOptions delivery;
  delivery.owner = NewId(*app->random_, "gw");
  delivery.zone = o.zone;
  delivery.poll_interval = o.webhook_poll_interval;
  delivery.first_backoff = o.webhook_first_backoff;
  delivery.retry_period = o.webhook_retry_period;
  // Longer than a step may take (read the events, deliver one, record it), so that a live
  // deliverer never loses its lease mid-way.
  delivery.lease = o.webhook_timeout + 2 * o.redis_command_timeout + std::chrono::seconds(5);
  delivery.client.policy = std::get<OutboundPolicy>(webhook_policy);
  delivery.client.extra_ca_file = o.webhook_ca_file;
  delivery.client.total_timeout = o.webhook_timeout;
  delivery.client.connect_timeout = std::min(o.webhook_timeout, delivery.client.connect_timeout);
  app->webhooks_ =
      std::make_unique<WebhookDispatcher>(*app->store_, *app->clock_, std::move(delivery));
  app->metrics_->AddSource(
      [dispatcher = app->webhooks_.get()] { return dispatcher->RenderMetrics(); });
  app->api_ = std::make_unique<Api>(*app->store_, app->catalog_, app->keys_, *app->clock_,
                                    *app->random_, *app->metrics_, api_options);
  if (auto refused = app->server_->Start()) return Status(StatusCode::kUnavailable, *refused);
  app->webhooks_->Start();
  Store& store = *app->store_;
  if (poll_redis) {
    app->server_->RunEvery(o.redis_poll_interval, std::move(poll_redis));
    if (o.redis_log_block.count() > 0) watch_redis();
  }
  // Every gateway expires what is due; with Redis the script makes each expiry happen once. A
  // tick while the last sweep still runs (a backlog) starts none.
  app->expiry_ = std::make_unique<ExpirySweeper>(store, kExpiriesPerStoreCall);
  app->server_->RunEvery(o.expiry_interval, [sweeper = app->expiry_.get()] {
    sweeper->Sweep([](Result<std::size_t> expired) {
      if (expired.ok() && expired.value() > 0) {
        spdlog::info("expired {} reservations", expired.value());
      }
    });
  });
  return app;
}

Status GatewayApp::Stop() {
  if (stopped_) return Status::Ok();
  stopped_ = true;
  if (webhooks_) webhooks_->Stop();
  if (expiry_) expiry_->Stop();
  if (server_) server_->Stop();
  if (journal_) return journal_->Flush();
  return Status::Ok();
}

}  // namespace uudai::gateway
