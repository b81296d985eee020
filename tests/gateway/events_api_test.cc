// GET /v1/events through HTTP: who sees which events, the page's cursor, the long poll, and a
// reader left behind by the retention.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <string>

#include "api_test_support.h"
#include "test_gateway.h"

namespace uudai::testing {
namespace {

namespace json = boost::json;

json::array Items(const HttpReply& reply) { return Object(reply).at("items").as_array(); }

TEST(EventsApiTest, AnOfferWrittenAndEditedIsToldWithWhoAndWhat) {
  TestGateway gateway;
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());
  ASSERT_EQ(gateway.Call("PATCH", "/v1/offers/" + id, kAdminKey, R"({"status":"paused"})").status,
            200);

  const HttpReply reply = gateway.Call("GET", "/v1/events", kAnalystKey);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json::array items = Items(reply);
  ASSERT_EQ(items.size(), 2U);
  const json::object& created = items[0].as_object();
  EXPECT_EQ(created.at("seq").as_int64(), 1);
  EXPECT_EQ(created.at("type").as_string(), "offer.created");
  EXPECT_EQ(created.at("merchant_id").as_string(), "shop-1");
  EXPECT_EQ(created.at("data").at("offer").at("id").as_string(), id);
  EXPECT_EQ(created.at("data").at("by").at("role").as_string(), "merchant");
  EXPECT_EQ(created.at("data").at("by").at("key_id").as_string().size(), 12U);
  const json::object& updated = items[1].as_object();
  EXPECT_EQ(updated.at("type").as_string(), "offer.updated");
  EXPECT_EQ(updated.at("data").at("changed"), json::array({"status"}));
  EXPECT_EQ(updated.at("data").at("by").at("role").as_string(), "admin");
  EXPECT_EQ(updated.at("data").at("offer").at("version").as_int64(), 2);
  EXPECT_EQ(Object(reply).at("next_after").as_int64(), 2);
  EXPECT_EQ(Object(reply).at("last_seq").as_int64(), 2);
  EXPECT_EQ(Object(reply).at("oldest_seq").as_int64(), 1);
}

TEST(EventsApiTest, AMerchantSeesOnlyItsOwnShopsEvents) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  json::object theirs = OfferBody();
  theirs["merchant_id"] = "shop-2";
  CreateOffer(gateway, kOtherMerchantKey, theirs);
  RedeemOrThrow(gateway, RedemptionBody("order-1"), "idem-1");

  const HttpReply mine = gateway.Call("GET", "/v1/events", kOtherMerchantKey);
  ASSERT_EQ(mine.status, 200) << mine.body;
  const json::array items = Items(mine);
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].at("merchant_id").as_string(), "shop-2");
  EXPECT_EQ(Object(mine).at("next_after").as_int64(), 3);  // looked at all three
  EXPECT_TRUE(IsProblem(gateway.Call("GET", "/v1/events?merchant_id=shop-1", kOtherMerchantKey),
                        403, "forbidden"));
  EXPECT_TRUE(IsProblem(gateway.Call("GET", "/v1/events", kCheckoutKey), 403, "forbidden"));
  // shop-1 sees its offer and the redemption, which carries the redemption as reserved
  const json::array shop1 = Items(gateway.Call("GET", "/v1/events", kMerchantKey));
  ASSERT_EQ(shop1.size(), 2U);
  EXPECT_EQ(shop1[1].at("type").as_string(), "redemption.reserved");
  EXPECT_EQ(shop1[1].at("data").at("redemption").at("status").as_string(), "reserved");
}

TEST(EventsApiTest, AWaitingReadAnswersWhenTheNextEventComes) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  // A read after the last event, waiting up to 10 s
  auto waiting = std::async(std::launch::async, [&] {
    const auto start = std::chrono::steady_clock::now();
    HttpReply reply = gateway.Call("GET", "/v1/events?after=1&wait=10", kAdminKey);
    return std::pair(reply, std::chrono::steady_clock::now() - start);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(waiting.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "a read with nothing new waits";
  // When a redemption is made
  RedeemOrThrow(gateway, RedemptionBody("order-1"), "idem-1");
  // Then the waiting read answers with it, well before its wait is up
  const auto [reply, took] = waiting.get();
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json::array items = Items(reply);
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].at("seq").as_int64(), 2);
  EXPECT_LT(took, std::chrono::seconds(5));
  // And a read that times out answers an empty page
  const auto start = std::chrono::steady_clock::now();
  const HttpReply empty = gateway.Call("GET", "/v1/events?after=2&wait=1", kAdminKey);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  ASSERT_EQ(empty.status, 200);
  EXPECT_TRUE(Items(empty).empty());
  EXPECT_EQ(Object(empty).at("next_after").as_int64(), 2);
}

TEST(EventsApiTest, AReaderLeftBehindByTheRetentionIsToldSo) {
  TestGatewayOptions options;
  options.event_retention = 3;
  TestGateway gateway(options);
  for (int i = 0; i < 5; ++i) CreateOffer(gateway, kMerchantKey, OfferBody());
  // Events 1 and 2 are gone: a reader at 1 missed event 2
  const HttpReply behind = gateway.Call("GET", "/v1/events?after=1", kAdminKey);
  EXPECT_TRUE(IsProblem(behind, 410, "events_expired")) << behind.body;
  EXPECT_EQ(Object(behind).at("oldest_seq").as_int64(), 3);
  // A reader at 2 missed nothing; a new reader starts at the oldest held
  EXPECT_EQ(Items(gateway.Call("GET", "/v1/events?after=2", kAdminKey)).size(), 3U);
  const json::array fresh = Items(gateway.Call("GET", "/v1/events?after=0", kAdminKey));
  ASSERT_EQ(fresh.size(), 3U);
  EXPECT_EQ(fresh[0].at("seq").as_int64(), 3);
}

TEST(EventsApiTest, BadParametersAre422) {
  TestGateway gateway;
  for (const char* query : {"after=-1", "after=x", "limit=0", "limit=1001", "wait=31", "wait=1.5",
                            "merchant_id=a%20b"}) {
    EXPECT_TRUE(IsProblem(gateway.Call("GET", std::string("/v1/events?") + query, kAdminKey), 422,
                          "validation_failed"))
        << query;
  }
}

}  // namespace
}  // namespace uudai::testing
