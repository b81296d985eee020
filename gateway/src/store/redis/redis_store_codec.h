// RedisStoreCodec: what RedisStore sends to its Lua script and reads back — log positions,
// script replies, ledger pages and log entries (records: redemption_record.h). Pure functions.
#ifndef UUDAI_GATEWAY_STORE_REDIS_REDIS_STORE_CODEC_H_
#define UUDAI_GATEWAY_STORE_REDIS_REDIS_STORE_CODEC_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_reply.h"
#include "store/redis/limit_share.h"
#include "uudai/campaign_time.h"
#include "uudai/redemption.h"
#include "uudai/status.h"
#include "uudai/store_mutation.h"

namespace uudai::gateway {

// The id of a Redis stream entry, "<milliseconds>-<sequence>"; {0, 0} is "before everything".
struct LogPosition {
  std::uint64_t millis = 0;
  std::uint64_t sequence = 0;

  static std::optional<LogPosition> Parse(std::string_view text);
  std::string ToString() const;
  friend auto operator<=>(const LogPosition&, const LogPosition&) = default;
};

// One change read back from the log.
struct LogEntry {
  LogPosition position;
  StoreMutation mutation;
};

// A reply of the store script: {code, message, offer_id, entry, previous entry, payload...}.
struct ScriptReply {
  Status status;                        // "ok" → OK; otherwise the refusal
  std::optional<LogPosition> entry;     // the (last) log entry the call added
  std::optional<LogPosition> previous;  // the entry just before its first one
  std::vector<RedisReply> payload;
};

// A decimal integer as the store function writes one (the whole text); nullopt otherwise.
std::optional<std::uint64_t> ParseUnsigned(std::string_view text);
std::optional<std::int64_t> ParseSigned(std::string_view text);

// Transport failures and Redis error replies become kUnavailable (fail closed), except a
// reply the script could not have produced (a bug: kInternal).
Result<ScriptReply> ParseScriptReply(const Result<RedisReply>& reply);

// The status a Redis error reply stands for: kUnavailable when Redis cannot serve now
// (LOADING, BUSY, OOM, READONLY, MASTERDOWN, ...), kInternal otherwise.
Status StatusFromErrorReply(const RedisReply& reply);

// merchant_id \x1f order_id: the (merchant, order) guard's field.
std::string OrderKey(const Redemption& r);

// The arguments one offer takes in the "offer_put" and "offers_stage" ops (OFFER_ARGS in
// redis_store_offers.lua): id, merchant, layer, code mode, status, public code ("" when none), the
// journal line of `offer`, OfferCheckArgs, the public code spelled as a unique code ("" when it is
// not one: the script refuses a public code that is a unique code of the same scope), then hot
// ("" not hot, "1" hot, "2" hot and the limits passed are `share` of its own).
inline constexpr std::size_t kOfferArgs = 18;
void AppendOfferArgs(const std::shared_ptr<const Offer>& offer, std::vector<std::string>& args,
                     LimitShare share = {});

// What the script re-checks a redemption of `o` against, among an offer's arguments: limits (total,
// budget, per shopper, per day; "-1" = none; of a hot offer, `share` of its total, budget and per
// day), starts_at, ends_at (epoch ms), daily window from and to (local minutes; "" and "" when
// none), first order ("1" | "0").
std::vector<std::string> OfferCheckArgs(const Offer& o, LimitShare share = {});

// A page of the ledger from the payload of the function's `ledger_page` ({stop, then id and
// record per position read from query.start}): the rows created in the query's
// time range, `next` past every position read and `end` the stop the script used.
Result<LedgerPage> LedgerPageFromPayload(const std::vector<RedisReply>& payload,
                                         const LedgerPageQuery& query);
// The same from (id, record) rows read from positions query.start.. of a ledger whose stop is
// `stop`.
Result<LedgerPage> LedgerPageFromRows(
    const std::vector<std::pair<std::string_view, std::string_view>>& rows, std::uint64_t stop,
    const LedgerPageQuery& query);

// A page of events from the payload of the function's `events_page` ({last seq, oldest seq,
// the seq of the last event looked at, then seq, text and record per event}).
Result<EventPage> EventPageFromPayload(const std::vector<RedisReply>& payload);

// A page of offer `offer_id`'s history from the payload of the function's `offer_history`
// ({latest version, "" when the offer does not exist (kNotFound), its merchant, then a journal
// line per version}).
Result<OfferHistoryPage> OfferHistoryPageFromPayload(const std::vector<RedisReply>& payload,
                                                     const std::string& offer_id);

// What one XREAD of the change log returned: the entries after `skip_through`, decoded, and how
// many entries the reply held in all (a full batch means the log may hold more).
struct LogRead {
  std::vector<LogEntry> entries;
  std::size_t count = 0;
  std::optional<LogPosition> first;  // the first entry's position, decoded or not
};

// The entries of an XREAD reply for one stream (nil → none). Entries at or before
// `skip_through` (the view already holds them: its own changes) are counted, not decoded.
Result<LogRead> LogEntriesFromXread(const RedisReply& reply, LogPosition skip_through = {});
// The same for an XRANGE reply (the entries' array).
Result<LogRead> LogEntriesFromXrange(const RedisReply& reply, LogPosition skip_through = {});

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_REDIS_STORE_CODEC_H_
