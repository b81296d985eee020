#include "json/time_range_query.h"

namespace uudai::gateway {
namespace {

std::optional<Timestamp> ParseInstantOrDate(std::string_view text, const CampaignZone& zone) {
  if (auto t = ParseRfc3339(text)) return t;
  if (auto day = ParseLocalDay(text)) return zone.StartOf(*day);
  return std::nullopt;
}

}  // namespace

TimeRange ReadTimeRange(const HttpRequest& request, const CampaignZone& zone,
                        std::vector<FieldError>& errors) {
  TimeRange range;
  for (auto [name, slot] : {std::pair{"from", &range.from}, std::pair{"to", &range.to}}) {
    if (auto text = request.Query(name)) {
      *slot = ParseInstantOrDate(*text, zone);
      if (!*slot) {
        errors.push_back({name, "must be an RFC 3339 timestamp or a local date YYYY-MM-DD"});
      }
    }
  }
  if (range.from && range.to && *range.to <= *range.from) {
    errors.push_back({"to", "must be after from"});
  }
  return range;
}

}  // namespace uudai::gateway
