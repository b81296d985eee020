#include "uudai/quote.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <variant>
#include <vector>

#include "combination_search.h"
#include "uudai/text_rules.h"
#include "uudai/unique_code.h"

namespace uudai {
namespace {

// What every eligibility check needs to know about the cart, computed once per quote.
struct CartContext {
  const Cart& cart;
  Money subtotal;
  std::int64_t units;  // Σ quantity
  Timestamp at;
  LocalDay day;
  int minute_of_day;
};

// The cart items an offer's filters let in (the categories from the entry, the rarer SKU lists
// from the offer).
bool Matches(const CatalogEntry& entry, const CartItem& item) {
  if (entry.has_categories && std::find(entry.categories.begin(), entry.categories.end(),
                                        item.category) == entry.categories.end()) {
    return false;
  }
  if (!entry.has_skus) return true;
  const std::vector<std::string>& skus = *entry.offer->skus;
  return std::find(skus.begin(), skus.end(), item.sku) != skus.end();
}

// What the items an offer's filters let in come to: their subtotal and their units.
struct Eligible {
  Money subtotal = 0;
  std::int64_t units = 0;
};

Eligible EligibleItems(const CatalogEntry& entry, const CartContext& ctx) {
  if (!entry.has_item_filter()) return {ctx.subtotal, ctx.units};
  Eligible eligible;
  for (const CartItem& item : ctx.cart.items) {
    if (Matches(entry, item)) {
      eligible.subtotal += item.unit_price * item.quantity;  // ≤ subtotal ≤ kMaxAmount
      eligible.units += item.quantity;
    }
  }
  return eligible;
}

// floor(amount × percent / 100), capped. amount ≤ 10^15: the product fits in int64.
Money PercentOf(Money amount, std::int64_t percent, const std::optional<Money>& cap) {
  const Money off = amount * percent / 100;
  return cap ? std::min(off, *cap) : off;
}

// The highest tier the eligible subtotal (or units) reaches, its discount on the eligible
// subtotal; 0 below the lowest tier.
Money TieredDiscount(const Discount& d, const Eligible& eligible) {
  const std::int64_t reached = d.basis == TierBasis::kSubtotal ? eligible.subtotal : eligible.units;
  const DiscountTier* tier = nullptr;
  for (const DiscountTier& t : d.tiers) {
    if (reached >= t.min) tier = &t;  // tiers go by increasing min
  }
  if (tier == nullptr) return 0;
  return tier->type == DiscountType::kPercent
             ? PercentOf(eligible.subtotal, tier->value, tier->max_amount)
             : std::min<Money>(tier->value, eligible.subtotal);
}

// Of every buy + get eligible units, the get cheapest get `value` percent off (at most
// max_sets sets): the cheapest sets × get units of the cart's eligible ones, each unit of an
// item counted on its own; floor of the percent of their sum.
Money BuyXGetYDiscount(const Discount& d, const CatalogEntry& entry, const CartContext& ctx,
                       std::int64_t eligible_units) {
  std::int64_t sets = eligible_units / (d.buy + d.get);
  if (d.max_sets) sets = std::min(sets, *d.max_sets);
  std::int64_t left = sets * d.get;
  if (left == 0) return 0;
  std::vector<std::pair<Money, std::int64_t>> units;  // (unit price, quantity) of each item
  for (const CartItem& item : ctx.cart.items) {
    if (!entry.has_item_filter() || Matches(entry, item)) {
      units.emplace_back(item.unit_price, item.quantity);
    }
  }
  std::sort(units.begin(), units.end());
  Money given = 0;
  for (const auto& [price, quantity] : units) {
    const std::int64_t taken = std::min(quantity, left);
    given += price * taken;
    left -= taken;
    if (left == 0) break;
  }
  return PercentOf(given, d.value, std::nullopt);
}

// The discount `entry` gives this cart before trimming (0: none).
Money DiscountFor(const CatalogEntry& entry, const CartContext& ctx, const Eligible& eligible) {
  const Discount& d = *entry.discount;
  switch (d.type) {
    case DiscountType::kPercent:
    case DiscountType::kCashback:
      return PercentOf(eligible.subtotal, d.value, d.max_amount);
    case DiscountType::kFixed:
      return std::min<Money>(d.value, eligible.subtotal);
    case DiscountType::kFreeShipping:
      return d.max_amount ? std::min(ctx.cart.shipping_fee, *d.max_amount) : ctx.cart.shipping_fee;
    case DiscountType::kTiered:
      return TieredDiscount(d, eligible);
    case DiscountType::kBuyXGetY:
      return BuyXGetYDiscount(d, entry, ctx, eligible.units);
  }
  return 0;
}

// Why an offer whose conditions hold still gives this cart nothing: too little for its lowest
// tier or for one set, or items that come to a zero discount.
RejectionReason NoDiscountReason(const Discount& d, const Eligible& eligible) {
  if (d.type == DiscountType::kBuyXGetY && eligible.units < d.buy + d.get) {
    return RejectionReason::kMinQuantity;
  }
  if (d.type == DiscountType::kTiered) {
    const bool by_subtotal = d.basis == TierBasis::kSubtotal;
    const std::int64_t reached = by_subtotal ? eligible.subtotal : eligible.units;
    if (d.tiers.empty() || reached < d.tiers.front().min) {
      return by_subtotal ? RejectionReason::kMinOrderAmount : RejectionReason::kMinQuantity;
    }
  }
  return RejectionReason::kNoEligibleItems;
}

bool HoldsATagOf(const Cart& cart, const std::vector<std::string>& tags) {
  return std::any_of(cart.shopper_tags.begin(), cart.shopper_tags.end(), [&](const auto& tag) {
    return std::find(tags.begin(), tags.end(), tag) != tags.end();
  });
}

bool MerchantMatches(const Offer& offer, const std::string& merchant_id) {
  if (offer.layer == Layer::kMerchant) return offer.merchant_id == merchant_id;
  return !offer.merchant_ids || std::find(offer.merchant_ids->begin(), offer.merchant_ids->end(),
                                          merchant_id) != offer.merchant_ids->end();
}

// The discount `entry` would give this cart before trimming, or why it gives none. Reads the
// entry's inline fields first; the Offer itself only for item filters, merchant lists and limits.
// `via_code`: found through a code, so the merchant still has to be checked (auto offers come
// from the lists of the cart's merchant and match it by construction).
std::variant<Money, RejectionReason> Assess(const CatalogEntry& entry, const CartContext& ctx,
                                            const UsageView& usage, bool via_code) {
  if (entry.status != OfferStatus::kActive) return RejectionReason::kPaused;
  if (ctx.at < entry.starts_at) return RejectionReason::kNotStarted;
  if (ctx.at >= entry.ends_at) return RejectionReason::kEnded;
  if (entry.daily_window && !entry.daily_window->Contains(ctx.minute_of_day)) {
    return RejectionReason::kOutsideWindow;
  }
  const Offer& offer = *entry.offer;
  if (via_code && !MerchantMatches(offer, ctx.cart.merchant_id)) return RejectionReason::kMerchant;
  if (!entry.any_payment_method && !entry.payment_methods.Contains(ctx.cart.payment_method)) {
    return RejectionReason::kPaymentMethod;
  }
  if (entry.has_shopper_tags && !HoldsATagOf(ctx.cart, *offer.shopper_tags)) {
    return RejectionReason::kShopperTags;
  }
  if (entry.first_order &&
      usage.ShopperOrders(ctx.cart.shopper_id, FirstOrderScope(entry.layer, ctx.cart.merchant_id)) >
          0) {
    return RejectionReason::kNotFirstOrder;
  }
  const Eligible eligible = EligibleItems(entry, ctx);
  if (eligible.subtotal == 0 && entry.has_item_filter()) return RejectionReason::kNoEligibleItems;
  if (eligible.subtotal < entry.min_order_amount) return RejectionReason::kMinOrderAmount;
  const Money discount = DiscountFor(entry, ctx, eligible);
  if (discount <= 0) return NoDiscountReason(*entry.discount, eligible);
  if (entry.has_limits) {
    const OfferLimits& limits = offer.limits;
    const OfferUsage used = usage.UsageOf(offer, ctx.cart.shopper_id, ctx.day);
    if (limits.total_redemptions && used.redemptions >= *limits.total_redemptions) {
      return RejectionReason::kQuotaExhausted;
    }
    if (limits.total_budget && used.budget_spent + discount > *limits.total_budget) {
      return RejectionReason::kBudgetExhausted;
    }
    if (limits.per_shopper && used.shopper_redemptions >= *limits.per_shopper) {
      return RejectionReason::kPerShopperLimit;
    }
    if (limits.per_day && used.day_redemptions >= *limits.per_day) {
      return RejectionReason::kDailyLimit;
    }
  }
  return discount;
}

// Asks for the parts of `offer` that Assess may read (its id for the usage lookup, its
// discount, its limits) without waiting for them. In a large catalog a shop's offers lie far
// apart in memory: prefetched together, their cache misses overlap instead of queueing one
// after the other.
void PrefetchChecksOf(const Offer& offer) {
  __builtin_prefetch(&offer.id);
  __builtin_prefetch(&offer.discount);
  __builtin_prefetch(&offer.limits);
}

// A candidate with what the quote needs to report it.
struct Found {
  const CatalogEntry* entry = nullptr;
  std::optional<std::string> code;  // canonical; nullopt for auto offers
  std::optional<std::size_t> supplied_index;
  std::size_t rank = 0;  // position among the offers its supplied code names (ResolveCode)
};

using Resolution = std::variant<Found, CodeRejection>;

// Appends to `out` what a supplied code names, in this order (the rank of each): the public
// code of the cart's shop, the platform-wide public code, then a unique code (a Found, or a
// CodeRejection when it is used). Nothing when the code names no offer.
void ResolveCode(const std::string& supplied, const Cart& cart, const CatalogSnapshot& catalog,
                 const UsageView& usage, std::vector<Resolution>& out) {
  if (auto upper = CanonicalPublicCode(supplied)) {
    for (std::string_view scope : {std::string_view(cart.merchant_id), kPlatformCodeScope}) {
      if (const CatalogEntry* entry = catalog.FindByPublicCode(scope, *upper)) {
        out.emplace_back(Found{entry, *upper, std::nullopt, out.size()});
      }
    }
  }
  if (auto canonical = CanonicalUniqueCode(supplied)) {
    if (auto info = usage.FindUniqueCode(*canonical)) {
      const CatalogEntry* entry = catalog.FindById(info->offer_id);
      if (entry != nullptr && entry->offer->code_mode == CodeMode::kUnique) {
        if (!info->available) {
          out.emplace_back(CodeRejection{supplied, info->offer_id, RejectionReason::kCodeUsed});
        } else {
          out.emplace_back(Found{entry, std::move(*canonical), std::nullopt, out.size()});
        }
      }
    }
  }
}

}  // namespace

std::string_view RejectionReasonName(RejectionReason reason) {
  static constexpr std::string_view kNames[] = {
      "unknown_code",      "code_used",       "paused",
      "not_started",       "ended",           "outside_window",
      "merchant",          "payment_method",  "no_eligible_items",
      "min_order_amount",  "quota_exhausted", "budget_exhausted",
      "per_shopper_limit", "daily_limit",     "superseded",
      "min_quantity",      "shopper_tags",    "not_first_order",
  };
  static_assert(std::size(kNames) == kRejectionReasonCount);
  return kNames[static_cast<std::size_t>(reason)];
}

StatusCode LimitStatusFor(RejectionReason reason) {
  switch (reason) {
    case RejectionReason::kQuotaExhausted:
      return StatusCode::kQuotaExhausted;
    case RejectionReason::kBudgetExhausted:
      return StatusCode::kBudgetExhausted;
    case RejectionReason::kPerShopperLimit:
      return StatusCode::kPerShopperLimit;
    case RejectionReason::kDailyLimit:
      return StatusCode::kDailyLimit;
    case RejectionReason::kNotFirstOrder:
      return StatusCode::kNotFirstOrder;
    case RejectionReason::kCodeUsed:
      return StatusCode::kCodeUsed;
    default:
      return StatusCode::kNothingToRedeem;
  }
}

Quote QuoteEvaluator::Evaluate(const CatalogSnapshot& catalog, const Cart& cart, Timestamp at,
                               const UsageView& usage) const {
  Quote quote;
  quote.subtotal = ItemsSubtotal(cart);
  quote.shipping_fee = cart.shipping_fee;
  std::int64_t units = 0;
  for (const CartItem& item : cart.items) units += item.quantity;
  const CartContext ctx{cart, quote.subtotal, units, at, zone_.DayOf(at), zone_.MinuteOfDay(at)};

  std::vector<Found> found;
  std::vector<internal::Candidate> candidates;
  // A rejection with the index of its supplied code and the rank of its offer among those the
  // code names, so that each supplied code reports at most one, in supplied order, even when
  // the same code is supplied twice.
  struct Rejected {
    std::size_t index;
    std::size_t rank;
    CodeRejection rejection;
  };
  std::vector<Rejected> rejected;
  auto consider = [&](Found f) {
    const auto assessed = Assess(*f.entry, ctx, usage, f.supplied_index.has_value());
    if (const auto* reason = std::get_if<RejectionReason>(&assessed)) {
      if (f.supplied_index) {
        rejected.push_back({*f.supplied_index,
                            f.rank,
                            {cart.codes[*f.supplied_index], f.entry->offer->id, *reason}});
      }
      return;
    }
    candidates.push_back({f.entry->layer, std::get<Money>(assessed), f.entry->priority,
                          f.entry->exclusive, f.entry->id, found.size()});
    found.push_back(std::move(f));
  };

  // Auto-applied offers: this merchant's, then those open to every merchant (few, and read by
  // every quote: in cache).
  const AutoOfferLists& shop_offers = catalog.AutoOffersFor(cart.merchant_id);
  for (const CatalogEntry& entry : shop_offers.all()) {
    PrefetchChecksOf(*entry.offer);
    // The category list the item filter compares with, alongside its offer.
    if (entry.has_categories) __builtin_prefetch(entry.categories.data());
  }
  for (const AutoOfferLists* lists : {&shop_offers, &catalog.AutoOffersForAllMerchants()}) {
    for (const CatalogEntry& entry : lists->all()) {
      consider(Found{&entry, std::nullopt, std::nullopt});
    }
  }
  // Supplied codes, in order; one code may name offers in several scopes (ResolveCode), each a
  // candidate of its own. An offer already in play through an earlier code is superseded.
  std::vector<std::string_view> seen_offers;
  std::vector<Resolution> resolved;
  for (std::size_t i = 0; i < cart.codes.size(); ++i) {
    resolved.clear();
    ResolveCode(cart.codes[i], cart, catalog, usage, resolved);
    if (resolved.empty()) {
      rejected.push_back({i, 0, {cart.codes[i], std::nullopt, RejectionReason::kUnknownCode}});
    }
    for (std::size_t rank = 0; rank < resolved.size(); ++rank) {
      if (auto* rejection = std::get_if<CodeRejection>(&resolved[rank])) {
        rejected.push_back({i, rank, std::move(*rejection)});
        continue;
      }
      Found f = std::get<Found>(std::move(resolved[rank]));
      f.supplied_index = i;
      const std::string& offer_id = f.entry->offer->id;
      if (std::find(seen_offers.begin(), seen_offers.end(), offer_id) != seen_offers.end()) {
        rejected.push_back({i, rank, {cart.codes[i], offer_id, RejectionReason::kSuperseded}});
        continue;
      }
      seen_offers.push_back(offer_id);
      consider(std::move(f));
    }
  }

  const auto best = internal::FindBestCombination(candidates, quote.subtotal, cart.shipping_fee);
  std::vector<bool> chosen(found.size(), false);
  std::vector<bool> code_applied(cart.codes.size(), false);
  for (const internal::Choice& choice : best) {
    chosen[choice.source] = true;
    const Found& f = found[choice.source];
    if (f.supplied_index) code_applied[*f.supplied_index] = true;
    if (f.entry->discount->type == DiscountType::kCashback) {
      quote.applied.push_back({f.entry->offer, f.code, 0, choice.discount});
      quote.cashback_total += choice.discount;
    } else {
      quote.applied.push_back({f.entry->offer, f.code, choice.discount, 0});
      quote.discount_total += choice.discount;
    }
  }
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (!chosen[i] && found[i].supplied_index) {
      rejected.push_back({*found[i].supplied_index,
                          found[i].rank,
                          {cart.codes[*found[i].supplied_index], found[i].entry->offer->id,
                           RejectionReason::kSuperseded}});
    }
  }
  // One rejection per supplied code that applied no offer, in supplied order: that of the
  // first offer the code names (the shop's public code, the platform's, a unique code).
  std::sort(rejected.begin(), rejected.end(), [](const Rejected& a, const Rejected& b) {
    return a.index != b.index ? a.index < b.index : a.rank < b.rank;
  });
  quote.rejected.reserve(rejected.size());
  for (std::size_t k = 0; k < rejected.size(); ++k) {
    if (code_applied[rejected[k].index]) continue;
    if (k > 0 && rejected[k - 1].index == rejected[k].index) continue;
    quote.rejected.push_back(std::move(rejected[k].rejection));
  }
  return quote;
}

}  // namespace uudai
