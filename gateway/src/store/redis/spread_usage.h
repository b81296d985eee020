// SpreadUsage: what quoting reads of a spread store (UsageView), from its shards' views. A
// shard's view counts the redemptions whose home it is, whichever shard keeps their offers, so
// an offer's use is the sum over the shards, and a shopper's counts are their home's (the
// others' are zero). A unique code is known in the shard of its offer and held in the home of
// the redemption holding it. Thread-safe, as the views are.
#ifndef UUDAI_GATEWAY_STORE_REDIS_SPREAD_USAGE_H_
#define UUDAI_GATEWAY_STORE_REDIS_SPREAD_USAGE_H_

#include <vector>

#include "uudai/usage_view.h"

namespace uudai::gateway {

class SpreadUsage final : public UsageView {
 public:
  explicit SpreadUsage(std::vector<const UsageView*> shards) : shards_(std::move(shards)) {}

  OfferUsage UsageOf(const Offer& offer, std::string_view shopper_id, LocalDay day) const override;
  std::int64_t ShopperOrders(std::string_view shopper_id, std::string_view scope) const override;
  std::optional<UniqueCodeInfo> FindUniqueCode(std::string_view canonical_code) const override;

 private:
  std::vector<const UsageView*> shards_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_SPREAD_USAGE_H_
