#include "uudai/payment_method.h"

namespace uudai {
namespace {

constexpr std::string_view kNames[kPaymentMethodCount] = {
    "momo",   "zalopay", "vnpay",         "shopeepay", "viettel_money",
    "vietqr", "card",    "bank_transfer", "cod",
};

}  // namespace

std::string_view PaymentMethodName(PaymentMethod method) {
  return kNames[static_cast<std::size_t>(method)];
}

std::optional<PaymentMethod> ParsePaymentMethod(std::string_view id) {
  for (PaymentMethod m : kAllPaymentMethods) {
    if (kNames[static_cast<std::size_t>(m)] == id) return m;
  }
  return std::nullopt;
}

}  // namespace uudai
