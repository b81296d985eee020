// RedisStore: the Store whose durable state lives in Redis, shared by any number of gateway
// processes (docs/design.md §1).
//
// Writes: every create, commit, cancel, refund, expiry, offer write and code batch is ONE
// FCALL of the store function (redis_store.lua, a Redis Functions library loaded once): it
// checks everything before its first write, then writes the redemption's record, its
// idempotency record, every limit counter, the code's state, the (merchant, order) guard and
// the log entry. Redis runs functions one at a time, so no counter passes its limit however
// many gateways race.
//
// Reads: the change log (a Redis stream) is replayed by every gateway into a StoreMirror, an
// in-memory MemoryStore view that keeps counters, stats, offers and codes but no redemption
// (MemoryStoreOptions::keep_redemptions false: each transition in the log carries its
// redemption), so a gateway's memory does not grow with the ledger. Quotes (usage(), unique
// codes), FindOffer/ListOffers and the offer observer read the view without I/O; stats read it
// after catching up with the log, so every gateway reports the same figures. Redemptions,
// live orders, idempotency records and ledger pages are read from Redis. A gateway's own writes are
// in its view when their completion runs (read-your-writes); other gateways' writes arrive as
// soon as they are logged with WatchLog (a blocking read of the log), else with Poll() (the
// gateway polls every 100 ms) or with the next stats read.
//
// The log is trimmed: every gateway is a reader of it and reports, once a second, where its
// view stands; the log keeps only what some live reader has not read. A gateway that starts
// after a trim builds its view from the store's state instead (ViewBootstrap). So Redis holds
// the live data (records, offers, codes, counters, idempotency records within retention), not
// the campaign's history twice.
//
// Keys (under a prefix, kDefaultRedisKeyPrefix unless configured): see the header of
// redis_store.lua.
//
// Failure: while Redis is unreachable or slower than the connection's command timeout, every
// write answers kUnavailable (nothing is granted that Redis did not count); quotes keep
// working from the view; ready() is false. The same holds while Redis answers but refuses
// writes (OOM over maxmemory, READONLY, MISCONF): ready() turns false at the first refused
// write and true again once Poll()'s probe (a SET with a TTL, once a second) or a write
// gets through. kUnavailable does not prove the script did not run:
// a client retrying with the same Idempotency-Key gets the first outcome.
//
// Thread-safe. Completions run on the connections' io_context threads (or inline).
#ifndef UUDAI_GATEWAY_STORE_REDIS_REDIS_STORE_H_
#define UUDAI_GATEWAY_STORE_REDIS_REDIS_STORE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redis/redis_client.h"
#include "store/redis/held_offer.h"
#include "store/redis/limit_share.h"
#include "store/redis/redis_key_prefix.h"
#include "uudai/clock.h"
#include "uudai/event_log.h"
#include "uudai/store.h"

