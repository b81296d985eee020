// POST /v1/offers/batch: registers many offers in one request, all or nothing.
#ifndef UUDAI_GATEWAY_API_OFFER_BATCH_HANDLERS_H_
#define UUDAI_GATEWAY_API_OFFER_BATCH_HANDLERS_H_

#include <cstddef>

#include "api/handler.h"
#include "uudai/campaign_time.h"
#include "uudai/clock.h"
#include "uudai/store.h"
#include "uudai/unique_code.h"

namespace uudai::gateway {

// The most offers one batch may hold.
inline constexpr std::size_t kMaxOffersPerBatch = 10'000;

class OfferBatchHandlers {
 public:
  // `random` (ids) must be thread-safe.
  OfferBatchHandlers(Store& store, const Clock& clock, RandomSource& random, CampaignZone zone);

  // Every offer is read and validated first, as POST /v1/offers reads one; any problem → 422
  // listing every one, each field path prefixed with the offer's position ("[3].discount");
  // a merchant key naming another shop, or an offer only an admin may register → 403. Then
  // one Store::CreateOffers: 201 {"items":[...]} in the order sent, or its refusal (409, with
  // the refused offers' positions). Nothing is written unless everything is.
  void Create(const HttpRequest& request, const Caller& caller, Respond& respond);

 private:
  Store& store_;
  const Clock& clock_;
  RandomSource& random_;
  CampaignZone zone_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_OFFER_BATCH_HANDLERS_H_
