// Fuzz target: what a gateway reads from Redis — RESP2 bytes parsed by hiredis's reader (the
// one RedisConnection's hiredis context uses), copied by RedisReply::FromHiredis, and decoded
// by the store codec as a script reply, as an XREAD of the change log (whose entries are then
// replayed into a MemoryStore view, as StoreMirror does) and as a redemption record.
//
// Redis is trusted, but its change log is written by every gateway sharing it, of whatever
// version: a damaged or hostile entry must be refused with a Status by each reader, never
// crash them all at once.
//
// Invariants:
// - parsing and decoding never crash: each reply decodes, or is refused with a Status;
// - FromHiredis is exact: the copy, written back as RESP, parses to an equal RedisReply;
// - nothing but a script reply whose code is "ok" is taken for success, and an error reply
//   is never a success of any decoder;
// - a ledger page decodes only from whole rows, and moves past exactly the rows it read;
// - whatever decodes replays into a counters-only MemoryStore view (as StoreMirror's) whose
//   stats and ledger still answer.
#include <hiredis/hiredis.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_check.h"
#include "redis/redis_reply.h"
#include "store/redis/redemption_record.h"
#include "store/redis/redis_store_codec.h"
#include "store_answers.h"
#include "uudai/clock.h"
#include "uudai/memory_store.h"

namespace uudai::fuzz {
namespace {

using gateway::RedisReply;

// RESP2, as Redis would send `reply`.
void WriteResp(const RedisReply& reply, std::string& out) {
  switch (reply.type()) {
    case RedisReply::Type::kString:
      out += '$' + std::to_string(reply.str().size()) + "\r\n" + reply.str() + "\r\n";
      return;
    case RedisReply::Type::kStatus:
      out += '+' + reply.str() + "\r\n";
      return;
    case RedisReply::Type::kError:
      out += '-' + reply.str() + "\r\n";
      return;
    case RedisReply::Type::kInteger:
      out += ':' + std::to_string(reply.integer()) + "\r\n";
      return;
    case RedisReply::Type::kNil:
      out += "$-1\r\n";
      return;
    case RedisReply::Type::kArray:
      out += '*' + std::to_string(reply.elements().size()) + "\r\n";
      for (const RedisReply& element : reply.elements()) WriteResp(element, out);
      return;
  }
}

struct ReaderDeleter {
  void operator()(redisReader* reader) const { redisReaderFree(reader); }
};
using Reader = std::unique_ptr<redisReader, ReaderDeleter>;

// Whether `bytes` holds an array header ("*<count>") of more than kMostElements elements.
// hiredis 0.14's reader callocs an array's element pointers as soon as it reads the header
// (it has no maxelements; later hiredis has), so "*958782782\r\n" asks for 7.6 GB at once:
// found by this target, out-of-memory. Replies are framed by Redis itself, not by anything a
// gateway or a log entry can write, so such a header is outside what this target defends;
// the check is conservative (a '*' inside a bulk string counts too).
constexpr std::uint64_t kMostElements = 1'000'000;
bool HasHugeArrayHeader(std::string_view bytes) {
  for (std::size_t star = bytes.find('*'); star != std::string_view::npos;
       star = bytes.find('*', star + 1)) {
    std::uint64_t count = 0;
    for (std::size_t i = star + 1; i < bytes.size() && bytes[i] >= '0' && bytes[i] <= '9'; ++i) {
      count = count * 10 + static_cast<std::uint64_t>(bytes[i] - '0');
      if (count > kMostElements) return true;
    }
  }
  return false;
}

// Every complete reply in `bytes`, in order, until the end or a protocol error.
template <typename Fn>
void ForEachReply(std::string_view bytes, Fn&& fn) {
  if (HasHugeArrayHeader(bytes)) return;
  Reader reader(redisReaderCreate());
  FUZZ_CHECK(reader != nullptr);
  if (redisReaderFeed(reader.get(), bytes.data(), bytes.size()) != REDIS_OK) return;
  while (true) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK || raw == nullptr) return;
    const RedisReply reply = RedisReply::FromHiredis(*static_cast<redisReply*>(raw));
    freeReplyObject(raw);
    fn(reply);
  }
}

