// Idempotent redemption creation (docs/design.md §3 Idempotency): byte-identical replay, reuse with
// another body, scoping to the API key.
#include <gtest/gtest.h>

#include <string>

#include <boost/json/array.hpp>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using boost::json::array;
using boost::json::object;

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override { offer_id_ = CreateOffer(gateway_, kMerchantKey, OfferBody()); }

  std::int64_t Reserved() {
    return gateway_.Call("GET", "/v1/stats/offers/" + offer_id_, kAnalystKey)
        .Json()
        .at("redemptions")
        .at("reserved")
        .as_int64();
  }

  TestGateway gateway_;
  std::string offer_id_;
};

TEST_F(IdempotencyTest, SameKeyAndBodyReplaysTheFirstResponseByteForByte) {
  const object body = RedemptionBody("order-1");
  const HttpReply first = Redeem(gateway_, body, "idem-1");
  ASSERT_EQ(first.status, 201) << first.body;
  gateway_.clock().Advance(5'000);

  const HttpReply replay = Redeem(gateway_, body, "idem-1");

  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
  EXPECT_EQ(replay.Header("content-type"), "application/json");
  EXPECT_EQ(first.Header("idempotent-replayed"), "");
  EXPECT_EQ(Reserved(), 1);
}

TEST_F(IdempotencyTest, ReplayAfterTheRedemptionWasCommittedStillReturnsTheFirstResponse) {
  const object body = RedemptionBody("order-1");
  const HttpReply first = Redeem(gateway_, body, "idem-1");
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string id(first.Json().at("id").as_string());
  ASSERT_EQ(gateway_.Call("POST", "/v1/redemptions/" + id + "/commit", kCheckoutKey).status, 200);

  const HttpReply replay = Redeem(gateway_, body, "idem-1");

  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
  EXPECT_EQ(replay.Json().at("status").as_string(), "reserved");
}

TEST_F(IdempotencyTest, ReplayWhenTheLimitItUsedIsNowExhausted) {
  object offer = OfferBody();
  offer["merchant_id"] = "shop-2";
  offer["limits"] = object{{"total_redemptions", 1}};
  CreateOffer(gateway_, kOtherMerchantKey, offer);
  object body = RedemptionBody("order-1");
  body["merchant_id"] = "shop-2";
  const HttpReply first = Redeem(gateway_, body, "idem-1");
  ASSERT_EQ(first.status, 201) << first.body;
  object other = body;
  other["order_id"] = "order-2";
  other["shopper_id"] = "s-2";
  ASSERT_TRUE(IsProblem(Redeem(gateway_, other, "idem-2"), 409, "nothing_to_redeem"))
      << "the only offer for shop-2 is used up";

  const HttpReply replay = Redeem(gateway_, body, "idem-1");

  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
}

TEST_F(IdempotencyTest, ReplayWhenTheRecomputedDiscountWouldDiffer) {
  object body = RedemptionBody("order-1");
  body["expected_discount_total"] = 10'000;
  const HttpReply first = Redeem(gateway_, body, "idem-1");
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(
      gateway_
          .Call("PATCH", "/v1/offers/" + offer_id_, kMerchantKey, R"({"discount":{"value":20}})")
          .status,
      200);

  const HttpReply replay = Redeem(gateway_, body, "idem-1");

  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
}

TEST_F(IdempotencyTest, SameKeyWithAnotherBodyIs422IdempotencyKeyReused) {
  ASSERT_EQ(Redeem(gateway_, RedemptionBody("order-1"), "idem-1").status, 201);

  const HttpReply reply = Redeem(gateway_, RedemptionBody("order-2"), "idem-1");

  EXPECT_TRUE(IsProblem(reply, 422, "idempotency_key_reused"));
  EXPECT_EQ(Reserved(), 1);
}

TEST_F(IdempotencyTest, SameKeyWithAnotherBodyIs422EvenWhenNothingWouldApply) {
  ASSERT_EQ(Redeem(gateway_, RedemptionBody("order-1"), "idem-1").status, 201);
  object nothing_applies = RedemptionBody("order-2");
  nothing_applies["merchant_id"] = "shop-9";

  const HttpReply reply = Redeem(gateway_, nothing_applies, "idem-1");

  EXPECT_TRUE(IsProblem(reply, 422, "idempotency_key_reused"));
}

TEST_F(IdempotencyTest, SameKeyUnderAnotherApiKeyIsNotAReplay) {
  const object body = RedemptionBody("order-1");
  ASSERT_EQ(Redeem(gateway_, body, "idem-1", kCheckoutKey).status, 201);

  const HttpReply reply = Redeem(gateway_, body, "idem-1", kAdminKey);

  // Not replayed: the key is new in the admin key's scope, so the order guard answers.
  EXPECT_TRUE(IsProblem(reply, 409, "order_already_redeemed"));
  EXPECT_EQ(reply.Header("idempotent-replayed"), "");
}

TEST_F(IdempotencyTest, SameKeyUnderAnotherApiKeyWithAnotherBodyCreatesASecondRedemption) {
  const HttpReply first = Redeem(gateway_, RedemptionBody("order-1"), "idem-1", kCheckoutKey);
  ASSERT_EQ(first.status, 201);

  const HttpReply second = Redeem(gateway_, RedemptionBody("order-2"), "idem-1", kAdminKey);

  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_NE(second.Json().at("id"), first.Json().at("id"));
  EXPECT_EQ(Reserved(), 2);
}

TEST_F(IdempotencyTest, RefusedRequestIsNotRecorded) {
  object body = RedemptionBody("order-1");
  body["expected_discount_total"] = 1;
  ASSERT_TRUE(IsProblem(Redeem(gateway_, body, "idem-1"), 409, "quote_changed"));

  body["expected_discount_total"] = 10'000;
  const HttpReply reply = Redeem(gateway_, body, "idem-1");

  EXPECT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Header("idempotent-replayed"), "");
}

}  // namespace
}  // namespace uudai::testing
