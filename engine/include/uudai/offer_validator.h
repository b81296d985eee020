// Offer validation: every rule of docs/design.md §3, each failure reported with its field path.
#ifndef UUDAI_OFFER_VALIDATOR_H_
#define UUDAI_OFFER_VALIDATOR_H_

#include <vector>

#include "uudai/offer.h"
#include "uudai/status.h"

namespace uudai {

// Returns every violated rule (empty when the offer is valid). Does not check who may create
// which layer (a role question for the gateway) nor cross-offer rules such as public-code
// uniqueness (the store enforces those atomically).
std::vector<FieldError> ValidateOffer(const Offer& offer);

// What an update may not change of `current` (the stored version) in `next`: merchant_id,
// code_mode, layer and hot are fixed at creation, and a hot offer's total_redemptions,
// total_budget and per_day may be raised or removed but not lowered or added (its shares in a
// spread store's shards only grow, so their sum never passes the limit: see Offer::hot).
// Empty when the change is allowed.
std::vector<FieldError> ValidateOfferChange(const Offer& current, const Offer& next);

}  // namespace uudai

#endif  // UUDAI_OFFER_VALIDATOR_H_