void CheckCopyIsExact(const RedisReply& reply) {
  std::string resp;
  WriteResp(reply, resp);
  int replies = 0;
  ForEachReply(resp, [&](const RedisReply& again) {
    ++replies;
    FUZZ_CHECK(again == reply, "written back and parsed again: " + reply.DebugString() + " → " +
                                   again.DebugString());
  });
  FUZZ_CHECK(replies == 1, "the reply written back is " + std::to_string(replies) + " replies");
}

void CheckScriptReply(const RedisReply& reply) {
  const auto parsed = gateway::ParseScriptReply(reply);
  if (!parsed.ok()) return;
  FUZZ_CHECK(!reply.is_error(), "an error reply decoded as a script reply");
  const bool says_ok = reply.elements()[0].str() == "ok";
  FUZZ_CHECK(parsed->status.ok() == says_ok, "script reply code " + reply.elements()[0].str() +
                                                 " decoded as " +
                                                 (parsed->status.ok() ? "success" : "a refusal"));
}

// A record that decodes is written back as the same redemption.
void CheckRedemptionRecord(const RedisReply& reply) {
  if (!reply.is_string()) return;
  const auto redemption = gateway::DecodeRedemptionRecord("r_fuzz", reply.str());
  if (!redemption.ok()) return;
  const auto again = gateway::EncodeRedemptionRecord(redemption.value(), LocalDay{0});
  if (!again.ok()) return;
  const auto back = gateway::DecodeRedemptionRecord("r_fuzz", again.value());
  FUZZ_CHECK(back.ok() && back.value() == redemption.value(), "a record read back differently");
}

// As the payload of a `ledger_page` call: a page decodes only from whole rows, and moves on
// by exactly the rows read.
void CheckLedgerPage(const RedisReply& reply) {
  const auto script = gateway::ParseScriptReply(reply);
  if (!script.ok() || !script->status.ok()) return;
  const auto& payload = script->payload;
  LedgerPageQuery query;
  query.start = 3;
  const auto page = gateway::LedgerPageFromPayload(payload, query);
  if (!page.ok()) return;
  const std::size_t rows_read = (payload.size() - 1) / 2;
  FUZZ_CHECK((payload.size() - 1) % 2 == 0, "a ledger page from a partial row");
  FUZZ_CHECK(page->rows.size() == rows_read, "a ledger row lost without a time range");
  FUZZ_CHECK(rows_read == 0 || page->next == query.start + rows_read);
}

void ReplayLog(const RedisReply& reply, MemoryStore& view) {
  const auto read = gateway::LogEntriesFromXread(reply);
  if (!read.ok()) return;
  FUZZ_CHECK(!reply.is_error(), "an error reply decoded as log entries");
  FUZZ_CHECK(read->entries.size() <= read->count);
  for (const gateway::LogEntry& entry : read->entries) view.Replay(entry.mutation);
}

}  // namespace
}  // namespace uudai::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace uudai;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const ManualClock clock(Timestamp{1'791'608'400'000});  // 2026-10-10T12:00:00+07:00
  MemoryStoreOptions view_options;  // as StoreMirror's: counters and stats, no redemptions
  view_options.keep_redemptions = false;
  MemoryStore view(clock, view_options);
  fuzz::ForEachReply(bytes, [&view](const gateway::RedisReply& reply) {
    fuzz::CheckCopyIsExact(reply);
    fuzz::CheckScriptReply(reply);
    fuzz::CheckRedemptionRecord(reply);
    fuzz::CheckLedgerPage(reply);
    fuzz::ReplayLog(reply, view);
  });
  fuzz::CheckStoreStillAnswers(view);
  return 0;
}
