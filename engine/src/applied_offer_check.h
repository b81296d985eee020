// The store's re-check of an applied offer against the offer as it is now.
//
// A quote is made from a gateway's catalog, which may be behind the store (another gateway's
// edit, or an edit that landed between the quote and the write). The store therefore checks,
// in the same atomic step that counts a redemption, that each applied offer is still active,
// still in its window at the redemption's instant, within its current limits
// (OfferCounters::CheckRoomFor) and still at the version the quote saw. RedisStore's script
// makes the same checks in the same order (gateway/src/store/redis/redis_store_redemptions.lua,
// `create`). Pure functions; thread-safe.
#ifndef UUDAI_ENGINE_APPLIED_OFFER_CHECK_H_
#define UUDAI_ENGINE_APPLIED_OFFER_CHECK_H_

#include <string>

#include "uudai/campaign_time.h"
#include "uudai/offer.h"
#include "uudai/redemption.h"
#include "uudai/status.h"

namespace uudai::internal {

// OK, or why `current` (nullptr: not in the store) cannot be redeemed at `at`: kOfferPaused,
// kOfferEnded (also for an archived offer), kOfferNotStarted, kOutsideWindow, or
// kQuoteChanged for an offer the store does not hold. Status::offer_id names `offer_id`.
Status CheckOfferRedeemable(const Offer* current, const std::string& offer_id, Timestamp at,
                            const CampaignZone& zone);

// OK, or kQuoteChanged when `current` is no longer at the version `planned` was made from
// (an unknown planned version, 0, is not checked).
Status CheckOfferVersion(const Offer& current, const RedeemedOffer& planned);

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_APPLIED_OFFER_CHECK_H_
