// Store: the port through which offers, codes, redemptions and stats reach durable state.
//
// Two implementations: MemoryStore (in-process, this library) and RedisStore (gateway). Both
// pass the same conformance suite (tests/engine/store_conformance_test.cc).
//
// Contract for every write:
//  - all-or-nothing: every check happens before the first change, and the redemption, its
//    idempotency record, every limit counter, the code's state, the (merchant, order) guard
//    and the stats counters change in one atomic step;
//  - no limit counter ever exceeds its limit, whatever the concurrency;
//  - when the store cannot count a write it answers kUnavailable and grants nothing.
// Operations complete through a callback, which may run before the call returns (MemoryStore)
// or later on another thread (RedisStore). Methods are safe to call from any thread.
#ifndef UUDAI_STORE_H_
#define UUDAI_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "uudai/campaign_stats.h"
#include "uudai/offer.h"
#include "uudai/offer_list.h"
#include "uudai/offer_stats.h"
#include "uudai/redemption.h"
#include "uudai/status.h"
#include "uudai/store_event.h"
#include "uudai/usage_view.h"
#include "uudai/webhook.h"

namespace uudai {

template <typename T>
using Completion = std::function<void(Result<T>)>;
using StatusCompletion = std::function<void(Status)>;

// Idempotency for redemption creation. The record is scoped: scope_key joins the API key's
// identity and the client's Idempotency-Key.
struct IdempotencyClaim {
  std::string scope_key;
  std::string fingerprint;  // digest of the request; a different body is a reuse
  // The exact bytes to replay; empty: the store's rendering of the redemption as created
  // (MemoryStoreOptions / RedisStoreOptions::render_response, which must then be set), made
  // once the create succeeded, as the outcome's response (an attempt the store refuses renders
  // nothing), and again for each replay.
  std::string response;
};

struct CreateRedemptionRequest {
  Redemption redemption;  // from PlanRedemption
  std::optional<IdempotencyClaim> idempotency;
};

struct CreateRedemptionOutcome {
  Redemption redemption;
  bool replayed = false;  // an earlier request with the same claim created it
  std::string response;   // the claim's response (the first one's when replayed)
};

// A page of the ledger, for exports: redemptions in creation order, each as it is when the
// page is read. Positions count ledger entries (0 = the first redemption ever created); a
// page returns the position to start the next one from.
struct LedgerPageQuery {
  std::optional<Timestamp> from;  // created_at >= from, when set
  std::optional<Timestamp> to;    // created_at < to, when set
  std::uint64_t start = 0;        // ledger position to read from
  // Ledger position to stop at; 0 = the end of the ledger when the page is read. An export
  // passes back the first page's `end`, so rows created while it runs are left out.
  std::uint64_t end = 0;
  std::size_t limit = 1000;  // most rows in the page (at least 1)
};

struct LedgerPage {
  std::vector<Redemption> rows;
  std::uint64_t next = 0;  // where the next page starts
  std::uint64_t end = 0;   // the stop position used (the query's, or the ledger's end)
  bool done() const { return next >= end; }
};

// A redemption request refused before it reached the store (nothing applies, or the quote
// changed): what the store must still look at before the refusal is answered.
struct RefusalCheck {
  std::string scope_key;    // the request's claim (IdempotencyClaim::scope_key)
  std::string fingerprint;  // and its fingerprint
  std::string merchant_id;  // the order (merchant_id, order_id) it was for
  std::string order_id;
};

// How such a refusal is answered: the first response of an earlier request with the same claim
// (replay), else the order's live redemption (order_already_redeemed), else the refusal itself.
struct SettledRefusal {
  std::optional<std::string> replay;
  std::optional<std::string> live_redemption_id;
};

// A page of an offer's versions (Store::ReadOfferHistory), oldest first.
struct OfferHistoryQuery {
  std::string offer_id;
  std::int64_t after_version = 0;  // versions after this one
  std::size_t limit = 100;         // most versions in the page (at least 1)
};

struct OfferHistoryPage {
  std::string merchant_id;          // the offer's shop (it never changes)
  std::vector<Offer> versions;      // the versions after after_version, oldest first
  std::int64_t latest_version = 0;  // the offer's version now: the page is the last when
                                    // versions is empty or ends at it
};

struct IssuedCodes {
  std::size_t issued = 0;
  std::vector<std::string> duplicates;  // codes that already existed; the caller may retry
};

class Store {
 public:
  using OfferObserver = std::function<void(const std::vector<std::shared_ptr<const Offer>>&)>;

  virtual ~Store() = default;

