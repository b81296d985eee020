#include "store/redis/view_bootstrap.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "store/codec/mutation_codec.h"
#include "store/redis/redemption_record.h"
#include "uudai/memory_store.h"

namespace uudai::gateway {
namespace {

Status Malformed(const std::string& what) {
  return Status(StatusCode::kInternal, "malformed store state: " + what);
}

std::optional<std::uint64_t> Unsigned(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

// One page of a scan: the log entry it reflects, the next cursor ("0": the last page) and
// its items.
struct Page {
  std::uint64_t seen_at = 0;
  std::string next;
  std::vector<std::string> items;
};

Result<Page> ReadPage(const ViewBootstrapSource& source, const std::string& kind,
                      const std::string& cursor, std::size_t count) {
  Result<ScriptReply> reply = source.call({"scan", kind, cursor, std::to_string(count)});
  if (!reply.ok()) return reply.status();
  if (!reply->status.ok()) return reply->status;
  const std::vector<RedisReply>& p = reply->payload;
  if (p.size() < 2) return Malformed("a " + kind + " page of " + std::to_string(p.size()));
  Page page;
  const auto seen_at = Unsigned(p[0].str());
  if (!seen_at) return Malformed("a page's log entry " + p[0].str());
  page.seen_at = *seen_at;
  page.next = p[1].str();
  page.items.reserve(p.size() - 2);
  for (std::size_t i = 2; i < p.size(); ++i) page.items.push_back(p[i].str());
  return page;
}

// A record as a page read it.
struct ScannedRecord {
  std::string id;
  std::string record;
  std::uint64_t seen_at;
};

// What the log between `start` and the last page changed.
struct LaterChanges {
  std::unordered_map<std::string, std::uint64_t> created;             // id → its entry
  std::unordered_map<std::string, std::vector<std::uint64_t>> moved;  // id → transitions' entries
  std::size_t entries = 0;
};

Result<LaterChanges> ReadLaterChanges(const ViewBootstrapSource& source, std::uint64_t start,
                                      std::uint64_t last, std::size_t count) {
  LaterChanges changes;
  std::uint64_t at = start;
  while (at < last) {
    Result<LogRead> read = source.read(LogPosition{at, 0}, LogPosition{last, 0}, count);
    if (!read.ok()) return read.status();
    if (read->entries.empty() || read->entries.front().position.millis != at + 1) {
      return Status(StatusCode::kUnavailable, "the change log no longer holds entry " +
                                                  std::to_string(at + 1) +
                                                  ": it was trimmed while this gateway started");
    }
    for (const LogEntry& entry : read->entries) {
      const std::uint64_t seq = entry.position.millis;
      if (const auto* c = std::get_if<RedemptionCreated>(&entry.mutation)) {
        changes.created.emplace(c->redemption.id, seq);
      } else if (const auto* t = std::get_if<RedemptionTransitioned>(&entry.mutation)) {
        changes.moved[t->redemption_id].push_back(seq);
      }
      at = seq;
      ++changes.entries;
    }
  }
  return changes;
}

}  // namespace

Result<ViewBootstrapResult> BootstrapView(StoreMirror& mirror, std::uint64_t start,
                                          const ViewBootstrapSource& source, std::size_t page) {
  ViewBootstrapResult result;
  std::uint64_t last_seen = start;
  // Records first, offers after them: every offer a record applies is then among the offers.
  std::vector<ScannedRecord> records;
  for (std::string cursor = "0";;) {
    auto read = ReadPage(source, "records", cursor, page);
    if (!read.ok()) return read.status();
    if (read->items.size() % 2 != 0) return Malformed("a records page");
    for (std::size_t i = 0; i + 1 < read->items.size(); i += 2) {
      records.push_back({std::move(read->items[i]), std::move(read->items[i + 1]), read->seen_at});
    }
    last_seen = std::max(last_seen, read->seen_at);
    if (read->next == "0") break;
    cursor = read->next;
  }
  std::map<std::string, std::shared_ptr<const Offer>> offers;  // by id: a scan may repeat one
  for (std::string cursor = "0";;) {
    auto read = ReadPage(source, "offers", cursor, page);
    if (!read.ok()) return read.status();
    for (const std::string& line : read->items) {
      auto mutation = DecodeMutation(line);
      if (!mutation.ok()) return mutation.status();
      const auto* written = std::get_if<OfferWritten>(&mutation.value());
      if (written == nullptr) return Malformed("an offer's line");
      auto& kept = offers[written->offer->id];
      if (!kept || kept->version < written->offer->version) kept = written->offer;
    }
    last_seen = std::max(last_seen, read->seen_at);
    if (read->next == "0") break;
    cursor = read->next;
  }
  std::map<std::string, std::set<std::string>> codes;  // by offer
  for (std::string cursor = "0";;) {
    auto read = ReadPage(source, "codes", cursor, page);
    if (!read.ok()) return read.status();
    if (read->items.size() % 2 != 0) return Malformed("a codes page");
    for (std::size_t i = 0; i + 1 < read->items.size(); i += 2) {
      codes[read->items[i + 1]].insert(read->items[i]);
    }
    last_seen = std::max(last_seen, read->seen_at);
    if (read->next == "0") break;
    cursor = read->next;
  }
  auto later = ReadLaterChanges(source, start, last_seen, page);
  if (!later.ok()) return later.status();
  result.log_entries = later->entries;

  std::vector<std::shared_ptr<const Offer>> all_offers;
  all_offers.reserve(offers.size());
  for (auto& [id, offer] : offers) all_offers.push_back(std::move(offer));
  mirror.ApplyStateOffers(all_offers);
  result.offers = all_offers.size();
  for (auto& [offer_id, issued] : codes) {
    CodesIssued batch{offer_id, {}};
    for (const std::string& code : issued) {
      batch.codes.push_back(code);
      if (batch.codes.size() == MemoryStore::kExportedCodesPerBatch) {
        result.codes += batch.codes.size();
        mirror.ApplyState(batch);
        batch.codes.clear();
      }
    }
    result.codes += batch.codes.size();
    if (!batch.codes.empty()) mirror.ApplyState(batch);
  }
  for (const ScannedRecord& scanned : records) {
    if (later->created.contains(scanned.id)) continue;  // created after `start`: the log has it
    RedemptionStatus created_as = RedemptionStatus::kReserved;
    auto r = DecodeRedemptionRecord(scanned.id, scanned.record, &created_as);
    if (!r.ok()) return r.status();
    // The transitions the page saw that came after `start`: the log applies them.
    std::size_t after_start = 0;
    if (auto moved = later->moved.find(scanned.id); moved != later->moved.end()) {
      after_start = static_cast<std::size_t>(
          std::count_if(moved->second.begin(), moved->second.end(),
                        [&](std::uint64_t seq) { return seq <= scanned.seen_at; }));
    }
    std::vector<RedemptionTransitioned> history = TransitionsSince(created_as, r.value());
    if (after_start > history.size()) {
      return Malformed("redemption " + scanned.id + " moved more often than its record says");
    }
    history.resize(history.size() - after_start);
    mirror.ApplyState(RedemptionCreated{RedemptionAsCreated(r.value(), created_as), std::nullopt});
    for (RedemptionTransitioned& t : history) {
      t.redemption = r.value();
      mirror.ApplyState(t);
    }
    ++result.redemptions;
  }
  mirror.StartAt(LogPosition{start, 0});
  return result;
}

}  // namespace uudai::gateway
