// Redemptions over HTTP (docs/design.md §3 lifecycle, §4): create, get, commit, cancel, refund and
// every refused transition, commit:true, quote_changed, nothing_to_redeem, the order guard.
#include <gtest/gtest.h>

#include <string>

#include <boost/json/array.hpp>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using boost::json::array;
using boost::json::object;

class RedemptionsApiTest : public ::testing::Test {
 protected:
  void SetUp() override { offer_id_ = CreateOffer(gateway_, kMerchantKey, OfferBody()); }

  // A reserved redemption of 100.000 (10.000 off) for a fresh order.
  std::string Reserved() {
    ++orders_;
    return RedeemOrThrow(gateway_, RedemptionBody("order-" + std::to_string(orders_)),
                         "key-" + std::to_string(orders_));
  }

  HttpReply Act(const std::string& id, const std::string& action) {
    return gateway_.Call("POST", "/v1/redemptions/" + id + "/" + action, kCheckoutKey);
  }

  TestGateway gateway_;
  std::string offer_id_;
  int orders_ = 0;
};

TEST_F(RedemptionsApiTest, CreateAnswers201ReservedUntilTheTtl) {
  const HttpReply reply = Redeem(gateway_, RedemptionBody("order-1", 100'000, "s-1"), "k-1");

  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Header("content-type"), "application/json");
  EXPECT_EQ(reply.Header("idempotent-replayed"), "");
  object r = Object(reply);
  EXPECT_TRUE(r.at("id").as_string().starts_with("r_"));
  r.erase("id");
  EXPECT_EQ(r, (object{{"status", "reserved"},
                       {"order_id", "order-1"},
                       {"shopper_id", "s-1"},
                       {"merchant_id", "shop-1"},
                       {"payment_method", "momo"},
                       {"subtotal", 100'000},
                       {"shipping_fee", 0},
                       {"discount_total", 10'000},
                       {"total", 90'000},
                       {"cashback_total", 0},
                       {"applied", array{object{{"offer_id", offer_id_},
                                                {"layer", "merchant"},
                                                {"code", nullptr},
                                                {"discount", 10'000},
                                                {"cashback", 0}}}},
                       {"rejected", array{}},
                       {"created_at", "2026-10-10T12:00:00+07:00"},
                       {"expires_at", "2026-10-10T12:15:00+07:00"},
                       {"committed_at", nullptr},
                       {"released_at", nullptr},
                       {"expired_at", nullptr},
                       {"refunded_at", nullptr}}));
}

TEST_F(RedemptionsApiTest, GetReturnsTheCreatedRedemption) {
  const HttpReply created = Redeem(gateway_, RedemptionBody("order-1"), "k-1");
  ASSERT_EQ(created.status, 201);
  const std::string id(created.Json().at("id").as_string());

  const HttpReply reply = gateway_.Call("GET", "/v1/redemptions/" + id, kAnalystKey);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, created.body);
}

TEST_F(RedemptionsApiTest, GetUnknownRedemptionIs404) {
  const HttpReply reply = gateway_.Call("GET", "/v1/redemptions/r_nope", kCheckoutKey);

  EXPECT_TRUE(IsProblem(reply, 404, "not_found"));
}

TEST_F(RedemptionsApiTest, CommitAnswers200Committed) {
  const std::string id = Reserved();
  gateway_.clock().Advance(30'000);

  const HttpReply reply = Act(id, "commit");

  ASSERT_EQ(reply.status, 200) << reply.body;
  const object r = Object(reply);
  EXPECT_EQ(r.at("status").as_string(), "committed");
  EXPECT_EQ(r.at("committed_at").as_string(), "2026-10-10T12:00:30+07:00");
  EXPECT_TRUE(r.at("expires_at").is_null());
  EXPECT_EQ(gateway_.Call("GET", "/v1/redemptions/" + id, kCheckoutKey).body, reply.body);
}

TEST_F(RedemptionsApiTest, CancelAnswers200Released) {
  const std::string id = Reserved();

  const HttpReply reply = Act(id, "cancel");

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("status").as_string(), "released");
  EXPECT_EQ(reply.Json().at("released_at").as_string(), "2026-10-10T12:00:00+07:00");
}

TEST_F(RedemptionsApiTest, RefundAnswers200Refunded) {
  const std::string id = Reserved();
  ASSERT_EQ(Act(id, "commit").status, 200);
  gateway_.clock().Advance(3'600'000);

  const HttpReply reply = Act(id, "refund");

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("status").as_string(), "refunded");
  EXPECT_EQ(reply.Json().at("committed_at").as_string(), "2026-10-10T12:00:00+07:00");
  EXPECT_EQ(reply.Json().at("refunded_at").as_string(), "2026-10-10T13:00:00+07:00");
}

TEST_F(RedemptionsApiTest, TransitionOfUnknownRedemptionIs404) {
  for (const char* action : {"commit", "cancel", "refund"}) {
    SCOPED_TRACE(action);
    EXPECT_TRUE(IsProblem(Act("r_nope", action), 404, "not_found"));
  }
}

TEST_F(RedemptionsApiTest, CommitTrueCreatesACommittedRedemption) {
  object body = RedemptionBody("order-1");
  body["commit"] = true;

  const HttpReply reply = Redeem(gateway_, body, "k-1");

  ASSERT_EQ(reply.status, 201) << reply.body;
  const object r = Object(reply);
  EXPECT_EQ(r.at("status").as_string(), "committed");
  EXPECT_EQ(r.at("committed_at").as_string(), "2026-10-10T12:00:00+07:00");
  EXPECT_TRUE(r.at("expires_at").is_null());
}

TEST_F(RedemptionsApiTest, ExpectedDiscountTotalThatDiffersIs409QuoteChanged) {
  object body = RedemptionBody("order-1");
  body["expected_discount_total"] = 9'999;

  const HttpReply reply = Redeem(gateway_, body, "k-1");

  EXPECT_TRUE(IsProblem(reply, 409, "quote_changed"));
  const HttpReply stats = gateway_.Call("GET", "/v1/stats/offers/" + offer_id_, kAnalystKey);
  EXPECT_EQ(stats.Json().at("redemptions").at("reserved").as_int64(), 0);
}

TEST_F(RedemptionsApiTest, ExpectedDiscountTotalThatMatchesIs201) {
  object body = RedemptionBody("order-1");
  body["expected_discount_total"] = 10'000;

  const HttpReply reply = Redeem(gateway_, body, "k-1");

  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 10'000);
}

TEST_F(RedemptionsApiTest, CartWithNoApplicableOfferIs409NothingToRedeem) {
  object body = RedemptionBody("order-1");
  body["merchant_id"] = "shop-9";

  const HttpReply reply = Redeem(gateway_, body, "k-1");

  EXPECT_TRUE(IsProblem(reply, 409, "nothing_to_redeem"));
}

TEST_F(RedemptionsApiTest, AtInARedemptionIs422) {
  object body = RedemptionBody("order-1");
  body["at"] = "2026-10-15T00:00:00+07:00";

  const HttpReply reply = Redeem(gateway_, body, "k-1");

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"at"});
}

TEST_F(RedemptionsApiTest, MissingOrderIdIs422) {
  object body = RedemptionBody("order-1");
  body.erase("order_id");

  const HttpReply reply = Redeem(gateway_, body, "k-1");

  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(reply), std::vector<std::string>{"order_id"});
}

