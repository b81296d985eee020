#include "store/redis/spread_store.h"

#include <algorithm>
#include <future>
#include <mutex>
#include <thread>
#include <utility>

#include "store/redis/ask_every_shard.h"
#include "store/redis/cross_shard_create.h"
#include "store/redis/event_merger.h"
#include "store/redis/gather.h"
#include "store/redis/offer_holds.h"
#include "store/redis/saga_sweeper.h"
#include "store/redis/spread_stats.h"
#include "store/redis/spread_usage.h"
#include "store/redis/steady_millis.h"

namespace uudai::gateway {

SpreadStore::SpreadStore(const Clock& clock, SpreadStoreOptions options, const ShardLayout& layout,
                         std::vector<std::shared_ptr<RedisClient>> connections)
    : clock_(clock),
      options_(std::move(options)),
      layout_(layout),
      connection_(connections.front()) {
  std::vector<std::string> prefixes;
  std::vector<const UsageView*> views;
  for (std::size_t k = 0; k < layout_.size(); ++k) {
    RedisStoreOptions shard_options = options_.store;
    shard_options.key_prefix = layout_.prefix(k);
    if (k > 0) shard_options.limit_share = LimitShare{k - 1, layout_.data_shards()};
    shards_.push_back(std::make_unique<RedisStore>(clock_, shard_options, connections));
    // Every data shard's view tells which offers are hot, then the caller's observer.
    if (k > 0) {
      shards_.back()->SetOfferObserver(
          [this](const std::vector<std::shared_ptr<const Offer>>& offers) {
            NoteOffers(offers);
            if (observer_) observer_(offers);
          });
    }
    holds_.push_back(
        std::make_shared<OfferHolds>(connections.front(), layout_.prefix(k), options_.store.zone));
    saga_shards_.push_back(SagaShard{layout_.name(k), shards_.back().get(), holds_.back()});
    prefixes.push_back(layout_.prefix(k));
    if (k > 0) views.push_back(&shards_.back()->usage());  // the hub counts nothing
  }
  // Holds and queued releases are the data shards'.
  sweeper_ = std::make_unique<SagaSweeper>(
      std::vector<SagaShard>(saga_shards_.begin() + 1, saga_shards_.end()));
  merger_ = std::make_unique<EventMerger>(connections.front(), std::move(prefixes));
  usage_ = std::make_unique<SpreadUsage>(std::move(views));
}

SpreadStore::~SpreadStore() {
  // A repair of shares (Poll's) calls back into this store: let it finish first. Each of its
  // calls ends by the command timeout at the latest.
  WaitForRepair(std::chrono::milliseconds(30'000));
}

void SpreadStore::WaitForRepair(std::chrono::milliseconds timeout) {
  if (repair_stopped_) return;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Taken, so that no Poll starts another.
  while (repairing_->exchange(true)) {
    if (std::chrono::steady_clock::now() >= deadline) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  repair_stopped_ = true;
}

Status CheckShardCount(RedisClient& client, const ShardLayout& layout,
                       std::chrono::milliseconds timeout, bool record) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string count = std::to_string(layout.data_shards());
  // SET ... NX GET: records the count unless one is recorded, and answers the one before.
  std::vector<std::string> argv = {"GET", layout.shards_key()};
  if (layout.spread() && record) argv = {"SET", layout.shards_key(), count, "NX", "GET"};
  // Asked again while Redis cannot answer (the connection still starting), until `timeout`.
  for (;;) {
    auto answer = std::make_shared<std::promise<Result<RedisReply>>>();
    auto future = answer->get_future();
    client.Command(argv,
                   [answer](Result<RedisReply> reply) { answer->set_value(std::move(reply)); });
    if (future.wait_until(deadline) != std::future_status::ready) {
      return Status(StatusCode::kUnavailable, "Redis did not answer in time");
    }
    const Result<RedisReply> reply = future.get();
    if (!reply.ok() || reply->is_error()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        return Status(StatusCode::kUnavailable,
                      reply.ok() ? reply->str() : reply.status().message());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (reply->is_nil() && layout.spread() && !record) {
      return Status(StatusCode::kInternal,
                    "no store under this prefix is spread over data shards: leave --redis-shards "
                    "out, or give the prefix its gateways use");
    }
    if (reply->is_nil() || reply->str() == count) return Status::Ok();
    return Status(StatusCode::kInternal,
                  "the store under this prefix is spread over " + reply->str() +
                      " data shards: start every gateway with --redis-shards " + reply->str());
  }
}

Status SpreadStore::Load(std::chrono::milliseconds timeout) {
  if (Status checked = CheckShardCount(*connection_, layout_, timeout); !checked.ok()) {
    return checked;
  }
  for (auto& shard : shards_) {
    if (Status loaded = shard->Load(timeout); !loaded.ok()) return loaded;
  }
  return Status::Ok();
}

std::uint32_t SpreadStore::buckets() const { return shards_.front()->buckets(); }

std::uint64_t SpreadStore::bucket_fill() const {
  std::uint64_t fullest = 0;
  for (const auto& shard : shards_) fullest = std::max(fullest, shard->bucket_fill());
  return fullest;
}

void SpreadStore::Poll() {
  for (auto& shard : shards_) shard->Poll();
  const std::int64_t now = SteadyMillis();
  std::int64_t last = last_merge_millis_.load();
  if (now - last >= options_.merge_interval_millis &&
      last_merge_millis_.compare_exchange_strong(last, now)) {
    merger_->Merge(
        kEventsPerMerge, [](Result<std::size_t>) {}, /*leased=*/true);
  }
  last = last_sweep_millis_.load();
  if (now - last >= options_.sweep_interval_millis &&
      last_sweep_millis_.compare_exchange_strong(last, now) && !sweeping_->exchange(true)) {
    sweeper_->Sweep(kSweepBatch, [sweeping = sweeping_](Result<SagaSweep>) { *sweeping = false; });
  }
  last = last_repair_millis_.load();
  if (now - last >= options_.share_repair_interval_millis &&
      last_repair_millis_.compare_exchange_strong(last, now) && !repairing_->exchange(true)) {
    RepairShares();
  }
}

void SpreadStore::Leave(std::chrono::milliseconds timeout) {
  WaitForRepair(timeout);
  for (auto& shard : shards_) shard->Leave(timeout);
}

void SpreadStore::WatchLogs(const std::function<std::shared_ptr<RedisClient>()>& new_connection,
                            boost::asio::io_context& io, const LogWatcherOptions& options) {
  for (auto& shard : shards_) shard->WatchLog(new_connection(), io, options);
}

// --- Stats, events, webhooks ----------------------------------------------------------------

void SpreadStore::GetOfferStats(std::string offer_id, Completion<OfferStats> done) {
  FindOfferCaughtUp(offer_id, [this, offer_id, done = std::move(done)](
                                  Result<std::shared_ptr<const Offer>> found) mutable {
    if (!found.ok()) return done(found.status());
    std::shared_ptr<const Offer> offer = found.value();
    if (offer == nullptr) {
      return done(Status(StatusCode::kNotFound, "offer " + offer_id + " does not exist"));
    }
    auto gather = MakeGather<OfferStats, OfferStats>(
        data_shards().size(),
        [this, offer](std::vector<OfferStats> parts) -> Result<OfferStats> {
          OfferStats sum = SumOfferStats(parts);
          // Remaining figures from the offer's use over every shard.
          const OfferUsage used = usage_->UsageOf(*offer, "", LocalDay{});
          sum.remaining_redemptions.reset();
          sum.remaining_budget.reset();
          if (offer->limits.total_redemptions) {
            sum.remaining_redemptions =
                std::max<std::int64_t>(0, *offer->limits.total_redemptions - used.redemptions);
          }
          if (offer->limits.total_budget) {
            sum.remaining_budget =
                std::max<Money>(0, *offer->limits.total_budget - used.budget_spent);
          }
          return sum;
        },
        std::move(done));
    for (std::size_t k = 0; k < data_shards().size(); ++k) {
      data_shards()[k]->GetCountedOfferStats(offer_id, offer->limits, gather->Slot(k));
    }
  });
}

void SpreadStore::GetCampaignStats(CampaignQuery query, Completion<CampaignStats> done) {
  auto gather = MakeGather<CampaignStats, CampaignStats>(
      data_shards().size(),
      [](std::vector<CampaignStats> parts) -> Result<CampaignStats> {
        return SumCampaignStats(parts);
      },
      std::move(done));
  for (std::size_t k = 0; k < data_shards().size(); ++k) {
    data_shards()[k]->GetCampaignStats(query, gather->Slot(k));
  }
}

void SpreadStore::ReadEvents(EventQuery query, Completion<EventPage> done) {
  // The other shards' events first, so that a reader sees what was just written anywhere
  // (read-your-writes, as with one shard). A merge already running (Poll's) is not waited for.
  merger_->Merge(kEventsPerMerge, [this, query = std::move(query),
                                   done = std::move(done)](Result<std::size_t>) mutable {
    shards_[0]->ReadEvents(std::move(query), std::move(done));
  });
}

void SpreadStore::CreateWebhook(Webhook webhook, Completion<Webhook> done) {
  shards_[0]->CreateWebhook(std::move(webhook), std::move(done));
}
void SpreadStore::ListWebhooks(std::optional<std::string> merchant_id,
                               Completion<std::vector<Webhook>> done) {
  shards_[0]->ListWebhooks(std::move(merchant_id), std::move(done));
}
void SpreadStore::DeleteWebhook(std::string id, Completion<Webhook> done) {
  shards_[0]->DeleteWebhook(std::move(id), std::move(done));
}
void SpreadStore::RecordWebhookAttempt(std::string id, std::uint64_t rewinds,
                                       DeliveryAttempt attempt, Completion<Webhook> done) {
  shards_[0]->RecordWebhookAttempt(std::move(id), rewinds, std::move(attempt), std::move(done));
}
void SpreadStore::ReadWebhookDeliveries(std::string id, std::size_t limit,
                                        Completion<std::vector<DeliveryAttempt>> done) {
  shards_[0]->ReadWebhookDeliveries(std::move(id), limit, std::move(done));
}
void SpreadStore::RewindWebhook(std::string id, std::uint64_t through, Completion<Webhook> done) {
  shards_[0]->RewindWebhook(std::move(id), through, std::move(done));
}
void SpreadStore::LeaseWebhook(std::string id, std::string owner, std::int64_t lease_millis,
                               Completion<bool> done) {
  shards_[0]->LeaseWebhook(std::move(id), std::move(owner), lease_millis, std::move(done));
}

const UsageView& SpreadStore::usage() const { return *usage_; }

bool SpreadStore::ready() const {
  return std::all_of(shards_.begin(), shards_.end(),
                     [](const auto& shard) { return shard->ready(); });
}

}  // namespace uudai::gateway