namespace uudai::gateway {

class LogWatcher;
struct LogWatcherOptions;
struct ScriptReply;

struct RedisStoreOptions {
  // Every key starts with it. Must contain a hash tag ("{...}").
  std::string key_prefix = std::string(kDefaultRedisKeyPrefix);
  CampaignZone zone;
  // docs/design.md §3: at least 24 h.
  std::int64_t idempotency_retention_millis = kDefaultIdempotencyRetentionMillis;
  // Codes per script call when issuing (a call holds Redis for its duration).
  std::size_t codes_per_call = 10'000;
  // Offers per offers_stage call when registering a batch, and per offers_announce call that
  // then tells the views a chunk of it (one log entry): a call of 500 holds Redis for tens of
  // milliseconds at most, whatever the batch's size.
  std::size_t offers_per_call = 500;
  // offers_announce calls that may fail in a row before a committed batch is answered as stored
  // without them (the gateways' heartbeats then tell its chunks left).
  int announce_attempts = 10;
  // Reservations expired per script call by ExpireDue, which makes as many calls as it needs:
  // Redis runs one script at a time and serves other clients only between calls. An expiry
  // costs Redis ~20 µs (measured on 2 shared cores, Redis 7.0: INFO commandstats gave 330-380
  // µs per call of 16, 650-690 of 32), so a call stays well under a millisecond; a backlog of
  // 50,000 drains in 2-4 s all the same (tests/redis/expiry_backlog_test.cc, bench/README.md).
  std::size_t expiries_per_call = 16;
  // Log entries per read when the view catches up; items per page when a view is built from
  // the store's state.
  std::size_t log_batch = 2'000;
  // How often Poll() tells Redis where this gateway's view stands and trims the log to the
  // entries some live gateway has not read yet (0: never; the log then keeps every change, and
  // a batch whose gateway died after committing it is told by no heartbeat of this one).
  std::int64_t log_trim_interval_millis = 1'000;
  // A gateway not heard of for this long no longer holds the log back: when it comes back, its
  // view finds entries trimmed and it must restart (StoreMirror::broken()).
  std::int64_t reader_timeout_millis = 300'000;
  // How long a refusal (SettleRefusal's, or CreateRedemption's own) keeps requests with the
  // same claim that were already in flight from succeeding: longer than such a request can
  // still take to reach Redis (its command timeout, with a wide margin).
  std::int64_t refusal_fence_millis = 60'000;
  // When set, an idempotency record whose first response is left empty (IdempotencyClaim), or
  // is what this renders of the redemption as created, keeps no copy of it: the first answer
  // and every replay render it, byte for byte, from the redemption's record as Redis keeps it
  // (a claim's explicit response is checked by rendering once). The gateway leaves
  // POST /v1/redemptions' answer to it; every gateway on a store must render alike (the same
  // build and --zone-offset). Unset: a claim must carry its response.
  std::function<std::string(const Redemption&)> render_response;
  // The index of the connection living on the calling thread, or -1 (then commands are spread
  // round-robin). Unset: round-robin always. Either way a connection that is down (while it
  // reconnects) is passed over for one that is up.
  std::function<int()> connection_for_this_thread;
  // About how many of the latest events Redis keeps (trimmed with the log, by every gateway's
  // heartbeat; the last one heard wins).
  std::size_t event_retention = kDefaultEventRetention;
  // A spread store's data shard: the share of every hot offer's limits this shard keeps (see
  // Offer::hot). The default is the whole limits.
  LimitShare limit_share;
  // How many buckets a new store keeps live orders and shoppers' counts in (one of
  // kRedisBucketCounts, redis_buckets.h). 0: the store's own count, or the
  // default (65,536) for a new store. A store's count is fixed when it is created: Load refuses
  // a store whose count differs from a non-zero one.
  std::uint32_t buckets = 0;
  // How often Poll() samples how full the buckets are (bucket_fill(); 32 HLENs, read-only;
  // 0: only at Load).
  std::int64_t bucket_fill_interval_millis = 60'000;
};

class RedisStore final : public Store {
 public:
  // `connections`: at least one, already Start()ed; commands are spread over them.
  RedisStore(const Clock& clock, RedisStoreOptions options,
             std::vector<std::shared_ptr<RedisClient>> connections);
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  // Waits (blocking, at most `timeout`) until Redis answers and the view has read the whole
  // log, or, when the log was trimmed, has been built from the store's state and has read the
  // log from there (ViewBootstrap). Registers this store as a reader of the log. Call once
  // before serving. kUnavailable when Redis did not answer in time.
  // Refuses (kInternal, before reading any of it) a store written in another layout of keys
  // (the script's FORMAT), e.g. by an older build whose transitions carry no redemption, and
  // a store whose bucket count is not options.buckets (when that is set). A new store's
  // bucket count is fixed here.
  Status Load(std::chrono::milliseconds timeout);
  // The store's bucket count, once Load succeeded (0 before), as read again with bucket_fill().
  std::uint32_t buckets() const;
  // How full its buckets are: the fields of a bucket of its fuller kind (orders or shoppers),
  // on average over a sample, as Load and then Poll() every options.bucket_fill_interval_millis
  // read it. Past kFullBucket (redis_buckets.h) the store warns, once until it drops back to
  // three quarters of it: the counts are sized for ~128.
  std::uint64_t bucket_fill() const;
  // Moves the store's live orders and shoppers' counts to `buckets` buckets (one of
  // kRedisBucketCounts), with every gateway of the store stopped: refused (kRequestInProgress)
  // while a reader of the log was heard from within options.reader_timeout_millis (unless
  // `gateways_stopped`: the caller vouches that they are, e.g. one crashed a minute ago), or
  // while a move to another count is under way. Until the move is over the store answers
  // nothing else (a gateway still serving answers 503, then serves the new count, which every
  // call reads) and no gateway starts on it;
  // one that stops half-way (Redis down, the process killed) is finished by calling this again.
  // `progress` hears the old buckets moved and their count after each call, and answers whether
  // to go on: false stops the move where it is (kUnavailable, saying how far it got). Needs no
  // Load; each call may take `call_timeout`.
  Status MoveBuckets(std::uint32_t buckets, std::chrono::milliseconds call_timeout,
                     const std::function<bool(std::uint64_t moved, std::uint64_t total)>& progress,
                     bool gateways_stopped = false);
  // Reads the changes other gateways made since the last read into the view; while Redis
  // refuses writes, also probes (at most once a second) whether it takes them again; every
  // options.log_trim_interval_millis, reports the view's position and trims the log; every
  // options.bucket_fill_interval_millis, samples how full the buckets are (bucket_fill()).
  // Non-blocking.
  void Poll();
  // Brings other gateways' changes into the view as soon as they are logged rather than at
  // the next Poll(): a LogWatcher blocked on the log on `connection` (started, used by nothing
  // else, its command timeout longer than options.block; the store keeps it), its waits on
  // `io` (which must outlive the store), which catches the view up each time the log grows.
  // Poll() still reads the log and reports the view's position. Leave() and the destructor
  // stop it. Call once, after Load.
  void WatchLog(std::shared_ptr<RedisClient> connection, boost::asio::io_context& io,
                const LogWatcherOptions& options);
  // Stops being a reader of the log, so that it is trimmed without waiting for this view
  // (a gateway shutting down). Blocks until Redis answered or `timeout` passed; a store that
  // never leaves is dropped from the readers after options.reader_timeout_millis.
  void Leave(std::chrono::milliseconds timeout);

