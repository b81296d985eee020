// What RedisStore sends to its function and reads back (redis_store_codec.h), and the
// function's answers to calls RedisStore never makes (unknown operation, missing arguments).
#include "store/redis/redis_store_codec.h"

#include <gtest/gtest.h>

#include "engine/store_test_support.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/codec/mutation_codec.h"
#include "store/redis/redemption_record.h"
#include "store/redis/redis_store.h"

namespace uudai::gateway {
namespace {

using store_test::MakeOffer;
using store_test::RedemptionBuilder;

RedisReply Str(std::string s) { return RedisReply::String(std::move(s)); }

std::string Record(const Redemption& r) {
  return EncodeRedemptionRecord(r, LocalDay{20'000}).value();
}

TEST(LogPositionTest, ParsesAndOrdersStreamIds) {
  EXPECT_EQ(LogPosition::Parse("1700000000000-3"), (LogPosition{1700000000000, 3}));
  EXPECT_EQ(LogPosition::Parse("0-0"), LogPosition{});
  EXPECT_LT(*LogPosition::Parse("5-9"), *LogPosition::Parse("6-0"));
  EXPECT_LT(*LogPosition::Parse("5-9"), *LogPosition::Parse("5-10"));
  EXPECT_EQ(LogPosition::Parse("12-7")->ToString(), "12-7");
  for (const char* bad : {"", "12", "-1", "a-1", "1-", "1-2-3", "1--2"}) {
    EXPECT_FALSE(LogPosition::Parse(bad).has_value()) << bad;
  }
}

TEST(ScriptReplyTest, OkWithEntryAndPayload) {
  const auto reply = ParseScriptReply(
      RedisReply::Array({Str("ok"), Str(""), Str(""), Str("10-1"), Str("9-4"), Str("created")}));
  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(reply->status.ok());
  EXPECT_EQ(reply->entry, (LogPosition{10, 1}));
  EXPECT_EQ(reply->previous, (LogPosition{9, 4}));
  ASSERT_EQ(reply->payload.size(), 1U);
  EXPECT_EQ(reply->payload[0].str(), "created");
}

TEST(ScriptReplyTest, RefusalNamesItsCodeAndOffer) {
  const auto reply = ParseScriptReply(
      RedisReply::Array({Str("quota_exhausted"), Str("offer o-1 has no redemptions left"),
                         Str("o-1"), Str(""), Str("")}));
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status.code(), StatusCode::kQuotaExhausted);
  EXPECT_EQ(reply->status.offer_id(), "o-1");
  EXPECT_FALSE(reply->entry.has_value());
}

TEST(ScriptReplyTest, ValidationRefusalListsTheFields) {
  const auto reply = ParseScriptReply(
      RedisReply::Array({Str("validation_failed"), Str("cannot change after creation"), Str(""),
                         Str(""), Str(""), Str("merchant_id"), Str("layer")}));
  ASSERT_TRUE(reply.ok());
  ASSERT_EQ(reply->status.field_errors().size(), 2U);
  EXPECT_EQ(reply->status.field_errors()[1].path, "layer");
}

TEST(ScriptReplyTest, TransportFailureAndBusyRedisAreUnavailable) {
  EXPECT_EQ(ParseScriptReply(Status(StatusCode::kUnavailable, "timeout")).status().code(),
            StatusCode::kUnavailable);
  for (const char* busy : {"LOADING Redis is loading", "BUSY Redis is busy",
                           "OOM command not "
                           "allowed",
                           "READONLY You can't write against a read only replica."}) {
    EXPECT_EQ(ParseScriptReply(RedisReply::Error(busy)).status().code(), StatusCode::kUnavailable)
        << busy;
  }
}

TEST(ScriptReplyTest, RepliesTheScriptCannotMakeAreInternal) {
  for (const RedisReply& odd :
       {RedisReply::Error("ERR Error running script"), RedisReply::Integer(3),
        RedisReply::Array({Str("ok")}),
        RedisReply::Array({Str("no_such_code"), Str(""), Str(""), Str(""), Str("")}),
        RedisReply::Array({Str("ok"), Str(""), Str(""), Str("not-an-id"), Str("1-1")})}) {
    EXPECT_EQ(ParseScriptReply(odd).status().code(), StatusCode::kInternal) << odd.DebugString();
  }
}

TEST(LogEntriesTest, NilMeansNothingNew) {
  const auto read = LogEntriesFromXread(RedisReply::Nil());
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->entries.empty());
  EXPECT_EQ(read->count, 0U);
}

TEST(LogEntriesTest, DecodesTransitionsAndCodeBatches) {
  const std::string created =
      Record(RedemptionBuilder("r-1").Apply(MakeOffer("o-1"), 1'000).Build());
  const RedisReply reply = RedisReply::Array({RedisReply::Array(
      {Str("uudai:{t}:log"),
       RedisReply::Array(
           {RedisReply::Array(
                {Str("5-0"), RedisReply::Array({Str("i"), Str("o-1"), Str("c"), Str("AAA,BBB")})}),
            RedisReply::Array(
                {Str("5-1"),
                 RedisReply::Array({Str("t"), Str("r-1"), Str("a"), Str("refund"), Str("at"),
                                    Str("1790000000000"), Str("r"), Str(created)})})})})});
  const auto read = LogEntriesFromXread(reply);
  ASSERT_TRUE(read.ok()) << read.status().message();
  const auto& entries = read->entries;
  ASSERT_EQ(entries.size(), 2U);
  const auto& codes = std::get<CodesIssued>(entries[0].mutation);
  EXPECT_EQ(codes.offer_id, "o-1");
  EXPECT_EQ(codes.codes, (std::vector<std::string>{"AAA", "BBB"}));
  const auto& t = std::get<RedemptionTransitioned>(entries[1].mutation);
  EXPECT_EQ(t.redemption_id, "r-1");
  EXPECT_EQ(t.action, RedemptionAction::kRefund);
  EXPECT_EQ(t.at.millis, 1790000000000);
  EXPECT_EQ(entries[1].position, (LogPosition{5, 1}));
  // Entries the view already holds are counted, not decoded.
  const auto after_first = LogEntriesFromXread(reply, LogPosition{5, 0});
  ASSERT_TRUE(after_first.ok());
  EXPECT_EQ(after_first->count, 2U);
  ASSERT_EQ(after_first->entries.size(), 1U);
  EXPECT_EQ(after_first->entries[0].position, (LogPosition{5, 1}));
}

RedisReply OneEntry(std::vector<RedisReply> fields) {
  return RedisReply::Array(
      {RedisReply::Array({Str("log"), RedisReply::Array({RedisReply::Array(
                                          {Str("7-0"), RedisReply::Array(std::move(fields))})})})});
}

TEST(LogEntriesTest, CreationAndTransitionCarryTheRedemptionRecord) {
  Redemption r = RedemptionBuilder("r-1").Shopper("s-9").Apply(MakeOffer("o-1"), 12'000).Build();
  const auto created =
      LogEntriesFromXread(OneEntry({Str("c"), Str("r-1"), Str("r"), Str(Record(r))}));
  ASSERT_TRUE(created.ok()) << created.status().message();
  ASSERT_EQ(created->entries.size(), 1U);
  const auto& c = std::get<RedemptionCreated>(created->entries[0].mutation);
  EXPECT_EQ(c.redemption, r);
  EXPECT_FALSE(c.idempotency.has_value()) << "the view keeps no idempotency records";

  r.status = RedemptionStatus::kReleased;
  r.released_at = Timestamp{1790000000000};
  const auto cancelled =
      LogEntriesFromXread(OneEntry({Str("t"), Str("r-1"), Str("a"), Str("cancel"), Str("at"),
                                    Str("1790000000000"), Str("r"), Str(Record(r))}));
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().message();
  const auto& t = std::get<RedemptionTransitioned>(cancelled->entries[0].mutation);
  EXPECT_EQ(t.action, RedemptionAction::kCancel);
  ASSERT_TRUE(t.redemption.has_value());
  EXPECT_EQ(*t.redemption, r);

  // (the field names alternate with values: "at" is missing here on purpose)
  EXPECT_EQ(LogEntriesFromXread(OneEntry({Str("t"), Str("r-1"), Str("a"), Str("cancel"),
                                          Str("1790000000000"), Str("r"), Str(Record(r))}))
                .status()
                .code(),
            StatusCode::kInternal);
  // A transition without its redemption (an older layout) is malformed: the counters-only view
  // could not count it.
  EXPECT_EQ(LogEntriesFromXread(OneEntry({Str("t"), Str("r-1"), Str("a"), Str("cancel"), Str("at"),
                                          Str("1790000000000")}))
                .status()
                .code(),
            StatusCode::kInternal);
  // A redemption carried as a journal line (format 3) is malformed too.
  EXPECT_EQ(LogEntriesFromXread(
                OneEntry({Str("m"), Str(EncodeMutation(RedemptionCreated{r, std::nullopt}))}))
                .status()
                .code(),
            StatusCode::kInternal);
}

// One ledger position as the function returns it: id, record.
std::vector<RedisReply> LedgerRow(Redemption r, RedemptionStatus status,
                                  std::optional<std::int64_t> committed_at) {
  r.status = status;
  if (committed_at) r.committed_at = Timestamp{*committed_at};
  return {Str(r.id), Str(Record(r))};
}

TEST(LedgerPageTest, KeepsTheRowsInTheTimeRangeAndMovesPastEveryPositionRead) {
  const Offer offer = MakeOffer("o-1");
  const Redemption early = RedemptionBuilder("r-early")
                               .CreatedAt(store_test::At("2026-10-09T23:00:00+07:00"))
                               .Apply(offer, 1'000)
                               .Build();
  const Redemption inside = RedemptionBuilder("r-inside")
                                .CreatedAt(store_test::At("2026-10-10T09:00:00+07:00"))
                                .Apply(offer, 2'000)
                                .Build();
  std::vector<RedisReply> payload = {Str("9")};
  for (auto row : {LedgerRow(early, RedemptionStatus::kReserved, std::nullopt),
                   LedgerRow(inside, RedemptionStatus::kCommitted, 1790000000000)}) {
    payload.insert(payload.end(), row.begin(), row.end());
  }
  LedgerPageQuery query;
  query.start = 4;
  query.from = store_test::At("2026-10-10T00:00:00+07:00");
  const auto page = LedgerPageFromPayload(payload, query);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->rows.size(), 1U);
  EXPECT_EQ(page->rows[0].id, "r-inside");
  EXPECT_EQ(page->rows[0].status, RedemptionStatus::kCommitted);
  EXPECT_EQ(page->rows[0].committed_at, Timestamp{1790000000000});
  EXPECT_EQ(page->next, 6U);
  EXPECT_EQ(page->end, 9U);
  EXPECT_FALSE(page->done());

  // Nothing read from a start at the end: the last page.
  query.start = 9;
  const auto last = LedgerPageFromPayload({Str("9")}, query);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->done());
  // A row cut short is the function's bug, not an empty page.
  payload.pop_back();
  EXPECT_EQ(LedgerPageFromPayload(payload, query).status().code(), StatusCode::kInternal);
}

TEST(LogEntriesTest, UnknownEntryShapeIsAnError) {
  const RedisReply reply = RedisReply::Array({RedisReply::Array(
      {Str("log"), RedisReply::Array({RedisReply::Array(
                       {Str("5-0"), RedisReply::Array({Str("zz"), Str("?")})})})})});
  EXPECT_EQ(LogEntriesFromXread(reply).status().code(), StatusCode::kInternal);
}

TEST(OfferCheckArgsTest, CarriesLimitsWindowDailyWindowAndFirstOrderAsDecimalStrings) {
  Offer offer = MakeOffer("o-1");
  offer.limits.total_budget = 1'000'000'000'000'000;  // 10^15: exact in Lua's doubles
  offer.limits.per_day = 7;
  EXPECT_EQ(OfferCheckArgs(offer),
            (std::vector<std::string>{"-1", "1000000000000000", "-1", "7",
                                      std::to_string(offer.starts_at.millis),
                                      std::to_string(offer.ends_at.millis), "", "", "0"}));
  offer.daily_window = DailyWindow{22 * 60, 2 * 60};
  offer.first_order = true;
  const std::vector<std::string> args = OfferCheckArgs(offer);
  EXPECT_EQ(args[6], "1320");
  EXPECT_EQ(args[7], "120");
  EXPECT_EQ(args[8], "1");
}

// The script itself, called the ways RedisStore never calls it.
TEST(RedisStoreScriptTest, UnknownOperationAndMissingArgumentsAreErrorsThatChangeNothing) {
  testing::IoThread io;
  auto connection =
      RedisConnection::Create(io.io(), testing::OptionsFor(testing::RedisServer::Shared().url()));
  connection->Start();
  ASSERT_TRUE(
      testing::WaitUntil([&] { return connection->connected(); }, std::chrono::milliseconds(5000)));
  const RedisFunction function("uudai", RedisStoreScriptSource());
  const std::string prefix = testing::FreshKeyPrefix();
  const auto unknown = testing::CallFunction(*connection, function, {prefix + "log"}, {"drop_all"});
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(unknown->is_error()) << unknown->DebugString();
  // A create without its shopper, day, order and offers.
  const auto malformed = testing::CallFunction(
      *connection, function, {prefix + "log"},
      {"create", "1000", "86400000", "r-1", "0", "2000", "record", "", "", "", "1000"});
  ASSERT_TRUE(malformed.ok());
  EXPECT_TRUE(malformed->is_error()) << malformed->DebugString();
  EXPECT_EQ(StatusFromErrorReply(malformed.value()).code(), StatusCode::kInternal);
  // Nothing was written: no redemption, no log.
  EXPECT_EQ(testing::RedisServer::Shared().Cli("EXISTS '" + prefix + "rec' '" + prefix + "log'"),
            "0");
  connection->Stop();
}

}  // namespace
}  // namespace uudai::gateway
