// StoreMutation: one durable change to a MemoryStore, and the log that makes it durable.
//
// MemoryStore applies every write as exactly one mutation, so a journal of mutations replayed
// in order (MemoryStore::Replay) rebuilds the same state. A redemption's creation, with its
// idempotency record, counters, code state, order guard and stats, is ONE mutation.
#ifndef UUDAI_STORE_MUTATION_H_
#define UUDAI_STORE_MUTATION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "uudai/campaign_time.h"
#include "uudai/offer.h"
#include "uudai/redemption.h"
#include "uudai/store.h"
#include "uudai/store_event.h"
#include "uudai/webhook.h"

namespace uudai {

struct OfferWritten {
  std::shared_ptr<const Offer> offer;
};

// The versions of an offer before its latest, oldest first (Store::ReadOfferHistory), as
// ExportMutations writes them before the latest: history only, they change nothing else (not
// the public codes an offer held then, which another offer may hold now).
struct OfferHistoryCarried {
  std::string offer_id;
  std::vector<std::shared_ptr<const Offer>> versions;
};

// Offers registered together (Store::CreateOffers): one mutation, so a journal holds all of
// them or none.
struct OffersCreated {
  std::vector<std::shared_ptr<const Offer>> offers;
};

struct CodesIssued {
  std::string offer_id;
  std::vector<std::string> codes;  // canonical, none previously issued
};

struct IdempotencyRecord {
  std::string scope_key;
  std::string fingerprint;
  std::string response;  // empty: the store's rendering of the redemption as created
  Timestamp created_at;
};

struct RedemptionCreated {
  Redemption redemption;
  std::optional<IdempotencyRecord> idempotency;
};

struct RedemptionTransitioned {
  std::string redemption_id;
  RedemptionAction action = RedemptionAction::kCommit;
  Timestamp at;
  // The redemption, when the log carries it (RedisStore's change log does; the journal does
  // not): a store that keeps no redemptions (MemoryStoreOptions::keep_redemptions false)
  // applies the transition to it. Its status and times are not read: every action moves
  // from one status only (commit, cancel, expire: reserved; refund: committed).
  std::optional<Redemption> redemption;
};

// The events a store holds and the budget thresholds its offers have announced, as of the
// mutations before it. ExportMutations writes it last, so that a compacted journal keeps them:
// replaying it replaces whatever the mutations before it derived (their order in an export is
// not the order they happened in).
struct EventsCarried {
  std::uint64_t last_seq = 0;
  std::vector<StoreEvent> held;                                            // oldest first, numbered
  std::vector<std::pair<std::string, std::uint8_t>> thresholds_announced;  // offer id → bits
};

// Webhooks (Store::CreateWebhook and what follows). A created webhook carries its progress:
// an export writes each webhook once, as it is, followed by its delivery log.
struct WebhookCreated {
  Webhook webhook;
  std::vector<DeliveryAttempt> deliveries;  // its delivery log, newest first (exports only)
};
struct WebhookDeleted {
  std::string webhook_id;
};
struct WebhookAttempted {
  std::string webhook_id;
  std::uint64_t rewinds = 0;  // Store::RecordWebhookAttempt's
  DeliveryAttempt attempt;
};
struct WebhookRewound {
  std::string webhook_id;
  std::uint64_t through = 0;
};

using StoreMutation =
    std::variant<OfferWritten, OffersCreated, CodesIssued, RedemptionCreated,
                 RedemptionTransitioned, EventsCarried, WebhookCreated, WebhookDeleted,
                 WebhookAttempted, WebhookRewound, OfferHistoryCarried>;

// The offers a mutation writes (none for the other kinds).
std::vector<std::shared_ptr<const Offer>> OffersWrittenBy(const StoreMutation& mutation);

// A redemption's history told from what it is now, `r`, and the status it was created with
// (reserved or committed): r as it was created (the later transitions' times cleared), and the
// transitions that led from there to r.status, in order, at their recorded times (carrying no
// redemption).
Redemption RedemptionAsCreated(const Redemption& r, RedemptionStatus created_as);
std::vector<RedemptionTransitioned> TransitionsSince(RedemptionStatus created_as,
                                                     const Redemption& r);

// Where MemoryStore sends its mutations to make them durable (the gateway's journal).
// Thread-safe.
class MutationLog {
 public:
  virtual ~MutationLog() = default;

  // Queues `mutation` and returns its sequence number. Called with store locks held, so that
  // mutations touching the same state are logged in the order they were applied: it must be
  // quick, must not block on I/O and must not call into the store.
  virtual std::uint64_t Append(const StoreMutation& mutation) = 0;

  // Calls `done` once every mutation up to `sequence` is durable (OK), or with kUnavailable
  // when it never will be. May call `done` before returning, on the calling thread.
  virtual void WhenDurable(std::uint64_t sequence, StatusCompletion done) = 0;
};

}  // namespace uudai

#endif  // UUDAI_STORE_MUTATION_H_
