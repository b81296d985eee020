#include "fuzz_support.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "fuzz_check.h"
#include "uudai/offer_validator.h"
#include "uudai/unique_code.h"

namespace uudai::fuzz {
namespace {

Timestamp At(std::string_view text) {
  const auto t = ParseRfc3339(text);
  FUZZ_CHECK(t.has_value(), std::string(text));
  return *t;
}

Offer BaseOffer(std::string id, std::string merchant_id, Layer layer, Discount discount) {
  Offer offer;
  offer.id = std::move(id);
  offer.merchant_id = std::move(merchant_id);
  offer.name = "Ưu đãi Tháng tiêu dùng số";
  offer.layer = layer;
  offer.discount = discount;
  offer.starts_at = At("2026-10-01T00:00:00+07:00");
  offer.ends_at = At("2026-11-01T00:00:00+07:00");
  offer.funded_by = layer == Layer::kMerchant ? FundedBy::kMerchant : FundedBy::kPlatform;
  offer.created_at = At("2026-09-30T09:00:00+07:00");
  offer.updated_at = offer.created_at;
  return offer;
}

Offer WithCode(Offer offer, std::string code) {
  offer.code_mode = CodeMode::kPublic;
  offer.code = std::move(code);
  return offer;
}

}  // namespace

Timestamp FuzzNow() { return At("2026-10-10T12:00:00+07:00"); }

std::optional<gateway::JsonBody> ParseRequestBody(const std::uint8_t* data, std::size_t size) {
  gateway::HttpRequest request;
  request.method = "POST";
  request.headers.emplace_back("content-type", "application/json");
  request.body.assign(reinterpret_cast<const char*>(data), size);
  auto parsed = gateway::ParseJsonObject(request);
  if (auto* body = std::get_if<gateway::JsonBody>(&parsed)) return std::move(*body);
  const auto& problem = std::get<gateway::Problem>(parsed);
  FUZZ_CHECK(problem.status == 400, problem.code);
  RequireProblemJson(problem.ToJson(), 400);
  return std::nullopt;
}

boost::json::object RequireJsonObject(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);  // rejects invalid UTF-8
  FUZZ_CHECK(!ec, "not strict JSON (" + ec.message() + "): " + std::string(text.substr(0, 300)));
  FUZZ_CHECK(value.is_object(), std::string(text.substr(0, 300)));
  return std::move(value.as_object());
}

void RequireProblemJson(std::string_view body, int status) {
  const boost::json::object problem = RequireJsonObject(body);
  const std::string shown(body.substr(0, 300));
  for (const char* member : {"type", "title", "detail", "code"}) {
    const auto* v = problem.if_contains(member);
    FUZZ_CHECK(v != nullptr && v->is_string(), std::string(member) + " in " + shown);
  }
  FUZZ_CHECK(!problem.at("code").as_string().empty(), shown);
  const auto* s = problem.if_contains("status");
  FUZZ_CHECK(s != nullptr && s->is_int64() && s->as_int64() == status,
             std::to_string(status) + " vs " + shown);
}

