// MemoryStore: the in-process Store. Exact, thread-safe, fine-grained locking.
//
// State is split into independently locked parts: per-offer counters, per-merchant campaign
// counters, and hash-sharded maps of redemptions, codes, order guards and idempotency records.
// A write locks exactly the parts it touches, all at once in address order (no deadlock),
// checks everything, then applies one StoreMutation. Writes for different shops proceed in
// parallel; writes for one shop serialize on its campaign counters (as writes for one offer
// do on its limit counters), holding the lock only for in-memory updates.
//
// Durability is optional and external: with a MutationLog, a write completes only once its
// mutation is durable; until then a retry with the same idempotency key gets
// kRequestInProgress. If the log fails, the store fails closed: every later write answers
// kUnavailable (the process must restart and replay its journal).
#ifndef UUDAI_MEMORY_STORE_H_
#define UUDAI_MEMORY_STORE_H_

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "uudai/clock.h"
#include "uudai/event_log.h"
#include "uudai/store.h"
#include "uudai/store_mutation.h"

namespace uudai {
namespace internal {
class WebhookRegistry;
}  // namespace internal

// Renders the first response of a redemption from the redemption as it was created.
using RenderResponse = std::function<std::string(const Redemption&)>;

struct MemoryStoreOptions {
  CampaignZone zone;
  // How long an idempotency record is kept. docs/design.md §3: at least 24 h.
  std::int64_t idempotency_retention_millis = kDefaultIdempotencyRetentionMillis;
  MutationLog* log = nullptr;  // not owned; nullptr = not durable
  // How the caller renders a created redemption as its response (the gateway: its JSON), if
  // it does. A claim whose response is left empty, or is exactly that rendering, keeps no copy
  // of it (the text is most of a claim's memory, and its journal record's); the first answer
  // and every replay render it from the redemption as created, byte for byte the same. A claim
  // with any other response keeps its text (checked by rendering once). Must be a pure
  // function of the redemption. Unset: a claim must carry its response.
  RenderResponse render_response;
  // false: a counters-only view, for a store written only by Replay whose ledger lives
  // elsewhere (RedisStore's view of Redis). Redemptions then move the offer and campaign
  // counters, the stats and the unique codes' holders, but no redemption record, order guard,
  // idempotency record, reservation expiry or ledger entry is kept, so the view's memory does
  // not grow with the ledger. Transitions must carry their redemption
  // (RedemptionTransitioned::redemption; one without it is skipped: RedisStore never
  // passes one, its log decoder refuses such an entry). Reads of redemptions
  // (GetRedemption, FindLiveOrder, ReadLedger, LedgerSnapshot) find none, and the store's own
  // redemption writes answer kInternal.
  //
  // Why a mode and not a type of its own: the view must answer usage, stats and unique codes
  // exactly as a full MemoryStore replayed from the same log would
  // (tests/engine/memory_store_counters_view_test.cc compares the two), and it does so by
  // running the very same replay, counters and stats code under the same locks. A separate
  // type would have to copy those parts or wrap this class. The price is that a view still
  // carries the Store interface; StoreMirror, its only owner, applies changes through Replay
  // and hands it out for reads.
  bool keep_redemptions = true;
  // How many of the latest events (store_event.h) are kept for ReadEvents. A store that keeps
  // no redemptions keeps no events either (RedisStore's events live in Redis).
  std::size_t event_retention = kDefaultEventRetention;
};

class MemoryStore final : public Store {
 public:
  MemoryStore(const Clock& clock, MemoryStoreOptions options);
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  void CreateOffer(Offer offer, Completion<Offer> done) override;
  void CreateOffers(std::vector<Offer> offers, Completion<std::vector<Offer>> done) override;
  void UpdateOffer(Offer offer, std::int64_t base_version, Completion<Offer> done) override;
  std::shared_ptr<const Offer> FindOffer(const std::string& id) const override;
  std::vector<std::shared_ptr<const Offer>> AllOffers() const override;
  // In id order as they are kept: no sort.
  std::vector<std::shared_ptr<const Offer>> ListOffers() const override;
  // O(log n + the page), at most query.max_examined offers looked at.
  OfferListPage ListOffersPage(const OfferListQuery& query) const override;
  void ReadOfferHistory(OfferHistoryQuery query, Completion<OfferHistoryPage> done) override;
  // REQUIRES: called before the store is shared between threads.
  void SetOfferObserver(OfferObserver observer) override;

