// MemoryStore: an offer's and the campaign's statistics.
#include <limits>

#include "memory_store/memory_store_state.h"
#include "uudai/memory_store.h"

namespace uudai {

void MemoryStore::GetCampaignStats(CampaignQuery query, Completion<CampaignStats> done) {
  const CampaignZone& zone = state_->zone();
  // Hour buckets whose start lies in [from, to): round `from` up and `to` up to hours.
  auto first_hour_at_or_after = [&zone](Timestamp t) {
    LocalHour h = zone.HourOf(t);
    const Timestamp start{h.index * kMillisPerHour - zone.offset_minutes() * kMillisPerMinute};
    return start < t ? LocalHour{h.index + 1} : h;
  };
  const LocalHour from = query.from ? first_hour_at_or_after(*query.from)
                                    : LocalHour{std::numeric_limits<std::int64_t>::min()};
  const LocalHour to = query.to ? first_hour_at_or_after(*query.to)
                                : LocalHour{std::numeric_limits<std::int64_t>::max()};
  // Unique shoppers are counted as redemptions commit, for the whole campaign, each merchant
  // and each local day; a range that holds every committed shopper's hour (the dashboard's
  // campaign dates, say) has the same answer. Only a range that cuts through them merges the
  // sets of its hours, which costs in proportion to their entries.
  bool whole_campaign = (!query.from && !query.to) || state_->CommittedShoppersWithin(from, to);
  internal::CampaignCounters::Sums sums;
  sums.one_merchant = query.merchant_id.has_value();
  auto add_merchants = [&] {
    state_->ForEachCampaign(
        query.merchant_id, [&](const std::string& merchant, internal::CampaignCounters& counters) {
          std::lock_guard lock(counters.mutex);
          counters.AddTo(merchant, from, to, whole_campaign, query.group_by, zone, sums);
        });
  };
  add_merchants();
  if (whole_campaign && (query.from || query.to) && !state_->CommittedShoppersWithin(from, to)) {
    // A shopper committed outside the range while the counts were read: merge after all.
    whole_campaign = false;
    sums = {};
    sums.one_merchant = query.merchant_id.has_value();
    add_merchants();
  }
  // Whole campaign by day: the counts kept as redemptions commit (one merchant's, or every
  // merchant's from the store, where a shopper of two merchants on one day counts once).
  if (whole_campaign && query.group_by == CampaignGrouping::kDay) {
    sums.group_shopper_counts = query.merchant_id ? std::move(sums.day_shopper_counts)
                                                  : state_->CommittedShopperCountsByDay();
  }
  CampaignStats stats;
  stats.totals = sums.totals;
  if (!whole_campaign) {
    stats.unique_shoppers = static_cast<std::int64_t>(sums.shoppers.size());
  } else if (query.merchant_id) {
    stats.unique_shoppers = sums.merchant_shoppers;
  } else {
    stats.unique_shoppers = state_->CommittedShopperCount();
  }
  for (auto& [key, bucket] : sums.groups) {
    CampaignGroup group{key, bucket, std::nullopt};
    if (auto count = sums.group_shopper_counts.find(key);
        count != sums.group_shopper_counts.end()) {
      group.unique_shoppers = count->second;
    } else if (auto it = sums.group_shoppers.find(key); it != sums.group_shoppers.end()) {
      group.unique_shoppers = static_cast<std::int64_t>(it->second.size());
    } else if (query.group_by == CampaignGrouping::kDay ||
               query.group_by == CampaignGrouping::kMerchant) {
      group.unique_shoppers = 0;
    }
    stats.groups.push_back(std::move(group));
  }
  done(std::move(stats));
}

void MemoryStore::GetOfferStats(std::string offer_id, Completion<OfferStats> done) {
  const auto offer = FindOffer(offer_id);
  if (offer == nullptr) {
    return done(Status(StatusCode::kNotFound, "offer " + offer_id + " does not exist"));
  }
  internal::OfferCounters& counters = state_->Counters(offer_id);
  std::unique_lock lock(counters.mutex);
  OfferStats stats = counters.Stats(offer_id, offer->limits);
  lock.unlock();
  done(std::move(stats));
}

OfferStats MemoryStore::CountedOfferStats(const std::string& offer_id,
                                          const OfferLimits& limits) const {
  internal::OfferCounters& counters = state_->Counters(offer_id);
  std::lock_guard lock(counters.mutex);
  return counters.Stats(offer_id, limits);
}

}  // namespace uudai
