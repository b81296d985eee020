// Payment methods: wire names and sets.
#include "uudai/payment_method.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace uudai {
namespace {

TEST(PaymentMethodTest, NamesAreTheDesignIds) {
  EXPECT_EQ(PaymentMethodName(PaymentMethod::kMomo), "momo");
  EXPECT_EQ(PaymentMethodName(PaymentMethod::kZalopay), "zalopay");
  EXPECT_EQ(PaymentMethodName(PaymentMethod::kVnpay), "vnpay");
  EXPECT_EQ(PaymentMethodName(PaymentMethod::kShopeepay), "shopeepay");
  EXPECT_EQ(PaymentMethodName(PaymentMethod::kViettelMoney), "viettel_money");
  EXPECT_EQ(PaymentMethodName(PaymentMethod::kVietqr), "vietqr");
  EXPECT_EQ(PaymentMethodName(PaymentMethod::kCard), "card");
  EXPECT_EQ(PaymentMethodName(PaymentMethod::kBankTransfer), "bank_transfer");
  EXPECT_EQ(PaymentMethodName(PaymentMethod::kCod), "cod");
}

TEST(PaymentMethodTest, EveryNameParsesBackToItsMethod) {
  for (PaymentMethod method : kAllPaymentMethods) {
    EXPECT_EQ(ParsePaymentMethod(PaymentMethodName(method)), method) << PaymentMethodName(method);
  }
}

TEST(PaymentMethodTest, AllMethodsHaveDistinctNames) {
  std::set<std::string> names;
  for (PaymentMethod method : kAllPaymentMethods) names.emplace(PaymentMethodName(method));
  EXPECT_EQ(names.size(), kPaymentMethodCount);
}

TEST(PaymentMethodTest, UnknownIdIsRejected) {
  EXPECT_FALSE(ParsePaymentMethod("paypal").has_value());
  EXPECT_FALSE(ParsePaymentMethod("").has_value());
}

TEST(PaymentMethodTest, IdsAreCaseSensitive) {
  EXPECT_FALSE(ParsePaymentMethod("MoMo").has_value());
  EXPECT_FALSE(ParsePaymentMethod("COD").has_value());
}

TEST(PaymentMethodTest, DigitalGroupIsNotAMethodId) {
  EXPECT_FALSE(ParsePaymentMethod("digital").has_value());
}

TEST(PaymentMethodTest, DigitalContainsEveryMethodExceptCod) {
  const PaymentMethodSet digital = PaymentMethodSet::Digital();
  for (PaymentMethod method : kAllPaymentMethods) {
    EXPECT_EQ(digital.Contains(method), method != PaymentMethod::kCod) << PaymentMethodName(method);
  }
}

TEST(PaymentMethodTest, DefaultSetIsEmpty) {
  const PaymentMethodSet set;
  EXPECT_TRUE(set.empty());
  for (PaymentMethod method : kAllPaymentMethods) EXPECT_FALSE(set.Contains(method));
}

TEST(PaymentMethodTest, AddedMethodIsContainedAndOthersAreNot) {
  PaymentMethodSet set;
  set.Add(PaymentMethod::kVietqr);
  EXPECT_FALSE(set.empty());
  EXPECT_TRUE(set.Contains(PaymentMethod::kVietqr));
  EXPECT_FALSE(set.Contains(PaymentMethod::kMomo));
  EXPECT_FALSE(set.Contains(PaymentMethod::kCod));
}

TEST(PaymentMethodTest, AddAllIsTheUnion) {
  PaymentMethodSet set;
  set.Add(PaymentMethod::kCod);
  set.AddAll(PaymentMethodSet::Digital());
  for (PaymentMethod method : kAllPaymentMethods) EXPECT_TRUE(set.Contains(method));
}

TEST(PaymentMethodTest, SetsWithTheSameMethodsAreEqual) {
  PaymentMethodSet a;
  a.Add(PaymentMethod::kMomo);
  a.Add(PaymentMethod::kCard);
  PaymentMethodSet b;
  b.Add(PaymentMethod::kCard);
  b.Add(PaymentMethod::kMomo);
  EXPECT_EQ(a, b);
  b.Add(PaymentMethod::kCod);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace uudai
