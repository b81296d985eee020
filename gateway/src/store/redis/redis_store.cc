#include "store/redis/redis_store.h"

#include <algorithm>

#include "store/redis/log_watcher.h"
#include "store/redis/redis_store_codec.h"
#include "store/redis/redis_store_core.h"
#include "store/redis/store_mirror.h"

namespace uudai::gateway {

extern const std::string_view kRedisStoreLua;

const std::string& RedisStoreScriptSource() {
  static const std::string source(kRedisStoreLua);
  return source;
}

namespace {

// The script tells a shop's code scope from the platform's by this number (MERCHANT_LAYER).
static_assert(static_cast<int>(Layer::kMerchant) == 0, "redis_store_offers.lua's MERCHANT_LAYER");

}  // namespace

RedisStore::RedisStore(const Clock& clock, RedisStoreOptions options,
                       std::vector<std::shared_ptr<RedisClient>> connections)
    : core_(std::make_shared<Core>(clock, std::move(options), std::move(connections))) {
  core_->MakeMirror();
}

RedisStore::~RedisStore() {
  if (watcher_) watcher_->Stop();
}

void RedisStore::WatchLog(std::shared_ptr<RedisClient> connection, boost::asio::io_context& io,
                          const LogWatcherOptions& options) {
  std::weak_ptr<Core> weak = core_;
  watch_connection_ = std::move(connection);
  watcher_ = LogWatcher::Create(
      watch_connection_, io, core_->Key("log"),
      [weak] {
        auto core = weak.lock();
        return core ? core->mirror().position() : LogPosition{};
      },
      [weak](std::function<void(Status)> done) {
        auto core = weak.lock();
        if (!core) return done(Status(StatusCode::kUnavailable, "the store is gone"));
        core->mirror().CatchUp(std::move(done));
      },
      options);
  watcher_->Start();
}

void RedisStore::Poll() {
  core_->mirror().CatchUp([](const Status&) {});
  core_->ProbeWritesIfRefused();
  core_->HeartbeatIfDue();
  core_->SampleBucketFillIfDue();
}

void RedisStore::CreateOffer(Offer offer, Completion<Offer> done) {
  core_->WriteOffer(std::move(offer), true, 0, std::move(done));
}

void RedisStore::CreateOffers(std::vector<Offer> offers, Completion<std::vector<Offer>> done) {
  core_->CreateOffers(std::move(offers), std::move(done));
}

void RedisStore::CreateOffersInStep(std::vector<Offer> offers, StagedOffers staged,
                                    Completion<std::vector<Offer>> done) {
  core_->CreateOffers(std::move(offers), std::move(done), std::move(staged));
}

void RedisStore::UpdateOffer(Offer offer, std::int64_t base_version, Completion<Offer> done) {
  core_->WriteOffer(std::move(offer), false, base_version, std::move(done));
}

std::shared_ptr<const Offer> RedisStore::FindOffer(const std::string& id) const {
  return core_->mirror().view().FindOffer(id);
}

std::vector<std::shared_ptr<const Offer>> RedisStore::AllOffers() const {
  return core_->mirror().view().AllOffers();
}

std::vector<std::shared_ptr<const Offer>> RedisStore::ListOffers() const {
  return core_->mirror().view().ListOffers();
}

OfferListPage RedisStore::ListOffersPage(const OfferListQuery& query) const {
  return core_->mirror().view().ListOffersPage(query);
}

void RedisStore::SetOfferObserver(OfferObserver observer) {
  core_->mirror().SetOfferObserver(std::move(observer));
}

void RedisStore::IssueCodes(std::string offer_id, std::vector<std::string> codes,
                            Completion<IssuedCodes> done) {
  auto job = std::make_shared<Core::Issuing>();
  job->offer_id = std::move(offer_id);
  job->codes = std::move(codes);
  job->done = std::move(done);
  if (job->codes.empty()) {
    // Still tell an unknown or wrong offer apart from an empty batch.
    return core_->Run(
        {"issue_codes", job->offer_id, std::to_string(static_cast<int>(CodeMode::kUnique))},
        [job](Result<ScriptReply> reply) {
          if (!reply.ok()) return job->done(reply.status());
          if (!reply->status.ok()) return job->done(reply->status);
          job->done(IssuedCodes{});
        });
  }
  core_->IssueNext(std::move(job));
}

void RedisStore::GetOfferStats(std::string offer_id, Completion<OfferStats> done) {
  // Stats come from the view once it has read the whole log: the same on every gateway. When
  // Redis cannot be read, the view's last figures are better than none.
  core_->mirror().CatchUp([core = core_, offer_id = std::move(offer_id),
                           done = std::move(done)](const Status&) mutable {
    core->mirror().view().GetOfferStats(std::move(offer_id), std::move(done));
  });
}

void RedisStore::GetCampaignStats(CampaignQuery query, Completion<CampaignStats> done) {
  core_->mirror().CatchUp(
      [core = core_, query = std::move(query), done = std::move(done)](const Status&) mutable {
        core->mirror().view().GetCampaignStats(std::move(query), std::move(done));
      });
}

// Straight from Redis (the view keeps no redemptions): one script call reads at most
// kLedgerReadsPerCall records, so that an export never holds Redis (which runs one script at
// a time) for long; a page may then hold fewer rows than asked, with done() false. Not
// measured apart: the soak's reconciliation reads ~45,000 rows this way.
void RedisStore::ReadLedger(LedgerPageQuery query, Completion<LedgerPage> done) {
  constexpr std::size_t kLedgerReadsPerCall = 256;
  const std::size_t count = std::clamp<std::size_t>(query.limit, 1, kLedgerReadsPerCall);
  core_->Run({"ledger_page", std::to_string(query.start), std::to_string(query.end),
              std::to_string(count)},
             [query, done = std::move(done)](Result<ScriptReply> reply) {
               if (!reply.ok()) return done(reply.status());
               if (!reply->status.ok()) return done(reply->status);
               done(LedgerPageFromPayload(reply->payload, query));
             });
}

void RedisStore::ReadEvents(EventQuery query, Completion<EventPage> done) {
  core_->Run({"events_page", std::to_string(query.after),
              std::to_string(std::max<std::size_t>(query.limit, 1)), query.merchant_id.value_or(""),
              std::to_string(kEventScanLimit)},
             [done = std::move(done)](Result<ScriptReply> reply) {
               if (!reply.ok()) return done(reply.status());
               if (!reply->status.ok()) return done(reply->status);
               done(EventPageFromPayload(reply->payload));
             });
}

void RedisStore::FindOfferCaughtUp(const std::string& id,
                                   Completion<std::shared_ptr<const Offer>> done) const {
  if (auto offer = FindOffer(id)) return done(std::move(offer));
  core_->mirror().CatchUp([core = core_, id, done = std::move(done)](const Status& read) {
    if (auto offer = core->mirror().view().FindOffer(id)) return done(std::move(offer));
    // Not in a view that could not read the log: unknown is not known to be absent.
    if (!read.ok()) return done(read);
    done(std::shared_ptr<const Offer>());
  });
}

void RedisStore::ReadOfferHistory(OfferHistoryQuery query, Completion<OfferHistoryPage> done) {
  core_->Run({"offer_history", query.offer_id,
              std::to_string(std::max<std::int64_t>(query.after_version, 0)),
              std::to_string(std::max<std::size_t>(query.limit, 1))},
             [id = query.offer_id, done = std::move(done)](Result<ScriptReply> reply) {
               if (!reply.ok()) return done(reply.status());
               if (!reply->status.ok()) return done(reply->status);
               done(OfferHistoryPageFromPayload(reply->payload, id));
             });
}

const UsageView& RedisStore::usage() const { return core_->mirror().view().usage(); }

// Ready while a connection is up, the last read of the change log worked (a Redis still
// loading its AOF accepts connections but answers LOADING) and Redis did not refuse the last
// write it was sent (OOM, READONLY, MISCONF, ...; Poll() probes until it takes one again).
bool RedisStore::ready() const {
  return core_->connected() && core_->mirror().log_readable() && !core_->mirror().broken() &&
         !core_->writes_refused();
}

}  // namespace uudai::gateway
