// Test support for offers, carts, catalogs and quotes: builders with campaign-like defaults and
// a fake UsageView whose counters and unique codes the test sets. Header-only, tests only.
#ifndef UUDAI_TESTS_ENGINE_QUOTE_TEST_SUPPORT_H_
#define UUDAI_TESTS_ENGINE_QUOTE_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "uudai/campaign_time.h"
#include "uudai/cart.h"
#include "uudai/catalog.h"
#include "uudai/offer.h"
#include "uudai/quote.h"
#include "uudai/usage_view.h"

namespace uudai {

// Readable gtest output for rejections (found by argument-dependent lookup).
inline void PrintTo(const CodeRejection& r, std::ostream* os) {
  *os << "{" << r.code << ", " << r.offer_id.value_or("<none>") << ", "
      << RejectionReasonName(r.reason) << "}";
}

}  // namespace uudai

namespace uudai::testing {

inline constexpr std::string_view kMerchant = "m-1";
inline constexpr std::string_view kShopper = "s-1";

// Parses an RFC 3339 instant; a malformed literal fails the test.
inline Timestamp At(std::string_view text) {
  const std::optional<Timestamp> t = ParseRfc3339(text);
  EXPECT_TRUE(t.has_value()) << "bad timestamp literal " << text;
  return t.value_or(Timestamp{});
}

// October 2026, the campaign month, in Vietnam time.
inline Timestamp CampaignStart() { return At("2026-10-01T00:00:00+07:00"); }
inline Timestamp CampaignEnd() { return At("2026-11-01T00:00:00+07:00"); }
inline Timestamp Oct10Noon() { return At("2026-10-10T12:00:00+07:00"); }

// A valid, active, auto-applied offer of merchant m-1 running through October 2026.
inline Offer BaseOffer(std::string id, Layer layer) {
  Offer offer;
  offer.id = std::move(id);
  offer.merchant_id = std::string(kMerchant);
  offer.name = "Ưu đãi Tháng tiêu dùng số";
  offer.layer = layer;
  offer.starts_at = CampaignStart();
  offer.ends_at = CampaignEnd();
  offer.funded_by = layer == Layer::kMerchant ? FundedBy::kMerchant : FundedBy::kPlatform;
  offer.created_at = CampaignStart();
  offer.updated_at = CampaignStart();
  return offer;
}

inline Offer PercentOffer(std::string id, Layer layer, std::int64_t percent,
                          std::optional<Money> max_amount = std::nullopt) {
  Offer offer = BaseOffer(std::move(id), layer);
  offer.discount = Discount::Percent(percent, max_amount);
  return offer;
}

inline Offer FixedOffer(std::string id, Layer layer, Money value) {
  Offer offer = BaseOffer(std::move(id), layer);
  offer.discount = Discount::Fixed(value);
  return offer;
}

inline Offer FreeShippingOffer(std::string id, std::optional<Money> max_amount = std::nullopt) {
  Offer offer = BaseOffer(std::move(id), Layer::kShipping);
  offer.discount = Discount::FreeShipping(max_amount);
  return offer;
}

// A tier of a tiered discount: percent (with an optional cap) or fixed from `min` on.
inline DiscountTier PercentTier(std::int64_t min, std::int64_t percent,
                                std::optional<Money> max_amount = std::nullopt) {
  return {min, DiscountType::kPercent, percent, max_amount};
}
inline DiscountTier FixedTier(std::int64_t min, Money value) {
  return {min, DiscountType::kFixed, value, std::nullopt};
}

inline Offer TieredOffer(std::string id, Layer layer, TierBasis basis,
                         std::vector<DiscountTier> tiers) {
  Offer offer = BaseOffer(std::move(id), layer);
  offer.discount = Discount::Tiered(basis, std::move(tiers));
  return offer;
}

inline Offer BuyXGetYOffer(std::string id, Layer layer, std::int64_t buy, std::int64_t get,
                           std::int64_t percent, std::optional<std::int64_t> max_sets = {}) {
  Offer offer = BaseOffer(std::move(id), layer);
  offer.discount = Discount::BuyXGetY(buy, get, percent, max_sets);
  return offer;
}

// `offer` turned into a public-code offer.
inline Offer WithCode(Offer offer, std::string code) {
  offer.code_mode = CodeMode::kPublic;
  offer.code = std::move(code);
  return offer;
}

inline CartItem Item(std::string sku, std::string category, Money unit_price,
                     std::int64_t quantity = 1) {
  return CartItem{std::move(sku), std::move(category), unit_price, quantity};
}

// Shopper s-1 at merchant m-1 paying with MoMo, 30,000 đồng shipping.
inline Cart MakeCart(std::vector<CartItem> items, std::vector<std::string> codes = {}) {
  Cart cart;
  cart.shopper_id = std::string(kShopper);
  cart.merchant_id = std::string(kMerchant);
  cart.payment_method = PaymentMethod::kMomo;
  cart.shipping_fee = 30'000;
  cart.items = std::move(items);
  cart.codes = std::move(codes);
  return cart;
}

// One item of `amount` đồng.
inline Cart CartOf(Money amount, std::vector<std::string> codes = {}) {
  return MakeCart({Item("sku-1", "electronics", amount)}, std::move(codes));
}

inline std::vector<std::shared_ptr<const Offer>> Share(const std::vector<Offer>& offers) {
  std::vector<std::shared_ptr<const Offer>> shared;
  shared.reserve(offers.size());
  for (const Offer& offer : offers) shared.push_back(std::make_shared<const Offer>(offer));
  return shared;
}

inline std::shared_ptr<const CatalogSnapshot> SnapshotOf(const std::vector<Offer>& offers) {
  return CatalogSnapshot::Build(Share(offers));
}

// A UsageView whose answers the test sets. Day counts are keyed by local day, so a lookup for
// the wrong day reads zero.
class FakeUsageView : public UsageView {
 public:
  void SetRedemptions(const std::string& offer_id, std::int64_t n) { redemptions_[offer_id] = n; }
  void SetBudgetSpent(const std::string& offer_id, Money spent) { budget_[offer_id] = spent; }
  void SetShopperRedemptions(const std::string& offer_id, const std::string& shopper,
                             std::int64_t n) {
    shopper_[{offer_id, shopper}] = n;
  }
  void SetDayRedemptions(const std::string& offer_id, LocalDay day, std::int64_t n) {
    day_[{offer_id, day.index}] = n;
  }
  void AddUniqueCode(const std::string& canonical_code, const std::string& offer_id,
                     bool available = true) {
    codes_[canonical_code] = UniqueCodeInfo{offer_id, available};
  }
  // Live redemptions of `shopper` at merchant `scope` ("" = every merchant).
  void SetShopperOrders(const std::string& shopper, const std::string& scope, std::int64_t n) {
    orders_[{shopper, scope}] = n;
  }

