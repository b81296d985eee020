#include "memory_store/campaign_counters.h"

namespace uudai::internal {
namespace {

void AddBucket(StatsBucket& into, const StatsBucket& from) {
  for (std::size_t i = 0; i < kRedemptionStatusCount; ++i) into.by_status[i] += from.by_status[i];
  into.discount_committed += from.discount_committed;
  into.cashback_committed += from.cashback_committed;
  into.gmv_committed += from.gmv_committed;
}

std::string FunderKey(const RedeemedOffer& applied) {
  std::string key(FundedByName(applied.funded_by));
  if (applied.funder) key += ":" + *applied.funder;
  return key;
}

}  // namespace

void CampaignCounters::Count(const Redemption& r, RedemptionStatus status, int delta,
                             LocalHour hour) {
  const bool committed = status == RedemptionStatus::kCommitted;
  const auto s = static_cast<std::size_t>(status);
  StatsBucket& redemption =
      by_hour_method_[{hour.index, static_cast<std::uint8_t>(r.payment_method)}];
  redemption.by_status[s] += delta;
  if (committed) {
    redemption.discount_committed += delta * r.discount_total;
    redemption.cashback_committed += delta * r.cashback_total();
    redemption.gmv_committed += delta * r.subtotal;
  }
  for (const RedeemedOffer& applied : r.applied) {
    StatsBucket& offer = by_hour_offer_[{hour.index, applied.offer_id}];
    offer.by_status[s] += delta;
    if (committed) {
      offer.discount_committed += delta * applied.discount;
      offer.cashback_committed += delta * applied.cashback;
      offer.gmv_committed += delta * r.subtotal;
    }
  }
}

void CampaignCounters::NoteCommitted(ShopperId shopper, LocalHour hour, LocalDay day) {
  committed_shoppers_[hour.index].Insert(shopper);
  committed_shoppers_by_day_[day.index].Insert(shopper);
  all_committed_shoppers_.Insert(shopper);
}

void CampaignCounters::OnCreated(const Redemption& r, ShopperId shopper, LocalHour hour,
                                 LocalDay day) {
  for (const RedeemedOffer& applied : r.applied) {
    funder_of_offer_.try_emplace(applied.offer_id, FunderKey(applied));
  }
  Count(r, r.status, +1, hour);
  if (IsLive(r.status)) live_orders_.Add(shopper, +1);
  if (r.status == RedemptionStatus::kCommitted) NoteCommitted(shopper, hour, day);
}

void CampaignCounters::OnTransition(const Redemption& r, ShopperId shopper, RedemptionStatus from,
                                    RedemptionStatus to, LocalHour hour, LocalDay day) {
  Count(r, from, -1, hour);
  Count(r, to, +1, hour);
  if (IsLive(from) && !IsLive(to)) live_orders_.Add(shopper, -1);
  if (to == RedemptionStatus::kCommitted) NoteCommitted(shopper, hour, day);
}

void CampaignCounters::AddTo(const std::string& merchant_id, LocalHour from_hour, LocalHour to_hour,
                             bool whole_campaign, CampaignGrouping group_by,
                             const CampaignZone& zone, Sums& sums) const {
  // The instant a local hour begins: local hour h starts at h·3600 s local = UTC − offset.
  auto start_of = [&zone](std::int64_t hour) {
    return Timestamp{hour * kMillisPerHour - zone.offset_minutes() * kMillisPerMinute};
  };
  auto time_key = [&](std::int64_t hour) -> std::string {
    if (group_by == CampaignGrouping::kDay) return FormatLocalDay(zone.DayOf(start_of(hour)));
    return FormatRfc3339(start_of(hour), zone);
  };
  const bool offer_level =
      group_by == CampaignGrouping::kOffer || group_by == CampaignGrouping::kFundedBy;
  for (auto it = by_hour_method_.lower_bound({from_hour.index, 0});
       it != by_hour_method_.end() && it->first.first < to_hour.index; ++it) {
    AddBucket(sums.totals, it->second);
    std::string key;
    switch (group_by) {
      case CampaignGrouping::kDay:
      case CampaignGrouping::kHour:
        key = time_key(it->first.first);
        break;
      case CampaignGrouping::kPaymentMethod:
        key = PaymentMethodName(static_cast<PaymentMethod>(it->first.second));
        break;
      case CampaignGrouping::kMerchant:
        key = merchant_id;
        break;
      default:
        continue;
    }
    AddBucket(sums.groups[key], it->second);
  }
  if (offer_level) {
    for (auto it = by_hour_offer_.lower_bound({from_hour.index, std::string()});
         it != by_hour_offer_.end() && it->first.first < to_hour.index; ++it) {
      const std::string& offer_id = it->first.second;
      const std::string key =
          group_by == CampaignGrouping::kOffer ? offer_id : funder_of_offer_.at(offer_id);
      AddBucket(sums.groups[key], it->second);
    }
  }
  if (whole_campaign) {
    const auto count = static_cast<std::int64_t>(all_committed_shoppers_.size());
    sums.merchant_shoppers = count;
    if (group_by == CampaignGrouping::kMerchant) sums.group_shopper_counts[merchant_id] = count;
    if (group_by == CampaignGrouping::kDay && sums.one_merchant) {
      for (const auto& [day, shoppers] : committed_shoppers_by_day_) {
        sums.day_shopper_counts[FormatLocalDay(LocalDay{day})] =
            static_cast<std::int64_t>(shoppers.size());
      }
    }
    return;
  }
  for (auto it = committed_shoppers_.lower_bound(from_hour.index);
       it != committed_shoppers_.end() && it->first < to_hour.index; ++it) {
    if (group_by == CampaignGrouping::kDay) {
      sums.group_shoppers[time_key(it->first)].InsertAll(it->second);
    }
    sums.shoppers.InsertAll(it->second);
    if (group_by == CampaignGrouping::kMerchant) {
      sums.group_shoppers[merchant_id].InsertAll(it->second);
    }
  }
}

}  // namespace uudai::internal
