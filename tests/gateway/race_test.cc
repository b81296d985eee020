// Redemptions racing over many connections (docs/design.md §3 Limits: a redemption never makes any
// counter exceed its limit, under any concurrency).
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using boost::json::object;

constexpr int kThreads = 64;

struct Outcome {
  int status = 0;
  std::string body;
};

// Runs `requests_per_thread` requests on each of kThreads threads, each thread on its own
// keep-alive connection, all released at once. `make(global_index)` builds (body, idempotency
// key); outcomes are indexed like that.
template <typename Make>
std::vector<Outcome> Race(TestGateway& gateway, int requests_per_thread, Make make,
                          const std::string& method = "POST",
                          const std::string& target = "/v1/redemptions",
                          const char* key = kCheckoutKey) {
  std::vector<Outcome> outcomes(static_cast<std::size_t>(kThreads * requests_per_thread));
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpConnection connection(gateway.port());
      start.arrive_and_wait();
      for (int j = 0; j < requests_per_thread; ++j) {
        const int index = j * kThreads + t;
        const auto [body, idempotency_key] = make(index);
        const HttpReply reply = connection.Send(method, target, body,
                                                {{"Authorization", std::string("Bearer ") + key},
                                                 {"Idempotency-Key", idempotency_key}});
        outcomes[static_cast<std::size_t>(index)] = {reply.status, reply.body};
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return outcomes;
}

object Stats(TestGateway& gateway, const std::string& offer_id) {
  return gateway.Call("GET", "/v1/stats/offers/" + offer_id, kAnalystKey).Json().as_object();
}

void ExpectQuotaAndPerShopperLimitHoldUnderARace(TestGateway& gateway) {
  object offer = OfferBody();
  offer["limits"] = object{{"total_redemptions", 100}, {"per_shopper", 1}};
  const std::string offer_id = CreateOffer(gateway, kMerchantKey, offer);
  constexpr int kShoppers = 150;  // 320 requests: every shopper tries two or three times

  const auto outcomes = Race(gateway, 5, [](int i) {
    const std::string shopper = "shopper-" + std::to_string(i % kShoppers);
    return std::pair{Json(RedemptionBody("order-" + std::to_string(i), 100'000, shopper)),
                     "key-" + std::to_string(i)};
  });

  std::multiset<std::string> winners;
  std::map<std::string, int> refusals;
  for (const Outcome& outcome : outcomes) {
    const auto body = boost::json::parse(outcome.body).as_object();
    if (outcome.status == 201) {
      EXPECT_EQ(body.at("status").as_string(), "reserved");
      EXPECT_EQ(body.at("discount_total").as_int64(), 10'000);
      winners.insert(std::string(body.at("shopper_id").as_string()));
    } else {
      EXPECT_EQ(outcome.status, 409) << outcome.body;
      ++refusals[std::string(body.at("code").as_string())];
    }
  }
  EXPECT_EQ(winners.size(), 100U);
  EXPECT_EQ(std::set<std::string>(winners.begin(), winners.end()).size(), winners.size())
      << "a shopper redeemed twice";
  for (const auto& [code, count] : refusals) {
    EXPECT_TRUE(code == "quota_exhausted" || code == "per_shopper_limit" ||
                code == "nothing_to_redeem")
        << code << " × " << count;
  }
  const object stats = Stats(gateway, offer_id);
  EXPECT_EQ(stats.at("redemptions").at("reserved").as_int64(), 100);
  EXPECT_EQ(stats.at("remaining").at("redemptions").as_int64(), 0);
}

TEST(RedemptionRaceTest, SixtyFourConnectionsNeverExceedTheQuotaNorThePerShopperLimit) {
  TestGateway gateway;

  ExpectQuotaAndPerShopperLimitHoldUnderARace(gateway);
}

// With the journal a write completes only once durable (group commit on another thread).
TEST(RedemptionRaceTest, LimitsHoldUnderARaceWithTheJournal) {
  TempDir dir;
  TestGatewayOptions options;
  options.data_dir = dir.path();
  TestGateway gateway(options);

  ExpectQuotaAndPerShopperLimitHoldUnderARace(gateway);
}

TEST(RedemptionRaceTest, OneOrderRacedFromEveryConnectionIsRedeemedOnce) {
  TestGateway gateway;
  const std::string offer_id = CreateOffer(gateway, kMerchantKey, OfferBody());

  const auto outcomes = Race(gateway, 1, [](int i) {
    return std::pair{Json(RedemptionBody("the-order", 100'000, "s-" + std::to_string(i))),
                     "key-" + std::to_string(i)};
  });

  int created = 0;
  for (const Outcome& outcome : outcomes) {
    if (outcome.status == 201) {
      ++created;
    } else {
      EXPECT_EQ(outcome.status, 409);
      EXPECT_EQ(boost::json::parse(outcome.body).at("code").as_string(), "order_already_redeemed");
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(Stats(gateway, offer_id).at("redemptions").at("reserved").as_int64(), 1);
}

TEST(RedemptionRaceTest, OneIdempotencyKeyRacedFromEveryConnectionCreatesOneRedemption) {
  TestGateway gateway;
  const std::string offer_id = CreateOffer(gateway, kMerchantKey, OfferBody());
  const std::string body = Json(RedemptionBody("order-1"));

  const auto outcomes = Race(gateway, 1, [&body](int) { return std::pair{body, "same-key"}; });

  std::set<std::string> bodies;
  for (const Outcome& outcome : outcomes) {
    if (outcome.status == 201) {
      bodies.insert(outcome.body);
    } else {
      EXPECT_EQ(outcome.status, 409);
      EXPECT_EQ(boost::json::parse(outcome.body).at("code").as_string(), "request_in_progress");
    }
  }
  EXPECT_EQ(bodies.size(), 1U) << "every 201 is the same response";
  EXPECT_EQ(Stats(gateway, offer_id).at("redemptions").at("reserved").as_int64(), 1);
}

TEST(RedemptionRaceTest, RacingBudgetNeverOverspends) {
  TestGateway gateway;
  object offer = OfferBody();
  offer["discount"] = object{{"type", "fixed"}, {"value", 30'000}};
  offer["limits"] = object{{"total_budget", 1'000'000}};  // 33 redemptions, 10.000 left over
  const std::string offer_id = CreateOffer(gateway, kMerchantKey, offer);

  const auto outcomes = Race(gateway, 1, [](int i) {
    return std::pair{
        Json(RedemptionBody("order-" + std::to_string(i), 100'000, "s-" + std::to_string(i))),
        "key-" + std::to_string(i)};
  });

  int created = 0;
  for (const Outcome& outcome : outcomes) created += outcome.status == 201 ? 1 : 0;
  EXPECT_EQ(created, 33);
  const object stats = Stats(gateway, offer_id);
  EXPECT_EQ(stats.at("redemptions").at("reserved").as_int64(), 33);
  EXPECT_EQ(stats.at("remaining").at("budget").as_int64(), 10'000);
}

TEST(RedemptionRaceTest, RacedUniqueCodeIsRedeemedOnce) {
  TestGateway gateway;
  object offer = OfferBody();
  offer["code_mode"] = "unique";
  const std::string offer_id = CreateOffer(gateway, kMerchantKey, offer);
  const HttpReply issued =
      gateway.Call("POST", "/v1/offers/" + offer_id + "/codes", kMerchantKey, R"({"count":1})");
  ASSERT_EQ(issued.status, 201);
  const std::string code(issued.Json().at("codes").at(0).as_string());

  const auto outcomes = Race(gateway, 1, [&code](int i) {
    object body = RedemptionBody("order-" + std::to_string(i), 100'000, "s-" + std::to_string(i));
    body["codes"] = boost::json::array{code};
    return std::pair{Json(body), "key-" + std::to_string(i)};
  });

  int created = 0;
  for (const Outcome& outcome : outcomes) {
    if (outcome.status == 201) {
      ++created;
    } else {
      EXPECT_EQ(outcome.status, 409) << outcome.body;
      const auto code_name = boost::json::parse(outcome.body).at("code").as_string();
      EXPECT_TRUE(code_name == "code_used" || code_name == "nothing_to_redeem") << outcome.body;
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(Stats(gateway, offer_id).at("redemptions").at("reserved").as_int64(), 1);
}

TEST(OfferPatchRaceTest, ConcurrentPatchesWithoutIfMatchAllApply) {
  TestGateway gateway;
  const std::string offer_id = CreateOffer(gateway, kMerchantKey, OfferBody());

  const auto outcomes = Race(
      gateway, 2,
      [](int i) {
        return std::pair{"{\"priority\":" + std::to_string(i) + "}", std::string("-")};
      },
      "PATCH", "/v1/offers/" + offer_id, kMerchantKey);

  int ok = 0;
  for (const Outcome& outcome : outcomes) {
    EXPECT_EQ(outcome.status, 200) << "last writer wins without If-Match: " << outcome.body;
    ok += outcome.status == 200 ? 1 : 0;
  }
  const HttpReply offer = gateway.Call("GET", "/v1/offers/" + offer_id, kMerchantKey);
  EXPECT_EQ(offer.Json().at("version").as_int64(), 1 + ok);
}

// README "Offer PATCH": without If-Match a patch that loses a race is merged again onto the
// newer version, at most 8 attempts in all, then 409 version_conflict. Eight writers each
// sending ten patches to one offer (even writers set `name`, odd ones `priority`): every
// answer is 200 or that 409, every 200 made a version of its own holding its change, and the
// final offer holds the change of the last 200 of each field: no update is lost.
TEST(OfferPatchRaceTest, EightWritersWithoutIfMatchLoseNoUpdate) {
  TestGateway gateway;
  const std::string offer_id = CreateOffer(gateway, kMerchantKey, OfferBody());
  constexpr int kWriters = 8;
  constexpr int kPatches = 10;
  const auto field_of = [](int index) { return index / kPatches % 2 == 0 ? "name" : "priority"; };
  const auto value_of = [&](int index) {
    return std::string(field_of(index)) == "name"
               ? boost::json::value("writer-" + std::to_string(index))
               : boost::json::value(index);
  };
  std::vector<Outcome> outcomes(kWriters * kPatches);
  std::latch start(kWriters);
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      HttpConnection connection(gateway.port());
      start.arrive_and_wait();
      for (int j = 0; j < kPatches; ++j) {
        const int index = t * kPatches + j;
        const HttpReply reply =
            connection.Send("PATCH", "/v1/offers/" + offer_id,
                            boost::json::serialize(object{{field_of(index), value_of(index)}}),
                            {{"Authorization", std::string("Bearer ") + kMerchantKey}});
        outcomes[static_cast<std::size_t>(index)] = {reply.status, reply.body};
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::map<std::int64_t, int> patch_of_version;  // each 200's version → its patch
  int conflicts = 0;
  for (int index = 0; index < kWriters * kPatches; ++index) {
    const Outcome& outcome = outcomes[static_cast<std::size_t>(index)];
    const auto body = boost::json::parse(outcome.body).as_object();
    if (outcome.status == 409) {
      EXPECT_EQ(body.at("code").as_string(), "version_conflict") << outcome.body;
      ++conflicts;
      continue;
    }
    ASSERT_EQ(outcome.status, 200) << outcome.body;
    EXPECT_EQ(body.at(field_of(index)), value_of(index)) << outcome.body;
    EXPECT_TRUE(patch_of_version.emplace(body.at("version").as_int64(), index).second)
        << "two patches answered 200 with version " << body.at("version");
  }
  const int applied = static_cast<int>(patch_of_version.size());
  const auto final_offer =
      gateway.Call("GET", "/v1/offers/" + offer_id, kMerchantKey).Json().as_object();
  EXPECT_EQ(final_offer.at("version").as_int64(), 1 + applied);
  ASSERT_GT(applied, 0);  // a patch loses only to another that won
  EXPECT_EQ(patch_of_version.rbegin()->first, 1 + applied);
  for (const char* field : {"name", "priority"}) {
    SCOPED_TRACE(field);
    for (auto it = patch_of_version.rbegin(); it != patch_of_version.rend(); ++it) {
      if (std::string(field_of(it->second)) != field) continue;
      EXPECT_EQ(final_offer.at(field), value_of(it->second));
      break;
    }
  }
  RecordProperty("version_conflicts", conflicts);
}

TEST(OfferPatchRaceTest, ConcurrentPatchesWithTheSameIfMatchLetExactlyOneWin) {
  TestGateway gateway;
  const std::string offer_id = CreateOffer(gateway, kMerchantKey, OfferBody());
  std::vector<int> statuses(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpConnection connection(gateway.port());
      start.arrive_and_wait();
      statuses[static_cast<std::size_t>(t)] =
          connection
              .Send(
                  "PATCH", "/v1/offers/" + offer_id, "{\"priority\":" + std::to_string(t) + "}",
                  {{"Authorization", std::string("Bearer ") + kMerchantKey}, {"If-Match", "\"1\""}})
              .status;
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 412), kThreads - 1);
  const HttpReply offer = gateway.Call("GET", "/v1/offers/" + offer_id, kMerchantKey);
  EXPECT_EQ(offer.Json().at("version").as_int64(), 2);
}

}  // namespace
}  // namespace uudai::testing
