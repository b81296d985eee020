// What a spread store's home shard learns of an applied offer held in another shard
// (OfferHolds::Hold), and passes to its create (RedisStore::CreateRedemptionWithHolds).
#ifndef UUDAI_GATEWAY_STORE_REDIS_HELD_OFFER_H_
#define UUDAI_GATEWAY_STORE_REDIS_HELD_OFFER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "uudai/offer.h"

namespace uudai::gateway {

// What the home checks of a held offer, as its hold found it (at the version it checked).
struct HeldOfferFacts {
  bool first_order = false;
  Layer layer = Layer::kMerchant;
  std::optional<std::int64_t> per_shopper;  // none = no per-shopper limit
  friend bool operator==(const HeldOfferFacts&, const HeldOfferFacts&) = default;
};

// An applied offer held in `shard` (its name, as the home's releases will address it).
struct HeldElsewhere {
  std::string shard;
  HeldOfferFacts facts;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_HELD_OFFER_H_
