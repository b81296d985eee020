// SpreadStore: one store spread over several shards (docs/design.md §1.6), each a RedisStore
// under keys of its own whose slot lies in its share of Redis Cluster's slots (ShardLayout),
// so that a campaign's load spreads over the cluster's primaries.
//
// Where things live: a redemption, its idempotency record, order guard and the shopper's
// counts in the shopper's shard (its home); a shop's offers, their counters and codes in the
// shop's shard; the platform's, payment partners' and shipping offers, webhooks and the one
// stream of events in shard 0. A redemption whose offers are all at its home is one script
// call, as with one shard; others are a saga (CreateAcrossShards) that Poll's sweeper finishes
// when a gateway stops half-way (SagaSweeper). Every shard's events are copied into shard 0's
// stream in one order (EventMerger). Views: each shard's RedisStore keeps its own; reads that
// span shards (offers, usage, stats, the ledger) combine them.
//
// A hot offer (Offer::hot) is kept in its shop's shard like any offer, and its limits are split
// into one share per data shard (LimitShare), each kept in that shard as the offer's hash: an
// offer write is answered once every share has the new version. A redemption counts it in its
// home's share first (so a redemption whose other offers are at home stays one call), then in
// the next shards' while a share answers that a limit was reached.
//
// Differences from one shard, all documented in docs/design.md: an Idempotency-Key is looked up
// in the home of the request's shopper (the same key with another shopper's body is not seen
// as reused there), and so is an order's live redemption; a batch of offers of several shards
// is staged in each, then published shard by shard; an export of the ledger reads the shards
// one after another, each up to its end when reached.
#ifndef UUDAI_GATEWAY_STORE_REDIS_SPREAD_STORE_H_
#define UUDAI_GATEWAY_STORE_REDIS_SPREAD_STORE_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "redis/redis_client.h"
#include "store/redis/redis_store.h"
#include "store/redis/shard_layout.h"
#include "uudai/store.h"

namespace uudai::gateway {

class EventMerger;
class OfferHolds;
struct HotRedemption;
class SagaSweeper;
class SpreadUsage;
struct SagaShard;

struct SpreadStoreOptions {
  RedisStoreOptions store;  // key_prefix: the one-shard prefix the shards' are derived from
  // A cross-shard redemption's holds wait this long for their home's answer; after it (by the
  // shards' clocks) a sweeper settles them. Far longer than the saga's three calls can take,
  // far shorter than a reservation.
  std::int64_t hold_deadline_millis = 10'000;
  // How often Poll sweeps holds and queued releases, and copies events into shard 0.
  std::int64_t sweep_interval_millis = 500;
  std::int64_t merge_interval_millis = 100;
  // How often Poll brings the shares of hot offers up to the offers' versions, should a
  // gateway have stopped between writing an offer and its shares.
  std::int64_t share_repair_interval_millis = 2'000;
};

// Refuses (kInternal, with what to do) a gateway whose layout disagrees with the store's: a
// spread store records its count of data shards in its hub when first started
// (ShardLayout::shards_key); a gateway with another count, or an unspread one on the prefix of
// a spread store, would read and write keys nobody else does. Blocking, at most `timeout`.
// With `record` false, a spread layout is only compared with the count recorded, and refused
// when none is (a tool that must not start a spread store).
Status CheckShardCount(RedisClient& client, const ShardLayout& layout,
                       std::chrono::milliseconds timeout, bool record = true);

class SpreadStore final : public Store {
 public:
  // `connections`: at least one, already Start()ed, shared by the shards. REQUIRES:
  // layout.spread() (a hub and at least two data shards).
  SpreadStore(const Clock& clock, SpreadStoreOptions options, const ShardLayout& layout,
              std::vector<std::shared_ptr<RedisClient>> connections);
  ~SpreadStore() override;
  SpreadStore(const SpreadStore&) = delete;
  SpreadStore& operator=(const SpreadStore&) = delete;

  // CheckShardCount, then RedisStore::Load of every shard.
  Status Load(std::chrono::milliseconds timeout);
  // The home shard's bucket count (RedisStore::buckets); every shard's is the same unless
  // they were created by gateways given different counts.
  std::uint32_t buckets() const;
  // The fullest shard's RedisStore::bucket_fill.
  std::uint64_t bucket_fill() const;
  // RedisStore::Poll of every shard; now and then (the options' intervals) a sweep of the
  // sagas and a copy of events into shard 0. Non-blocking.
  void Poll();
  void Leave(std::chrono::milliseconds timeout);
  // RedisStore::WatchLog of every shard, each on a connection `new_connection` makes.
  void WatchLogs(const std::function<std::shared_ptr<RedisClient>()>& new_connection,
                 boost::asio::io_context& io, const LogWatcherOptions& options);

  const ShardLayout& layout() const { return layout_; }
  RedisStore& shard(std::size_t k) { return *shards_[k]; }

  void CreateOffer(Offer offer, Completion<Offer> done) override;
  void CreateOffers(std::vector<Offer> offers, Completion<std::vector<Offer>> done) override;
  void UpdateOffer(Offer offer, std::int64_t base_version, Completion<Offer> done) override;
  std::shared_ptr<const Offer> FindOffer(const std::string& id) const override;
  void FindOfferCaughtUp(const std::string& id,
                         Completion<std::shared_ptr<const Offer>> done) const override;
  std::vector<std::shared_ptr<const Offer>> AllOffers() const override;
  OfferListPage ListOffersPage(const OfferListQuery& query) const override;
  void ReadOfferHistory(OfferHistoryQuery query, Completion<OfferHistoryPage> done) override;
  void SetOfferObserver(OfferObserver observer) override;

