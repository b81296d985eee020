// The gateway answers over real HTTP on loopback: the harness itself works.
#include <gtest/gtest.h>

#include "test_gateway.h"

namespace uudai::testing {
namespace {

TEST(GatewaySmokeTest, HealthzAnswersOkWithoutAKey) {
  TestGateway gateway;
  const HttpReply reply = gateway.Call("GET", "/healthz", nullptr);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"({"status":"ok"})");
  EXPECT_FALSE(reply.Header("x-request-id").empty());
}

TEST(GatewaySmokeTest, MerchantRegistersOfferAndCheckoutQuotesIt) {
  TestGateway gateway;
  const HttpReply created = gateway.Call("POST", "/v1/offers", kMerchantKey, SampleOfferJson());
  ASSERT_EQ(created.status, 201) << created.body;
  const HttpReply quote =
      gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey,
                   R"({"shopper_id":"s-1","merchant_id":"shop-1","payment_method":"momo",)"
                   R"("items":[{"sku":"a","category":"c","unit_price":333333,"quantity":1}]})");
  ASSERT_EQ(quote.status, 200) << quote.body;
  const auto body = quote.Json().as_object();
  EXPECT_EQ(body.at("discount_total").as_int64(), 33'333);
  EXPECT_EQ(body.at("total").as_int64(), 300'000);
}

}  // namespace
}  // namespace uudai::testing