std::vector<Offer> FixedOffers() {
  std::vector<Offer> offers;
  // shop-1's own offers.
  offers.push_back(
      BaseOffer("o_shop1_pct", "shop-1", Layer::kMerchant, Discount::Percent(10, 100'000)));
  Offer fixed = WithCode(
      BaseOffer("o_shop1_fix", "shop-1", Layer::kMerchant, Discount::Fixed(50'000)), "SHOP1FIX");
  fixed.min_order_amount = 200'000;
  fixed.priority = 3;
  offers.push_back(fixed);
  Offer unique =
      BaseOffer(kUniqueOfferId, "shop-1", Layer::kMerchant, Discount::Percent(50, 500'000));
  unique.code_mode = CodeMode::kUnique;
  unique.exclusive = true;
  unique.priority = 10;
  unique.limits.per_day = 2;
  offers.push_back(unique);
  offers.push_back(BaseOffer("o_shop2_fix", "shop-2", Layer::kMerchant, Discount::Fixed(10'000)));
  // shop-1's THANG10 beside the platform's (code scopes): a shop-1 cart's THANG10 names both.
  Offer shop_thang10 = WithCode(
      BaseOffer("o_shop1_thang10", "shop-1", Layer::kMerchant, Discount::Fixed(60'000)), "THANG10");
  shop_thang10.min_order_amount = 300'000;
  offers.push_back(shop_thang10);
  // Platform offers.
  Offer thang10 =
      WithCode(BaseOffer("o_thang10", "platform", Layer::kPlatform, Discount::Percent(15, 200'000)),
               "THANG10");
  thang10.payment_methods = std::vector<std::string>{"digital"};
  thang10.categories = std::vector<std::string>{"electronics", "books"};
  thang10.limits.total_redemptions = 3;
  thang10.limits.per_shopper = 1;
  thang10.priority = 5;
  offers.push_back(thang10);
  Offer paused = WithCode(
      BaseOffer("o_paused", "platform", Layer::kPlatform, Discount::Fixed(5'000)), "PAUSED1");
  paused.status = OfferStatus::kPaused;
  offers.push_back(paused);
  Offer future =
      WithCode(BaseOffer("o_future", "platform", Layer::kPlatform, Discount::Percent(11)), "NOV11");
  future.starts_at = At("2026-11-11T00:00:00+07:00");
  future.ends_at = At("2026-11-12T00:00:00+07:00");
  offers.push_back(future);
  Offer night = BaseOffer("o_night", "platform", Layer::kPlatform, Discount::Percent(5));
  night.daily_window = DailyWindow{22 * 60, 2 * 60};
  night.skus = std::vector<std::string>{"sku-night"};
  night.merchant_ids = std::vector<std::string>{"shop-1", "shop-2"};
  offers.push_back(night);
  // Payment and shipping.
  Offer momo = BaseOffer("o_momo", "platform", Layer::kPayment, Discount::Fixed(20'000));
  momo.payment_methods = std::vector<std::string>{"momo"};
  momo.daily_window = DailyWindow{11 * 60, 14 * 60};
  momo.funded_by = FundedBy::kPaymentPartner;
  momo.funder = "momo";
  momo.limits.total_budget = 100'000;
  offers.push_back(momo);
  Offer ship = BaseOffer("o_ship", "platform", Layer::kShipping, Discount::FreeShipping(30'000));
  ship.min_order_amount = 100'000;
  ship.restore_on_refund = false;
  offers.push_back(ship);
  for (const Offer& offer : offers) {
    FUZZ_CHECK(ValidateOffer(offer).empty(), offer.id + " is not a valid offer");
  }
  return offers;
}

std::vector<std::string> IssuedUniqueCodes() {
  std::vector<std::string> codes = {"FVZZ00000001B", "FVZZ000000022", "FVZZ00000003S"};
  for (const std::string& code : codes) FUZZ_CHECK(CanonicalUniqueCode(code) == code, code);
  return codes;
}

OfferUsage FixedUsage::UsageOf(const Offer& offer, std::string_view shopper_id, LocalDay) const {
  OfferUsage usage;
  if (offer.id == "o_thang10") {
    usage.redemptions = 2;
    usage.shopper_redemptions = shopper_id == "s-used" ? 1 : 0;
  } else if (offer.id == "o_momo") {
    usage.redemptions = 5;
    usage.budget_spent = 85'000;  // a discount over 15,000 no longer fits the budget
  } else if (offer.id == kUniqueOfferId) {
    usage.redemptions = 1;
    usage.day_redemptions = 1;
  }
  return usage;
}

std::optional<UniqueCodeInfo> FixedUsage::FindUniqueCode(std::string_view canonical_code) const {
  static const std::vector<std::string> codes = IssuedUniqueCodes();
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] == canonical_code) {
      return UniqueCodeInfo{kUniqueOfferId, i + 1 != codes.size()};  // the last one is held
    }
  }
  return std::nullopt;
}

}  // namespace uudai::fuzz
