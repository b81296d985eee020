// Journal compaction at start-up (gateway/src/store/journal/journal_compaction.h): a journal full
// of superseded records is rewritten as the store's export, the file shrinks, nothing a client can
// read changes, the new journal keeps taking writes, and an unfinished compaction or a torn tail
// left by a crash does no harm.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <boost/json/array.hpp>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using boost::json::array;
using boost::json::object;

std::string JournalPath(const TempDir& dir) { return dir.path() + "/journal.log"; }
std::string CompactPath(const TempDir& dir) { return dir.path() + "/journal.log.compact"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void AppendToFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
}

TestGatewayOptions OnDisk(const TempDir& dir) {
  TestGatewayOptions options;
  options.data_dir = dir.path();
  return options;
}

// The same, compacting journals of any size (the tests' journals are small).
TestGatewayOptions OnDiskCompactingSmallJournals(const TempDir& dir) {
  TestGatewayOptions options = OnDisk(dir);
  options.journal_compaction.min_bytes = 0;
  return options;
}

// What a client can read of the state a history left: every offer and redemption, the offer
// list, offer stats and campaign stats, each as the exact response body.
struct Reads {
  std::vector<std::string> offer_ids;
  std::vector<std::string> redemption_ids;
};

std::map<std::string, std::string> ReadAll(TestGateway& gateway, const Reads& reads) {
  std::map<std::string, std::string> bodies;
  auto get = [&](const std::string& path, const char* key) {
    const HttpReply reply = gateway.Call("GET", path, key);
    EXPECT_EQ(reply.status, 200) << path << ": " << reply.body;
    bodies[path] = reply.body;
  };
  get("/v1/offers?limit=100", kAnalystKey);
  for (const std::string& id : reads.offer_ids) {
    get("/v1/offers/" + id, kAnalystKey);
    get("/v1/stats/offers/" + id, kAnalystKey);
  }
  for (const std::string& id : reads.redemption_ids) get("/v1/redemptions/" + id, kCheckoutKey);
  for (const char* group_by : {"day", "offer", "merchant", "payment_method"}) {
    get(std::string("/v1/stats/campaign?group_by=") + group_by, kAnalystKey);
  }
  return bodies;
}

// A long name (190 characters, within the 200 allowed), so that each offer version is a
// large record.
std::string LongName(int edit) {
  std::string name = "Ưu đãi Tháng tiêu dùng số, lần sửa " + std::to_string(edit);
  auto characters = [&name] {
    return std::count_if(name.begin(), name.end(), [](char c) { return (c & 0xC0) != 0x80; });
  };
  while (characters() < 190) name += '.';
  return name;
}