  void IssueCodes(std::string offer_id, std::vector<std::string> codes,
                  Completion<IssuedCodes> done) override;

  void CreateRedemption(CreateRedemptionRequest request,
                        Completion<CreateRedemptionOutcome> done) override;
  void FindIdempotentResponse(std::string scope_key, std::string fingerprint,
                              Completion<std::optional<std::string>> done) override;
  void TransitionRedemption(std::string id, RedemptionAction action,
                            Completion<Redemption> done) override;
  void GetRedemption(std::string id, Completion<Redemption> done) override;
  void FindLiveOrder(std::string merchant_id, std::string order_id,
                     Completion<std::optional<std::string>> done) override;
  void ExpireDue(std::size_t max_count, Completion<std::size_t> done) override;
  void ReadLedger(LedgerPageQuery query, Completion<LedgerPage> done) override;

  void GetOfferStats(std::string offer_id, Completion<OfferStats> done) override;
  // The stats of the redemptions this store counted of `offer_id`, whether or not it keeps the
  // offer itself (a spread store's shard counts its redemptions of offers kept elsewhere), with
  // the remaining figures of `limits`.
  OfferStats CountedOfferStats(const std::string& offer_id, const OfferLimits& limits) const;
  void GetCampaignStats(CampaignQuery query, Completion<CampaignStats> done) override;

  // Only events whose change is durable are read: an event is never shown and then lost.
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
  // Only this process writes the store: the lease is always this caller's.
  void LeaseWebhook(std::string id, std::string owner, std::int64_t lease_millis,
                    Completion<bool> done) override;

  const UsageView& usage() const override;
  bool ready() const override { return !failed(); }

  // Applies a mutation read back from a log, without checks and without logging.
  // REQUIRES: mutations in log order, one at a time, and no write (Create*, Update*, Issue*,
  // Transition*, ExpireDue) on this store meanwhile: either before it serves requests (the
  // journal) or on a store only ever written by Replay (RedisStore's view). Reads (FindOffer,
  // usage(), stats, GetRedemption) may run concurrently: Replay takes the same locks.
  void Replay(const StoreMutation& mutation);

  // Every redemption (a copy), for reconciliation and tests. O(ledger).
  std::vector<Redemption> LedgerSnapshot() const;

  // The most codes one exported CodesIssued holds.
  static constexpr std::size_t kExportedCodesPerBatch = 10'000;

  // The current state as a short sequence of mutations (for compacting a journal): replayed
  // in order into an empty MemoryStore, it rebuilds the same observable state. In order:
  // every offer (by id): its earlier versions (one OfferHistoryCarried, when it has any), then
  // its latest version; the issued codes of each offer, at
  // most kExportedCodesPerBatch per CodesIssued; then every redemption in creation order, as it was
  // created (reserved or committed, with its idempotency record if that is still within retention;
  // pruned or expired records are left out), each followed by its transitions with their recorded
  // times. Returns how many mutations `sink` received. REQUIRES: no concurrent writes (call it at
  // start-up, before the store serves).
  std::size_t ExportMutations(const std::function<void(const StoreMutation&)>& sink) const;
  // How many mutations ExportMutations would emit now, without building them (cheap: no copy
  // of any offer, code or redemption). REQUIRES: as ExportMutations.
  std::size_t ExportedMutationCount() const;

  // True once the MutationLog failed; every write then answers kUnavailable.
  bool failed() const { return failed_.load(); }

