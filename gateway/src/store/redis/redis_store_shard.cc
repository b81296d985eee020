// RedisStore's part in a store spread over shards (SpreadStore): what a data shard and the
// hub answer beyond the Store interface.
#include "store/redis/redis_store.h"
#include "store/redis/redis_store_codec.h"
#include "store/redis/redis_store_core.h"
#include "store/redis/store_mirror.h"

namespace uudai::gateway {

void RedisStore::ReadLedgerEntries(std::uint64_t start, std::uint64_t end, std::size_t count,
                                   Completion<LedgerEntries> done) {
  core_->Run({"ledger_page", std::to_string(start), std::to_string(end), std::to_string(count)},
             [done = std::move(done)](Result<ScriptReply> reply) {
               if (!reply.ok()) return done(reply.status());
               if (!reply->status.ok()) return done(reply->status);
               const auto& p = reply->payload;
               LedgerEntries entries;
               if (p.empty()) return done(Status(StatusCode::kInternal, "malformed ledger page"));
               const auto stop = ParseUnsigned(p[0].str());
               if (!stop) {
                 return done(Status(StatusCode::kInternal, "malformed ledger stop " + p[0].str()));
               }
               entries.end = *stop;
               for (std::size_t i = 1; i + 1 < p.size(); i += 2)
                 entries.entries.push_back(p[i].str());
               done(std::move(entries));
             });
}

void RedisStore::ReadRecords(std::vector<std::string> ids,
                             Completion<std::vector<std::string>> done) {
  if (ids.empty()) return done(std::vector<std::string>());
  std::vector<std::string> argv = {"HMGET", core_->Key("rec")};
  argv.insert(argv.end(), std::make_move_iterator(ids.begin()), std::make_move_iterator(ids.end()));
  core_->Pick().Command(std::move(argv), [done = std::move(done)](Result<RedisReply> reply) {
    if (!reply.ok()) return done(Status(StatusCode::kUnavailable, reply.status().message()));
    if (reply->is_error()) return done(StatusFromErrorReply(reply.value()));
    std::vector<std::string> records;
    for (const RedisReply& record : reply->elements()) {
      records.push_back(record.is_nil() ? std::string() : record.str());
    }
    done(std::move(records));
  });
}

void RedisStore::GetCountedOfferStats(std::string offer_id, OfferLimits limits,
                                      Completion<OfferStats> done) {
  core_->mirror().CatchUp([core = core_, offer_id = std::move(offer_id), limits,
                           done = std::move(done)](const Status&) {
    done(core->mirror().view().CountedOfferStats(offer_id, limits));
  });
}

}  // namespace uudai::gateway

namespace uudai::gateway {

void RedisStore::PutShare(const Offer& offer, Completion<bool> done) {
  std::vector<std::string> args = {"share_put", std::to_string(offer.version)};
  AppendOfferArgs(std::make_shared<const Offer>(offer), args, core_->options().limit_share);
  // The journal line is not kept with a share: not sent.
  args[2 + 6].clear();
  core_->Run(std::move(args), [done = std::move(done)](Result<ScriptReply> reply) {
    if (!reply.ok()) return done(reply.status());
    if (!reply->status.ok()) return done(reply->status);
    const auto& p = reply->payload;
    done(!p.empty() && p[0].str() == "written");
  });
}

void RedisStore::ReadShareVersions(std::vector<std::string> ids,
                                   Completion<std::vector<std::int64_t>> done) {
  if (ids.empty()) return done(std::vector<std::int64_t>());
  std::vector<std::string> args = {"share_versions"};
  args.insert(args.end(), std::make_move_iterator(ids.begin()), std::make_move_iterator(ids.end()));
  core_->Run(std::move(args), [done = std::move(done)](Result<ScriptReply> reply) {
    if (!reply.ok()) return done(reply.status());
    if (!reply->status.ok()) return done(reply->status);
    std::vector<std::int64_t> versions;
    for (const RedisReply& v : reply->payload) {
      const auto parsed = v.str().empty() ? std::optional<std::int64_t>(0) : ParseSigned(v.str());
      if (!parsed) return done(Status(StatusCode::kInternal, "malformed share version " + v.str()));
      versions.push_back(*parsed);
    }
    done(std::move(versions));
  });
}

}  // namespace uudai::gateway