  OfferUsage UsageOf(const Offer& offer, std::string_view shopper_id, LocalDay day) const override {
    days_asked_.push_back(day);
    OfferUsage usage;
    usage.redemptions = Lookup(redemptions_, offer.id);
    usage.budget_spent = Lookup(budget_, offer.id);
    usage.shopper_redemptions = Lookup(shopper_, std::make_pair(offer.id, std::string(shopper_id)));
    usage.day_redemptions = Lookup(day_, std::make_pair(offer.id, day.index));
    return usage;
  }

  std::int64_t ShopperOrders(std::string_view shopper_id, std::string_view scope) const override {
    return Lookup(orders_, std::make_pair(std::string(shopper_id), std::string(scope)));
  }

  std::optional<UniqueCodeInfo> FindUniqueCode(std::string_view canonical_code) const override {
    auto it = codes_.find(std::string(canonical_code));
    if (it == codes_.end()) return std::nullopt;
    return it->second;
  }

  // Every local day UsageOf was asked about, in order.
  const std::vector<LocalDay>& days_asked() const { return days_asked_; }

 private:
  template <typename Map, typename Key>
  static std::int64_t Lookup(const Map& map, const Key& key) {
    auto it = map.find(key);
    return it == map.end() ? 0 : it->second;
  }

  std::map<std::string, std::int64_t> redemptions_;
  std::map<std::string, Money> budget_;
  std::map<std::pair<std::string, std::string>, std::int64_t> shopper_;
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> day_;
  std::map<std::string, UniqueCodeInfo> codes_;
  std::map<std::pair<std::string, std::string>, std::int64_t> orders_;
  mutable std::vector<LocalDay> days_asked_;  // tests are single-threaded
};

// Quotes `cart` against `offers` at `at` (default: 2026-10-10 12:00 local).
inline Quote QuoteFor(const std::vector<Offer>& offers, const Cart& cart,
                      Timestamp at = Oct10Noon(), const UsageView* usage = nullptr) {
  const FakeUsageView no_usage;
  const auto snapshot = SnapshotOf(offers);
  return QuoteEvaluator().Evaluate(*snapshot, cart, at, usage ? *usage : no_usage);
}

// (offer id, discount) of every applied offer, in order.
inline std::vector<std::pair<std::string, Money>> AppliedOf(const Quote& quote) {
  std::vector<std::pair<std::string, Money>> applied;
  for (const AppliedOffer& a : quote.applied) applied.emplace_back(a.offer->id, a.discount);
  return applied;
}

using Applied = std::vector<std::pair<std::string, Money>>;

// The rejection of the only supplied code; fails the test if there is not exactly one.
inline CodeRejection OnlyRejection(const Quote& quote) {
  EXPECT_EQ(quote.rejected.size(), 1u);
  return quote.rejected.empty() ? CodeRejection{} : quote.rejected.front();
}

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_ENGINE_QUOTE_TEST_SUPPORT_H_
