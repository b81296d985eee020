// OfferHolds: one shard's holds of its offers for redemptions whose home (the shard keeping the
// redemption's record) is another shard, in a store spread over several shards (docs/design.md
// §1.6; the store function's hold ops, redis_store_holds.lua). A cross-shard redemption holds
// its offers in each of their shards, then its home creates it; each hold is then confirmed,
// or released when the home refused. A sweeper resolves the holds nobody answered for
// (Due(): past their deadline by the shard's clock) by asking the home.
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

// What the home checks of a held offer, as the hold found it (at the version it checked).
struct HeldOfferFacts {
  bool first_order = false;
  Layer layer = Layer::kMerchant;
  std::optional<std::int64_t> per_shopper;  // none = no per-shopper limit
  friend bool operator==(const HeldOfferFacts&, const HeldOfferFacts&) = default;
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
  // check). Refusals: the create's codes; kUnavailable when the id was released here or the
  // deadline has passed.
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

 private:
  void Run(std::vector<std::string> args, std::function<void(Result<RedisReply>)> done);

  std::shared_ptr<RedisClient> client_;
  RedisFunction function_;
  std::string log_key_;
  CampaignZone zone_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_OFFER_HOLDS_H_
