// Payment methods and sets of them.
//
// Ids are lowercase: momo, zalopay, vnpay, shopeepay, viettel_money, vietqr, card,
// bank_transfer, cod. The group "digital" means every method except cod.
#ifndef UUDAI_PAYMENT_METHOD_H_
#define UUDAI_PAYMENT_METHOD_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace uudai {

enum class PaymentMethod : std::uint8_t {
  kMomo,
  kZalopay,
  kVnpay,
  kShopeepay,
  kViettelMoney,
  kVietqr,
  kCard,
  kBankTransfer,
  kCod,
};

inline constexpr std::size_t kPaymentMethodCount = 9;

inline constexpr std::array<PaymentMethod, kPaymentMethodCount> kAllPaymentMethods = {
    PaymentMethod::kMomo,      PaymentMethod::kZalopay,      PaymentMethod::kVnpay,
    PaymentMethod::kShopeepay, PaymentMethod::kViettelMoney, PaymentMethod::kVietqr,
    PaymentMethod::kCard,      PaymentMethod::kBankTransfer, PaymentMethod::kCod,
};

std::string_view PaymentMethodName(PaymentMethod method);
std::optional<PaymentMethod> ParsePaymentMethod(std::string_view id);

// A set of payment methods as a bit mask. Empty set = "any method" is NOT implied here; the
// offer model uses std::optional<PaymentMethodSet> for "absent = any".
class PaymentMethodSet {
 public:
  constexpr PaymentMethodSet() = default;
  static constexpr PaymentMethodSet Digital() {
    PaymentMethodSet set;
    for (PaymentMethod m : kAllPaymentMethods) {
      if (m != PaymentMethod::kCod) set.Add(m);
    }
    return set;
  }

  constexpr void Add(PaymentMethod m) { bits_ |= Bit(m); }
  constexpr void AddAll(PaymentMethodSet other) { bits_ |= other.bits_; }
  constexpr bool Contains(PaymentMethod m) const { return (bits_ & Bit(m)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr std::uint16_t bits() const { return bits_; }

  friend constexpr bool operator==(PaymentMethodSet, PaymentMethodSet) = default;

 private:
  static constexpr std::uint16_t Bit(PaymentMethod m) {
    return static_cast<std::uint16_t>(1U << static_cast<unsigned>(m));
  }
  std::uint16_t bits_ = 0;
};

}  // namespace uudai

#endif  // UUDAI_PAYMENT_METHOD_H_
