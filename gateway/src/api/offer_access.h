// Who may see and change an offer: admins every offer, a merchant key its own shop's, and of
// those only the kind it may register itself (merchant layer, funded by the merchant).
#ifndef UUDAI_GATEWAY_API_OFFER_ACCESS_H_
#define UUDAI_GATEWAY_API_OFFER_ACCESS_H_

#include <functional>
#include <memory>
#include <string>

#include "api/handler.h"
#include "uudai/offer.h"
#include "uudai/store.h"

namespace uudai::gateway {

// Why `caller` may not register (or turn an offer into) `offer`: the platform, payment and
// shipping layers and funding by anyone but the merchant are for admin keys. Empty when it may.
std::string ForbiddenForMerchant(const Offer& offer, const Caller& caller);

// What a handler does with an offer its caller may see (or change).
using WithOffer = std::function<void(std::shared_ptr<const Offer>)>;

// Calls `then` with the offer if `caller` may see it; else answers 404/403. An offer this
// gateway's view does not know yet is looked for where the truth is (Store::FindOfferCaughtUp),
// so an offer created through another gateway a moment ago is found. `then` may run on
// another thread, after this returns.
void WithVisibleOffer(const Store& store, const std::string& id, const Caller& caller,
                      const Respond& respond, WithOffer then);

// The same for an offer `caller` may change (PATCH, issuing codes): visible, and for a merchant
// key one it could have registered itself; else answers 404/403. An offer an admin put on
// another layer, or had funded by anyone but the merchant, stays the admin's even in the
// merchant's own shop.
void WithChangeableOffer(const Store& store, const std::string& id, const Caller& caller,
                         const Respond& respond, WithOffer then);

// Who writes an offer through this call (Offer::updated_by): the caller's key_id and role.
OfferAuthor AuthorOf(const Caller& caller);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_OFFER_ACCESS_H_
