#include "uudai/offer.h"

#include <array>

namespace uudai {
namespace {

// Looks `text` up in a name table indexed by enum value.
template <typename Enum, std::size_t N>
std::optional<Enum> ParseByName(const std::array<std::string_view, N>& names,
                                std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 4> kLayerNames = {"merchant", "platform", "payment",
                                                         "shipping"};
constexpr std::array<std::string_view, kDiscountTypeCount> kDiscountTypeNames = {
    "percent", "fixed", "free_shipping", "tiered", "buy_x_get_y", "cashback"};
constexpr std::array<std::string_view, 2> kTierBasisNames = {"subtotal", "quantity"};
constexpr std::array<std::string_view, 3> kCodeModeNames = {"auto", "public", "unique"};
constexpr std::array<std::string_view, 3> kFundedByNames = {"merchant", "platform",
                                                            "payment_partner"};
constexpr std::array<std::string_view, 3> kOfferStatusNames = {"active", "paused", "archived"};

}  // namespace

std::string_view LayerName(Layer v) { return kLayerNames[static_cast<std::size_t>(v)]; }
std::optional<Layer> ParseLayer(std::string_view t) { return ParseByName<Layer>(kLayerNames, t); }

std::string_view DiscountTypeName(DiscountType v) {
  return kDiscountTypeNames[static_cast<std::size_t>(v)];
}
std::optional<DiscountType> ParseDiscountType(std::string_view t) {
  return ParseByName<DiscountType>(kDiscountTypeNames, t);
}

std::string_view TierBasisName(TierBasis v) { return kTierBasisNames[static_cast<std::size_t>(v)]; }
std::optional<TierBasis> ParseTierBasis(std::string_view t) {
  return ParseByName<TierBasis>(kTierBasisNames, t);
}

std::string_view CodeModeName(CodeMode v) { return kCodeModeNames[static_cast<std::size_t>(v)]; }
std::optional<CodeMode> ParseCodeMode(std::string_view t) {
  return ParseByName<CodeMode>(kCodeModeNames, t);
}

std::string_view FundedByName(FundedBy v) { return kFundedByNames[static_cast<std::size_t>(v)]; }
std::optional<FundedBy> ParseFundedBy(std::string_view t) {
  return ParseByName<FundedBy>(kFundedByNames, t);
}

std::string_view OfferStatusName(OfferStatus v) {
  return kOfferStatusNames[static_cast<std::size_t>(v)];
}
std::optional<OfferStatus> ParseOfferStatus(std::string_view t) {
  return ParseByName<OfferStatus>(kOfferStatusNames, t);
}

}  // namespace uudai