  void IssueCodes(std::string offer_id, std::vector<std::string> codes,
                  Completion<IssuedCodes> done) override;

  void CreateRedemption(CreateRedemptionRequest request,
                        Completion<CreateRedemptionOutcome> done) override;
  void FindIdempotentResponse(std::string scope_key, std::string fingerprint,
                              Completion<std::optional<std::string>> done) override;
  void SettleRefusal(RefusalCheck check, Completion<SettledRefusal> done) override;
  void TransitionRedemption(std::string id, RedemptionAction action,
                            Completion<Redemption> done) override;
  void GetRedemption(std::string id, Completion<Redemption> done) override;
  void FindLiveOrder(std::string merchant_id, std::string order_id,
                     Completion<std::optional<std::string>> done) override;
  void ExpireDue(std::size_t max_count, Completion<std::size_t> done) override;
  // Positions of the hub's ledger: every data shard's creations in the order they were merged
  // (EventMerger), read after a merge.
  void ReadLedger(LedgerPageQuery query, Completion<LedgerPage> done) override;

  void GetOfferStats(std::string offer_id, Completion<OfferStats> done) override;
  void GetCampaignStats(CampaignQuery query, Completion<CampaignStats> done) override;
  void ReadEvents(EventQuery query, Completion<EventPage> done) override;

  void CreateWebhook(Webhook webhook, Completion<Webhook> done) override;
  void ListWebhooks(std::optional<std::string> merchant_id,
                    Completion<std::vector<Webhook>> done) override;
  void DeleteWebhook(std::string id, Completion<Webhook> done) override;
  void RecordWebhookAttempt(std::string id, std::uint64_t rewinds, DeliveryAttempt attempt,
                            Completion<Webhook> done) override;
  void ReadWebhookDeliveries(std::string id, std::size_t limit,
                             Completion<std::vector<DeliveryAttempt>> done) override;
  void RewindWebhook(std::string id, std::uint64_t through, Completion<Webhook> done) override;
  void LeaseWebhook(std::string id, std::string owner, std::int64_t lease_millis,
                    Completion<bool> done) override;

  const UsageView& usage() const override;
  bool ready() const override;

 private:
  // Events (and ledger entries) copied into the hub per call.
  static constexpr std::size_t kEventsPerMerge = 500;
  // Holds settled and releases sent per shard and sweep.
  static constexpr std::size_t kSweepBatch = 200;

  RedisStore& OfferShard(const Offer& offer) const;
  // Hot offers: whether a view knows offer `id` as hot (NoteOffers, from the data shards'
  // observers); the order of shards to count applied offer `a` in for a redemption whose home
  // is `home`; the offer's shares written in every shard but its own (the hub's with the whole
  // limits), then `then` (kUnavailable when one was not); `done` once the shares of a written
  // hot offer are; a sweep of shares behind their offer's version.
  bool IsHot(std::string_view id) const;
  std::vector<std::size_t> SharesToTry(const RedeemedOffer& a, std::size_t home) const;
  void PutShares(const Offer& offer, std::function<void(Status)> then);
  Completion<Offer> WithShares(Completion<Offer> done);
  Completion<std::vector<Offer>> WithSharesOfBatch(Completion<std::vector<Offer>> done);
  void RepairShares();
  // Waits (at most `timeout`) until no repair runs, and keeps any from starting.
  void WaitForRepair(std::chrono::milliseconds timeout);
  void NoteOffers(const std::vector<std::shared_ptr<const Offer>>& offers);
  void TryShares(std::shared_ptr<HotRedemption> job);
  // The data shards (every shard but the hub): where offers and redemptions are.
  std::span<const std::unique_ptr<RedisStore>> data_shards() const {
    return {shards_.begin() + 1, shards_.end()};
  }
  // Sends the releases the queue of `home` holds ("": of every data shard; a cross-shard
  // redemption gave its limits back), then runs `then`: so that a caller sees the limits
  // back, as with one shard.
  void SendReleases(const std::string& home, std::function<void()> then);
  void ReadLedgerRecords(LedgerPageQuery query, RedisStore::LedgerEntries read,
                         Completion<LedgerPage> done);
  // The shard whose view knows offer `id`, or nullptr.
  RedisStore* ShardKnowing(const std::string& id) const;
  const Clock& clock_;
  const SpreadStoreOptions options_;
  const ShardLayout layout_;
  std::shared_ptr<RedisClient> connection_;  // for what is not a store call
  // Before the shards, whose views call into them until they are destroyed.
  OfferObserver observer_;  // the caller's (SetOfferObserver)
  mutable std::mutex hot_mutex_;
  // GUARDED_BY hot_mutex_: every hot offer a view knows.
  std::set<std::string, std::less<>> hot_offers_;
  std::vector<std::unique_ptr<RedisStore>> shards_;
  std::vector<std::shared_ptr<OfferHolds>> holds_;
  std::vector<SagaShard> saga_shards_;
  std::unique_ptr<SagaSweeper> sweeper_;
  std::unique_ptr<EventMerger> merger_;
  std::unique_ptr<SpreadUsage> usage_;
  std::atomic<std::int64_t> last_sweep_millis_{0};
  std::atomic<std::int64_t> last_repair_millis_{0};
  std::shared_ptr<std::atomic<bool>> repairing_ = std::make_shared<std::atomic<bool>>(false);
  bool repair_stopped_ = false;  // by WaitForRepair, on the thread that leaves
  std::atomic<std::int64_t> last_merge_millis_{0};
  std::shared_ptr<std::atomic<bool>> sweeping_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_SPREAD_STORE_H_