  // --- Offers -------------------------------------------------------------------------------
  // Registers a new offer (version 1). kAlreadyExists when the id is taken; kCodeConflict
  // when its public code belongs to another offer that is not archived.
  virtual void CreateOffer(Offer offer, Completion<Offer> done) = 0;
  // Registers new offers (version 1 each) in one all-or-nothing step: every offer is stored or
  // none is, and the observer hears of them in one call. Refused, naming every refused offer
  // by its position in `offers` in the status's field errors ("[3].id", "[7].code"), when an
  // id is taken (kAlreadyExists) or a public code belongs, within its code scope, to another
  // offer that is not archived, to a unique code of one, or to another offer of the batch
  // (kCodeConflict). Answers the stored offers in the order given.
  virtual void CreateOffers(std::vector<Offer> offers, Completion<std::vector<Offer>> done) = 0;
  // Replaces an offer. Succeeds only if the stored version is `base_version`
  // (else kVersionMismatch); the stored result has version base_version + 1. When it answers
  // kVersionMismatch, FindOffer already shows the newer version (a shared store's view reads
  // the log first), so a caller can merge its change onto it; only a view that cannot read
  // the log may still show the old one.
  virtual void UpdateOffer(Offer offer, std::int64_t base_version, Completion<Offer> done) = 0;
  // Local view, synchronous: nullptr when unknown.
  virtual std::shared_ptr<const Offer> FindOffer(const std::string& id) const = 0;
  // FindOffer, except that an offer the local view does not know is looked for where the truth
  // is: a shared store's view reads the change log first (the offer may have been created
  // through another process a moment ago). nullptr when the store has no such offer. The
  // default answers FindOffer (a store whose view is the truth).
  virtual void FindOfferCaughtUp(const std::string& id,
                                 Completion<std::shared_ptr<const Offer>> done) const;
  // Every offer, in no particular order.
  virtual std::vector<std::shared_ptr<const Offer>> AllOffers() const = 0;
  // Every offer, sorted by id (AllOffers, sorted: a million offers take ~1 s).
  virtual std::vector<std::shared_ptr<const Offer>> ListOffers() const;
  // A page of offers in id order, from the local view as FindOffer. The default sorts
  // AllOffers (fine for a small store); MemoryStore keeps the ids sorted, so that a page
  // costs its own size (and at most query.max_examined looks), not the catalog's.
  virtual OfferListPage ListOffersPage(const OfferListQuery& query) const;
  // A page of offer `query.offer_id`'s versions, every one it has had (each as written, with
  // its updated_at and updated_by), oldest first. kNotFound when the offer does not exist.
  // Read where the truth is: the same on every gateway of a shared store.
  virtual void ReadOfferHistory(OfferHistoryQuery query, Completion<OfferHistoryPage> done) = 0;
  // Called with every offer change (this process's and, for shared stores, other processes').
  // Changes may arrive out of order; use Offer::version to keep the newest.
  virtual void SetOfferObserver(OfferObserver observer) = 0;

  // --- Unique codes -------------------------------------------------------------------------
  // Records codes (canonical spellings) for a unique-code offer.
  virtual void IssueCodes(std::string offer_id, std::vector<std::string> codes,
                          Completion<IssuedCodes> done) = 0;

  // --- Redemptions --------------------------------------------------------------------------
  // Creates a reserved or committed redemption. With a claim whose scope_key was seen within
  // the retention period: same fingerprint → the first outcome (replayed = true); different
  // fingerprint → kIdempotencyKeyReused; first not yet durable → kRequestInProgress.
  // Otherwise each applied offer is re-checked as the store holds it now, and the create
  // fails with the first reason it cannot be counted (Status::offer_id names the offer):
  // kOfferPaused, kOfferEnded, kOfferNotStarted, kOutsideWindow, the offer's current limits
  // (kQuotaExhausted, kBudgetExhausted, kPerShopperLimit, kDailyLimit), kQuoteChanged (the
  // offer is at another version than RedeemedOffer::offer_version), kNotFirstOrder (a
  // first_order offer, and the shopper has a live redemption in its scope: FirstOrderScope),
  // kCodeUsed; else
  // kOrderAlreadyRedeemed, kAmountCeiling (money.h), or kAlreadyExists for a reused
  // redemption id. A store shared by several processes makes such a refusal final for a
  // request with the same claim still in flight, as SettleRefusal does.
  virtual void CreateRedemption(CreateRedemptionRequest request,
                                Completion<CreateRedemptionOutcome> done) = 0;
  // Looks up a claim without creating anything (used when the plan fails before the store is
  // reached): the response to replay, nullopt when the key is unknown, or the errors above.
  virtual void FindIdempotentResponse(std::string scope_key, std::string fingerprint,
                                      Completion<std::optional<std::string>> done) = 0;
  // Settles a refusal made before the store was reached: the claim as FindIdempotentResponse
  // (replay, kIdempotencyKeyReused, kRequestInProgress), then the order's live redemption as
  // FindLiveOrder. When neither is found the refusal stands, and a store shared by several
  // processes makes it final for requests already in flight: a CreateRedemption with the same
  // claim whose redemption was created at or before the refusal (give or take the processes'
  // clock skew) then fails with kRequestInProgress instead of contradicting it. The default
  // runs FindIdempotentResponse then FindLiveOrder (enough for a store only one process
  // writes, whose in-flight requests the gateway tracks itself).
  virtual void SettleRefusal(RefusalCheck check, Completion<SettledRefusal> done);
  // Commit, cancel or refund. kNotFound, kInvalidTransition (also for kExpire: expiry is the
  // store's own, see ExpireDue), or kReservationExpired for a commit at or after expires_at
  // (the reservation is then expired and its quota returned).
  virtual void TransitionRedemption(std::string id, RedemptionAction action,
                                    Completion<Redemption> done) = 0;
  virtual void GetRedemption(std::string id, Completion<Redemption> done) = 0;
  // The id of the live (reserved or committed) redemption of (merchant_id, order_id), if any:
  // answers why a redemption that could not even be planned is refused.
  virtual void FindLiveOrder(std::string merchant_id, std::string order_id,
                             Completion<std::optional<std::string>> done) = 0;
  // Expires up to `max_count` reservations whose expires_at has passed; returns how many.
  // Exactly `max_count`: more may be due, call again. Fewer: the call found no more due than it
  // handled (a concurrent commit or cancel, or another process sharing the store, may have
  // settled some of those first; they are not counted). Each reservation expires once,
  // whichever process sweeps. Not one atomic step: a store may take several (RedisStore:
  // script calls of a bounded size, between which Redis serves other clients).
  virtual void ExpireDue(std::size_t max_count, Completion<std::size_t> done) = 0;
  // Reads a page of the ledger (see LedgerPageQuery). Reads at most a bounded number of
  // entries per call (a page may hold fewer than `limit` rows without being the last one:
  // check done()). The same on every gateway of a shared store once they have caught up.
  virtual void ReadLedger(LedgerPageQuery query, Completion<LedgerPage> done) = 0;