// Writes a history with many records that a compaction writes as fewer: `edits` offer edits
// spread over ten offers (each version is kept: an offer's history), a unique-code offer whose
// codes come in `code_calls` small calls of `codes_per_call` (a compacted journal holds them in
// batches of up to 10,000), and twenty redemptions with idempotency keys (committed,
// cancelled, refunded).
Reads WriteHistory(TestGateway& gateway, int edits, int code_calls = 20, int codes_per_call = 50) {
  Reads reads;
  for (int i = 0; i < 10; ++i) {
    object offer = OfferBody();
    offer["priority"] = i;
    reads.offer_ids.push_back(CreateOffer(gateway, kMerchantKey, offer));
  }
  for (int edit = 0; edit < edits; ++edit) {
    object patch{{"name", LongName(edit)}};
    const std::string& id = reads.offer_ids[static_cast<std::size_t>(edit) % 10];
    const HttpReply reply = gateway.Call("PATCH", "/v1/offers/" + id, kMerchantKey, Json(patch));
    EXPECT_EQ(reply.status, 200) << reply.body;
  }
  object coded = OfferBody();
  coded["code_mode"] = "unique";
  reads.offer_ids.push_back(CreateOffer(gateway, kMerchantKey, coded));
  for (int call = 0; call < code_calls; ++call) {
    EXPECT_EQ(gateway
                  .Call("POST", "/v1/offers/" + reads.offer_ids.back() + "/codes", kMerchantKey,
                        "{\"count\":" + std::to_string(codes_per_call) + "}")
                  .status,
              201);
  }
  for (int i = 0; i < 20; ++i) {
    const std::string id = RedeemOrThrow(
        gateway,
        RedemptionBody("order-" + std::to_string(i), 100'000 + i, "s-" + std::to_string(i)),
        "idem-" + std::to_string(i));
    reads.redemption_ids.push_back(id);
    const std::string path = "/v1/redemptions/" + id;
    std::vector<std::string> actions;  // i % 4 == 0: stays reserved
    if (i % 4 == 1) actions = {"cancel"};
    if (i % 4 == 2) actions = {"commit"};
    if (i % 4 == 3) actions = {"commit", "refund"};
    for (const std::string& action : actions) {
      EXPECT_EQ(gateway.Call("POST", path + "/" + action, kCheckoutKey).status, 200) << action;
    }
  }
  return reads;
}

// Keeping few events: the events a store holds keep the offer versions they tell, which a
// compaction carries over (the next test).
TestGatewayOptions OnDiskKeepingFewEvents(const TempDir& dir) {
  TestGatewayOptions options = OnDisk(dir);
  options.event_retention = 50;
  return options;
}

TEST(JournalCompactionTest, JournalOfManySmallWritesIsCompactedAtRestartAndStaysTheSameState) {
  // Given a journal of more than 1 MiB, mostly codes issued in many small calls
  TempDir dir;
  Reads reads;
  std::map<std::string, std::string> before;
  std::string first_response;
  std::string events_before;
  {
    TestGateway gateway(OnDiskKeepingFewEvents(dir));
    reads = WriteHistory(gateway, 20, 250, 270);
    before = ReadAll(gateway, reads);
    events_before = gateway.Call("GET", "/v1/events?limit=1000", kAdminKey).body;
    first_response = Redeem(gateway, RedemptionBody("order-0", 100'000, "s-0"), "idem-0").body;
  }
  const std::size_t size_before = std::filesystem::file_size(JournalPath(dir));
  ASSERT_GE(size_before, std::size_t{1} << 20);

  // When uudai starts on it
  std::map<std::string, std::string> after_second_start;
  std::string new_redemption;
  {
    TestGateway compacted(OnDiskKeepingFewEvents(dir));
    const gateway::StartupReport& startup = compacted.app().startup();

    // Then it compacts it into a much smaller journal
    EXPECT_TRUE(startup.compaction.done);
    EXPECT_EQ(startup.compaction.records_before, startup.journal_records);
    EXPECT_EQ(startup.compaction.bytes_before, size_before);
    EXPECT_LT(startup.compaction.records_after * 2, startup.compaction.records_before);
    // 11 offers and the earlier versions of the 10 edited, 62,500 codes in 7 batches, 20
    // redemptions and their 20 transitions, the events held
    EXPECT_EQ(startup.compaction.records_after, 21U + 7U + 20U + 20U + 1U);
    EXPECT_EQ(std::filesystem::file_size(JournalPath(dir)), startup.compaction.bytes_after);
    EXPECT_LT(startup.compaction.bytes_after, size_before);
    EXPECT_FALSE(std::filesystem::exists(CompactPath(dir)));
    // and every read answers as before, idempotent replays and the events held included
    EXPECT_EQ(ReadAll(compacted, reads), before);
    EXPECT_EQ(compacted.Call("GET", "/v1/events?limit=1000", kAdminKey).body, events_before);
    EXPECT_NE(events_before.find("\"oldest_seq\":22"), std::string::npos) << events_before;
    const HttpReply replay = Redeem(compacted, RedemptionBody("order-0", 100'000, "s-0"), "idem-0");
    EXPECT_EQ(replay.body, first_response);
    EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
    // and writes go on into the new journal
    new_redemption = RedeemOrThrow(compacted, RedemptionBody("order-new", 100'000, "s-new"), "k");
    ASSERT_EQ(compacted.Call("POST", "/v1/redemptions/" + new_redemption + "/commit", kCheckoutKey)
                  .status,
              200);
    reads.redemption_ids.push_back(new_redemption);
    after_second_start = ReadAll(compacted, reads);
  }

  // And a second start replays the compacted journal plus the new writes, compacting nothing
  TestGateway restarted(OnDiskKeepingFewEvents(dir));
  EXPECT_FALSE(restarted.app().startup().compaction.done);
  EXPECT_EQ(restarted.app().startup().journal_records, 21U + 7U + 20U + 20U + 1U + 2U);
  EXPECT_EQ(ReadAll(restarted, reads), after_second_start);
}

TEST(JournalCompactionTest, SmallJournalIsNotCompacted) {
  TempDir dir;
  {
    TestGateway gateway(OnDisk(dir));
    WriteHistory(gateway, 50);
  }
  const std::string journal = ReadFile(JournalPath(dir));

  TestGateway restarted(OnDisk(dir));

  EXPECT_FALSE(restarted.app().startup().compaction.done);
  EXPECT_EQ(ReadFile(JournalPath(dir)), journal);
}

TEST(JournalCompactionTest, JournalWithoutSupersededRecordsIsNotCompacted) {
  TempDir dir;
  {
    TestGateway gateway(OnDiskCompactingSmallJournals(dir));
    for (int i = 0; i < 20; ++i) CreateOffer(gateway, kMerchantKey, OfferBody());
    for (int i = 0; i < 10; ++i) {
      RedeemOrThrow(gateway, RedemptionBody("order-" + std::to_string(i)),
                    "idem-" + std::to_string(i));
    }
  }
  const std::string journal = ReadFile(JournalPath(dir));

  TestGateway restarted(OnDiskCompactingSmallJournals(dir));

  EXPECT_FALSE(restarted.app().startup().compaction.done);
  EXPECT_EQ(restarted.app().startup().journal_records, 30U);
  EXPECT_EQ(ReadFile(JournalPath(dir)), journal);
}

TEST(JournalCompactionTest, LeftoverCompactFileIsDeletedAndIgnored) {
  // Given a compaction that a crash cut short: a partial journal.log.compact next to the
  // complete journal.log (here: only its first record, one offer of eleven)
  TempDir dir;
  Reads reads;
  std::map<std::string, std::string> before;
  {
    TestGateway gateway(OnDisk(dir));
    reads = WriteHistory(gateway, 20);
    before = ReadAll(gateway, reads);
  }
  const std::string journal = ReadFile(JournalPath(dir));
  AppendToFile(CompactPath(dir), journal.substr(0, journal.find('\n') + 1));

  // When uudai starts
  TestGateway restarted(OnDisk(dir));

  // Then it deletes the leftover and serves the whole journal
  EXPECT_FALSE(std::filesystem::exists(CompactPath(dir)));
  EXPECT_EQ(restarted.app().startup().offers, 11U);
  EXPECT_EQ(ReadAll(restarted, reads), before);
}

TEST(JournalCompactionTest, TornTailIsCutBeforeAndAfterCompaction) {
  // Given a journal worth compacting whose last record a crash cut in the middle
  TempDir dir;
  Reads reads;
  std::map<std::string, std::string> before;
  {
    TestGateway gateway(OnDiskCompactingSmallJournals(dir));
    reads = WriteHistory(gateway, 10, 100, 5);
    before = ReadAll(gateway, reads);
  }
  const std::string journal = ReadFile(JournalPath(dir));
  const std::string torn = journal.substr(0, journal.find('\n') / 2);  // half of a record
  AppendToFile(JournalPath(dir), torn);

  // When uudai starts, then the tail is cut, the rest compacted and the state kept
  {
    TestGateway compacted(OnDiskCompactingSmallJournals(dir));
    EXPECT_EQ(compacted.app().startup().torn_tail_bytes, torn.size());
    EXPECT_TRUE(compacted.app().startup().compaction.done);
    EXPECT_EQ(ReadAll(compacted, reads), before);
  }
  // And a torn tail on the compacted journal is cut as well
  AppendToFile(JournalPath(dir), torn);
  TestGateway restarted(OnDiskCompactingSmallJournals(dir));
  EXPECT_EQ(restarted.app().startup().torn_tail_bytes, torn.size());
  EXPECT_FALSE(restarted.app().startup().compaction.done);
  EXPECT_EQ(ReadAll(restarted, reads), before);
}

}  // namespace
}  // namespace uudai::testing
