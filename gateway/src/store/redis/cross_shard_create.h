// CreateAcrossShards: a redemption of a store spread over several shards whose applied offers
// are not all kept in its home (the shard of its record), as a short saga, holds first
// (docs/design.md §1.6):
//   1. each other shard holds its offers (OfferHolds::Hold), all shards at once;
//   2. the home creates the redemption (RedisStore::CreateRedemptionWithHolds), checking the
//      shopper's counts of the held offers there;
//   3. the holds are confirmed; when a hold or the create was refused, they are released.
// A hold's refusal is answered as the home would answer a refusal made before the store: the
// claim's first outcome when the request was made before (a retry), else the order's live
// redemption, else the refusal (RedisStore::SettleRefusalAsCreate). When a step's outcome is
// not known (Redis did not answer), nothing is released that may be counted for a redemption
// that exists: the sweeper (SagaSweeper) resolves those holds after their deadline, asking
// the home.
#ifndef UUDAI_GATEWAY_STORE_REDIS_CROSS_SHARD_CREATE_H_
#define UUDAI_GATEWAY_STORE_REDIS_CROSS_SHARD_CREATE_H_

#include <memory>
#include <string>
#include <vector>

#include "store/redis/offer_holds.h"
#include "store/redis/redis_store.h"
#include "uudai/store.h"

namespace uudai::gateway {

// One shard of a spread store: its name (what holds and releases call it), its store (as a
// home) and its holds. The store must outlive every operation given it.
struct SagaShard {
  std::string name;
  RedisStore* store = nullptr;
  std::shared_ptr<OfferHolds> holds;
};

// Creates `request` in `home`; `placement[i]` is the shard keeping request.redemption.applied[i]
// (the home, or another). Holds carry `deadline` (well before the reservation ends, and far
// enough ahead for the saga's three steps). `alternatives` (empty, or one per applied offer):
// the offer is a share of a hot offer whose other shares the caller tries next, so a refusal
// for a limit it reached (kQuotaExhausted, kBudgetExhausted, kDailyLimit, naming it) is
// answered as it is, nothing fenced, settled or released: the request is not answered yet,
// and the caller's next attempt (the same redemption with that offer in another shard, the
// same deadline) finds the holds that were counted (a hold of an id adds the offers it does
// not hold yet, and counts none twice). `done` runs on a Redis
// client's thread.
void CreateAcrossShards(const SagaShard& home, const std::vector<const SagaShard*>& placement,
                        CreateRedemptionRequest request, Timestamp deadline,
                        Completion<CreateRedemptionOutcome> done,
                        std::vector<bool> alternatives = {});

// Whether `refusal` is one of a limit an offer reached (what another share may still have).
bool IsLimitReached(const Status& refusal);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_CROSS_SHARD_CREATE_H_
