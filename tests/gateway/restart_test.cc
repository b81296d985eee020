// Durability of the embedded store (docs/design.md §1: the journal is replayed at start): a gateway
// stopped and started again on the same data dir has every acknowledged write.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_test_support.h"
#include "store/journal/journal_reader.h"
#include "uudai/store_mutation.h"

namespace uudai::testing {
namespace {

using boost::json::array;
using boost::json::object;
using std::chrono::milliseconds;

std::string RedemptionPath(const std::string& id) { return "/v1/redemptions/" + id; }

TestGatewayOptions OnDisk(const TempDir& dir) {
  TestGatewayOptions options;
  options.data_dir = dir.path();
  return options;
}

TEST(RestartTest, OffersAreThereAfterARestart) {
  TempDir dir;
  std::string id, coded_id, patched;
  {
    TestGateway gateway(OnDisk(dir));
    id = CreateOffer(gateway, kMerchantKey, OfferBody());
    object coded = OfferBody();
    coded["code_mode"] = "public";
    coded["code"] = "THANG10";
    coded_id = CreateOffer(gateway, kMerchantKey, coded);
    patched = gateway.Call("PATCH", "/v1/offers/" + id, kMerchantKey, R"({"priority":7})").body;
  }

  TestGateway restarted(OnDisk(dir));

  const HttpReply reply = restarted.Call("GET", "/v1/offers/" + id, kAnalystKey);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, patched);
  EXPECT_EQ(reply.Header("etag"), "\"2\"");
  EXPECT_EQ(restarted.Call("GET", "/v1/offers", kAnalystKey).Json().at("items").as_array().size(),
            2U);
  // The catalog is rebuilt too: the code resolves, and the patched priority breaks the tie
  // between the two equal merchant-layer offers.
  object cart = CartBody(100'000);
  cart["codes"] = array{"thang10"};
  const HttpReply quote = restarted.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(cart));
  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_EQ(quote.Json().at("applied"), (array{object{{"offer_id", id},
                                                      {"layer", "merchant"},
                                                      {"code", nullptr},
                                                      {"discount", 10'000},
                                                      {"cashback", 0}}}));
  EXPECT_EQ(quote.Json().at("rejected"),
            (array{object{{"code", "thang10"}, {"offer_id", coded_id}, {"reason", "superseded"}}}));
}

TEST(RestartTest, RedemptionStatusesAndStatsAreThereAfterARestart) {
  TempDir dir;
  std::string offer_id;
  std::vector<std::pair<std::string, std::string>> redemptions;  // id, body after last change
  std::string stats_before;
  {
    TestGateway gateway(OnDisk(dir));
    object offer = OfferBody();
    offer["limits"] = object{{"total_redemptions", 10}, {"total_budget", 1'000'000}};
    offer_id = CreateOffer(gateway, kMerchantKey, offer);
    const std::string reserved =
        RedeemOrThrow(gateway, RedemptionBody("o-1", 100'000, "s-1"), "k-1");
    const std::string committed =
        RedeemOrThrow(gateway, RedemptionBody("o-2", 200'000, "s-2"), "k-2");
    const std::string released =
        RedeemOrThrow(gateway, RedemptionBody("o-3", 300'000, "s-3"), "k-3");
    const std::string refunded =
        RedeemOrThrow(gateway, RedemptionBody("o-4", 400'000, "s-4"), "k-4");
    gateway.clock().Advance(60'000);
    ASSERT_EQ(gateway.Call("POST", RedemptionPath(committed) + "/commit", kCheckoutKey).status,
              200);
    ASSERT_EQ(gateway.Call("POST", RedemptionPath(released) + "/cancel", kCheckoutKey).status, 200);
    ASSERT_EQ(gateway.Call("POST", RedemptionPath(refunded) + "/commit", kCheckoutKey).status, 200);
    ASSERT_EQ(gateway.Call("POST", RedemptionPath(refunded) + "/refund", kCheckoutKey).status, 200);
    for (const std::string& id : {reserved, committed, released, refunded}) {
      redemptions.emplace_back(id, gateway.Call("GET", RedemptionPath(id), kCheckoutKey).body);
    }
    stats_before = gateway.Call("GET", "/v1/stats/offers/" + offer_id, kAnalystKey).body;
  }

  TestGateway restarted(OnDisk(dir));

  for (const auto& [id, body] : redemptions) {
    const HttpReply reply = restarted.Call("GET", RedemptionPath(id), kCheckoutKey);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, body);
  }
  const HttpReply stats = restarted.Call("GET", "/v1/stats/offers/" + offer_id, kAnalystKey);
  EXPECT_EQ(stats.body, stats_before);
  EXPECT_EQ(
      stats.Json().at("redemptions"),
      (object{
          {"reserved", 1}, {"committed", 1}, {"released", 1}, {"expired", 0}, {"refunded", 1}}));
  EXPECT_EQ(stats.Json().at("remaining"), (object{{"redemptions", 8}, {"budget", 970'000}}));
}

TEST(RestartTest, IdempotentReplayIsByteIdenticalAfterARestart) {
  TempDir dir;
  const object body = RedemptionBody("order-1");
  std::string first;
  {
    TestGateway gateway(OnDisk(dir));
    CreateOffer(gateway, kMerchantKey, OfferBody());
    const HttpReply reply = Redeem(gateway, body, "idem-1");
    ASSERT_EQ(reply.status, 201);
    first = reply.body;
  }

  TestGateway restarted(OnDisk(dir));
  const HttpReply replay = Redeem(restarted, body, "idem-1");
  const HttpReply reused = Redeem(restarted, RedemptionBody("order-2"), "idem-1");

  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, first);
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
  EXPECT_TRUE(IsProblem(reused, 422, "idempotency_key_reused"));
}

TEST(RestartTest, LimitsAndOrderGuardsStillHoldAfterARestart) {
  TempDir dir;
  {
    TestGateway gateway(OnDisk(dir));
    object offer = OfferBody();
    offer["limits"] = object{{"total_redemptions", 2}, {"per_shopper", 1}};
    CreateOffer(gateway, kMerchantKey, offer);
    RedeemOrThrow(gateway, RedemptionBody("o-1", 100'000, "s-1"), "k-1");
  }

  TestGateway restarted(OnDisk(dir));

  EXPECT_TRUE(IsProblem(Redeem(restarted, RedemptionBody("o-1", 100'000, "s-9"), "k-2"), 409,
                        "order_already_redeemed"));
  EXPECT_TRUE(IsProblem(Redeem(restarted, RedemptionBody("o-2", 100'000, "s-1"), "k-3"), 409,
                        "nothing_to_redeem"))
      << "s-1 used its one redemption";
  EXPECT_EQ(Redeem(restarted, RedemptionBody("o-3", 100'000, "s-3"), "k-4").status, 201);
  EXPECT_TRUE(IsProblem(Redeem(restarted, RedemptionBody("o-4", 100'000, "s-4"), "k-5"), 409,
                        "nothing_to_redeem"))
      << "the quota of 2 is used";
}

// The journal brings back who has ordered where (first orders) and the committed cashback.
TEST(RestartTest, FirstOrdersAndCashbackAreThereAfterARestart) {
  TempDir dir;
  std::string first_id, cashback_id;
  {
    TestGateway gateway(OnDisk(dir));
    object first = OfferBody();
    first["first_order"] = true;
    first["code_mode"] = "public";
    first["code"] = "DONDAU";
    first_id = CreateOffer(gateway, kMerchantKey, first);
    object cashback = CashbackOfferBody();
    cashback["limits"] = object{{"total_budget", 100'000}};
    cashback_id = CreateOffer(gateway, kAdminKey, cashback);
    object order = RedemptionBody("o-1", 300'000, "s-1");
    order["codes"] = array{"dondau"};
    order["commit"] = true;
    const HttpReply created = Redeem(gateway, order, "k-1");
    ASSERT_EQ(created.status, 201) << created.body;
    ASSERT_EQ(created.Json().at("cashback_total").as_int64(), 30'000) << created.body;
  }

  TestGateway restarted(OnDisk(dir));

  object again = CartBody(300'000, 1, "s-1");
  again["codes"] = array{"dondau"};
  const HttpReply quote = restarted.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(again));
  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_EQ(
      quote.Json().at("rejected"),
      (array{object{{"code", "dondau"}, {"offer_id", first_id}, {"reason", "not_first_order"}}}));
  again["shopper_id"] = "s-2";  // a shopper who never ordered still gets it
  EXPECT_EQ(restarted.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(again))
                .Json()
                .at("applied")
                .as_array()
                .size(),
            2U);
  const object stats =
      restarted.Call("GET", "/v1/stats/offers/" + cashback_id, kAnalystKey).Json().as_object();
  EXPECT_EQ(stats.at("cashback_committed").as_int64(), 30'000);
  EXPECT_EQ(stats.at("discount_committed").as_int64(), 0);
  EXPECT_EQ(stats.at("remaining").at("budget").as_int64(), 70'000);
}

TEST(RestartTest, IssuedAndUsedCodesAreThereAfterARestart) {
  TempDir dir;
  std::string offer_id, used, unused;
  {
    TestGateway gateway(OnDisk(dir));
    object offer = OfferBody();
    offer["code_mode"] = "unique";
    offer_id = CreateOffer(gateway, kMerchantKey, offer);
    const HttpReply issued =
        gateway.Call("POST", "/v1/offers/" + offer_id + "/codes", kMerchantKey, R"({"count":2})");
    ASSERT_EQ(issued.status, 201);
    used = std::string(issued.Json().at("codes").at(0).as_string());
    unused = std::string(issued.Json().at("codes").at(1).as_string());
    object body = RedemptionBody("o-1");
    body["codes"] = array{used};
    body["commit"] = true;
    RedeemOrThrow(gateway, body, "k-1");
  }

  TestGateway restarted(OnDisk(dir));
  object cart = CartBody(100'000, 1, "s-2");
  cart["codes"] = array{used, unused};
  const HttpReply quote = restarted.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(cart));

  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_EQ(quote.Json().at("applied").at(0).at("code").as_string(), unused);
  EXPECT_EQ(quote.Json().at("rejected"),
            (array{object{{"code", used}, {"offer_id", offer_id}, {"reason", "code_used"}}}));
}

TEST(RestartTest, ReservationMadeBeforeARestartStillExpires) {
  TempDir dir;
  TestGatewayOptions options = OnDisk(dir);
  options.reservation_ttl_millis = 1'000;
  std::string id;
  {
    TestGateway gateway(options);
    CreateOffer(gateway, kMerchantKey, OfferBody());
    id = RedeemOrThrow(gateway, RedemptionBody("o-1"), "k-1");
  }

  TestGateway restarted(options);
  restarted.clock().Advance(1'000);
  std::string status;
  for (int i = 0; i < 300 && status != "expired"; ++i) {
    status = std::string(
        restarted.Call("GET", RedemptionPath(id), kCheckoutKey).Json().at("status").as_string());
    std::this_thread::sleep_for(milliseconds(10));
  }

  EXPECT_EQ(status, "expired");
}

// POST /v1/offers/batch is one journal record holding every offer of the batch, and a
// restart (replaying it, or from a journal compacted since) serves each offer as it was
// answered, its code included.
TEST(RestartTest, ABatchIsOneJournalRecordAndIsThereAfterARestart) {
  TempDir dir;
  std::vector<object> answered;
  {
    TestGateway gateway(OnDisk(dir));
    array batch;
    for (int i = 0; i < 20; ++i) {
      object offer = OfferBody();
      offer["name"] = "Lô " + std::to_string(i);
      offer["code_mode"] = "public";
      offer["code"] = "LO" + std::to_string(i);
      batch.push_back(offer);
    }
    const HttpReply reply =
        gateway.Call("POST", "/v1/offers/batch", kMerchantKey, boost::json::serialize(batch));
    ASSERT_EQ(reply.status, 201) << reply.body;
    const boost::json::value body = reply.Json();
    for (const auto& item : body.at("items").as_array()) answered.push_back(item.as_object());
  }
  ASSERT_EQ(answered.size(), 20U);

  // The journal holds one record: the batch, its offers in order
  std::vector<StoreMutation> records;
  const int fd = ::open((dir.path() + "/journal.log").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const auto read = gateway::ReadJournalRecords(
      fd, "journal.log", [&](const StoreMutation& m) { records.push_back(m); });
  ::close(fd);
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(records.size(), 1U);
  const auto* created = std::get_if<OffersCreated>(&records[0]);
  ASSERT_NE(created, nullptr) << "the batch was journaled as another kind of record";
  ASSERT_EQ(created->offers.size(), 20U);
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(created->offers[i]->id, answered[i].at("id").as_string()) << i;
  }

  // Restarted from it, then from a journal compacted at start, every offer is as answered
  for (bool compact : {false, true}) {
    SCOPED_TRACE(compact ? "compacted" : "replayed");
    TestGatewayOptions options = OnDisk(dir);
    if (compact) options.journal_compaction.min_bytes = 0;
    TestGateway restarted(options);
    if (!compact) {
      EXPECT_EQ(restarted.app().startup().journal_records, 1U);
    }
    for (const object& offer : answered) {
      const std::string id(offer.at("id").as_string());
      const HttpReply got = restarted.Call("GET", "/v1/offers/" + id, kAnalystKey);
      ASSERT_EQ(got.status, 200) << got.body;
      EXPECT_EQ(got.Json().as_object(), offer);
    }
    EXPECT_EQ(restarted.Call("GET", "/v1/offers?limit=100", kAnalystKey)
                  .Json()
                  .at("items")
                  .as_array()
                  .size(),
              20U);
    // The catalog knows the codes again, and the codes are still taken
    object cart = CartBody(100'000);
    cart["codes"] = array{"LO19"};
    const HttpReply quote = restarted.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(cart));
    ASSERT_EQ(quote.status, 200) << quote.body;
    ASSERT_EQ(quote.Json().at("applied").as_array().size(), 1U) << quote.body;
    EXPECT_EQ(quote.Json().at("applied").at(0).at("offer_id"), answered[19].at("id"));
    object clash = OfferBody();
    clash["code_mode"] = "public";
    clash["code"] = "LO7";
    EXPECT_TRUE(IsProblem(restarted.Call("POST", "/v1/offers", kMerchantKey, Json(clash)), 409,
                          "code_conflict"));
  }
}

// Tiered and buy_x_get_y discounts come back from the journal, replayed or compacted, as they
// were: rendered the same, and quoting every cart the same.
TEST(RestartTest, TieredAndBuyXGetYOffersQuoteTheSameAfterARestart) {
  TempDir dir;
  const object tiered{
      {"type", "tiered"},
      {"basis", "subtotal"},
      {"tiers",
       array{object{{"min", 200'000}, {"discount", object{{"type", "fixed"}, {"value", 20'000}}}},
             object{{"min", 500'000},
                    {"discount",
                     object{{"type", "percent"}, {"value", 10}, {"max_amount", 50'000}}}}}}};
  const object by_units{
      {"type", "tiered"},
      {"basis", "quantity"},
      {"tiers",
       array{object{
           {"min", 4},
           {"discount", object{{"type", "percent"}, {"value", 3}, {"max_amount", nullptr}}}}}}};
  const object bogo{
      {"type", "buy_x_get_y"}, {"buy", 2}, {"get", 1}, {"percent", 50}, {"max_sets", 1}};
  object platform = OfferBody();
  platform["merchant_id"] = "platform";
  platform["layer"] = "platform";
  platform["discount"] = tiered;
  object merchant = OfferBody();
  merchant["discount"] = bogo;
  object payment = OfferBody();
  payment["merchant_id"] = "platform";
  payment["layer"] = "payment";
  payment["discount"] = by_units;
  // 150,001 × 3: one set, 50% of 150,001 = 75,000.5; 450,003 reaches the 200k tier.
  // 150,001 × 4: still one set; 10% of 600,004 capped at 50,000; 4 units: 3% = 18,000.12.
  // 100,000 × 1: nothing.
  const std::vector<object> carts = {CartBody(150'001, 3), CartBody(150'001, 4),
                                     CartBody(100'000, 1)};
  std::vector<std::string> ids;
  std::map<std::string, std::string> offers;
  std::vector<std::string> quotes;
  {
    TestGateway gateway(OnDisk(dir));
    ids = {CreateOffer(gateway, kAdminKey, platform), CreateOffer(gateway, kMerchantKey, merchant),
           CreateOffer(gateway, kAdminKey, payment)};
    // Superseded records, so that a compacting start rewrites the journal
    for (const std::string& id : ids) {
      for (int priority : {1, 2}) {
        ASSERT_EQ(gateway
                      .Call("PATCH", "/v1/offers/" + id, kAdminKey,
                            "{\"priority\":" + std::to_string(priority) + "}")
                      .status,
                  200);
      }
      offers[id] = gateway.Call("GET", "/v1/offers/" + id, kAnalystKey).body;
    }
    for (const object& cart : carts) {
      quotes.push_back(gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(cart)).body);
    }
  }
  EXPECT_EQ(boost::json::parse(offers[ids[0]]).at("discount"), tiered);
  EXPECT_EQ(boost::json::parse(offers[ids[1]]).at("discount"), bogo);
  EXPECT_EQ(boost::json::parse(offers[ids[2]]).at("discount"), by_units);
  const auto applied = [](const std::string& quote) {
    const boost::json::value parsed = boost::json::parse(quote);
    std::vector<std::int64_t> amounts;
    for (const auto& a : parsed.at("applied").as_array()) {
      amounts.push_back(a.at("discount").as_int64());
    }
    return amounts;
  };
  ASSERT_EQ(applied(quotes[0]), (std::vector<std::int64_t>{75'000, 20'000}));
  ASSERT_EQ(applied(quotes[1]), (std::vector<std::int64_t>{75'000, 50'000, 18'000}));
  ASSERT_EQ(applied(quotes[2]), std::vector<std::int64_t>{});

  // Replayed (3 creations, 6 patches) at each start: every version is kept (an offer's
  // history), so even a start that would compact any journal worth it has nothing to gain
  for (const int start : {0, 1}) {
    SCOPED_TRACE("start " + std::to_string(start));
    TestGatewayOptions options = OnDisk(dir);
    if (start == 1) options.journal_compaction.min_bytes = 0;
    TestGateway restarted(options);
    EXPECT_EQ(restarted.app().startup().journal_records, 9U);
    EXPECT_FALSE(restarted.app().startup().compaction.done);
    for (const auto& [id, body] : offers) {
      EXPECT_EQ(restarted.Call("GET", "/v1/offers/" + id, kAnalystKey).body, body);
    }
    for (std::size_t i = 0; i < carts.size(); ++i) {
      EXPECT_EQ(restarted.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(carts[i])).body,
                quotes[i])
          << i;
    }
  }
}

// A redemption that applied a buy_x_get_y offer and had a code refused for too few units keeps
// both after a restart, the refusal's reason included.
TEST(RestartTest, ARedemptionWithAMinQuantityRejectionIsThereAfterARestart) {
  TempDir dir;
  std::string redemption_id, answered;
  {
    TestGateway gateway(OnDisk(dir));
    object bogo = OfferBody();
    bogo["discount"] = object{{"type", "buy_x_get_y"}, {"buy", 2}, {"get", 1}, {"percent", 100}};
    const std::string bogo_id = CreateOffer(gateway, kMerchantKey, bogo);
    object by_units = OfferBody();
    by_units["merchant_id"] = "platform";
    by_units["layer"] = "platform";
    by_units["code_mode"] = "public";
    by_units["code"] = "MUA5MON";
    by_units["discount"] = object{
        {"type", "tiered"},
        {"basis", "quantity"},
        {"tiers",
         array{object{{"min", 5}, {"discount", object{{"type", "fixed"}, {"value", 50'000}}}}}}};
    const std::string by_units_id = CreateOffer(gateway, kAdminKey, by_units);
    object body = CartBody(100'000, 3);
    body["order_id"] = "order-1";
    body["codes"] = array{"mua5mon"};

    const HttpReply reply = Redeem(gateway, body, "k-1");

    ASSERT_EQ(reply.status, 201) << reply.body;
    EXPECT_EQ(reply.Json().at("discount_total").as_int64(), 100'000);
    EXPECT_EQ(reply.Json().at("applied").at(0).at("offer_id").as_string(), bogo_id);
    EXPECT_EQ(reply.Json().at("rejected"),
              (array{object{
                  {"code", "mua5mon"}, {"offer_id", by_units_id}, {"reason", "min_quantity"}}}));
    redemption_id = std::string(reply.Json().at("id").as_string());
    answered = reply.body;
  }

  TestGateway restarted(OnDisk(dir));

  const HttpReply reply = restarted.Call("GET", "/v1/redemptions/" + redemption_id, kCheckoutKey);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, answered);
}

}  // namespace
}  // namespace uudai::testing
