// MemoryStore under real threads: limits, codes, orders and idempotency claims hold under
// races, counters stay equal to the ledger while redemptions move through their lifecycle, and
// writes locking the same offers in opposite orders never deadlock.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <latch>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/store_test_support.h"
#include "uudai/memory_store.h"

namespace uudai::store_test {
namespace {

constexpr int kThreads = 8;

// Runs work(0) .. work(threads - 1) on as many threads, released together; waits for all.
void RunTogether(int threads, const std::function<void(int)>& work) {
  std::latch start(threads);
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&start, &work, t] {
      start.arrive_and_wait();
      work(t);
    });
  }
  for (std::thread& thread : pool) thread.join();
}

// Runs work(t, round) for round 0 .. rounds - 1 on `threads` threads in lockstep: every round
// starts on all threads at once, so that they collide on whatever that round shares.
void RunInLockstep(int threads, int rounds, const std::function<void(int, int)>& work) {
  std::barrier round_start(threads);
  RunTogether(threads, [&](int t) {
    for (int round = 0; round < rounds; ++round) {
      round_start.arrive_and_wait();
      work(t, round);
    }
  });
}

// A copy of `planned` with another id, shopper, order and (when given) shop; everything else,
// including the applied offers, stays. Cheap to make in a hot loop.
Redemption Variant(const Redemption& planned, std::string id, std::string shopper_id,
                   std::string order_id, std::optional<std::string> merchant_id = std::nullopt) {
  Redemption r = planned;
  r.id = std::move(id);
  r.shopper_id = std::move(shopper_id);
  r.order_id = std::move(order_id);
  if (merchant_id) r.merchant_id = std::move(*merchant_id);
  return r;
}

// Threads sell for shops of their own wherever the test allows it, so that they share only
// the state under test (writes of one shop may serialize on state of that shop).
std::string ShopOf(int thread) { return "m-" + std::to_string(thread); }

// Does `r` hold quota of `applied` (see UsageView)?
bool HoldsQuota(const Redemption& r, const RedeemedOffer& applied) {
  return IsLive(r.status) ||
         (r.status == RedemptionStatus::kRefunded && !applied.restore_on_refund);
}

// The counters of `offer` as the ledger says they should be.
struct LedgerCounts {
  std::int64_t redemptions = 0;
  Money budget_spent = 0;
  std::map<std::string, std::int64_t> by_shopper;
  std::map<std::int32_t, std::int64_t> by_day;
  StatsBucket totals;
};

LedgerCounts CountLedger(const std::vector<Redemption>& ledger, const std::string& offer_id) {
  LedgerCounts counts;
  for (const Redemption& r : ledger) {
    for (const RedeemedOffer& applied : r.applied) {
      if (applied.offer_id != offer_id) continue;
      counts.totals.by_status[static_cast<std::size_t>(r.status)] += 1;
      if (r.status == RedemptionStatus::kCommitted) {
        counts.totals.discount_committed += applied.discount;
        counts.totals.gmv_committed += r.subtotal;
      }
      if (!HoldsQuota(r, applied)) continue;
      counts.redemptions += 1;
      counts.budget_spent += applied.discount;
      counts.by_shopper[r.shopper_id] += 1;
      counts.by_day[DayOf(r.created_at).index] += 1;
    }
  }
  return counts;
}

// Expects every counter of `offer` — usage per shopper and per day, and the stats totals — to
// equal its sum over the store's ledger.
void ExpectCountersEqualLedger(MemoryStore& store, const Offer& offer,
                               const std::vector<std::string>& shoppers) {
  SCOPED_TRACE(offer.id);
  const LedgerCounts expected = CountLedger(store.LedgerSnapshot(), offer.id);
  const LocalDay today = DayOf(CampaignNow());
  const OfferUsage usage = store.usage().UsageOf(offer, "", today);
  EXPECT_EQ(usage.redemptions, expected.redemptions);
  EXPECT_EQ(usage.budget_spent, expected.budget_spent);
  for (const std::string& shopper : shoppers) {
    const auto it = expected.by_shopper.find(shopper);
    EXPECT_EQ(store.usage().UsageOf(offer, shopper, today).shopper_redemptions,
              it == expected.by_shopper.end() ? 0 : it->second)
        << shopper;
  }
  for (const auto& [day, count] : expected.by_day) {
    EXPECT_EQ(store.usage().UsageOf(offer, "", LocalDay{day}).day_redemptions, count) << day;
  }
  SyncStore sync(store);
  EXPECT_EQ(sync.Stats(offer.id).value().totals, expected.totals);
}

