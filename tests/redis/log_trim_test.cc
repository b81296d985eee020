// The change log is trimmed to what some live gateway has not read yet, and a gateway that
// starts after a trim builds its view from the store's state (ViewBootstrap): it must then
// answer usage, codes, offers and stats exactly as a gateway that read every change, even when
// other gateways write while it starts. A gateway that falls silent no longer holds the log
// back, and finds out that its view is broken when it reads again.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/store_test_support.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/redis/redis_store.h"

namespace uudai::store_test {
namespace {

using std::chrono::milliseconds;
using testing::RedisServer;
using testing::WaitUntil;

class LogTrimTest : public ::testing::Test {
 protected:
  LogTrimTest() : clock_(CampaignNow()), prefix_(testing::FreshKeyPrefix()) {}

  // A gateway that reports its position (and trims) on every Poll().
  std::unique_ptr<gateway::RedisStore> NewGateway(std::size_t page = 2'000,
                                                  std::int64_t reader_timeout_millis = 300'000) {
    gateway::RedisStoreOptions options;
    options.key_prefix = prefix_;
    options.log_trim_interval_millis = 1;
    options.reader_timeout_millis = reader_timeout_millis;
    options.log_batch = page;
    auto store = testing::MakeUnloadedRedisStore(clock_, std::move(options));
    const Status loaded = store->Load(std::chrono::seconds(10));
    EXPECT_TRUE(loaded.ok()) << loaded.message();
    return store;
  }
  std::string Redis(const std::string& args) { return RedisServer::Shared().Cli(args); }
  std::int64_t LogLength() { return std::stoll(Redis("XLEN '" + prefix_ + "log'")); }

  // Polls `gateway` until the log holds at most `entries`.
  // Polls `gateways` (each tells its position at a poll) until the log holds at most
  // `entries`, within 3 s.
  bool TrimmedTo(std::initializer_list<gateway::RedisStore*> gateways, std::int64_t entries) {
    return WaitUntil(
        [&] {
          for (gateway::RedisStore* gateway : gateways) gateway->Poll();
          std::this_thread::sleep_for(milliseconds(5));
          return LogLength() <= entries;
        },
        milliseconds(3000));
  }

  // `b` answers like `a`: stats, usage of every shopper asked about, codes, offers.
  void ExpectSameView(gateway::RedisStore& a, gateway::RedisStore& b,
                      const std::vector<Offer>& offers, const std::vector<std::string>& codes) {
    SyncStore sa(a), sb(b);
    for (const Offer& offer : offers) {
      SCOPED_TRACE(offer.id);
      const auto stats_a = sa.Stats(offer.id), stats_b = sb.Stats(offer.id);
      ASSERT_TRUE(stats_a.ok()) << stats_a.status().message();
      ASSERT_TRUE(stats_b.ok()) << stats_b.status().message();
      ExpectSameStats(stats_b.value(), stats_a.value());
      const auto in_a = a.FindOffer(offer.id), in_b = b.FindOffer(offer.id);
      ASSERT_NE(in_a, nullptr);
      ASSERT_NE(in_b, nullptr);
      EXPECT_EQ(*in_b, *in_a);
      for (int s = 0; s < 12; ++s) {
        const std::string shopper = "s-" + std::to_string(s);
        EXPECT_EQ(b.usage().UsageOf(*in_a, shopper, DayOf(CampaignNow())),
                  a.usage().UsageOf(*in_a, shopper, DayOf(CampaignNow())))
            << shopper;
      }
    }
    for (const CampaignGrouping group :
         {CampaignGrouping::kNone, CampaignGrouping::kDay, CampaignGrouping::kPaymentMethod}) {
      CampaignQuery query;
      query.group_by = group;
      ExpectSameCampaignStats(sb.CampaignStatsFor(query).value(),
                              sa.CampaignStatsFor(query).value());
    }
    for (const std::string& code : codes) {
      const auto in_a = a.usage().FindUniqueCode(code), in_b = b.usage().FindUniqueCode(code);
      ASSERT_TRUE(in_a.has_value()) << code;
      ASSERT_TRUE(in_b.has_value()) << code;
      EXPECT_EQ(in_b->offer_id, in_a->offer_id) << code;
      EXPECT_EQ(in_b->available, in_a->available) << code;
    }
  }