  void CreateOffer(Offer offer, Completion<Offer> done) override;
  void CreateOffers(std::vector<Offer> offers, Completion<std::vector<Offer>> done) override;
  // As a spread store's shard: CreateOffers in two steps. Once every offer is staged (or the
  // staging refused, naming each refused offer by its place in `offers`, or failed), `staged`
  // hears of it with a decision to take: true publishes the batch (when it was staged), false
  // takes it back; then `done` answers as CreateOffers does.
  using StagedOffers = std::function<void(Status, std::function<void(bool publish)>)>;
  void CreateOffersInStep(std::vector<Offer> offers, StagedOffers staged,
                          Completion<std::vector<Offer>> done);
  void UpdateOffer(Offer offer, std::int64_t base_version, Completion<Offer> done) override;
  std::shared_ptr<const Offer> FindOffer(const std::string& id) const override;
  std::vector<std::shared_ptr<const Offer>> AllOffers() const override;
  std::vector<std::shared_ptr<const Offer>> ListOffers() const override;
  OfferListPage ListOffersPage(const OfferListQuery& query) const override;
  // REQUIRES: no change is being applied (before Load, or after it and before the first Poll
  // or write).
  void SetOfferObserver(OfferObserver observer) override;

  void IssueCodes(std::string offer_id, std::vector<std::string> codes,
                  Completion<IssuedCodes> done) override;

