// The cart a checkout service sends for a quote or a redemption. Plain value type.
#ifndef UUDAI_CART_H_
#define UUDAI_CART_H_

#include <cstdint>
#include <string>
#include <vector>

#include "uudai/money.h"
#include "uudai/payment_method.h"
#include "uudai/status.h"

namespace uudai {

struct CartItem {
  std::string sku;
  std::string category;
  Money unit_price = 0;
  std::int64_t quantity = 0;
};

// One shopper's cart at one merchant.
struct Cart {
  std::string shopper_id;
  std::string merchant_id;
  PaymentMethod payment_method = PaymentMethod::kMomo;
  Money shipping_fee = 0;
  std::vector<CartItem> items;
  std::vector<std::string> codes;  // as supplied; matched case-insensitively
  // What the checkout knows of the shopper ("new_user", "student"): offers with shopper_tags
  // apply only when one of theirs is here.
  std::vector<std::string> shopper_tags;
};

inline constexpr std::size_t kMaxCartItems = 200;
inline constexpr std::size_t kMaxCartCodes = 10;
inline constexpr std::int64_t kMaxItemQuantity = 100'000;
inline constexpr std::size_t kMaxShopperTags = 20;

// Every rule a cart must meet: ids, 1..kMaxCartItems items, quantities 1..kMaxItemQuantity,
// amounts within [0, kMaxAmount], items subtotal within kMaxAmount, at most kMaxCartCodes,
// at most kMaxShopperTags tags, each an identifier.
std::vector<FieldError> ValidateCart(const Cart& cart);

// Σ unit_price × quantity. REQUIRES: ValidateCart(cart) is empty (so no overflow).
Money ItemsSubtotal(const Cart& cart);

}  // namespace uudai

#endif  // UUDAI_CART_H_