  ManualClock clock_;
  std::string prefix_;
};

TEST_F(LogTrimTest, GatewayStartingAfterATrimBuildsTheSameViewFromTheState) {
  auto a = NewGateway();
  SyncStore store(*a);
  Offer limited = MakeOffer("o-limited");
  limited.limits.total_redemptions = 50;
  limited.limits.per_shopper = 3;
  limited = store.CreateOffer(limited).value();
  limited.name = "renamed";
  limited = store.UpdateOffer(limited, limited.version).value();
  const Offer unique = store.CreateOffer(MakeUniqueCodeOffer("o-unique")).value();
  const std::vector<std::string> codes = MakeCodes(6);
  ASSERT_EQ(store.IssueCodes(unique.id, codes).value().issued, codes.size());

  auto create = [&](const std::string& id, int shopper, bool commit,
                    std::optional<std::string> code = std::nullopt, std::int64_t ttl = 600'000) {
    RedemptionBuilder b(id);
    b.Shopper("s-" + std::to_string(shopper)).Apply(limited, 1'000 + shopper);
    if (code) b.Apply(unique, 5'000, code);
    if (commit) b.Committed();
    ASSERT_TRUE(store.Create(b.TtlMillis(ttl).Build()).ok()) << id;
  };
  create("r-reserved", 1, false, codes[0]);
  create("r-direct", 2, true);
  create("r-committed-later", 3, false, codes[1]);
  ASSERT_TRUE(store.Commit("r-committed-later").ok());
  create("r-cancelled", 4, false, codes[2]);
  ASSERT_TRUE(store.Cancel("r-cancelled").ok());
  create("r-refunded", 5, true, codes[3]);
  ASSERT_TRUE(store.Refund("r-refunded").ok());
  create("r-reserved-then-refunded", 6, false);
  ASSERT_TRUE(store.Commit("r-reserved-then-refunded").ok());
  ASSERT_TRUE(store.Refund("r-reserved-then-refunded").ok());
  create("r-expiring", 7, false, codes[4], 1'000);
  clock_.Advance(2'000);
  ASSERT_EQ(store.ExpireDue().value(), 1u);

  ASSERT_TRUE(TrimmedTo({a.get()}, 0)) << "one live reader, at the log's end: " << LogLength();

  auto b = NewGateway();
  EXPECT_TRUE(b->ready());
  ExpectSameView(*a, *b, {limited, unique}, codes);

  // And both follow later changes alike.
  create("r-after", 8, false, codes[5]);
  ASSERT_TRUE(store.Cancel("r-reserved").ok());
  b->Poll();
  ExpectSameView(*a, *b, {limited, unique}, codes);
}

TEST_F(LogTrimTest, ViewBuiltWhileOtherGatewaysWriteEndsUpExact) {
  auto a = NewGateway();
  SyncStore store(*a);
  Offer busy = MakeOffer("o-busy");
  busy.limits.per_shopper = 1'000;
  busy = store.CreateOffer(busy).value();
  const Offer unique = store.CreateOffer(MakeUniqueCodeOffer("o-codes")).value();
  const std::vector<std::string> codes = MakeCodes(40, 77);
  ASSERT_EQ(store.IssueCodes(unique.id, codes).value().issued, codes.size());

  // Writes of every kind, on and on: creations (with and without a code), commits, cancels,
  // refunds, and offer updates; the log is trimmed as they go.
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::mutex issued_mutex;
  std::vector<std::string> issued = codes;  // GUARDED_BY issued_mutex
  std::thread writer([&] {
    std::deque<std::string> reserved, committed;
    std::deque<std::string> free_codes(codes.begin(), codes.end());
    std::map<std::string, std::string> code_of;
    Offer offer = busy;
    for (int i = 0; !stop.load(); ++i) {
      const std::string id = "w-" + std::to_string(i);
      switch (i % 7) {
        case 0:
        case 1:
        case 2: {
          RedemptionBuilder b(id);
          b.Shopper("s-" + std::to_string(i % 11)).Apply(offer, 100 + i % 13);
          std::optional<std::string> code;
          if (i % 3 == 0 && !free_codes.empty()) {
            code = free_codes.front();
            free_codes.pop_front();
            b.Apply(unique, 700, code);
          }
          if (i % 2 == 0) b.Committed();
          if (store.Create(b.Build()).ok()) {
            (i % 2 == 0 ? committed : reserved).push_back(id);
            if (code) code_of[id] = *code;
          } else if (code) {
            free_codes.push_back(*code);
          }
          break;
        }
        case 3:
          if (!reserved.empty()) {
            if (store.Commit(reserved.front()).ok()) committed.push_back(reserved.front());
            reserved.pop_front();
          }
          break;
        case 4:
          if (!reserved.empty()) {
            const std::string r = reserved.back();
            reserved.pop_back();
            if (store.Cancel(r).ok() && code_of.contains(r)) free_codes.push_back(code_of[r]);
          }
          break;
        case 5:
          if (!committed.empty()) {
            const std::string r = committed.front();
            committed.pop_front();
            if (store.Refund(r).ok() && code_of.contains(r)) free_codes.push_back(code_of[r]);
          }
          break;
        case 6:
          if (i % 5 == 0) {
            offer.name = "busy " + std::to_string(i);
            if (auto updated = store.UpdateOffer(offer, offer.version); updated.ok()) {
              offer = updated.value();
            }
          } else {
            const std::vector<std::string> more = MakeCodes(2, 1'000 + i);
            if (store.IssueCodes(unique.id, more).ok()) {
              std::lock_guard lock(issued_mutex);
              issued.insert(issued.end(), more.begin(), more.end());
            }
          }
          a->Poll();
          break;
      }
      writes.fetch_add(1);
    }
  });
  // Gateways start one after another while the writes go on, reading the state in pages of 3
  // so that the writes land between the pages.
  std::vector<std::unique_ptr<gateway::RedisStore>> late;
  for (int g = 0; g < 4; ++g) {
    const int before = writes.load();
    ASSERT_TRUE(WaitUntil([&] { return writes.load() > before + 150; }, milliseconds(10'000)));
    late.push_back(NewGateway(3));
    EXPECT_TRUE(late.back()->ready());
  }
  stop.store(true);
  writer.join();
  EXPECT_GT(std::stoll(Redis("GET '" + prefix_ + "seq'")), LogLength())
      << "the log was trimmed while the gateways started";

  const std::vector<Offer> offers = {*a->FindOffer(busy.id), unique};
  for (auto& gateway : late) {
    gateway->Poll();
    ExpectSameView(*a, *gateway, offers, issued);
  }
}

TEST_F(LogTrimTest, GatewayThatHasNotReadTheLogHoldsItBack) {
  auto a = NewGateway();
  auto b = NewGateway();  // registered at the log's start; never polls below
  SyncStore store(*a);
  const Offer offer = store.CreateOffer(MakeOffer("o-1")).value();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        store.Create(RedemptionBuilder("r-" + std::to_string(i)).Apply(offer, 10).Build()).ok());
  }
  for (int i = 0; i < 5; ++i) {
    a->Poll();
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(LogLength(), 21) << "b has read none of it";

  b->Poll();  // reads all, then tells where it stands
  ASSERT_TRUE(WaitUntil([&] { return b->usage().UsageOf(offer, "s-1", {}).redemptions == 20; },
                        milliseconds(2000)));
  // b tells its new position at a later poll: the heartbeat of the poll that read the log may
  // have reported where b stood before (and a poll skips a heartbeat while one is in flight).
  EXPECT_TRUE(TrimmedTo({b.get(), a.get()}, 0)) << LogLength();
}

TEST_F(LogTrimTest, GatewayThatLeftNoLongerHoldsTheLogBack) {
  auto a = NewGateway();
  auto b = NewGateway();
  SyncStore store(*a);
  const Offer offer = store.CreateOffer(MakeOffer("o-1")).value();
  ASSERT_TRUE(store.Create(RedemptionBuilder("r-1").Apply(offer, 10).Build()).ok());
  b->Leave(std::chrono::seconds(1));  // a gateway shutting down, having read nothing
  EXPECT_EQ(Redis("HLEN '" + prefix_ + "readers'"), "1");
  EXPECT_TRUE(TrimmedTo({a.get()}, 0));
}

TEST_F(LogTrimTest, SilentGatewayStopsHoldingTheLogBackAndItsViewBreaks) {
  auto a = NewGateway(2'000, /*reader_timeout_millis=*/200);
  auto b = NewGateway(2'000, 200);  // falls silent
  SyncStore store(*a);
  const Offer offer = store.CreateOffer(MakeOffer("o-1")).value();
  ASSERT_TRUE(store.Create(RedemptionBuilder("r-1").Apply(offer, 10).Build()).ok());
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_TRUE(TrimmedTo({a.get()}, 0)) << "b was not heard of for longer than the timeout";
  ASSERT_TRUE(store.Create(RedemptionBuilder("r-2").Apply(offer, 10).Build()).ok());

  EXPECT_TRUE(b->ready());
  b->Poll();
  EXPECT_TRUE(WaitUntil([&] { return !b->ready(); }, milliseconds(2000)))
      << "b's view missed entries: it must not serve as if it had not";
  EXPECT_TRUE(a->ready());

  // A gateway starting now builds its view from the state and is ready.
  auto c = NewGateway();
  EXPECT_TRUE(c->ready());
  EXPECT_EQ(c->usage().UsageOf(offer, "s-1", {}).redemptions, 2);
}

}  // namespace
}  // namespace uudai::store_test