  void CreateRedemption(CreateRedemptionRequest request,
                        Completion<CreateRedemptionOutcome> done) override;
  // As a spread store's home shard: creates a redemption whose applied offers with a value in
  // `held` (by index in redemption.applied) were held in other shards before (OfferHolds), with
  // `holds_deadline`. Those are not counted here; the shopper's counts of them are, against
  // the facts' per-shopper limit and first-order rule. Refused (kUnavailable) after the
  // deadline by Redis's clock, or once a sweeper claimed the id (OfferHolds::Claim). When the
  // redemption later gives its limits back, its releases are queued here
  // (OfferHolds::PendingReleases).
  // `shares_with_alternatives` (empty, or by index in redemption.applied): offers kept here as
  // a share of a hot offer whose other shares the caller tries next: refused for a limit one
  // of them reached, the request is answered kQuotaExhausted, kBudgetExhausted or kDailyLimit
  // without fencing its claim (it is not answered yet; see SettleRefusal).
  void CreateRedemptionWithHolds(CreateRedemptionRequest request, Timestamp holds_deadline,
                                 std::vector<std::optional<HeldElsewhere>> held,
                                 Completion<CreateRedemptionOutcome> done,
                                 std::vector<bool> shares_with_alternatives = {});
  // As a spread store's data shard that does not keep hot offer `offer` (at its stored
  // version): writes this shard's share of it (options.limit_share), unless the share holds
  // that version or a later one.
  void PutShare(const Offer& offer, Completion<bool> done);
  // The version of each of offers `ids`' share here (0 when there is none).
  void ReadShareVersions(std::vector<std::string> ids, Completion<std::vector<std::int64_t>> done);
  // One script call: the claim, the order guard, and (when neither is found) a fence on the
  // claim, so that a request with the same key still in flight on another gateway cannot
  // succeed after this refusal was answered (it gets kRequestInProgress).
  void SettleRefusal(RefusalCheck check, Completion<SettledRefusal> done) override;
  // SettleRefusal for a create refused elsewhere (a spread store's hold): the claim's first
  // outcome when it has one, kOrderAlreadyRedeemed when the order has a live redemption, else
  // `refusal`, made final as SettleRefusal makes it.
  void SettleRefusalAsCreate(RefusalCheck check, Status refusal,
                             Completion<CreateRedemptionOutcome> done);
  void FindIdempotentResponse(std::string scope_key, std::string fingerprint,
                              Completion<std::optional<std::string>> done) override;
  void TransitionRedemption(std::string id, RedemptionAction action,
                            Completion<Redemption> done) override;
  void GetRedemption(std::string id, Completion<Redemption> done) override;
  void FindLiveOrder(std::string merchant_id, std::string order_id,
                     Completion<std::optional<std::string>> done) override;
  // In script calls of at most options.expiries_per_call each, one after the other.
  void ExpireDue(std::size_t max_count, Completion<std::size_t> done) override;
  // From Redis (the `ledger` list and each redemption's record): at most 256 positions a
  // call, so a page may hold fewer rows than its limit, with done() false.
  void ReadLedger(LedgerPageQuery query, Completion<LedgerPage> done) override;

  void GetOfferStats(std::string offer_id, Completion<OfferStats> done) override;
  void GetCampaignStats(CampaignQuery query, Completion<CampaignStats> done) override;
  // As a spread store's hub: positions [start, min(end or its length, start + count)) of its
  // ledger, each "shard US redemption id" (events_merge), and the end used.
  struct LedgerEntries {
    std::vector<std::string> entries;
    std::uint64_t end = 0;
  };
  void ReadLedgerEntries(std::uint64_t start, std::uint64_t end, std::size_t count,
                         Completion<LedgerEntries> done);
  // As a spread store's data shard: the records of redemptions `ids` ("" for an unknown id).
  void ReadRecords(std::vector<std::string> ids, Completion<std::vector<std::string>> done);
  // As a spread store's shard: the stats of the redemptions whose home is this shard, of an
  // offer kept here or elsewhere (MemoryStore::CountedOfferStats), once the view caught up.
  void GetCountedOfferStats(std::string offer_id, OfferLimits limits, Completion<OfferStats> done);

  // From Redis (the `ev` stream, and each redemption event's record): one script call.
  void ReadEvents(EventQuery query, Completion<EventPage> done) override;
  void ReadOfferHistory(OfferHistoryQuery query, Completion<OfferHistoryPage> done) override;
  void FindOfferCaughtUp(const std::string& id,
                         Completion<std::shared_ptr<const Offer>> done) const override;

  // From Redis, one script call each (redis_store_webhooks.lua's webhook_* ops); no view keeps
  // them. A lease is a key that expires by Redis's clock: another gateway takes it once its owner
  // stopped renewing it for lease_millis.
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
  // Runs op `args` until it is answered other than kUnavailable, or `deadline`.
  Result<ScriptReply> RunUntilAnswered(std::vector<std::string> args,
                                       std::chrono::steady_clock::time_point deadline);
  Status CheckFormat(std::chrono::steady_clock::time_point deadline);
  // Fixes a new store's bucket count; refuses one that is not options.buckets.
  Status CheckBuckets(std::chrono::steady_clock::time_point deadline);
  // Registers as a reader; builds the view from the store's state when the log is trimmed.
  Status StartView(std::chrono::steady_clock::time_point deadline);

  class Core;
  // Shared with callbacks in flight, which keep it alive.
  std::shared_ptr<Core> core_;
  std::shared_ptr<RedisClient> watch_connection_;
  std::shared_ptr<LogWatcher> watcher_;
};

// The store script (redis_store.lua), embedded in the binary.
const std::string& RedisStoreScriptSource();

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_REDIS_STORE_H_
