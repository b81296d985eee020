#include "json/stats_json.h"

#include <boost/json/array.hpp>

namespace uudai::gateway {
namespace {

boost::json::object BucketToJson(const StatsBucket& bucket) {
  return boost::json::object{
      {"redemptions", StatusCountsToJson(bucket)},
      {"discount_committed", bucket.discount_committed},
      {"cashback_committed", bucket.cashback_committed},
      {"gmv_committed", bucket.gmv_committed},
  };
}

}  // namespace

boost::json::object StatusCountsToJson(const StatsBucket& bucket) {
  boost::json::object counts;
  for (std::size_t i = 0; i < kRedemptionStatusCount; ++i) {
    counts[RedemptionStatusName(static_cast<RedemptionStatus>(i))] = bucket.by_status[i];
  }
  return counts;
}

boost::json::object OfferStatsToJson(const OfferStats& stats) {
  boost::json::array by_day;
  for (const auto& [day, bucket] : stats.by_day) {
    boost::json::object row = BucketToJson(bucket);
    row["day"] = FormatLocalDay(day);
    by_day.push_back(std::move(row));
  }
  boost::json::array by_method;
  for (const auto& [method, bucket] : stats.by_payment_method) {
    boost::json::object row = BucketToJson(bucket);
    row["payment_method"] = PaymentMethodName(method);
    by_method.push_back(std::move(row));
  }
  auto optional = [](const std::optional<std::int64_t>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  boost::json::object out = BucketToJson(stats.totals);
  out["offer_id"] = stats.offer_id;
  out["unique_shoppers"] = stats.unique_shoppers;
  out["remaining"] = boost::json::object{{"redemptions", optional(stats.remaining_redemptions)},
                                         {"budget", optional(stats.remaining_budget)}};
  out["by_day"] = std::move(by_day);
  out["by_payment_method"] = std::move(by_method);
  return out;
}

boost::json::object CampaignStatsToJson(const CampaignStats& stats, const CampaignQuery& query,
                                        const CampaignZone& zone, std::string_view group_by) {
  auto time = [&zone](const std::optional<Timestamp>& t) {
    return t ? boost::json::value(FormatRfc3339(*t, zone)) : boost::json::value(nullptr);
  };
  boost::json::object totals = BucketToJson(stats.totals);
  totals["unique_shoppers"] = stats.unique_shoppers;
  boost::json::array groups;
  for (const CampaignGroup& g : stats.groups) {
    boost::json::object row{{"key", g.key}};
    for (auto& [name, value] : BucketToJson(g.bucket)) row[name] = value;
    row["unique_shoppers"] =
        g.unique_shoppers ? boost::json::value(*g.unique_shoppers) : boost::json::value(nullptr);
    groups.push_back(std::move(row));
  }
  return boost::json::object{
      {"from", time(query.from)},
      {"to", time(query.to)},
      {"merchant_id",
       query.merchant_id ? boost::json::value(*query.merchant_id) : boost::json::value(nullptr)},
      {"group_by", group_by.empty() ? boost::json::value(nullptr) : boost::json::value(group_by)},
      {"totals", std::move(totals)},
      {"groups", std::move(groups)},
  };
}

}  // namespace uudai::gateway
