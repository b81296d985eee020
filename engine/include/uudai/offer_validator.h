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

}  // namespace uudai

#endif  // UUDAI_OFFER_VALIDATOR_H_
