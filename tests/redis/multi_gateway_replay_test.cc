// Idempotent replays through gateways on one Redis: POST /v1/redemptions' first answer is not
// kept in Redis (each gateway renders it again from the redemption's record), and a retry
// answers it byte for byte on any gateway, whether the store replays it or the retry is
// refused before the store, after a commit, a refund or a pause of the offer.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api_test_support.h"
#include "multi_gateway_fixture.h"
#include "redis_test_support.h"
#include "serve_process.h"

namespace uudai::testing {
namespace {

using boost::json::object;
using std::chrono::milliseconds;

TEST_F(MultiGatewayTest, RetriesGetTheFirstAnswerByteForByteOnEveryGateway) {
  StartGateways(2);
  const std::string offer = CreateOfferOn(0, AlwaysOnOffer());
  ASSERT_TRUE(WaitUntil([&] { return AppliedOn(1, CartBody()) == 1; }, milliseconds(2000)));
  const std::string body = Json(RedemptionBody("order-1"));
  auto post = [&](int gateway) {
    return CallPort(port(gateway), "POST", "/v1/redemptions", kCheckoutKey, body,
                    {{"Idempotency-Key", "retry-1"}});
  };
  const HttpReply first = post(0);
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string id(first.Json().at("id").as_string());

  // One idempotency record, holding the redemption's id but not the answer.
  const std::string keys = Redis("KEYS '" + prefix_ + "i:*'");
  ASSERT_EQ(keys.find('\n'), std::string::npos) << keys;
  const std::string kept = Redis("GET '" + keys + "'");
  EXPECT_NE(kept.find(id), std::string::npos) << kept;
  EXPECT_EQ(kept.find("\"status\""), std::string::npos) << "the answer was kept: " << kept;

  auto expect_first_answer = [&](const std::string& when) {
    for (int gateway : {0, 1}) {
      const HttpReply retry = post(gateway);
      EXPECT_EQ(retry.status, 201) << when << ", gateway " << gateway << ": " << retry.body;
      EXPECT_EQ(retry.body, first.body) << when << ", gateway " << gateway;
    }
  };
  expect_first_answer("reserved");
  ASSERT_EQ(CallPort(port(1), "POST", "/v1/redemptions/" + id + "/commit", kCheckoutKey).status,
            200);
  expect_first_answer("committed");
  ASSERT_EQ(CallPort(port(0), "POST", "/v1/redemptions/" + id + "/refund", kCheckoutKey).status,
            200);
  expect_first_answer("refunded");
  // Paused, the offer no longer applies: the retry is refused before the store, which still
  // replays the first answer (SettleRefusal).
  ASSERT_EQ(
      CallPort(port(0), "PATCH", "/v1/offers/" + offer, kAdminKey, R"({"status":"paused"})").status,
      200);
  ASSERT_TRUE(WaitUntil([&] { return AppliedOn(1, CartBody()) == 0; }, milliseconds(2000)));
  expect_first_answer("the offer paused");
}

}  // namespace
}  // namespace uudai::testing
