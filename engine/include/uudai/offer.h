// The offer model: what a merchant (or the platform) registers. Plain value type.
//
// Field meanings follow docs/design.md §3. Optional list filters use std::optional: absent means
// "no restriction", which is different from an empty list (rejected by validation).
#ifndef UUDAI_OFFER_H_
#define UUDAI_OFFER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "uudai/campaign_time.h"
#include "uudai/money.h"

namespace uudai {

// Discount layers, in the order discounts are applied and trimmed. At most one offer per layer.
enum class Layer : std::uint8_t { kMerchant, kPlatform, kPayment, kShipping };
inline constexpr std::size_t kLayerCount = 4;

// kCashback is a payment-layer reward the shopper gets back after paying (it does not lower the
// total). New types go last: journals store a type by its number.
enum class DiscountType : std::uint8_t {
  kPercent,
  kFixed,
  kFreeShipping,
  kTiered,
  kBuyXGetY,
  kCashback
};
inline constexpr std::size_t kDiscountTypeCount =
    static_cast<std::size_t>(DiscountType::kCashback) + 1;
// What a tiered discount's tiers are reached by: the eligible subtotal or the eligible units.
enum class TierBasis : std::uint8_t { kSubtotal, kQuantity };
enum class CodeMode : std::uint8_t { kAuto, kPublic, kUnique };
enum class FundedBy : std::uint8_t { kMerchant, kPlatform, kPaymentPartner };
enum class OfferStatus : std::uint8_t { kActive, kPaused, kArchived };

std::string_view LayerName(Layer layer);
std::optional<Layer> ParseLayer(std::string_view text);
std::string_view DiscountTypeName(DiscountType type);
std::optional<DiscountType> ParseDiscountType(std::string_view text);
std::string_view TierBasisName(TierBasis basis);
std::optional<TierBasis> ParseTierBasis(std::string_view text);
std::string_view CodeModeName(CodeMode mode);
std::optional<CodeMode> ParseCodeMode(std::string_view text);
std::string_view FundedByName(FundedBy funded_by);
std::optional<FundedBy> ParseFundedBy(std::string_view text);
std::string_view OfferStatusName(OfferStatus status);
std::optional<OfferStatus> ParseOfferStatus(std::string_view text);

// One step of a tiered discount: from `min` (đồng of eligible subtotal, or eligible units) on,
// a percent (value 1..100, optional cap) or fixed (value in đồng) discount.
struct DiscountTier {
  std::int64_t min = 0;
  DiscountType type = DiscountType::kPercent;  // percent or fixed
  std::int64_t value = 0;
  std::optional<Money> max_amount;  // percent only

  friend bool operator==(const DiscountTier&, const DiscountTier&) = default;
};

struct Discount {
  DiscountType type = DiscountType::kPercent;
  // percent and cashback: 1..100; fixed: amount in đồng; free_shipping and tiered: unused (0);
  // buy_x_get_y: the percent off each unit given (1..100).
  std::int64_t value = 0;
  // percent, cashback and free_shipping: optional cap in đồng.
  std::optional<Money> max_amount;
  // tiered: what reaches a tier, and the tiers by increasing min (the highest reached applies).
  TierBasis basis = TierBasis::kSubtotal;
  std::vector<DiscountTier> tiers;
  // buy_x_get_y: of every buy + get eligible units, the get cheapest are discounted, at most
  // max_sets times a cart.
  std::int64_t buy = 0;
  std::int64_t get = 0;
  std::optional<std::int64_t> max_sets;

  static Discount Percent(std::int64_t percent, std::optional<Money> max_amount = std::nullopt) {
    Discount d;
    d.value = percent;
    d.max_amount = max_amount;
    return d;
  }
  static Discount Fixed(Money value) {
    Discount d;
    d.type = DiscountType::kFixed;
    d.value = value;
    return d;
  }
  static Discount Tiered(TierBasis basis, std::vector<DiscountTier> tiers) {
    Discount d;
    d.type = DiscountType::kTiered;
    d.basis = basis;
    d.tiers = std::move(tiers);
    return d;
  }
  static Discount BuyXGetY(std::int64_t buy, std::int64_t get, std::int64_t percent,
                           std::optional<std::int64_t> max_sets = std::nullopt) {
    Discount d;
    d.type = DiscountType::kBuyXGetY;
    d.buy = buy;
    d.get = get;
    d.value = percent;
    d.max_sets = max_sets;
    return d;
  }
  // Back to the shopper after payment: percent of the eligible subtotal, capped.
  static Discount Cashback(std::int64_t percent, std::optional<Money> max_amount = std::nullopt) {
    Discount d = Percent(percent, max_amount);
    d.type = DiscountType::kCashback;
    return d;
  }
  static Discount FreeShipping(std::optional<Money> max_amount = std::nullopt) {
    Discount d;
    d.type = DiscountType::kFreeShipping;
    d.max_amount = max_amount;
    return d;
  }