 private:
  class State;
  class Usage;

  // Applies a webhook change (WebhookRegistry::Change), journals it, and answers once durable.
  void ChangeWebhook(StoreMutation mutation, Completion<Webhook> done);

  // Whether this store derives and keeps events (see MemoryStoreOptions::event_retention).
  bool keeps_events() const;
  // Logs `mutation` and appends `events`, both in one order (called with the write's locks
  // held, like MutationLog::Append); returns the mutation's log sequence (0 without a log).
  std::uint64_t Record(const StoreMutation& mutation, std::vector<StoreEvent> events);
  // Once the log made `sequence` durable: the events recorded up to it become readable.
  void NoteDurable(std::uint64_t sequence);
  // The events a redemption write tells: `r` now has its status (created, or transitioned).
  static StoreEvent RedemptionEvent(const Redemption& r, Timestamp at);
  // offer.created (before: nullptr) or offer.updated, with the fields that changed.
  static StoreEvent OfferEvent(std::shared_ptr<const Offer> offer, const Offer* before);
  // Replay's events: appended, and durable at once.
  void AppendReplayed(std::vector<StoreEvent> events);
  void ReplayEventsCarried(const EventsCarried& m);
  // Completes a write once `sequence` is durable (or at once without a log).
  void AfterDurable(std::uint64_t sequence, std::function<void(Status)> then);
  // Why a new offer may not have `id`: kAlreadyExists, or kRequestInProgress while the create
  // that holds it is not durable yet (a retry racing it). REQUIRES: offers_mutex held.
  Status NewOfferIdTaken(const std::string& id) const;
  // Track the new offers `created` from their creation (offers_mutex held) until their record
  // is durable (offers_mutex not held); nothing without a MutationLog.
  void NoteNotDurable(const std::vector<std::shared_ptr<const Offer>>& created);
  void NoteDurable(const std::vector<std::shared_ptr<const Offer>>& created);
  // Once `sequence` is durable: tells the observer about `stored`, then answers `done`.
  void CompleteOfferWrite(std::uint64_t sequence, std::shared_ptr<const Offer> stored,
                          Completion<Offer> done);
  // Applies `action` to redemption `id` at `at`; see TransitionRedemption.
  void Transition(const std::string& id, RedemptionAction action, Timestamp at,
                  Completion<Redemption> done);
  void ReplayTransition(const RedemptionTransitioned& m);
  // ReplayTransition without keep_redemptions: applied to the redemption `m` carries.
  void ReplayCarriedTransition(const RedemptionTransitioned& m);
  // What replaying a claim answers: the redemption it made now, and its first response
  // (`response`, or rendered again from the redemption as created when nullopt).
  Result<std::pair<Redemption, std::string>> ReplayedClaim(
      const std::string& redemption_id, std::optional<std::string> response) const;
  // Drops idempotency records older than the retention period.
  void PruneIdempotency(Timestamp now);
  // ExportMutations into `sink`, or only counting when `sink` is nullptr.
  std::size_t Export(const std::function<void(const StoreMutation&)>* sink) const;

  const Clock& clock_;
  MemoryStoreOptions options_;
  std::unique_ptr<State> state_;
  std::unique_ptr<Usage> usage_;
  OfferObserver observer_;  // set before use; see SetOfferObserver
  EventLog events_;
  std::unique_ptr<internal::WebhookRegistry> webhooks_;
  std::mutex record_mutex_;  // orders Record's journal appends and event appends alike
  // The newest seq whose change is durable: what ReadEvents shows.
  std::atomic<std::uint64_t> durable_event_seq_{0};
  // (log sequence, last event seq) of each write recorded with a log and not yet durable.
  // GUARDED_BY record_mutex_.
  std::deque<std::pair<std::uint64_t, std::uint64_t>> undurable_events_;
  std::atomic<bool> failed_{false};
};

}  // namespace uudai

#endif  // UUDAI_MEMORY_STORE_H_
