// RedisStore's batches of new offers (Store::CreateOffers): staged in offers_stage calls of
// offers_per_call offers, then published by one offers_commit and told to the views a chunk a
// call (offers_announce), or taken back (redis_store_offers.lua).
#include <algorithm>
#include <optional>

#include "store/redis/redis_store_core.h"

namespace uudai::gateway {

void RedisStore::Core::CreateOffers(std::vector<Offer> offers, Completion<std::vector<Offer>> done,
                                    RedisStore::StagedOffers staged) {
  auto job = std::make_shared<Batching>();
  job->staged = std::move(staged);
  // Offer ids carry 80 random bits: the first one names the batch well enough.
  job->token = offers.empty() ? std::string() : offers.front().id;
  job->args.reserve(offers.size() * kOfferArgs);
  for (Offer& offer : offers) {
    offer.version = 1;
    AppendOfferArgs(std::make_shared<const Offer>(offer), job->args, options_.limit_share);
  }
  job->offers = std::move(offers);
  job->done = std::move(done);
  if (job->offers.empty()) return job->done(std::move(job->offers));
  StageNext(std::move(job));
}

void RedisStore::Core::StageNext(std::shared_ptr<Batching> job) {
  if (job->next >= job->offers.size()) {
    if (job->refusal == StatusCode::kOk) return Staged(std::move(job), Status::Ok());
    Status refusal =
        Status::WithFieldErrors(job->refusal, job->refusal_message, std::move(job->refused));
    return Staged(std::move(job), std::move(refusal));
  }
  const std::size_t end = std::min(job->offers.size(), job->next + options_.offers_per_call);
  std::vector<std::string> args = {"offers_stage", job->token, std::to_string(job->next)};
  args.insert(args.end(), job->args.begin() + static_cast<std::ptrdiff_t>(job->next * kOfferArgs),
              job->args.begin() + static_cast<std::ptrdiff_t>(end * kOfferArgs));
  Run(std::move(args), [self = shared_from_this(), job, end](Result<ScriptReply> reply) {
    if (!reply.ok()) return self->Staged(job, reply.status());
    if (!reply->status.ok()) {
      // This chunk staged nothing; the payload names each refused offer (path, why). The other
      // chunks are still checked, so that the answer lists every refused offer.
      if (job->refusal == StatusCode::kOk) {
        job->refusal = reply->status.code();
        job->refusal_message = reply->status.message();
      }
      for (std::size_t i = 0; i + 1 < reply->payload.size(); i += 2) {
        job->refused.push_back({reply->payload[i].str(), reply->payload[i + 1].str()});
      }
    }
    job->next = end;
    self->StageNext(job);
  });
}

void RedisStore::Core::Staged(std::shared_ptr<Batching> job, Status status) {
  if (!job->staged) {
    if (status.ok()) return CommitBatch(std::move(job));
    return Unstage(std::move(job), std::move(status));
  }
  auto staged = std::move(job->staged);
  staged(status, [self = shared_from_this(), job, status](bool publish) {
    if (publish && status.ok()) return self->CommitBatch(job);
    self->Unstage(job, status.ok() ? Status(StatusCode::kUnavailable,
                                            "the batch was taken back: another part was refused")
                                   : status);
  });
}

void RedisStore::Core::CommitBatch(std::shared_ptr<Batching> job) {
  const std::size_t chunks =
      (job->offers.size() + options_.offers_per_call - 1) / options_.offers_per_call;
  std::vector<std::string> args = {"offers_commit", job->token, std::to_string(job->offers.size()),
                                   std::to_string(chunks), std::to_string(clock_.Now().millis)};
  Run(std::move(args), [self = shared_from_this(), job](Result<ScriptReply> reply) {
    if (!reply.ok()) return self->Unstage(job, reply.status());
    if (!reply->status.ok()) return self->Unstage(job, reply->status);
    self->Announced(std::move(job), std::move(reply).value());
  });
}

void RedisStore::Core::Announced(std::shared_ptr<Batching> job, ScriptReply reply) {
  const bool more = !reply.payload.empty() && reply.payload[0].str() == "more";
  if (more) return AnnounceNext(std::move(job));
  // Read-your-writes: the answer waits until this gateway's view has read the whole batch (up
  // to the log's end when another gateway's heartbeat told the last chunks).
  std::optional<LogPosition> last = reply.entry;
  if (!last && reply.payload.size() > 1) last = LogPosition::Parse(reply.payload[1].str());
  if (!last) return job->done(std::move(job->offers));
  mirror_->WhenApplied(*last, [job] { job->done(std::move(job->offers)); });
}

void RedisStore::Core::AnnounceNext(std::shared_ptr<Batching> job) {
  Run({"offers_announce", job->token}, [self = shared_from_this(), job](Result<ScriptReply> next) {
    const Status failure = next.ok() ? next->status : next.status();
    if (failure.ok()) {
      job->announce_failures = 0;
      return self->Announced(job, std::move(next).value());
    }
    // The batch is stored (the commit published it): whatever happens from here on, the answer
    // is the batch. A call that failed (it may yet have told its chunk) is made again, and
    // past announce_attempts failures in a row the batch is answered without waiting for
    // this gateway's view: the gateways' heartbeats tell the chunks left (reader_heartbeat).
    if (++job->announce_failures < self->options_.announce_attempts) return self->AnnounceNext(job);
    job->done(std::move(job->offers));
  });
}

void RedisStore::Core::Unstage(std::shared_ptr<Batching> job, Status status) {
  // Best effort: when Redis cannot take this call either, the batch's claims lapse with its
  // batch key (BATCH_TTL_MILLIS). A failed commit may yet have been applied (a timeout): then
  // the batch is gone and this finds nothing to take back.
  Run({"offers_unstage", job->token},
      [job, status = std::move(status)](Result<ScriptReply>) mutable {
        job->done(std::move(status));
      });
}

}  // namespace uudai::gateway
