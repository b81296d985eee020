// What the gateway-level fuzz targets share: reading fuzz bytes as a request body the way the
// API does, strict JSON checks of what comes out, and a small fixed campaign (offers, issued
// unique codes, usage) to quote and redeem against.
#ifndef UUDAI_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define UUDAI_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "json/request_body.h"
#include "uudai/campaign_time.h"
#include "uudai/offer.h"
#include "uudai/usage_view.h"

namespace uudai::fuzz {

// The instant the fixed campaign is quoted at: 2026-10-10T12:00:00+07:00.
Timestamp FuzzNow();

// `data` as the JSON body of a POST with Content-Type: application/json, read exactly as the
// handlers read it (ParseJsonObject: depth, UTF-8, top-level object); nullopt when the API would
// answer 400/415 instead.
std::optional<gateway::JsonBody> ParseRequestBody(const std::uint8_t* data, std::size_t size);

// `text` as strict JSON (valid UTF-8) holding an object; aborts the run (FUZZ_CHECK) otherwise.
boost::json::object RequireJsonObject(std::string_view text);

// Aborts unless `body` is an RFC 9457 problem of `status`: a JSON object with string type,
// title, detail, a non-empty string code and the integer status.
void RequireProblemJson(std::string_view body, int status);

// The fixed campaign, valid through October 2026 unless said otherwise (ids in fuzz_support.cc):
// merchant offers of shop-1 (auto percent, public code SHOP1FIX, exclusive unique-code offer)
// and shop-2, platform offers (public THANG10 with limits, a paused and a future code, an auto
// night window), a payment offer (momo, lunch window, budget) and a shipping offer.
std::vector<Offer> FixedOffers();

// Unique codes issued for the unique-code offer "o_unique", canonical.
std::vector<std::string> IssuedUniqueCodes();
inline constexpr const char* kUniqueOfferId = "o_unique";

// A UsageView with fixed usage of the fixed campaign: THANG10 one redemption short of its
// total and used once by shopper "s-used", the momo offer's budget nearly spent, and the last
// issued unique code held by a live redemption.
class FixedUsage final : public UsageView {
 public:
  OfferUsage UsageOf(const Offer& offer, std::string_view shopper_id, LocalDay day) const override;
  std::optional<UniqueCodeInfo> FindUniqueCode(std::string_view canonical_code) const override;
  // No shopper has ordered yet: every first order is one.
  std::int64_t ShopperOrders(std::string_view, std::string_view) const override { return 0; }
};

}  // namespace uudai::fuzz

#endif  // UUDAI_TESTS_FUZZ_FUZZ_SUPPORT_H_
