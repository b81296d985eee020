#include "uudai/offer_validator.h"

#include <string>

#include "uudai/payment_method.h"
#include "uudai/text_rules.h"

namespace uudai {
namespace {

constexpr std::size_t kMaxFilterEntries = 1000;
constexpr std::int64_t kMaxCountLimit = 1'000'000'000'000;  // 10^12

class Errors {
 public:
  void Add(std::string path, std::string message) {
    errors_.push_back({std::move(path), std::move(message)});
  }
  std::vector<FieldError> Take() { return std::move(errors_); }

 private:
  std::vector<FieldError> errors_;
};

std::string AmountRange() { return "must be a whole number of đồng from 0 to 10^15"; }

void CheckAmount(Errors& errors, const std::string& path, Money amount, Money min) {
  if (amount < min || amount > kMaxAmount) {
    errors.Add(path, min == 0 ? AmountRange()
                              : "must be a whole number of đồng from " + std::to_string(min) +
                                    " to 10^15");
  }
}

void CheckIdList(Errors& errors, const std::string& path,
                 const std::optional<std::vector<std::string>>& list) {
  if (!list) return;
  if (list->empty()) {
    errors.Add(path, "must not be empty (leave it out to match everything)");
    return;
  }
  if (list->size() > kMaxFilterEntries) {
    errors.Add(path, "must have at most " + std::to_string(kMaxFilterEntries) + " entries");
    return;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (!IsValidIdentifier((*list)[i])) {
      errors.Add(path + "[" + std::to_string(i) + "]",
                 "must be 1-128 characters of letters, digits and -_.:@/");
    }
  }
}

constexpr std::size_t kMaxTiers = 10;
constexpr std::int64_t kMaxUnitCount = 1'000'000;

void CheckTiers(Errors& errors, const Discount& d) {
  if (d.tiers.empty() || d.tiers.size() > kMaxTiers) {
    errors.Add("discount.tiers", "must have 1 to " + std::to_string(kMaxTiers) + " tiers");
    return;
  }
  for (std::size_t i = 0; i < d.tiers.size(); ++i) {
    const DiscountTier& tier = d.tiers[i];
    const std::string at = "discount.tiers[" + std::to_string(i) + "]";
    if (d.basis == TierBasis::kSubtotal) {
      CheckAmount(errors, at + ".min", tier.min, 1);
    } else if (tier.min < 1 || tier.min > kMaxUnitCount) {
      errors.Add(at + ".min", "must be from 1 to " + std::to_string(kMaxUnitCount) + " units");
    }
    if (i > 0 && tier.min <= d.tiers[i - 1].min) {
      errors.Add(at + ".min", "must be more than the tier before's (tiers go by increasing min)");
    }
    switch (tier.type) {
      case DiscountType::kPercent:
        if (tier.value < 1 || tier.value > 100) {
          errors.Add(at + ".discount.value", "must be from 1 to 100");
        }
        if (tier.max_amount) CheckAmount(errors, at + ".discount.max_amount", *tier.max_amount, 1);
        break;
      case DiscountType::kFixed:
        CheckAmount(errors, at + ".discount.value", tier.value, 1);
        if (tier.max_amount) {
          errors.Add(at + ".discount.max_amount", "applies only to percent discounts");
        }
        break;
      default:
        errors.Add(at + ".discount.type", "must be percent or fixed");
    }
  }
}

void CheckBuyXGetY(Errors& errors, const Discount& d) {
  constexpr std::int64_t kMaxSetUnits = 1'000;
  if (d.buy < 1 || d.buy > kMaxSetUnits) errors.Add("discount.buy", "must be from 1 to 1000");
  if (d.get < 1 || d.get > kMaxSetUnits) errors.Add("discount.get", "must be from 1 to 1000");
  if (d.value < 1 || d.value > 100) errors.Add("discount.percent", "must be from 1 to 100");
  if (d.max_sets && (*d.max_sets < 1 || *d.max_sets > kMaxUnitCount)) {
    errors.Add("discount.max_sets", "must be from 1 to " + std::to_string(kMaxUnitCount));
  }
}

void CheckDiscount(Errors& errors, const Offer& offer) {
  const Discount& d = offer.discount;
  const std::string type(DiscountTypeName(d.type));
  switch (d.type) {
    case DiscountType::kPercent:
    case DiscountType::kCashback:
      if (d.value < 1 || d.value > 100) errors.Add("discount.value", "must be from 1 to 100");
      if (d.type == DiscountType::kCashback && offer.layer != Layer::kPayment) {
        errors.Add("discount.type", "cashback is allowed only on the payment layer");
      }
      break;
    case DiscountType::kFixed:
      CheckAmount(errors, "discount.value", d.value, 1);
      break;
    case DiscountType::kFreeShipping:
      if (d.value != 0) errors.Add("discount.value", "is not used by free_shipping discounts");
      if (offer.layer != Layer::kShipping) {
        errors.Add("discount.type", "free_shipping is allowed only on the shipping layer");
      }
      break;
    case DiscountType::kTiered:
      if (d.value != 0) errors.Add("discount.value", "is not used by tiered discounts");
      CheckTiers(errors, d);
      break;
    case DiscountType::kBuyXGetY:
      CheckBuyXGetY(errors, d);
      break;
  }
  const bool capped = d.type == DiscountType::kPercent || d.type == DiscountType::kCashback ||
                      d.type == DiscountType::kFreeShipping;
  if (d.max_amount && !capped) {
    errors.Add("discount.max_amount",
               "applies only to percent, cashback and free_shipping discounts");
  } else if (d.max_amount) {
    CheckAmount(errors, "discount.max_amount", *d.max_amount, 1);
  }
  if (d.type != DiscountType::kTiered && !d.tiers.empty()) {
    errors.Add("discount.tiers", "is used only by tiered discounts, not " + type);
  }
  if (d.type != DiscountType::kBuyXGetY && (d.buy != 0 || d.get != 0 || d.max_sets)) {
    errors.Add("discount.buy", "buy, get and max_sets are used only by buy_x_get_y, not " + type);
  }
  // (A cashback elsewhere than the payment layer is refused above, once.)
  if (offer.layer == Layer::kShipping && d.type != DiscountType::kFreeShipping &&
      d.type != DiscountType::kCashback) {
    errors.Add("discount.type", "the shipping layer takes only free_shipping discounts");
  }
}

void CheckPaymentMethods(Errors& errors, const Offer& offer) {
  if (!offer.payment_methods) return;
  const auto& methods = *offer.payment_methods;
  if (methods.empty()) {
    errors.Add("payment_methods", "must not be empty (leave it out to accept any method)");
    return;
  }
  if (methods.size() > kPaymentMethodCount + 1) {
    errors.Add("payment_methods", "has more entries than there are payment methods");
    return;
  }
  for (std::size_t i = 0; i < methods.size(); ++i) {
    if (methods[i] != "digital" && !ParsePaymentMethod(methods[i])) {
      errors.Add("payment_methods[" + std::to_string(i) + "]",
                 "unknown payment method; expected one of momo, zalopay, vnpay, shopeepay, "
                 "viettel_money, vietqr, card, bank_transfer, cod, or the group digital");
    }
  }
}

void CheckCode(Errors& errors, const Offer& offer) {
  if (offer.code_mode != CodeMode::kPublic) {
    if (offer.code) errors.Add("code", "is allowed only with code_mode public");
    return;
  }
  if (!offer.code) {
    errors.Add("code", "is required with code_mode public");
    return;
  }
  const auto canonical = CanonicalPublicCode(*offer.code);
  if (!canonical) {
    errors.Add("code", "must be 3-32 characters of A-Z, 0-9, _ and -");
  } else if (*canonical != *offer.code) {
    errors.Add("code", "must be stored upper-case");  // the JSON mapping upper-cases it
  }
}

void CheckLimit(Errors& errors, const char* path, const std::optional<std::int64_t>& limit,
                std::int64_t max) {
  if (limit && (*limit < 1 || *limit > max)) {
    errors.Add(path, "must be from 1 to " + std::to_string(max) + " (leave it out for no limit)");
  }
}

void CheckLimits(Errors& errors, const OfferLimits& limits) {
  CheckLimit(errors, "limits.total_redemptions", limits.total_redemptions, kMaxCountLimit);
  CheckLimit(errors, "limits.total_budget", limits.total_budget, kMaxAmount);
  CheckLimit(errors, "limits.per_shopper", limits.per_shopper, kMaxCountLimit);
  CheckLimit(errors, "limits.per_day", limits.per_day, kMaxCountLimit);
}

void CheckWindow(Errors& errors, const Offer& offer) {
  if (offer.ends_at <= offer.starts_at) errors.Add("ends_at", "must be after starts_at");
  if (!offer.daily_window) return;
  const DailyWindow& w = *offer.daily_window;
  if (w.from_minute < 0 || w.from_minute >= kMinutesPerDay) {
    errors.Add("daily_window.from", "must be a time from 00:00 to 23:59");
  }
  if (w.to_minute < 0 || w.to_minute > kMinutesPerDay) {
    errors.Add("daily_window.to", "must be a time from 00:00 to 24:00");
  }
  if (w.from_minute == w.to_minute || (w.from_minute == 0 && w.to_minute == kMinutesPerDay)) {
    errors.Add("daily_window", "must not be empty nor the whole day (leave it out instead)");
  }
}

void CheckFunding(Errors& errors, const Offer& offer) {
  if (offer.funded_by == FundedBy::kPaymentPartner && !offer.funder) {
    errors.Add("funder", "is required when funded_by is payment_partner (e.g. \"momo\")");
  }
  if (offer.funder && !IsValidIdentifier(*offer.funder)) {
    errors.Add("funder", "must be 1-128 characters of letters, digits and -_.:@/");
  }
}

}  // namespace

std::vector<FieldError> ValidateOffer(const Offer& offer) {
  Errors errors;
  if (!IsValidIdentifier(offer.id)) errors.Add("id", "must be a valid identifier");
  if (!IsValidIdentifier(offer.merchant_id)) {
    errors.Add("merchant_id", "must be 1-128 characters of letters, digits and -_.:@/");
  }
  if (!IsValidText(offer.name, 200)) {
    errors.Add("name", "must be 1-200 characters of valid UTF-8 text without control characters");
  }
  CheckDiscount(errors, offer);
  CheckAmount(errors, "min_order_amount", offer.min_order_amount, 0);
  CheckPaymentMethods(errors, offer);
  CheckIdList(errors, "categories", offer.categories);
  CheckIdList(errors, "skus", offer.skus);
  CheckIdList(errors, "shopper_tags", offer.shopper_tags);
  if (offer.merchant_ids && offer.layer == Layer::kMerchant) {
    errors.Add("merchant_ids", "applies only to platform, payment and shipping offers");
  } else {
    CheckIdList(errors, "merchant_ids", offer.merchant_ids);
  }
  CheckWindow(errors, offer);
  CheckCode(errors, offer);
  if (offer.hot && offer.code_mode == CodeMode::kUnique) {
    // A unique code is redeemed where it is kept: a spread store could count it in one share
    // of the offer only.
    errors.Add("hot", "cannot be set on an offer with code_mode unique");
  }
  CheckLimits(errors, offer.limits);
  if (offer.priority < kMinPriority || offer.priority > kMaxPriority) {
    errors.Add("priority", "must be from -1000000 to 1000000");
  }
  CheckFunding(errors, offer);
  if (offer.version < 1) errors.Add("version", "must be at least 1");
  return errors.Take();
}

std::vector<FieldError> ValidateOfferChange(const Offer& current, const Offer& next) {
  std::vector<FieldError> errors;
  for (const auto& [changed, path] :
       {std::pair{next.merchant_id != current.merchant_id, "merchant_id"},
        std::pair{next.code_mode != current.code_mode, "code_mode"},
        std::pair{next.layer != current.layer, "layer"},
        std::pair{next.hot != current.hot, "hot"}}) {
    if (changed) errors.push_back({path, "cannot change after creation"});
  }
  if (!current.hot || !errors.empty()) return errors;
  // A limit grows when it is removed or raised; a new one (none before) is lower than none.
  auto lowered = [](const std::optional<std::int64_t>& before,
                    const std::optional<std::int64_t>& after) {
    return after && (!before || *after < *before);
  };
  const OfferLimits& a = current.limits;
  const OfferLimits& b = next.limits;
  for (const auto& [down, path] :
       {std::pair{lowered(a.total_redemptions, b.total_redemptions), "limits.total_redemptions"},
        std::pair{lowered(a.total_budget, b.total_budget), "limits.total_budget"},
        std::pair{lowered(a.per_day, b.per_day), "limits.per_day"}}) {
    if (down) {
      errors.push_back({path,
                        "a hot offer's limit can be raised or removed, not lowered or "
                        "added (pause the offer instead)"});
    }
  }
  return errors;
}

}  // namespace uudai