class MemoryStoreConcurrencyTest : public ::testing::Test {
 protected:
  MemoryStoreConcurrencyTest() : clock_(CampaignNow()), store_(clock_, MemoryStoreOptions{}) {}

  ManualClock clock_;
  MemoryStore store_;
};

TEST_F(MemoryStoreConcurrencyTest, RacingShoppersNeverExceedTotalOrPerShopperLimit) {
  // Given an offer with 1,000 redemptions, one per shopper
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 1'000;
  limited.limits.per_shopper = 1;
  SyncStore sync(store_);
  const Offer offer = sync.GivenOffer(limited);
  const Redemption planned = RedemptionBuilder("template").Apply(offer, 10'000).Build();
  // When 8 threads make 10,000 attempts each, for shoppers drawn from 3,000 (many collide)
  std::vector<std::vector<std::string>> winners(kThreads);
  std::atomic<int> unexpected{0};
  RunTogether(kThreads, [&](int t) {
    SyncStore mine(store_);
    std::mt19937 random(1'000 + t);
    std::uniform_int_distribution<int> shopper_of(0, 2'999);
    for (int i = 0; i < 10'000; ++i) {
      const std::string shopper = "s-" + std::to_string(shopper_of(random));
      const std::string suffix = std::to_string(t) + "-" + std::to_string(i);
      Result<CreateRedemptionOutcome> created =
          mine.Create(Variant(planned, "r-" + suffix, shopper, "order-" + suffix, ShopOf(t)));
      if (created.ok()) {
        winners[t].push_back(shopper);
      } else if (created.status().code() != StatusCode::kQuotaExhausted &&
                 created.status().code() != StatusCode::kPerShopperLimit) {
        ++unexpected;
      }
    }
  });
  // Then exactly 1,000 reservations exist, no shopper has two, and every counter agrees
  std::vector<std::string> all;
  for (const auto& mine : winners) all.insert(all.end(), mine.begin(), mine.end());
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(all.size(), 1'000U);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), all.size());
  EXPECT_EQ(store_.usage().UsageOf(offer, "", DayOf(CampaignNow())).redemptions, 1'000);
  EXPECT_EQ(sync.Stats("o-1").value().totals.count(RedemptionStatus::kReserved), 1'000);
  const std::vector<Redemption> ledger = store_.LedgerSnapshot();
  EXPECT_EQ(ledger.size(), 1'000U);
  std::set<std::string> ledger_shoppers;
  for (const Redemption& r : ledger) ledger_shoppers.insert(r.shopper_id);
  EXPECT_EQ(ledger_shoppers.size(), 1'000U);
}

TEST_F(MemoryStoreConcurrencyTest, RacingDiscountsNeverOverspendTheBudget) {
  // Given an offer with a budget of 20,000,000 đồng
  constexpr Money kBudget = 20'000'000;
  Offer limited = MakeOffer("o-1");
  limited.limits.total_budget = kBudget;
  SyncStore sync(store_);
  const Offer offer = sync.GivenOffer(limited);
  const Redemption planned = RedemptionBuilder("template").Apply(offer, 1).Build();
  // When 8 threads ask for 2,500 random discounts of 1..50,000 đồng each
  std::vector<Money> granted_by_thread(kThreads, 0);
  std::vector<Money> smallest_refused_by_thread(kThreads, kMaxAmount);
  std::atomic<int> unexpected{0};
  RunTogether(kThreads, [&](int t) {
    SyncStore mine(store_);
    std::mt19937 random(2'000 + t);
    std::uniform_int_distribution<Money> discount_of(1, 50'000);
    for (int i = 0; i < 2'500; ++i) {
      const std::string suffix = std::to_string(t) + "-" + std::to_string(i);
      Redemption r = Variant(planned, "r-" + suffix, "s-" + suffix, "order-" + suffix, ShopOf(t));
      const Money discount = discount_of(random);
      r.applied[0].discount = discount;
      r.discount_total = discount;
      Result<CreateRedemptionOutcome> created = mine.Create(std::move(r));
      if (created.ok()) {
        granted_by_thread[t] += discount;
      } else if (created.status().code() == StatusCode::kBudgetExhausted) {
        smallest_refused_by_thread[t] = std::min(smallest_refused_by_thread[t], discount);
      } else {
        ++unexpected;
      }
    }
  });
  // Then the granted discounts stay within the budget and equal every counter
  Money granted = 0;
  for (Money g : granted_by_thread) granted += g;
  Money ledger_sum = 0;
  for (const Redemption& r : store_.LedgerSnapshot()) ledger_sum += r.applied[0].discount;
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_LE(granted, kBudget);
  EXPECT_EQ(store_.usage().UsageOf(offer, "", DayOf(CampaignNow())).budget_spent, granted);
  EXPECT_EQ(ledger_sum, granted);
  // and nothing was refused that would still have fit (spending only grows here)
  const Money smallest_refused =
      *std::min_element(smallest_refused_by_thread.begin(), smallest_refused_by_thread.end());
  EXPECT_GT(smallest_refused, kBudget - granted);
}

TEST_F(MemoryStoreConcurrencyTest, CountersEqualTheLedgerAfterRacingTransitionsAndExpiry) {
  // Given a limited merchant offer, a unique-code offer and a platform offer that keeps its
  // quota on refund
  SyncStore sync(store_);
  Offer merchant = MakeOffer("o-a");
  merchant.limits = OfferLimits{300, 4'000'000, 3, 250};
  Offer unique = MakeUniqueCodeOffer("o-u");
  Offer platform = MakePlatformOffer("o-b");
  platform.limits.total_redemptions = 1'500;
  platform.restore_on_refund = false;
  const Offer a = sync.GivenOffer(merchant);
  const Offer u = sync.GivenOffer(unique);
  const Offer b = sync.GivenOffer(platform);
  const std::vector<std::string> codes = MakeCodes(100);
  sync.GivenCodes("o-u", codes);
  std::vector<std::string> shoppers;
  for (int s = 0; s < 200; ++s) shoppers.push_back("s-" + std::to_string(s));

  // When 4 threads create redemptions (random offers, shoppers, orders, codes and discounts),
  // 2 threads commit, cancel and refund them at random, and 1 thread moves time and expires.
  // Time stops once most attempts are made, so the reservations the creators make last stay
  // reserved however the threads are scheduled, and the ledger ends holding every status.
  std::mutex created_mutex;
  std::vector<std::string> created;
  std::atomic<int> creators_left{4};
  std::atomic<int> attempts{0};
  constexpr int kAttemptsWhileTimeMoves = 4 * 2'500;
  std::atomic<int> unexpected{0};
  RunTogether(7, [&](int t) {
    SyncStore mine(store_);
    std::mt19937 random(3'000 + t);
    auto pick = [&random](int n) { return std::uniform_int_distribution<int>(0, n - 1)(random); };
    if (t < 4) {
      for (int i = 0; i < 3'000; ++i) {
        const std::string suffix = std::to_string(t) + "-" + std::to_string(i);
        RedemptionBuilder builder("r-" + suffix);
        builder.Shopper(shoppers[pick(200)])
            .Merchant(ShopOf(pick(4)))
            .Order("order-" + std::to_string(pick(500)))
            .CreatedAt(clock_.Now())
            .TtlMillis(20'000)
            .Subtotal(100'000 + pick(900'000));
        switch (pick(5)) {
          case 0:
            builder.Apply(a, 1 + pick(30'000));
            break;
          case 1:
            builder.Apply(a, 1 + pick(30'000)).Apply(b, 1 + pick(10'000));
            break;
          case 2:
            builder.Apply(b, 1 + pick(10'000));
            break;
          case 3:
            builder.Apply(u, 1 + pick(10'000), codes[pick(100)]);
            break;
          default:
            builder.Apply(u, 1 + pick(10'000), codes[pick(100)]).Apply(b, 1 + pick(10'000));
        }
        if (pick(4) == 0) builder.Committed();
        Result<CreateRedemptionOutcome> outcome = mine.Create(builder.Build());
        ++attempts;
        if (outcome.ok()) {
          std::lock_guard lock(created_mutex);
          created.push_back(outcome->redemption.id);
        } else {
          switch (outcome.status().code()) {
            case StatusCode::kQuotaExhausted:
            case StatusCode::kBudgetExhausted:
            case StatusCode::kPerShopperLimit:
            case StatusCode::kDailyLimit:
            case StatusCode::kCodeUsed:
            case StatusCode::kOrderAlreadyRedeemed:
              break;
            default:
              ++unexpected;
          }
        }
      }
      --creators_left;
    } else if (t < 6) {
      while (creators_left.load() > 0) {
        std::string id;
        {
          std::lock_guard lock(created_mutex);
          if (created.empty()) continue;
          id = created[static_cast<std::size_t>(pick(static_cast<int>(created.size())))];
        }
        const auto action = static_cast<RedemptionAction>(pick(3));  // commit, cancel, refund
        const StatusCode code = CodeOf(mine.Transition(id, action));
        if (code != StatusCode::kOk && code != StatusCode::kInvalidTransition &&
            code != StatusCode::kReservationExpired) {
          ++unexpected;
        }
      }
    } else {
      while (creators_left.load() > 0 && attempts.load() < kAttemptsWhileTimeMoves) {
        clock_.Advance(1'000);
        if (!mine.ExpireDue(50).ok()) ++unexpected;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
  });

  // Then every counter equals the ledger, no limit was passed, and codes and orders are held
  // by at most one live redemption each
  EXPECT_EQ(unexpected.load(), 0);
  const std::vector<Redemption> ledger = store_.LedgerSnapshot();
  EXPECT_EQ(ledger.size(), created.size());
  std::array<int, kRedemptionStatusCount> by_status{};
  for (const Redemption& r : ledger) ++by_status[static_cast<std::size_t>(r.status)];
  for (std::size_t s = 0; s < kRedemptionStatusCount; ++s) {
    EXPECT_GT(by_status[s], 0) << "the race never reached "
                               << RedemptionStatusName(static_cast<RedemptionStatus>(s));
  }
  for (const Offer* offer : {&a, &u, &b}) ExpectCountersEqualLedger(store_, *offer, shoppers);
  const LedgerCounts counts_a = CountLedger(ledger, "o-a");
  EXPECT_LE(counts_a.redemptions, 300);
  EXPECT_LE(counts_a.budget_spent, 4'000'000);
  for (const auto& [shopper, count] : counts_a.by_shopper) EXPECT_LE(count, 3) << shopper;
  for (const auto& [day, count] : counts_a.by_day) EXPECT_LE(count, 250) << day;
  EXPECT_LE(CountLedger(ledger, "o-b").redemptions, 1'500);
  std::map<std::string, int> code_holders;
  std::map<std::string, int> live_orders;
  for (const Redemption& r : ledger) {
    if (!IsLive(r.status)) continue;
    ++live_orders[r.merchant_id + "/" + r.order_id];
    for (const RedeemedOffer& applied : r.applied) {
      if (applied.code) ++code_holders[*applied.code];
    }
  }
  for (const auto& [order, count] : live_orders) EXPECT_EQ(count, 1) << order;
  for (const std::string& code : codes) {
    const int holders = code_holders.count(code) != 0 ? code_holders[code] : 0;
    EXPECT_LE(holders, 1) << code;
    EXPECT_EQ(store_.usage().FindUniqueCode(code)->available, holders == 0) << code;
  }
}

TEST_F(MemoryStoreConcurrencyTest, OffersLockedInOppositeOrdersDoNotDeadlock) {
  // Given two offers, and threads applying them as A+B or B+A, committing or cancelling each
  SyncStore sync(store_);
  const Offer a = sync.GivenOffer(MakeOffer("o-a"));
  const Offer b = sync.GivenOffer(MakePlatformOffer("o-b"));
  const Redemption ab = RedemptionBuilder("ab").Apply(a, 10'000).Apply(b, 5'000).Build();
  const Redemption ba = RedemptionBuilder("ba").Apply(b, 5'000).Apply(a, 10'000).Build();
  // When they all run (on a runner thread, so a deadlock cannot hang the test binary)
  auto finished = std::make_shared<std::promise<void>>();
  std::future<void> done = finished->get_future();
  std::thread runner([&, finished] {
    RunTogether(kThreads, [&](int t) {
      SyncStore mine(store_);
      for (int i = 0; i < 2'000; ++i) {
        const std::string suffix = std::to_string(t) + "-" + std::to_string(i);
        const Redemption& planned = t % 2 == 0 ? ab : ba;
        const std::string id = "r-" + suffix;
        if (!mine.Create(Variant(planned, id, "s-" + suffix, "order-" + suffix, ShopOf(t))).ok()) {
          continue;
        }
        (void)mine.Transition(id,
                              i % 2 == 0 ? RedemptionAction::kCommit : RedemptionAction::kCancel);
      }
    });
    finished->set_value();
  });
  // Then they finish well within the timeout
  if (done.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    ADD_FAILURE() << "deadlock: redemptions locking two offers in opposite orders never finished";
    std::fflush(stdout);
    std::_Exit(EXIT_FAILURE);  // the blocked threads can be neither joined nor destroyed
  }
  runner.join();
  EXPECT_EQ(store_.LedgerSnapshot().size(), static_cast<std::size_t>(kThreads * 2'000));
  ExpectCountersEqualLedger(store_, a, {});
  ExpectCountersEqualLedger(store_, b, {});
}

TEST_F(MemoryStoreConcurrencyTest, RacingRequestsWithOneKeyCreateOnce) {
  // Given 300 idempotency keys, each sent by all 8 threads at once: even threads send one body
  // and odd threads another (another shop, offer and order: they share no lock but the key's),
  // each planned anew with its own redemption id
  SyncStore sync(store_);
  const std::vector<Redemption> planned = {
      RedemptionBuilder("template").Apply(sync.GivenOffer(MakeOffer("o-1")), 10'000).Build(),
      RedemptionBuilder("template")
          .Merchant("m-2")
          .Apply(sync.GivenOffer(MakeOffer("o-2")), 10'000)
          .Build()};
  constexpr int kKeys = 300;
  std::vector<std::vector<Result<CreateRedemptionOutcome>>> outcomes(
      kThreads, std::vector<Result<CreateRedemptionOutcome>>(kKeys, Status()));
  RunInLockstep(kThreads, kKeys, [&](int t, int k) {
    SyncStore mine(store_);
    const std::string body = std::to_string(t % 2);
    const std::string key = std::to_string(k);
    outcomes[t][k] = mine.Create(
        Variant(planned[t % 2], "r-" + std::to_string(t) + "-" + key, "s-" + key, "order-" + key),
        Claim("key-a:" + key, "fp-" + body, "response " + key + "-" + body));
  });
  // Then each key created one redemption; the same body replayed it, the other was refused
  for (int k = 0; k < kKeys; ++k) {
    int firsts = 0;
    std::set<std::string> ids;
    std::set<std::string> responses;
    for (int t = 0; t < kThreads; ++t) {
      const Result<CreateRedemptionOutcome>& outcome = outcomes[t][k];
      if (!outcome.ok()) {
        EXPECT_EQ(outcome.status().code(), StatusCode::kIdempotencyKeyReused);
        continue;
      }
      if (!outcome->replayed) ++firsts;
      ids.insert(outcome->redemption.id);
      responses.insert(outcome->response);
    }
    EXPECT_EQ(firsts, 1) << k;
    EXPECT_EQ(ids.size(), 1U) << k;
    EXPECT_EQ(responses.size(), 1U) << k;
  }
  EXPECT_EQ(store_.LedgerSnapshot().size(), static_cast<std::size_t>(kKeys));
}

TEST_F(MemoryStoreConcurrencyTest, RacingRedemptionsOfOneOrderCreateOnce) {
  // Given 500 orders, each redeemed by all 8 threads at once, each thread with an offer of its
  // own (so that only the order is shared)
  SyncStore sync(store_);
  std::vector<Redemption> planned;
  for (int t = 0; t < kThreads; ++t) {
    const Offer offer = sync.GivenOffer(MakeOffer("o-" + std::to_string(t)));
    planned.push_back(RedemptionBuilder("template").Apply(offer, 10'000).Build());
  }
  constexpr int kOrders = 500;
  std::vector<std::vector<StatusCode>> codes(kThreads, std::vector<StatusCode>(kOrders));
  RunInLockstep(kThreads, kOrders, [&](int t, int o) {
    SyncStore mine(store_);
    const std::string id = "r-" + std::to_string(t) + "-" + std::to_string(o);
    codes[t][o] =
        CodeOf(mine.Create(Variant(planned[t], id, "s-" + id, "order-" + std::to_string(o))));
  });
  // Then each order has exactly one redemption
  for (int o = 0; o < kOrders; ++o) {
    int created = 0;
    for (int t = 0; t < kThreads; ++t) {
      if (codes[t][o] == StatusCode::kOk) {
        ++created;
      } else {
        EXPECT_EQ(codes[t][o], StatusCode::kOrderAlreadyRedeemed);
      }
    }
    EXPECT_EQ(created, 1) << "order-" << o;
  }
}

TEST_F(MemoryStoreConcurrencyTest, RacingUsesOfOneUniqueCodeGrantItOnce) {
  // Given 500 issued codes, each used by all 8 threads at once
  SyncStore sync(store_);
  const Offer offer = sync.GivenOffer(MakeUniqueCodeOffer("o-u"));
  const std::vector<std::string> codes = MakeCodes(500);
  sync.GivenCodes("o-u", codes);
  std::vector<std::vector<StatusCode>> results(kThreads, std::vector<StatusCode>(codes.size()));
  RunInLockstep(kThreads, static_cast<int>(codes.size()), [&](int t, int c) {
    SyncStore mine(store_);
    const std::string id = "r-" + std::to_string(t) + "-" + std::to_string(c);
    results[t][c] = CodeOf(mine.Create(RedemptionBuilder(id)
                                           .Shopper("s-" + id)
                                           .Merchant(ShopOf(t))
                                           .Apply(offer, 10'000, codes[c])
                                           .Build()));
  });
  for (std::size_t c = 0; c < codes.size(); ++c) {
    int granted = 0;
    for (int t = 0; t < kThreads; ++t) {
      if (results[t][c] == StatusCode::kOk) {
        ++granted;
      } else {
        EXPECT_EQ(results[t][c], StatusCode::kCodeUsed);
      }
    }
    EXPECT_EQ(granted, 1) << codes[c];
    EXPECT_FALSE(store_.usage().FindUniqueCode(codes[c])->available);
  }
}

TEST_F(MemoryStoreConcurrencyTest, RacingExpiryRunsExpireEachReservationOnce) {
  // Given 5,000 reservations past their deadline
  SyncStore sync(store_);
  const Offer offer = sync.GivenOffer(MakeOffer("o-1"));
  const Redemption planned =
      RedemptionBuilder("template").TtlMillis(1).Apply(offer, 10'000).Build();
  for (int i = 0; i < 5'000; ++i) {
    const std::string id = "r-" + std::to_string(i);
    sync.GivenRedemption(Variant(planned, id, "s-" + id, "order-" + id));
  }
  clock_.Advance(1);
  // When 4 threads run expiry until each finds nothing left
  std::atomic<std::size_t> expired{0};
  RunTogether(4, [&](int) {
    SyncStore mine(store_);
    while (true) {
      Result<std::size_t> count = mine.ExpireDue(100);
      if (!count.ok() || count.value() == 0) break;
      expired += count.value();
    }
  });
  // Then every reservation was expired and counted exactly once
  EXPECT_EQ(sync.ExpireDue().value(), 0U);
  EXPECT_EQ(expired.load(), 5'000U);
  EXPECT_EQ(sync.Stats("o-1").value().totals, []() {
    StatsBucket bucket;
    bucket.by_status[static_cast<std::size_t>(RedemptionStatus::kExpired)] = 5'000;
    return bucket;
  }());
  EXPECT_EQ(store_.usage().UsageOf(offer, "", DayOf(CampaignNow())).redemptions, 0);
}

}  // namespace
}  // namespace uudai::store_test