  friend bool operator==(const Discount&, const Discount&) = default;
};

// Limits count reserved + committed redemptions (and refunded ones when the offer does not
// restore on refund). total_budget counts their discounts.
struct OfferLimits {
  std::optional<std::int64_t> total_redemptions;
  std::optional<Money> total_budget;
  std::optional<std::int64_t> per_shopper;
  std::optional<std::int64_t> per_day;

  bool any() const { return total_redemptions || total_budget || per_shopper || per_day; }
  friend bool operator==(const OfferLimits&, const OfferLimits&) = default;
};

// Who wrote an offer's version: the API key (its key_id, a prefix of its digest) and its role.
struct OfferAuthor {
  std::string key_id;
  std::string role;  // "admin", "merchant", ...
  friend bool operator==(const OfferAuthor&, const OfferAuthor&) = default;
};

struct Offer {
  std::string id;  // server-generated, immutable
  std::string merchant_id;
  std::string name;
  Layer layer = Layer::kMerchant;
  Discount discount;
  Money min_order_amount = 0;
  std::optional<std::vector<std::string>> payment_methods;  // ids or "digital"
  std::optional<std::vector<std::string>> categories;
  std::optional<std::vector<std::string>> skus;
  std::optional<std::vector<std::string>> merchant_ids;  // non-merchant layers only
  // Applies only to carts whose shopper_tags hold one of these.
  std::optional<std::vector<std::string>> shopper_tags;
  // Applies only to a shopper with no live (reserved or committed) redemption at this merchant
  // (merchant layer) or anywhere on the platform (other layers); see FirstOrderScope.
  bool first_order = false;
  Timestamp starts_at;
  Timestamp ends_at;
  std::optional<DailyWindow> daily_window;
  CodeMode code_mode = CodeMode::kAuto;
  std::optional<std::string> code;  // public mode only; stored upper-case
  OfferLimits limits;
  bool exclusive = false;
  std::int32_t priority = 0;
  FundedBy funded_by = FundedBy::kMerchant;
  std::optional<std::string> funder;  // e.g. "momo" for payment_partner
  bool restore_on_refund = true;
  // A hot offer (a flash sale's): a store spread over several shards splits its
  // total_redemptions, total_budget and per_day limits into one share per data shard, so that
  // its redemptions spread too; other stores keep it as any offer. Set at creation only; those
  // three limits may then be raised or removed, never lowered or added (see
  // ValidateOfferChange). Not with code_mode unique (a code is redeemed where it is kept).
  bool hot = false;
  OfferStatus status = OfferStatus::kActive;
  std::int64_t version = 1;
  Timestamp created_at;
  Timestamp updated_at;
  // Who wrote this version (nullopt: written by uudai itself, e.g. the demo campaign, or by a
  // build that did not record it).
  std::optional<OfferAuthor> updated_by;

  friend bool operator==(const Offer&, const Offer&) = default;
};

// The scope in which an offer's codes are unique and looked up (public codes, and unique codes
// when a public code is checked against them): the shop of a merchant-layer offer (its
// merchant_id, never empty for a valid offer), or the one platform-wide scope of the platform,
// payment and shipping layers, spelled "" (kPlatformCodeScope).
inline constexpr std::string_view kPlatformCodeScope = "";
inline std::string_view CodeScopeOf(const Offer& offer) {
  return offer.layer == Layer::kMerchant ? std::string_view(offer.merchant_id) : kPlatformCodeScope;
}

// Where a first_order offer looks for the shopper's earlier redemptions when the cart is at
// `cart_merchant_id`: that merchant for a merchant-layer offer, the whole platform (spelled
// kPlatformCodeScope, "") otherwise.
inline std::string_view FirstOrderScope(Layer layer, std::string_view cart_merchant_id) {
  return layer == Layer::kMerchant ? cart_merchant_id : kPlatformCodeScope;
}
inline std::string_view FirstOrderScope(const Offer& offer, std::string_view cart_merchant_id) {
  return FirstOrderScope(offer.layer, cart_merchant_id);
}

// Range of `priority` accepted by validation.
inline constexpr std::int32_t kMinPriority = -1'000'000;
inline constexpr std::int32_t kMaxPriority = 1'000'000;

}  // namespace uudai

#endif  // UUDAI_OFFER_H_
