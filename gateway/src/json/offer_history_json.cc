#include "json/offer_history_json.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "json/offer_json.h"
#include "uudai/store_event.h"

namespace uudai::gateway {

namespace json = boost::json;

std::string OfferHistoryJsonText(const std::string& offer_id, const OfferHistoryPage& page,
                                 const Offer* before, const CampaignZone& zone) {
  json::array items;
  items.reserve(page.versions.size());
  for (const Offer& version : page.versions) {
    json::array changed;
    if (before != nullptr) {
      for (const std::string& path : OfferFieldsChanged(*before, version))
        changed.emplace_back(path);
    }
    items.emplace_back(json::object{{"version", version.version},
                                    {"at", FormatRfc3339(version.updated_at, zone)},
                                    {"by", OfferAuthorToJson(version.updated_by)},
                                    {"change", version.version == 1 ? "created" : "updated"},
                                    {"changed", std::move(changed)},
                                    {"offer", OfferToJson(version, zone)}});
    before = &version;
  }
  json::value next = nullptr;
  if (!page.versions.empty() && page.versions.back().version < page.latest_version) {
    next = page.versions.back().version;
  }
  return json::serialize(json::object{{"offer_id", offer_id},
                                      {"latest_version", page.latest_version},
                                      {"items", std::move(items)},
                                      {"next_after_version", std::move(next)}});
}

}  // namespace uudai::gateway
