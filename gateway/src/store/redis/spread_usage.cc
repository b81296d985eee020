#include "store/redis/spread_usage.h"

namespace uudai::gateway {

OfferUsage SpreadUsage::UsageOf(const Offer& offer, std::string_view shopper_id,
                                LocalDay day) const {
  OfferUsage sum;
  for (const UsageView* shard : shards_) {
    const OfferUsage usage = shard->UsageOf(offer, shopper_id, day);
    sum.redemptions += usage.redemptions;
    sum.budget_spent += usage.budget_spent;
    sum.shopper_redemptions += usage.shopper_redemptions;
    sum.day_redemptions += usage.day_redemptions;
  }
  return sum;
}

std::int64_t SpreadUsage::ShopperOrders(std::string_view shopper_id, std::string_view scope) const {
  std::int64_t orders = 0;
  for (const UsageView* shard : shards_) orders += shard->ShopperOrders(shopper_id, scope);
  return orders;
}

std::optional<UniqueCodeInfo> SpreadUsage::FindUniqueCode(std::string_view canonical_code) const {
  std::optional<UniqueCodeInfo> found;
  for (const UsageView* shard : shards_) {
    const auto info = shard->FindUniqueCode(canonical_code);
    if (!info) continue;
    if (!found) {
      found = info;
    } else {
      found->available = found->available && info->available;
    }
  }
  return found;
}

}  // namespace uudai::gateway
