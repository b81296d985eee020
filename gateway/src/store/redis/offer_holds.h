// OfferHolds: one shard's part in the redemptions of a store spread over several shards whose
// offers are not all kept in their home (the shard keeping the redemption's record;
// docs/design.md §1.6; the store function's ops in redis_store_holds.lua). As the shard of
// such offers, it holds them: a cross-shard redemption holds its offers in each of their
// shards, then its home creates it (RedisStore::CreateRedemptionWithHolds); each hold is then
// confirmed, or released when the home refused. A sweeper resolves the holds nobody answered
// for (Due(): past their deadline by the shard's clock) by asking the home (Claim). As a home,
// it queues the releases its redemptions' cancels, expiries and refunds owe other shards
// (PendingReleases).
//
// Every call is one FCALL and idempotent by the redemption's id: a hold sent twice counts once;
// a release gives the counts back once, and leaves a tombstone so that a hold arriving after
// it (a call sent again after a timeout) is refused rather than counted.
// Thread-safe; completions run on the client's thread.
#ifndef UUDAI_GATEWAY_STORE_REDIS_OFFER_HOLDS_H_
#define UUDAI_GATEWAY_STORE_REDIS_OFFER_HOLDS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redis/redis_client.h"
#include "redis/redis_function.h"
#include "store/redis/held_offer.h"
#include "uudai/campaign_time.h"
#include "uudai/redemption.h"
#include "uudai/store.h"

namespace uudai::gateway {

struct HoldRequest {
  std::string redemption_id;
  // The redemption's home, as a sweeper is to find it (Due()); opaque to the shard.
  std::string home;
  // The redemption's instant: the offers' windows and daily limits are checked at it.
  Timestamp at;
  // After it (by the shard's clock) the hold is refused, and a sweeper may resolve it.
  Timestamp deadline;
  // The redemption's applied offers that this shard keeps.
  std::vector<RedeemedOffer> offers;
};

struct HoldOutcome {
  bool replayed = false;               // the id was held before; nothing counted again
  std::vector<HeldOfferFacts> offers;  // in the request's order
};

enum class HoldRelease {
  kAll,     // the redemption did not happen, or is no longer live (cancelled, expired)
  kRefund,  // refunded: only the offers that restore on a refund give their limits back
};

enum class ReleaseOutcome {
  kReleased,  // the counts were given back now
  kAlready,   // by an earlier release
  kAbsent,    // nothing was held; a hold arriving later is refused
};

enum class ClaimOutcome {
  kExists,   // the redemption was created: its holds are to be confirmed
  kClaimed,  // it was not, and now cannot be: its holds are to be released
};

// A release a home owes another shard (sent with Release, then ReleaseSent).
struct PendingRelease {
  std::string entry;  // as queued, for ReleaseSent
  std::string redemption_id;
  std::string shard;
  HoldRelease what = HoldRelease::kAll;
  Timestamp deadline;
};

struct DueHold {
  std::string redemption_id;
  std::string home;
  Timestamp deadline;
  friend bool operator==(const DueHold&, const DueHold&) = default;
};

class OfferHolds {
 public:
  // The shard whose keys start with `key_prefix` (e.g. "uudai:{main}:"), through `client`.
  OfferHolds(std::shared_ptr<RedisClient> client, std::string key_prefix, CampaignZone zone);

  // Counts every offer of the request or none: the same checks as a redemption's create
  // (status, window, version, total, budget and daily limits, unique code) except the
  // per-shopper limit and the first-order rule, which are the home's (the facts say what to
  // check). A hold of an id held here already counts only the offers it does not hold yet
  // (all of them or none), and answers the facts of every offer asked. Refusals: the create's
  // codes; kUnavailable when the id was released or settled here or the deadline has passed.
  void Hold(const HoldRequest& request, Completion<HoldOutcome> done);
  // The redemption exists at its home: its hold stays counted until released. kNotFound when
  // nothing is held; kInvalidTransition when it was released.
  void Confirm(const std::string& redemption_id, StatusCompletion done);
  // Gives the hold's counts back (all, or a refund's); `deadline` is the one the hold was sent
  // with (the tombstone of a hold that never arrived is kept until shortly after it).
  void Release(const std::string& redemption_id, HoldRelease what, Timestamp deadline,
               Completion<ReleaseOutcome> done);
  // At most `max_count` holds still waiting for their home's answer whose deadline has passed.
  void Due(std::size_t max_count, Completion<std::vector<DueHold>> done);

  // --- As the home of redemptions ---
  // Settles whether the redemption happened, for a sweeper resolving its holds: from kClaimed
  // on, no create of it succeeds here.
  void Claim(const std::string& redemption_id, Timestamp deadline, Completion<ClaimOutcome> done);
  // The oldest `max_count` releases this shard's redemptions owe other shards.
  void PendingReleases(std::size_t max_count, Completion<std::vector<PendingRelease>> done);
  // `entry` was released in its shard: it leaves the queue.
  void ReleaseSent(const std::string& entry, StatusCompletion done);

 private:
  void Run(std::vector<std::string> args, std::function<void(Result<RedisReply>)> done);

  std::shared_ptr<RedisClient> client_;
  RedisFunction function_;
  std::string log_key_;
  CampaignZone zone_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_OFFER_HOLDS_H_
