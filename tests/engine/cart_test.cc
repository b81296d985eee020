// Cart validation: every rule with its field path, and the items subtotal.
#include "uudai/cart.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/quote_test_support.h"

namespace uudai {
namespace {

using testing::Item;
using testing::MakeCart;
using Paths = std::vector<std::string>;

Paths PathsOf(const Cart& cart) {
  Paths paths;
  for (const FieldError& error : ValidateCart(cart)) {
    EXPECT_FALSE(error.message.empty()) << error.path;
    paths.push_back(error.path);
  }
  return paths;
}

Cart ValidCart() {
  return MakeCart({Item("tv-55", "electronics", 250'000, 2), Item("pen", "stationery", 5'000, 3)},
                  {"THANG10"});
}

TEST(CartTest, ValidCartHasNoErrors) { EXPECT_EQ(PathsOf(ValidCart()), Paths{}); }

TEST(CartTest, InvalidShopperIdIsRejected) {
  Cart cart = ValidCart();
  cart.shopper_id = "";
  EXPECT_EQ(PathsOf(cart), Paths{"shopper_id"});
}

TEST(CartTest, InvalidMerchantIdIsRejected) {
  Cart cart = ValidCart();
  cart.merchant_id = "shop #1";
  EXPECT_EQ(PathsOf(cart), Paths{"merchant_id"});
}

TEST(CartTest, NegativeShippingFeeIsRejected) {
  Cart cart = ValidCart();
  cart.shipping_fee = -1;
  EXPECT_EQ(PathsOf(cart), Paths{"shipping_fee"});
}

TEST(CartTest, ShippingFeeAboveMaxAmountIsRejected) {
  Cart cart = ValidCart();
  cart.shipping_fee = kMaxAmount + 1;
  EXPECT_EQ(PathsOf(cart), Paths{"shipping_fee"});
}

TEST(CartTest, ZeroShippingFeeIsValid) {
  Cart cart = ValidCart();
  cart.shipping_fee = 0;
  EXPECT_EQ(PathsOf(cart), Paths{});
}

TEST(CartTest, CartWithoutItemsIsRejected) {
  Cart cart = ValidCart();
  cart.items.clear();
  EXPECT_EQ(PathsOf(cart), Paths{"items"});
}

TEST(CartTest, CartWith200ItemsIsValid) {
  Cart cart = ValidCart();
  cart.items.assign(kMaxCartItems, Item("pen", "stationery", 5'000));
  EXPECT_EQ(PathsOf(cart), Paths{});
}

TEST(CartTest, CartWith201ItemsIsRejected) {
  Cart cart = ValidCart();
  cart.items.assign(kMaxCartItems + 1, Item("pen", "stationery", 5'000));
  EXPECT_EQ(PathsOf(cart), Paths{"items"});
}

TEST(CartTest, ZeroQuantityIsRejectedAtItsItem) {
  Cart cart = ValidCart();
  cart.items[1].quantity = 0;
  EXPECT_EQ(PathsOf(cart), Paths{"items[1].quantity"});
}

TEST(CartTest, QuantityAbove100000IsRejected) {
  Cart cart = ValidCart();
  cart.items[1].quantity = kMaxItemQuantity + 1;
  EXPECT_EQ(PathsOf(cart), Paths{"items[1].quantity"});
  cart.items[1].quantity = kMaxItemQuantity;
  EXPECT_EQ(PathsOf(cart), Paths{});
}

TEST(CartTest, NegativeUnitPriceIsRejectedAtItsItem) {
  Cart cart = ValidCart();
  cart.items[0].unit_price = -250'000;
  EXPECT_EQ(PathsOf(cart), Paths{"items[0].unit_price"});
}

TEST(CartTest, UnitPriceAboveMaxAmountIsRejected) {
  Cart cart = ValidCart();
  cart.items[1].unit_price = kMaxAmount + 1;
  EXPECT_EQ(PathsOf(cart), Paths{"items[1].unit_price"});
}

TEST(CartTest, FreeItemIsValid) {
  Cart cart = ValidCart();
  cart.items[1].unit_price = 0;
  EXPECT_EQ(PathsOf(cart), Paths{});
}

TEST(CartTest, InvalidSkuIsRejectedAtItsItem) {
  Cart cart = ValidCart();
  cart.items[1].sku = "";
  EXPECT_EQ(PathsOf(cart), Paths{"items[1].sku"});
}

TEST(CartTest, InvalidCategoryIsRejectedAtItsItem) {
  Cart cart = ValidCart();
  cart.items[0].category = "điện tử";
  EXPECT_EQ(PathsOf(cart), Paths{"items[0].category"});
}

TEST(CartTest, SubtotalOfExactlyMaxAmountIsValid) {
  Cart cart =
      MakeCart({Item("a", "c", 400'000'000'000'000, 2), Item("b", "c", 200'000'000'000'000)});
  EXPECT_EQ(PathsOf(cart), Paths{});
  EXPECT_EQ(ItemsSubtotal(cart), kMaxAmount);
}

TEST(CartTest, SubtotalOneDongAboveMaxAmountIsRejected) {
  Cart cart =
      MakeCart({Item("a", "c", 400'000'000'000'000, 2), Item("b", "c", 200'000'000'000'001)});
  EXPECT_EQ(PathsOf(cart), Paths{"items"});
}

TEST(CartTest, LineThatOverflowsInt64IsRejectedAsSubtotal) {
  // 10^15 × 100,000 = 10^20 does not fit in int64.
  Cart cart = MakeCart({Item("a", "c", kMaxAmount, kMaxItemQuantity)});
  EXPECT_EQ(PathsOf(cart), Paths{"items"});
}

TEST(CartTest, SumOfValidLinesBeyondMaxAmountIsRejectedOnce) {
  Cart cart = MakeCart(
      {Item("a", "c", kMaxAmount), Item("b", "c", kMaxAmount), Item("c", "c", kMaxAmount)});
  EXPECT_EQ(PathsOf(cart), Paths{"items"});
}

TEST(CartTest, TenCodesAreValid) {
  Cart cart = ValidCart();
  cart.codes.assign(kMaxCartCodes, "THANG10");
  EXPECT_EQ(PathsOf(cart), Paths{});
}

TEST(CartTest, ElevenCodesAreRejected) {
  Cart cart = ValidCart();
  cart.codes.assign(kMaxCartCodes + 1, "THANG10");
  EXPECT_EQ(PathsOf(cart), Paths{"codes"});
}

TEST(CartTest, EmptyCodeIsRejectedAtItsIndex) {
  Cart cart = ValidCart();
  cart.codes = {"THANG10", ""};
  EXPECT_EQ(PathsOf(cart), Paths{"codes[1]"});
}

TEST(CartTest, CodeLongerThan64IsRejected) {
  Cart cart = ValidCart();
  cart.codes = {std::string(65, 'A')};
  EXPECT_EQ(PathsOf(cart), Paths{"codes[0]"});
  cart.codes = {std::string(64, 'A')};
  EXPECT_EQ(PathsOf(cart), Paths{});
}

TEST(CartTest, CodeWithInvalidUtf8IsRejected) {
  Cart cart = ValidCart();
  cart.codes = {"THANG\xFF"};
  EXPECT_EQ(PathsOf(cart), Paths{"codes[0]"});
}

TEST(CartTest, ReportsEveryViolatedRule) {
  Cart cart = ValidCart();
  cart.shopper_id = "";
  cart.shipping_fee = -1;
  cart.items[0].quantity = 0;
  cart.items[1].unit_price = -1;
  cart.codes = {""};
  EXPECT_EQ(PathsOf(cart), (Paths{"shopper_id", "shipping_fee", "items[0].quantity",
                                  "items[1].unit_price", "codes[0]"}));
}

TEST(CartTest, ItemsSubtotalSumsPriceTimesQuantity) {
  // 250,000 × 2 + 5,000 × 3
  EXPECT_EQ(ItemsSubtotal(ValidCart()), 515'000);
}

}  // namespace
}  // namespace uudai
