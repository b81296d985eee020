// GET /v1/offers/{id}/history through HTTP: every version with who wrote it, when and what
// changed; pages; who may read it; kept across a restart and a compaction of the journal.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "api_test_support.h"
#include "test_gateway.h"

namespace uudai::testing {
namespace {

namespace json = boost::json;

std::string HistoryPath(const std::string& id, const std::string& query = "") {
  return "/v1/offers/" + id + "/history" + query;
}

json::array Items(const HttpReply& reply) { return Object(reply).at("items").as_array(); }

// An offer created by the merchant, paused by an admin, then given a new name by the merchant.
std::string OfferWithThreeVersions(TestGateway& gateway) {
  const std::string id = CreateOffer(gateway, kMerchantKey, OfferBody());
  EXPECT_EQ(gateway.Call("PATCH", "/v1/offers/" + id, kAdminKey, R"({"status":"paused"})").status,
            200);
  EXPECT_EQ(
      gateway.Call("PATCH", "/v1/offers/" + id, kMerchantKey, R"({"name":"Giảm 20%"})").status,
      200);
  return id;
}

void ExpectThreeVersions(const HttpReply& reply, const std::string& id) {
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Object(reply).at("offer_id").as_string(), id);
  EXPECT_EQ(Object(reply).at("latest_version").as_int64(), 3);
  EXPECT_TRUE(Object(reply).at("next_after_version").is_null());
  const json::array items = Items(reply);
  ASSERT_EQ(items.size(), 3U);
  EXPECT_EQ(items[0].at("version").as_int64(), 1);
  EXPECT_EQ(items[0].at("change").as_string(), "created");
  EXPECT_EQ(items[0].at("changed"), json::array());
  EXPECT_EQ(items[0].at("by").at("role").as_string(), "merchant");
  EXPECT_EQ(items[0].at("by").at("key_id").as_string().size(), 12U);
  EXPECT_EQ(items[0].at("offer").at("status").as_string(), "active");
  EXPECT_EQ(items[1].at("change").as_string(), "updated");
  EXPECT_EQ(items[1].at("changed"), json::array({"status"}));
  EXPECT_EQ(items[1].at("by").at("role").as_string(), "admin");
  EXPECT_NE(items[1].at("by").at("key_id"), items[0].at("by").at("key_id"));
  EXPECT_EQ(items[1].at("offer").at("status").as_string(), "paused");
  EXPECT_EQ(items[1].at("at"), items[1].at("offer").at("updated_at"));
  EXPECT_EQ(items[2].at("changed"), json::array({"name"}));
  EXPECT_EQ(items[2].at("by").at("key_id"), items[0].at("by").at("key_id"));
  EXPECT_EQ(items[2].at("offer").at("name").as_string(), "Giảm 20%");
}

TEST(OfferHistoryApiTest, EveryVersionIsListedWithWhoWhenAndWhatChanged) {
  TestGateway gateway;
  const std::string id = OfferWithThreeVersions(gateway);
  ExpectThreeVersions(gateway.Call("GET", HistoryPath(id), kAnalystKey), id);
}

TEST(OfferHistoryApiTest, PagesFollowEachOtherAndTellWhatTheirFirstVersionChanged) {
  TestGateway gateway;
  const std::string id = OfferWithThreeVersions(gateway);
  const HttpReply first = gateway.Call("GET", HistoryPath(id, "?limit=2"), kAdminKey);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(Items(first).size(), 2U);
  EXPECT_EQ(Object(first).at("next_after_version").as_int64(), 2);
  const HttpReply second =
      gateway.Call("GET", HistoryPath(id, "?after_version=2&limit=2"), kAdminKey);
  ASSERT_EQ(second.status, 200) << second.body;
  const json::array items = Items(second);
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].at("version").as_int64(), 3);
  EXPECT_EQ(items[0].at("changed"), json::array({"name"}));  // against version 2, not on the page
  EXPECT_TRUE(Object(second).at("next_after_version").is_null());
  const HttpReply past = gateway.Call("GET", HistoryPath(id, "?after_version=9"), kAdminKey);
  ASSERT_EQ(past.status, 200) << past.body;
  EXPECT_TRUE(Items(past).empty());
}

TEST(OfferHistoryApiTest, OnlyTheOffersShopAndAdminsAndAnalystsReadIt) {
  TestGateway gateway;
  const std::string id = OfferWithThreeVersions(gateway);
  EXPECT_EQ(gateway.Call("GET", HistoryPath(id), kMerchantKey).status, 200);
  EXPECT_TRUE(IsProblem(gateway.Call("GET", HistoryPath(id), kOtherMerchantKey), 403, "forbidden"));
  EXPECT_TRUE(IsProblem(gateway.Call("GET", HistoryPath(id, "?after_version=9"), kOtherMerchantKey),
                        403, "forbidden"));
  EXPECT_TRUE(IsProblem(gateway.Call("GET", HistoryPath(id), kCheckoutKey), 403, "forbidden"));
  EXPECT_TRUE(IsProblem(gateway.Call("GET", HistoryPath(id), nullptr), 401, "unauthorized"));
}

TEST(OfferHistoryApiTest, UnknownOffersAndBadQueriesAreRefused) {
  TestGateway gateway;
  const std::string id = OfferWithThreeVersions(gateway);
  EXPECT_TRUE(
      IsProblem(gateway.Call("GET", HistoryPath("o_missing"), kAdminKey), 404, "not_found"));
  for (const char* query : {"?limit=0", "?limit=1001", "?limit=x", "?after_version=-1",
                            "?after_version=1e3", "?after_version=9999999999999999999"}) {
    EXPECT_TRUE(
        IsProblem(gateway.Call("GET", HistoryPath(id, query), kAdminKey), 422, "validation_failed"))
        << query;
  }
}

TEST(OfferHistoryApiTest, TheHistoryIsKeptAcrossARestartAndACompactedJournal) {
  TempDir dir;
  std::string id;
  TestGatewayOptions on_disk;
  on_disk.data_dir = dir.path();
  {
    TestGateway gateway(on_disk);
    id = OfferWithThreeVersions(gateway);
    // And codes issued in four calls, which a compacted journal holds as one record: what
    // makes compacting it worth it
    json::object coded = OfferBody();
    coded["code_mode"] = "unique";
    const std::string coded_id = CreateOffer(gateway, kMerchantKey, coded);
    for (int call = 0; call < 4; ++call) {
      ASSERT_EQ(
          gateway.Call("POST", "/v1/offers/" + coded_id + "/codes", kMerchantKey, R"({"count":5})")
              .status,
          201);
    }
  }
  {
    TestGateway restarted(on_disk);  // replays the journal
    ExpectThreeVersions(restarted.Call("GET", HistoryPath(id), kAnalystKey), id);
  }
  TestGatewayOptions compacting = on_disk;
  compacting.journal_compaction.min_bytes = 0;
  compacting.journal_compaction.min_ratio = 0;
  {
    TestGateway compacted(compacting);  // writes the journal again from its state
    EXPECT_TRUE(compacted.app().startup().compaction.done);
    // the offer's earlier versions and its latest, the coded offer, its codes, the events held
    EXPECT_EQ(compacted.app().startup().compaction.records_after, 2U + 1U + 1U + 1U);
  }
  TestGateway again(on_disk);
  ExpectThreeVersions(again.Call("GET", HistoryPath(id), kAnalystKey), id);
}

}  // namespace
}  // namespace uudai::testing