  // --- Stats --------------------------------------------------------------------------------
  virtual void GetOfferStats(std::string offer_id, Completion<OfferStats> done) = 0;
  // Sums over all offers (or one merchant's) in a time range; see campaign_stats.h.
  virtual void GetCampaignStats(CampaignQuery query, Completion<CampaignStats> done) = 0;

  // --- Events -------------------------------------------------------------------------------
  // A page of the events held (store_event.h), in seq order, each redemption event carrying
  // the redemption as it was right after it. The same on every gateway of a shared store.
  virtual void ReadEvents(EventQuery query, Completion<EventPage> done) = 0;

  // --- Webhooks (webhook.h) -----------------------------------------------------------------
  // Registers `webhook` (its id new), delivered_through set to the last event seq written: it
  // hears of what happens from now on. kAlreadyExists when the id is taken.
  virtual void CreateWebhook(Webhook webhook, Completion<Webhook> done) = 0;
  // Every webhook, or `merchant_id`'s only, by id; each with its secret (never shown by the
  // API) and delivery progress.
  virtual void ListWebhooks(std::optional<std::string> merchant_id,
                            Completion<std::vector<Webhook>> done) = 0;
  // Removes webhook `id` and its delivery log; answers it as it was. kNotFound when unknown.
  virtual void DeleteWebhook(std::string id, Completion<Webhook> done) = 0;
  // Records an attempt to deliver an event to webhook `id`. A delivered or given-up attempt
  // also moves delivered_through up to attempt.event_seq (never down), unless the webhook was
  // rewound since the deliverer read it (`rewinds` is Webhook::rewinds as it read it): a
  // delivery that was under way during a redeliver does not undo it. Keeps the latest
  // kDeliveryLogLength attempts. kNotFound when the webhook is gone (the deliverer stops).
  virtual void RecordWebhookAttempt(std::string id, std::uint64_t rewinds, DeliveryAttempt attempt,
                                    Completion<Webhook> done) = 0;
  // The latest attempts on webhook `id`, newest first, at most `limit`. kNotFound when unknown.
  virtual void ReadWebhookDeliveries(std::string id, std::size_t limit,
                                     Completion<std::vector<DeliveryAttempt>> done) = 0;
  // Redeliver: sets webhook `id`'s delivered_through to `through`, so the events after it are
  // delivered again, and counts a rewind. kNotFound when unknown.
  virtual void RewindWebhook(std::string id, std::uint64_t through, Completion<Webhook> done) = 0;
  // Takes or renews the lease of webhook `id` for `owner` (a process) until `lease_millis` from
  // now: true when `owner` holds it now, false when another owner's lease has not expired. A
  // store only one process uses answers true.
  virtual void LeaseWebhook(std::string id, std::string owner, std::int64_t lease_millis,
                            Completion<bool> done) = 0;

  // --- Quoting and health -------------------------------------------------------------------
  virtual const UsageView& usage() const = 0;
  // Whether the store can take writes now (GET /readyz).
  virtual bool ready() const = 0;
};

}  // namespace uudai

#endif  // UUDAI_STORE_H_
