#include "store/redis/event_merger.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

#include "store/redis/redemption_record.h"
#include "store/redis/redis_store.h"
#include "store/redis/redis_store_codec.h"
#include "store/redis/redis_store_core.h"
#include "uudai/store_event.h"

namespace uudai::gateway {

namespace {

// An event read from a data shard, to copy: as events_merge takes it (see there).
struct ShardEvent {
  std::int64_t micros;
  std::size_t shard;
  std::int64_t seq;
  std::string text;
  std::string record;
  std::string ledger;  // the redemption id of a creation, else ""
  std::string counts;  // what it counts of its offers, else ""
};

// The number an event's text starts with (EventType's, store_event.h).
constexpr std::int64_t TypeNumber(EventType type) { return static_cast<std::int64_t>(type); }

// events_merge's `counts` argument for an event `text` of a redemption whose record is
// `record`, created (`created`) or not: its time, then per applied offer it counts (a
// creation) or gives back (a release, an expiry; a refund of the offers that restore): id, +1
// or -1, the amount signed alike. "" when it counts nothing. The hub counts those of them it
// keeps (hot offers), whatever this gateway's view knows of them.
std::string OfferCounts(const std::string& text, const std::string& record, bool created) {
  const std::vector<std::string_view> e = SplitFields(text, kRecordField);
  const auto type = e.empty() ? std::nullopt : ParseSigned(e[0]);
  if (!type || e.size() < 2) return {};
  const bool refund = *type == TypeNumber(EventType::kRedemptionRefunded);
  const bool gives_back = refund || *type == TypeNumber(EventType::kRedemptionReleased) ||
                          *type == TypeNumber(EventType::kRedemptionExpired);
  if (!created && !gives_back) return {};
  const std::vector<std::string_view> sections = SplitFields(record, kRecordSection);
  if (sections.size() < 2) return {};
  // expires_at, shopper, day, merchant, order, then per applied offer: id, amount, code,
  // restores.
  const std::vector<std::string_view> plan = SplitFields(sections[1], kRecordField);
  std::string out;
  for (std::size_t i = 5; i + 3 < plan.size(); i += 4) {
    if (refund && plan[i + 3] != "1") continue;
    const char* sign = created ? "" : "-";
    out += kRecordField;
    out.append(plan[i]);
    out += kRecordField;
    out += created ? "1" : "-1";
    out += kRecordField;
    out += plan[i + 1] == "0" ? std::string("0") : sign + std::string(plan[i + 1]);
  }
  return out.empty() ? out : std::string(e[1]) + out;
}

}  // namespace

struct EventMerger::Job {
  std::size_t page = 0;
  bool leased = false;
  std::size_t copied = 0;
  Completion<std::size_t> done;
  // The round in flight:
  std::mutex mutex;
  std::size_t waiting = 0;
  std::optional<Status> failure;
  std::vector<std::string> positions;  // per data shard, as events_merged answered
  std::vector<std::string> reached;    // per data shard, the last seq read
  std::vector<ShardEvent> events;
  bool full = false;  // a shard had a full page: more may follow
};

EventMerger::EventMerger(std::shared_ptr<RedisClient> client, std::vector<std::string> prefixes)
    : client_(std::move(client)),
      function_("uudai", RedisStoreScriptSource()),
      prefixes_(std::move(prefixes)),
      owner_(RandomHexId()) {}

void EventMerger::Call(std::size_t shard, std::vector<std::string> args,
                       std::function<void(Result<RedisReply>)> done) {
  client_->Call(function_, {prefixes_[shard] + "log"}, std::move(args), std::move(done));
}

void EventMerger::Merge(std::size_t page, Completion<std::size_t> done, bool leased) {
  if (prefixes_.size() < 2 || running_->exchange(true)) return done(std::size_t{0});
  auto job = std::make_shared<Job>();
  job->page = page;
  job->leased = leased;
  job->done = std::move(done);
  Round(std::move(job));
}

void EventMerger::Finish(const std::shared_ptr<Job>& job, Result<std::size_t> result) {
  running_->store(false);
  job->done(std::move(result));
}

void EventMerger::Round(std::shared_ptr<Job> job) {
  const std::size_t data_shards = prefixes_.size() - 1;
  job->positions.assign(data_shards, "0");
  job->reached.assign(data_shards, "0");
  job->events.clear();
  job->full = false;
  std::vector<std::string> ask = {"events_merged"};
  if (job->leased) ask = {"merge_lease", owner_, std::to_string(kLeaseMillis)};
  Call(0, std::move(ask), [this, job, data_shards](Result<RedisReply> reply) {
    Result<ScriptReply> merged = ParseScriptReply(reply);
    if (!merged.ok()) return Finish(job, merged.status());
    if (!merged->status.ok()) return Finish(job, merged->status);
    const auto& p = merged->payload;
    std::size_t first = 0;
    if (job->leased) {
      if (p.empty() || p[0].str() != "leased") return Finish(job, job->copied);  // busy
      first = 1;
    }
    for (std::size_t i = first; i + 1 < p.size(); i += 2) {
      const auto shard = ParseUnsigned(p[i].str());
      if (shard && *shard >= 1 && *shard <= data_shards)
        job->positions[*shard - 1] = p[i + 1].str();
    }
    job->reached = job->positions;
    job->waiting = data_shards;
    for (std::size_t k = 1; k <= data_shards; ++k) {
      Call(k, {"events_since", job->positions[k - 1], std::to_string(job->page)},
           [this, job, k](Result<RedisReply> read) {
             Result<ScriptReply> events = ParseScriptReply(read);
             std::unique_lock lock(job->mutex);
             if (!events.ok() || !events->status.ok()) {
               if (!job->failure) job->failure = events.ok() ? events->status : events.status();
             } else {
               // seq, text, record, micros, created per event.
               const auto& e = events->payload;
               for (std::size_t i = 0; i + 4 < e.size(); i += 5) {
                 const auto micros = ParseSigned(e[i + 3].str());
                 const auto seq = ParseSigned(e[i].str());
                 if (!micros || !seq) {
                   if (!job->failure) {
                     job->failure = Status(StatusCode::kInternal, "malformed event " + e[i].str());
                   }
                   break;
                 }
                 const bool created = e[i + 4].str() == "1";
                 std::string text = e[i + 1].str();
                 std::string record = e[i + 2].str();
                 std::string ledger;
                 if (created) {
                   const std::vector<std::string_view> f = SplitFields(text, kRecordField);
                   if (f.size() > 3) ledger = std::string(f[3]);
                 }
                 std::string counts =
                     record.empty() ? std::string() : OfferCounts(text, record, created);
                 job->events.push_back(ShardEvent{*micros, k, *seq, std::move(text),
                                                  std::move(record), std::move(ledger),
                                                  std::move(counts)});
                 job->reached[k - 1] = e[i].str();
               }
               if (e.size() / 5 >= job->page) job->full = true;
             }
             if (--job->waiting > 0) return;
             lock.unlock();
             Copy(job);
           });
    }
  });
}

void EventMerger::Copy(std::shared_ptr<Job> job) {
  if (job->failure) return Finish(job, *job->failure);
  if (job->events.empty()) return Finish(job, job->copied);
  std::sort(job->events.begin(), job->events.end(), [](const ShardEvent& a, const ShardEvent& b) {
    return std::tie(a.micros, a.shard, a.seq) < std::tie(b.micros, b.shard, b.seq);
  });
  const std::size_t data_shards = prefixes_.size() - 1;
  std::vector<std::string> args = {"events_merge", std::to_string(data_shards)};
  args.reserve(2 + 3 * data_shards + 5 * job->events.size());
  for (std::size_t k = 1; k <= data_shards; ++k) {
    args.push_back(std::to_string(k));
    args.push_back(job->positions[k - 1]);
    args.push_back(job->reached[k - 1]);
  }
  for (ShardEvent& event : job->events) {
    args.push_back(std::to_string(event.shard));
    args.push_back(std::move(event.text));
    args.push_back(std::move(event.record));
    args.push_back(std::move(event.ledger));
    args.push_back(std::move(event.counts));
  }
  const std::size_t count = job->events.size();
  Call(0, std::move(args), [this, job, count](Result<RedisReply> reply) {
    Result<ScriptReply> answer = ParseScriptReply(reply);
    if (!answer.ok()) return Finish(job, answer.status());
    if (!answer->status.ok()) return Finish(job, answer->status);
    // "moved": another gateway copied first; what it copied is not copied again.
    if (answer->payload.empty() || answer->payload[0].str() != "merged") {
      return Finish(job, job->copied);
    }
    job->copied += count;
    if (job->full) return Round(job);
    Finish(job, job->copied);
  });
}

}  // namespace uudai::gateway
