#include "store/redis/redis_store_codec.h"

#include <charconv>

#include "store/codec/mutation_codec.h"
#include "store/redis/redemption_record.h"
#include "uudai/unique_code.h"

namespace uudai::gateway {
std::optional<std::uint64_t> ParseUnsigned(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> ParseSigned(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

namespace {

std::optional<StatusCode> ParseCodeName(std::string_view name) {
  for (int c = static_cast<int>(StatusCode::kOk); c <= static_cast<int>(StatusCode::kInternal);
       ++c) {
    if (CodeName(static_cast<StatusCode>(c)) == name) return static_cast<StatusCode>(c);
  }
  return std::nullopt;
}

std::optional<RedemptionAction> ParseAction(std::string_view name) {
  for (RedemptionAction a : {RedemptionAction::kCommit, RedemptionAction::kCancel,
                             RedemptionAction::kRefund, RedemptionAction::kExpire}) {
    if (RedemptionActionName(a) == name) return a;
  }
  return std::nullopt;
}

Status Malformed(std::string what) {
  return Status(StatusCode::kInternal, "unexpected reply from the Redis store script: " + what);
}

std::string Limit(const std::optional<std::int64_t>& limit) {
  return limit ? std::to_string(*limit) : "-1";
}

// Splits "a,b,c" (codes never contain commas).
std::vector<std::string> SplitCodes(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const std::size_t comma = joined.find(',');
    out.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return out;
}

Result<StoreMutation> MutationFromFields(const std::vector<RedisReply>& f) {
  auto field = [&f](std::size_t i) -> const std::string& { return f[i].str(); };
  if (f.size() == 2 && field(0) == "m") {
    auto decoded = DecodeMutation(field(1));
    if (!decoded.ok()) return decoded.status();
    if (!std::holds_alternative<OfferWritten>(decoded.value())) return Malformed("offer entry");
    return decoded;
  }
  // A batch of new offers: their journal lines, newline-separated (JSON has no raw newline).
  if (f.size() == 2 && field(0) == "b") {
    OffersCreated batch;
    std::string_view lines = field(1);
    while (!lines.empty()) {
      const std::size_t end = lines.find('\n');
      auto decoded = DecodeMutation(lines.substr(0, end));
      if (!decoded.ok()) return decoded.status();
      const auto* written = std::get_if<OfferWritten>(&decoded.value());
      if (written == nullptr) return Malformed("offer batch entry");
      batch.offers.push_back(written->offer);
      if (end == std::string_view::npos) break;
      lines.remove_prefix(end + 1);
    }
    if (batch.offers.empty()) return Malformed("empty offer batch entry");
    return StoreMutation(std::move(batch));
  }
  if (f.size() == 4 && field(0) == "i" && field(2) == "c") {
    return StoreMutation(CodesIssued{field(1), SplitCodes(field(3))});
  }
  if (f.size() == 4 && field(0) == "c" && field(2) == "r") {
    auto created = DecodeRedemptionRecord(field(1), field(3));
    if (!created.ok()) return created.status();
    return StoreMutation(RedemptionCreated{std::move(created).value(), std::nullopt});
  }
  // A transition, carrying the redemption's record after it.
  if (f.size() == 8 && field(0) == "t" && field(2) == "a" && field(4) == "at" && field(6) == "r") {
    const auto action = ParseAction(field(3));
    const auto at = ParseSigned(field(5));
    if (!action || !at) return Malformed("transition entry " + field(1));
    auto carried = DecodeRedemptionRecord(field(1), field(7));
    if (!carried.ok()) return carried.status();
    return StoreMutation(
        RedemptionTransitioned{field(1), *action, Timestamp{*at}, std::move(carried).value()});
  }
  return Malformed("log entry with " + std::to_string(f.size()) + " fields");
}

}  // namespace

std::optional<LogPosition> LogPosition::Parse(std::string_view text) {
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto millis = ParseUnsigned(text.substr(0, dash));
  const auto sequence = ParseUnsigned(text.substr(dash + 1));
  if (!millis || !sequence) return std::nullopt;
  return LogPosition{*millis, *sequence};
}

std::string LogPosition::ToString() const {
  return std::to_string(millis) + "-" + std::to_string(sequence);
}

Status StatusFromErrorReply(const RedisReply& reply) {
  for (const char* transient : {"LOADING", "BUSY", "OOM", "READONLY", "MASTERDOWN", "TRYAGAIN",
                                "CLUSTERDOWN", "NOREPLICAS", "MISCONF"}) {
    if (reply.IsErrorCode(transient)) {
      return Status(StatusCode::kUnavailable, "Redis cannot serve now: " + reply.str());
    }
  }
  return Status(StatusCode::kInternal, "Redis refused the command: " + reply.str());
}

Result<ScriptReply> ParseScriptReply(const Result<RedisReply>& reply) {
  if (!reply.ok()) return Status(StatusCode::kUnavailable, reply.status().message());
  const RedisReply& r = reply.value();
  if (r.is_error()) return StatusFromErrorReply(r);
  if (!r.is_array() || r.elements().size() < 5) return Malformed(r.DebugString());
  const auto& e = r.elements();
  ScriptReply out;
  const std::string& code = e[0].str();
  if (code != "ok") {
    const auto parsed = ParseCodeName(code);
    if (!parsed) return Malformed("code " + code);
    if (*parsed == StatusCode::kValidation) {
      std::vector<FieldError> errors;
      for (std::size_t i = 5; i < e.size(); ++i) errors.push_back({e[i].str(), e[1].str()});
      out.status = Status::Invalid(std::move(errors));
    } else if (!e[2].str().empty()) {
      out.status = Status::ForOffer(*parsed, e[2].str(), e[1].str());
    } else {
      out.status = Status(*parsed, e[1].str());
    }
  }
  if (!e[3].str().empty()) {
    out.entry = LogPosition::Parse(e[3].str());
    out.previous = LogPosition::Parse(e[4].str());
    if (!out.entry || !out.previous) return Malformed("log position " + e[3].str());
  }
  out.payload.assign(e.begin() + 5, e.end());
  return out;
}

std::string OrderKey(const Redemption& r) { return r.merchant_id + '\x1f' + r.order_id; }

void AppendOfferArgs(const std::shared_ptr<const Offer>& offer, std::vector<std::string>& args,
                     LimitShare share) {
  const Offer& o = *offer;
  const bool public_code = o.code_mode == CodeMode::kPublic && o.code;
  args.push_back(o.id);
  args.push_back(o.merchant_id);
  args.push_back(std::to_string(static_cast<int>(o.layer)));
  args.push_back(std::to_string(static_cast<int>(o.code_mode)));
  args.push_back(std::string(OfferStatusName(o.status)));
  args.push_back(public_code ? *o.code : std::string());
  args.push_back(EncodeMutation(OfferWritten{offer}));
  for (std::string& arg : OfferCheckArgs(o, share)) args.push_back(std::move(arg));
  args.push_back(public_code ? CanonicalUniqueCode(*o.code).value_or(std::string())
                             : std::string());
  args.push_back(!o.hot ? "" : share.split() ? "2" : "1");
}

std::vector<std::string> OfferCheckArgs(const Offer& o, LimitShare share) {
  const bool window = o.daily_window.has_value();
  auto shared = [&](const std::optional<std::int64_t>& limit) -> std::optional<std::int64_t> {
    if (!limit || !o.hot) return limit;
    return share.Of(*limit);
  };
  return {Limit(shared(o.limits.total_redemptions)),
          Limit(shared(o.limits.total_budget)),
          Limit(o.limits.per_shopper),
          Limit(shared(o.limits.per_day)),
          std::to_string(o.starts_at.millis),
          std::to_string(o.ends_at.millis),
          window ? std::to_string(o.daily_window->from_minute) : std::string(),
          window ? std::to_string(o.daily_window->to_minute) : std::string(),
          o.first_order ? "1" : "0"};
}

Result<LedgerPage> LedgerPageFromRows(
    const std::vector<std::pair<std::string_view, std::string_view>>& rows, std::uint64_t stop,
    const LedgerPageQuery& query) {
  LedgerPage page;
  page.end = stop;
  for (const auto& [id, record] : rows) {
    auto r = DecodeRedemptionRecord(std::string(id), record);
    if (!r.ok()) return r.status();
    if ((query.from && r->created_at < *query.from) || (query.to && r->created_at >= *query.to)) {
      continue;
    }
    page.rows.push_back(std::move(r).value());
  }
  page.next = query.start + rows.size();
  if (rows.empty()) page.next = std::max(query.start, page.end);
  return page;
}

Result<LedgerPage> LedgerPageFromPayload(const std::vector<RedisReply>& payload,
                                         const LedgerPageQuery& query) {
  constexpr std::size_t kRowFields = 2;  // id, record
  if (payload.empty() || (payload.size() - 1) % kRowFields != 0) {
    return Malformed("ledger page of " + std::to_string(payload.size()) + " fields");
  }
  const auto stop = ParseUnsigned(payload[0].str());
  if (!stop) return Malformed("ledger stop " + payload[0].str());
  std::vector<std::pair<std::string_view, std::string_view>> rows;
  for (std::size_t i = 1; i + 1 < payload.size(); i += kRowFields) {
    rows.emplace_back(payload[i].str(), payload[i + 1].str());
  }
  return LedgerPageFromRows(rows, *stop, query);
}

namespace {

// An offer from its journal line (as `offers`, `oh:<id>` and offer events hold it).
Result<std::shared_ptr<const Offer>> OfferOfLine(std::string_view line) {
  auto decoded = DecodeMutation(line);
  if (!decoded.ok()) return decoded.status();
  const auto* written = std::get_if<OfferWritten>(&decoded.value());
  if (written == nullptr) return Malformed("offer line");
  return written->offer;
}

// One event of the `ev` stream (redis_store.lua): its text split at US, and for a redemption
// event the redemption's record.
Result<StoreEvent> DecodeEvent(std::uint64_t seq, std::string_view text, std::string_view record) {
  const std::vector<std::string_view> f = SplitFields(text, kRecordField);
  const auto type_number = ParseUnsigned(f[0]);
  if (!type_number || *type_number >= kEventTypeCount || f.size() < 4) {
    return Malformed("event " + std::string(text.substr(0, 40)));
  }
  StoreEvent event;
  event.seq = seq;
  event.type = static_cast<EventType>(*type_number);
  event.merchant_id = std::string(f[2]);
  if (!f[1].empty()) {
    const auto at = ParseSigned(f[1]);
    if (!at) return Malformed("event time " + std::string(f[1]));
    event.at = Timestamp{*at};
  }
  const auto offer_of = OfferOfLine;
  switch (event.type) {
    case EventType::kOfferCreated:
    case EventType::kOfferUpdated: {
      if (f.size() != 6) return Malformed("offer event");
      auto offer = offer_of(f[4]);
      if (!offer.ok()) return offer.status();
      event.offer_id = std::string(f[3]);
      event.offer = offer.value();
      event.at = event.offer->updated_at;
      if (!f[5].empty()) {
        auto before = offer_of(f[5]);
        if (!before.ok()) return before.status();
        event.changed = OfferFieldsChanged(*before.value(), *event.offer);
      }
      break;
    }
    case EventType::kOfferBudgetThreshold: {
      if (f.size() != 8) return Malformed("threshold event");
      const auto basis = ParseUnsigned(f[4]);
      const auto percent = ParseUnsigned(f[5]);
      const auto used = ParseSigned(f[6]);
      const auto limit = ParseSigned(f[7]);
      if (!basis || *basis > 1 || !percent || !used || !limit) return Malformed("threshold event");
      event.offer_id = std::string(f[3]);
      event.threshold = BudgetThreshold{static_cast<ThresholdBasis>(*basis),
                                        static_cast<int>(*percent), *used, *limit};
      break;
    }
    default: {
      event.redemption_id = std::string(f[3]);
      if (record.empty()) break;  // a record is never deleted; tolerate one that is not there
      RedemptionStatus created_as = RedemptionStatus::kReserved;
      auto r = DecodeRedemptionRecord(event.redemption_id, record, &created_as);
      if (!r.ok()) return r.status();
      event.redemption = RedemptionAsOf(r.value(), created_as, StatusOfRedemptionEvent(event.type));
      break;
    }
  }
  return event;
}

}  // namespace

Result<EventPage> EventPageFromPayload(const std::vector<RedisReply>& payload) {
  constexpr std::size_t kEventFields = 3;  // seq, text, record
  if (payload.size() < 3 || (payload.size() - 3) % kEventFields != 0) {
    return Malformed("events page of " + std::to_string(payload.size()) + " fields");
  }
  const auto last = ParseUnsigned(payload[0].str());
  const auto oldest = ParseUnsigned(payload[1].str());
  const auto next_after = ParseUnsigned(payload[2].str());
  if (!last || !oldest || !next_after) return Malformed("events page head");
  EventPage page;
  page.last_seq = *last;
  page.oldest_seq = *oldest;
  page.next_after = *next_after;
  for (std::size_t i = 3; i < payload.size(); i += kEventFields) {
    const auto seq = ParseUnsigned(payload[i].str());
    if (!seq) return Malformed("event seq " + payload[i].str());
    auto event = DecodeEvent(*seq, payload[i + 1].str(), payload[i + 2].str());
    if (!event.ok()) return event.status();
    page.events.push_back(std::move(event).value());
  }
  return page;
}

Result<LogRead> LogEntriesFromXrange(const RedisReply& reply, LogPosition skip_through) {
  LogRead out;
  if (reply.is_error()) return StatusFromErrorReply(reply);
  if (!reply.is_array()) return Malformed("stream entries " + reply.DebugString());
  for (const RedisReply& entry : reply.elements()) {
    if (!entry.is_array() || entry.elements().size() != 2) return Malformed("stream entry");
    const auto position = LogPosition::Parse(entry.elements()[0].str());
    if (!position) return Malformed("entry id " + entry.elements()[0].str());
    if (out.count++ == 0) out.first = *position;
    if (*position <= skip_through) continue;
    auto mutation = MutationFromFields(entry.elements()[1].elements());
    if (!mutation.ok()) return mutation.status();
    out.entries.push_back(LogEntry{*position, std::move(mutation).value()});
  }
  return out;
}

Result<LogRead> LogEntriesFromXread(const RedisReply& reply, LogPosition skip_through) {
  if (reply.is_nil()) return LogRead{};
  if (reply.is_error()) return StatusFromErrorReply(reply);
  // [[stream, [[id, [field, value, ...]], ...]]]
  if (!reply.is_array() || reply.elements().size() != 1) return Malformed(reply.DebugString());
  const RedisReply& stream = reply.elements()[0];
  if (!stream.is_array() || stream.elements().size() != 2) return Malformed("XREAD stream");
  return LogEntriesFromXrange(stream.elements()[1], skip_through);
}

Result<OfferHistoryPage> OfferHistoryPageFromPayload(const std::vector<RedisReply>& payload,
                                                     const std::string& offer_id) {
  if (payload.size() < 2) return Malformed("offer history reply");
  if (payload[0].str().empty()) {
    return Status(StatusCode::kNotFound, "offer " + offer_id + " does not exist");
  }
  const auto latest = ParseSigned(payload[0].str());
  if (!latest) return Malformed("offer version " + payload[0].str());
  OfferHistoryPage page;
  page.latest_version = *latest;
  page.merchant_id = payload[1].str();
  for (std::size_t i = 2; i < payload.size(); ++i) {
    auto offer = OfferOfLine(payload[i].str());
    if (!offer.ok()) return offer.status();
    page.versions.push_back(*offer.value());
  }
  return page;
}

}  // namespace uudai::gateway
