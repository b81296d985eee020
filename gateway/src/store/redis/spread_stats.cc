#include "store/redis/spread_stats.h"

#include <algorithm>
#include <map>

namespace uudai::gateway {

namespace {

void Add(StatsBucket& sum, const StatsBucket& part) {
  for (std::size_t s = 0; s < sum.by_status.size(); ++s) sum.by_status[s] += part.by_status[s];
  sum.discount_committed += part.discount_committed;
  sum.cashback_committed += part.cashback_committed;
  sum.gmv_committed += part.gmv_committed;
}

// Sums the buckets of `parts` by key, in key order.
template <typename Key>
std::vector<std::pair<Key, StatsBucket>> SumByKey(
    const std::vector<const std::vector<std::pair<Key, StatsBucket>>*>& parts) {
  std::map<Key, StatsBucket> sums;
  for (const auto* part : parts) {
    for (const auto& [key, bucket] : *part) Add(sums[key], bucket);
  }
  return {sums.begin(), sums.end()};
}

}  // namespace

OfferStats SumOfferStats(const std::vector<OfferStats>& parts) {
  if (parts.empty()) return {};
  OfferStats sum;
  sum.offer_id = parts.front().offer_id;
  sum.remaining_redemptions = parts.front().remaining_redemptions;
  sum.remaining_budget = parts.front().remaining_budget;
  std::vector<const std::vector<std::pair<LocalDay, StatsBucket>>*> days;
  std::vector<const std::vector<std::pair<PaymentMethod, StatsBucket>>*> methods;
  for (const OfferStats& part : parts) {
    Add(sum.totals, part.totals);
    sum.unique_shoppers += part.unique_shoppers;
    days.push_back(&part.by_day);
    methods.push_back(&part.by_payment_method);
  }
  // LocalDay orders by its index; payment methods by their number, as the views list them.
  std::map<std::int32_t, StatsBucket> by_day;
  for (const auto* part : days) {
    for (const auto& [day, bucket] : *part) Add(by_day[day.index], bucket);
  }
  for (const auto& [index, bucket] : by_day) sum.by_day.emplace_back(LocalDay{index}, bucket);
  sum.by_payment_method = SumByKey(methods);
  return sum;
}

CampaignStats SumCampaignStats(const std::vector<CampaignStats>& parts) {
  CampaignStats sum;
  std::map<std::string, CampaignGroup> groups;
  for (const CampaignStats& part : parts) {
    Add(sum.totals, part.totals);
    sum.unique_shoppers += part.unique_shoppers;
    for (const CampaignGroup& group : part.groups) {
      auto [it, inserted] = groups.try_emplace(group.key, group);
      if (inserted) continue;
      Add(it->second.bucket, group.bucket);
      if (group.unique_shoppers) {
        it->second.unique_shoppers =
            it->second.unique_shoppers.value_or(0) + *group.unique_shoppers;
      }
    }
  }
  for (auto& [key, group] : groups) sum.groups.push_back(std::move(group));
  return sum;
}

}  // namespace uudai::gateway
