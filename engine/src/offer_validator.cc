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

void CheckDiscount(Errors& errors, const Offer& offer) {
  const Discount& d = offer.discount;
  switch (d.type) {
    case DiscountType::kPercent:
      if (d.value < 1 || d.value > 100) errors.Add("discount.value", "must be from 1 to 100");
      break;
    case DiscountType::kFixed:
      CheckAmount(errors, "discount.value", d.value, 1);
      if (d.max_amount) {
        errors.Add("discount.max_amount", "applies only to percent and free_shipping discounts");
      }
      break;
    case DiscountType::kFreeShipping:
      if (d.value != 0) errors.Add("discount.value", "is not used by free_shipping discounts");
      if (offer.layer != Layer::kShipping) {
        errors.Add("discount.type", "free_shipping is allowed only on the shipping layer");
      }
      break;
  }
  if (d.max_amount && d.type != DiscountType::kFixed) {
    CheckAmount(errors, "discount.max_amount", *d.max_amount, 1);
  }
  if (offer.layer == Layer::kShipping && d.type != DiscountType::kFreeShipping) {
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
  if (offer.merchant_ids && offer.layer == Layer::kMerchant) {
    errors.Add("merchant_ids", "applies only to platform, payment and shipping offers");
  } else {
    CheckIdList(errors, "merchant_ids", offer.merchant_ids);
  }
  CheckWindow(errors, offer);
  CheckCode(errors, offer);
  CheckLimits(errors, offer.limits);
  if (offer.priority < kMinPriority || offer.priority > kMaxPriority) {
    errors.Add("priority", "must be from -1000000 to 1000000");
  }
  CheckFunding(errors, offer);
  if (offer.version < 1) errors.Add("version", "must be at least 1");
  return errors.Take();
}

}  // namespace uudai
