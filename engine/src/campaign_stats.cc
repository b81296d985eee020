#include "uudai/campaign_stats.h"

#include <array>

namespace uudai {

std::optional<CampaignGrouping> ParseCampaignGrouping(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, CampaignGrouping>, 6> kNames = {{
      {"day", CampaignGrouping::kDay},
      {"hour", CampaignGrouping::kHour},
      {"payment_method", CampaignGrouping::kPaymentMethod},
      {"merchant", CampaignGrouping::kMerchant},
      {"offer", CampaignGrouping::kOffer},
      {"funded_by", CampaignGrouping::kFundedBy},
  }};
  for (const auto& [name, grouping] : kNames) {
    if (name == text) return grouping;
  }
  return std::nullopt;
}

}  // namespace uudai
