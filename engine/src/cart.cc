#include "uudai/cart.h"

#include <string>

#include "uudai/text_rules.h"

namespace uudai {

std::vector<FieldError> ValidateCart(const Cart& cart) {
  std::vector<FieldError> errors;
  auto add = [&errors](std::string path, std::string message) {
    errors.push_back({std::move(path), std::move(message)});
  };
  const std::string id_rule = "must be 1-128 characters of letters, digits and -_.:@/";
  if (!IsValidIdentifier(cart.shopper_id)) add("shopper_id", id_rule);
  if (!IsValidIdentifier(cart.merchant_id)) add("merchant_id", id_rule);
  if (!IsValidAmount(cart.shipping_fee)) {
    add("shipping_fee", "must be a whole number of đồng from 0 to 10^15");
  }
  if (cart.items.empty() || cart.items.size() > kMaxCartItems) {
    add("items", "must have 1 to " + std::to_string(kMaxCartItems) + " items");
  }
  Money subtotal = 0;
  bool subtotal_ok = true;
  for (std::size_t i = 0; i < cart.items.size() && i < kMaxCartItems; ++i) {
    const CartItem& item = cart.items[i];
    const std::string at = "items[" + std::to_string(i) + "]";
    if (!IsValidIdentifier(item.sku)) add(at + ".sku", id_rule);
    if (!IsValidIdentifier(item.category)) add(at + ".category", id_rule);
    const bool price_ok = IsValidAmount(item.unit_price);
    if (!price_ok) add(at + ".unit_price", "must be a whole number of đồng from 0 to 10^15");
    const bool quantity_ok = item.quantity >= 1 && item.quantity <= kMaxItemQuantity;
    if (!quantity_ok) add(at + ".quantity", "must be from 1 to 100000");
    if (price_ok && quantity_ok && subtotal_ok) {
      const auto line = CheckedMul(item.unit_price, item.quantity);
      const auto sum = line ? CheckedAdd(subtotal, *line) : std::nullopt;
      if (!sum || *sum > kMaxAmount) {
        subtotal_ok = false;
      } else {
        subtotal = *sum;
      }
    }
  }
  if (!subtotal_ok) add("items", "the items subtotal must not exceed 10^15 đồng");
  if (cart.codes.size() > kMaxCartCodes) {
    add("codes", "must have at most " + std::to_string(kMaxCartCodes) + " codes");
  }
  for (std::size_t i = 0; i < cart.codes.size() && i < kMaxCartCodes; ++i) {
    const std::string& code = cart.codes[i];
    if (code.empty() || code.size() > 64 || !IsValidText(code, 64)) {
      add("codes[" + std::to_string(i) + "]", "must be 1-64 characters");
    }
  }
  if (cart.shopper_tags.size() > kMaxShopperTags) {
    add("shopper_tags", "must have at most " + std::to_string(kMaxShopperTags) + " tags");
  }
  for (std::size_t i = 0; i < cart.shopper_tags.size() && i < kMaxShopperTags; ++i) {
    if (!IsValidIdentifier(cart.shopper_tags[i])) {
      add("shopper_tags[" + std::to_string(i) + "]", id_rule);
    }
  }
  return errors;
}

Money ItemsSubtotal(const Cart& cart) {
  Money subtotal = 0;
  for (const CartItem& item : cart.items) subtotal += item.unit_price * item.quantity;
  return subtotal;
}

}  // namespace uudai