TEST_F(RedemptionsApiTest, SecondLiveRedemptionOfAnOrderIs409OrderAlreadyRedeemed) {
  ASSERT_EQ(Redeem(gateway_, RedemptionBody("order-1", 100'000, "s-1"), "k-1").status, 201);

  const HttpReply reply = Redeem(gateway_, RedemptionBody("order-1", 200'000, "s-2"), "k-2");

  EXPECT_TRUE(IsProblem(reply, 409, "order_already_redeemed"));
}

TEST_F(RedemptionsApiTest, OrderOfAReleasedRedemptionCanBeRedeemedAgain) {
  const HttpReply first = Redeem(gateway_, RedemptionBody("order-1"), "k-1");
  ASSERT_EQ(first.status, 201);
  ASSERT_EQ(Act(std::string(first.Json().at("id").as_string()), "cancel").status, 200);

  const HttpReply reply = Redeem(gateway_, RedemptionBody("order-1"), "k-2");

  EXPECT_EQ(reply.status, 201) << reply.body;
}

TEST_F(RedemptionsApiTest, MissingIdempotencyKeyIs400MissingHeader) {
  const HttpReply reply =
      gateway_.Call("POST", "/v1/redemptions", kCheckoutKey, Json(RedemptionBody("order-1")));

  EXPECT_TRUE(IsProblem(reply, 400, "missing_header"));
}

TEST_F(RedemptionsApiTest, IdempotencyKeyOver255CharactersIs400) {
  const HttpReply reply = Redeem(gateway_, RedemptionBody("order-1"), std::string(256, 'k'));
  const HttpReply longest = Redeem(gateway_, RedemptionBody("order-2"), std::string(255, 'k'));

  EXPECT_TRUE(IsProblem(reply, 400, "bad_idempotency_key"));
  EXPECT_EQ(longest.status, 201) << longest.body;
}

TEST_F(RedemptionsApiTest, QuotaComesBackWhenAReservationIsCancelled) {
  object offer = OfferBody();  // a platform code worth another 10% on top of the shop's
  offer["merchant_id"] = "platform";
  offer["layer"] = "platform";
  offer["code_mode"] = "public";
  offer["code"] = "MOTLAN";
  offer["limits"] = object{{"total_redemptions", 1}};
  CreateOffer(gateway_, kAdminKey, offer);
  object first = RedemptionBody("order-1", 100'000, "s-1");
  first["codes"] = array{"MOTLAN"};
  const std::string id = RedeemOrThrow(gateway_, first, "k-1");
  object second = RedemptionBody("order-2", 100'000, "s-2");
  second["codes"] = array{"MOTLAN"};
  second["expected_discount_total"] = 20'000;  // both offers: refused while MOTLAN is taken
  ASSERT_TRUE(IsProblem(Redeem(gateway_, second, "k-2"), 409, "quote_changed"));

  ASSERT_EQ(Act(id, "cancel").status, 200);
  const HttpReply reply = Redeem(gateway_, second, "k-3");

  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 20'000);
}

// --- Every refused transition -----------------------------------------------------------------

struct RefusedTransition {
  const char* from;    // reserved, committed, released, refunded
  const char* action;  // commit, cancel, refund
};

class RefusedTransitionTest : public RedemptionsApiTest,
                              public ::testing::WithParamInterface<RefusedTransition> {};

TEST_P(RefusedTransitionTest, Is409InvalidTransitionAndLeavesTheStatus) {
  const std::string from = GetParam().from;
  const std::string id = Reserved();
  if (from == "committed" || from == "refunded") {
    ASSERT_EQ(Act(id, "commit").status, 200);
  }
  if (from == "refunded") {
    ASSERT_EQ(Act(id, "refund").status, 200);
  }
  if (from == "released") {
    ASSERT_EQ(Act(id, "cancel").status, 200);
  }

  const HttpReply reply = Act(id, GetParam().action);

  EXPECT_TRUE(IsProblem(reply, 409, "invalid_transition"));
  const HttpReply now = gateway_.Call("GET", "/v1/redemptions/" + id, kCheckoutKey);
  EXPECT_EQ(now.Json().at("status").as_string(), from);
}

INSTANTIATE_TEST_SUITE_P(Lifecycle, RefusedTransitionTest,
                         ::testing::Values(RefusedTransition{"reserved", "refund"},
                                           RefusedTransition{"committed", "commit"},
                                           RefusedTransition{"committed", "cancel"},
                                           RefusedTransition{"released", "commit"},
                                           RefusedTransition{"released", "cancel"},
                                           RefusedTransition{"released", "refund"},
                                           RefusedTransition{"refunded", "commit"},
                                           RefusedTransition{"refunded", "cancel"},
                                           RefusedTransition{"refunded", "refund"}),
                         [](const ::testing::TestParamInfo<RefusedTransition>& info) {
                           return std::string(info.param.action) + "_" + info.param.from;
                         });

}  // namespace
}  // namespace uudai::testing
