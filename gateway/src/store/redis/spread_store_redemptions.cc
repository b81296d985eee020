// SpreadStore's redemptions (each in its shopper's shard, its home), its ledger and its
// batches of offers.
#include <algorithm>
#include <mutex>
#include <set>
#include <utility>

#include "store/redis/ask_every_shard.h"
#include "store/redis/event_merger.h"
#include "store/redis/redemption_record.h"
#include "store/redis/redis_store_codec.h"
#include "store/redis/redis_store_core.h"
#include "store/redis/saga_sweeper.h"
#include "store/redis/spread_store.h"

namespace uudai::gateway {

namespace {

// `message` of a part of a batch, its offers' places ("[j]") given as places in the batch.
std::string InBatchPositions(const std::string& message, const std::vector<std::size_t>& places) {
  std::string out;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const std::size_t close = message[i] == '[' ? message.find(']', i) : std::string::npos;
    if (close != std::string::npos && close > i + 1 &&
        message.find_first_not_of("0123456789", i + 1) == close) {
      const std::size_t j = std::stoul(message.substr(i + 1, close - i - 1));
      out += "[" + std::to_string(j < places.size() ? places[j] : j) + "]";
      i = close;
    } else {
      out += message[i];
    }
  }
  return out;
}

}  // namespace

void SpreadStore::FindIdempotentResponse(std::string scope_key, std::string fingerprint,
                                         Completion<std::optional<std::string>> done) {
  AskEveryShard<std::optional<std::string>>(
      data_shards(),
      [scope_key, fingerprint](RedisStore& shard, Completion<std::optional<std::string>> d) {
        shard.FindIdempotentResponse(scope_key, fingerprint, std::move(d));
      },
      // A replay, or a definite answer about the key (reused, in progress), settles it.
      [](const Result<std::optional<std::string>>& r) {
        return r.ok() ? r->has_value() : r.status().code() != StatusCode::kUnavailable;
      },
      std::optional<std::string>(), std::move(done));
}

void SpreadStore::SettleRefusal(RefusalCheck check, Completion<SettledRefusal> done) {
  // The claim and the order are in the home of a shopper this check does not name: every
  // shard settles it (each fences the claim where it is not found).
  AskEveryShard<SettledRefusal>(
      data_shards(),
      [check](RedisStore& shard, Completion<SettledRefusal> d) {
        shard.SettleRefusal(check, std::move(d));
      },
      [](const Result<SettledRefusal>& r) {
        return r.ok() ? (r->replay || r->live_redemption_id)
                      : r.status().code() != StatusCode::kUnavailable;
      },
      SettledRefusal{}, std::move(done));
}

void SpreadStore::TransitionRedemption(std::string id, RedemptionAction action,
                                       Completion<Redemption> done) {
  // The home is the one shard that does not answer kNotFound. A transition that gave limits
  // back queued their release in the shards of offers it held there: sent before the answer.
  AskEveryShard<Redemption>(
      data_shards(),
      [id, action](RedisStore& shard, Completion<Redemption> d) {
        shard.TransitionRedemption(id, action, std::move(d));
      },
      [](const Result<Redemption>& r) {
        return r.ok() || (r.status().code() != StatusCode::kNotFound &&
                          r.status().code() != StatusCode::kUnavailable);
      },
      Status(StatusCode::kNotFound, "redemption " + id + " does not exist"),
      [this, done = std::move(done)](Result<Redemption> moved) mutable {
        // A late commit expires the reservation (kReservationExpired): its home is not told,
        // so every data shard's queue is sent.
        std::string home;
        if (moved.ok()) {
          const Redemption& r = moved.value();
          if (r.status == RedemptionStatus::kReserved || r.status == RedemptionStatus::kCommitted) {
            return done(std::move(moved));  // nothing given back
          }
          home = layout_.name(layout_.OfShopper(r.shopper_id));
          // A hot offer may have been counted in any shard's share.
          const bool held_elsewhere =
              std::any_of(r.applied.begin(), r.applied.end(), [&](const RedeemedOffer& a) {
                return IsHot(a.offer_id) ||
                       layout_.name(layout_.OfOffer(a.layer, a.offer_merchant_id)) != home;
              });
          if (!held_elsewhere) return done(std::move(moved));
        } else if (moved.status().code() != StatusCode::kReservationExpired) {
          return done(std::move(moved));
        }
        SendReleases(home, [moved = std::move(moved), done = std::move(done)]() mutable {
          done(std::move(moved));
        });
      });
}

void SpreadStore::SendReleases(const std::string& home, std::function<void()> then) {
  sweeper_->SendReleases(kSweepBatch, home,
                         [then = std::move(then)](Result<SagaSweep>) { then(); });
}

void SpreadStore::GetRedemption(std::string id, Completion<Redemption> done) {
  AskEveryShard<Redemption>(
      data_shards(),
      [id](RedisStore& shard, Completion<Redemption> d) { shard.GetRedemption(id, std::move(d)); },
      [](const Result<Redemption>& r) {
        return r.ok() || (r.status().code() != StatusCode::kNotFound &&
                          r.status().code() != StatusCode::kUnavailable);
      },
      Status(StatusCode::kNotFound, "redemption " + id + " does not exist"), std::move(done));
}

void SpreadStore::FindLiveOrder(std::string merchant_id, std::string order_id,
                                Completion<std::optional<std::string>> done) {
  AskEveryShard<std::optional<std::string>>(
      data_shards(),
      [merchant_id, order_id](RedisStore& shard, Completion<std::optional<std::string>> d) {
        shard.FindLiveOrder(merchant_id, order_id, std::move(d));
      },
      [](const Result<std::optional<std::string>>& r) { return r.ok() && r->has_value(); },
      std::optional<std::string>(), std::move(done));
}

void SpreadStore::ExpireDue(std::size_t max_count, Completion<std::size_t> done) {
  struct Expiring {
    std::mutex mutex;
    std::size_t left;
    std::size_t expired = 0;
    std::optional<Status> failure;
    Completion<std::size_t> done;
  };
  auto job = std::make_shared<Expiring>();
  job->left = data_shards().size();
  job->done = std::move(done);
  // Each shard up to max_count: the caller calls again while a call expires max_count.
  for (const auto& shard : data_shards()) {
    shard->ExpireDue(max_count, [self = this, job, max_count](Result<std::size_t> expired) {
      std::unique_lock lock(job->mutex);
      if (expired.ok()) {
        job->expired += expired.value();
      } else if (!job->failure) {
        job->failure = expired.status();
      }
      if (--job->left > 0) return;
      lock.unlock();
      if (job->expired == 0 && job->failure) return job->done(*job->failure);
      const std::size_t count = std::min(job->expired, max_count);
      if (count == 0) return job->done(count);
      self->SendReleases("", [job, count] { job->done(count); });
    });
  }
}

void SpreadStore::ReadLedger(LedgerPageQuery query, Completion<LedgerPage> done) {
  // The hub's ledger lists what was merged: merge first, so that a reader sees what was just
  // created anywhere.
  merger_->Merge(kEventsPerMerge, [this, query = std::move(query),
                                   done = std::move(done)](Result<std::size_t>) mutable {
    constexpr std::size_t kLedgerReadsPerCall = 256;
    const std::size_t count = std::clamp<std::size_t>(query.limit, 1, kLedgerReadsPerCall);
    shards_[0]->ReadLedgerEntries(
        query.start, query.end, count,
        [this, query, done = std::move(done)](Result<RedisStore::LedgerEntries> read) mutable {
          if (!read.ok()) return done(read.status());
          ReadLedgerRecords(std::move(query), std::move(read).value(), std::move(done));
        });
  });
}

void SpreadStore::ReadLedgerRecords(LedgerPageQuery query, RedisStore::LedgerEntries read,
                                    Completion<LedgerPage> done) {
  struct Reading {
    std::mutex mutex;
    std::size_t waiting = 0;
    std::optional<Status> failure;
    std::vector<std::string> ids;
    std::vector<std::string> records;
  };
  auto reading = std::make_shared<Reading>();
  // Each entry is shard US redemption id: the ids by shard, with their place in the page.
  std::vector<std::vector<std::size_t>> places(shards_.size());
  for (const std::string& entry : read.entries) {
    const std::vector<std::string_view> f = SplitFields(entry, kRecordField);
    const auto shard = f.size() == 2 ? ParseUnsigned(f[0]) : std::nullopt;
    if (!shard || *shard == 0 || *shard >= shards_.size()) {
      return done(Status(StatusCode::kInternal, "malformed ledger entry " + entry));
    }
    places[*shard].push_back(reading->ids.size());
    reading->ids.emplace_back(f[1]);
  }
  reading->records.resize(reading->ids.size());
  auto finish = [reading, query, end = read.end, done = std::move(done)]() mutable {
    if (reading->failure) return done(*reading->failure);
    std::vector<std::pair<std::string_view, std::string_view>> rows;
    for (std::size_t i = 0; i < reading->ids.size(); ++i) {
      rows.emplace_back(reading->ids[i], reading->records[i]);
    }
    done(LedgerPageFromRows(rows, end, query));
  };
  for (const auto& at : places) reading->waiting += at.empty() ? 0 : 1;
  if (reading->waiting == 0) return finish();
  auto shared_finish = std::make_shared<decltype(finish)>(std::move(finish));
  for (std::size_t k = 0; k < places.size(); ++k) {
    if (places[k].empty()) continue;
    std::vector<std::string> ids;
    for (const std::size_t i : places[k]) ids.push_back(reading->ids[i]);
    shards_[k]->ReadRecords(std::move(ids), [reading, at = places[k], shared_finish](
                                                Result<std::vector<std::string>> records) {
      std::unique_lock lock(reading->mutex);
      if (!records.ok()) {
        if (!reading->failure) reading->failure = records.status();
      } else {
        for (std::size_t j = 0; j < at.size() && j < records->size(); ++j) {
          reading->records[at[j]] = std::move(records.value()[j]);
        }
      }
      if (--reading->waiting > 0) return;
      lock.unlock();
      (*shared_finish)();
    });
  }
}

// --- Batches of offers ----------------------------------------------------------------------

void SpreadStore::CreateOffers(std::vector<Offer> offers, Completion<std::vector<Offer>> done) {
  done = WithSharesOfBatch(std::move(done));
  // Ids are unique in the whole store (and in the batch): checked in every shard's view here,
  // in its own shard by its staging.
  std::vector<FieldError> taken;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < offers.size(); ++i) {
    if (FindOffer(offers[i].id) != nullptr || !seen.insert(offers[i].id).second) {
      taken.push_back(
          {"[" + std::to_string(i) + "].id", "offer " + offers[i].id + " already exists"});
    }
  }
  if (!taken.empty()) {
    return done(Status::WithFieldErrors(StatusCode::kAlreadyExists, "offer ids are taken",
                                        std::move(taken)));
  }
  // By shard, each part staged there; once every part is staged, published part after part in
  // the order of their first offers (so that their events follow the batch's order), or all
  // taken back when one was refused.
  std::vector<std::vector<std::size_t>> parts(shards_.size());
  for (std::size_t i = 0; i < offers.size(); ++i) {
    parts[layout_.OfOffer(offers[i].layer, offers[i].merchant_id)].push_back(i);
  }
  std::erase_if(parts, [](const auto& part) { return part.empty(); });
  std::sort(parts.begin(), parts.end());  // by first position
  struct Batch {
    std::mutex mutex;
    std::size_t staging = 0;
    std::size_t answering = 0;
    std::size_t next_publish = 0;
    bool publish = false;
    std::vector<Offer> offers;
    std::vector<std::function<void(bool)>> decisions;  // per part
    std::vector<FieldError> refused;
    StatusCode refusal = StatusCode::kOk;
    std::string refusal_message;
    std::optional<Status> failure;
    Completion<std::vector<Offer>> done;
  };
  auto batch = std::make_shared<Batch>();
  batch->offers = std::move(offers);
  batch->done = std::move(done);
  if (parts.empty()) return batch->done(std::vector<Offer>());
  batch->staging = parts.size();
  batch->answering = parts.size();
  batch->decisions.resize(parts.size());
  for (std::size_t p = 0; p < parts.size(); ++p) {
    std::vector<Offer> part;
    for (const std::size_t i : parts[p]) part.push_back(batch->offers[i]);
    const std::size_t shard =
        layout_.OfOffer(batch->offers[parts[p][0]].layer, batch->offers[parts[p][0]].merchant_id);
    shards_[shard]->CreateOffersInStep(
        std::move(part),
        // Staged (or refused, naming each refused offer by its place in the part).
        [batch, p, positions = parts[p]](Status staged, std::function<void(bool)> decision) {
          std::unique_lock lock(batch->mutex);
          batch->decisions[p] = std::move(decision);
          if (!staged.ok()) {
            if (staged.code() == StatusCode::kUnavailable ||
                staged.code() == StatusCode::kInternal) {
              if (!batch->failure) batch->failure = staged;
            } else {
              if (batch->refusal == StatusCode::kOk) {
                batch->refusal = staged.code();
                batch->refusal_message = staged.message();
              }
              for (const FieldError& e : staged.field_errors()) {
                // "[j]..." of the part is "[positions[j]]..." of the batch.
                const std::size_t close = e.path.find(']');
                const std::size_t j = e.path.rfind("[", 0) == 0 && close != std::string::npos
                                          ? std::stoul(e.path.substr(1, close - 1))
                                          : 0;
                batch->refused.push_back(
                    {"[" + std::to_string(positions.at(j)) + e.path.substr(close),
                     InBatchPositions(e.message, positions)});
              }
            }
          }
          if (--batch->staging > 0) return;
          batch->publish = batch->refusal == StatusCode::kOk && !batch->failure;
          lock.unlock();
          if (batch->publish) return batch->decisions[0](true);
          for (auto& take_back : batch->decisions) take_back(false);
        },
        // Published or taken back.
        [batch](Result<std::vector<Offer>> stored) {
          std::unique_lock lock(batch->mutex);
          if (!stored.ok() && !batch->failure && batch->refusal == StatusCode::kOk) {
            batch->failure = stored.status();
          }
          if (batch->publish && ++batch->next_publish < batch->decisions.size()) {
            // The next part, whatever became of this one: a part whose commit failed is
            // answered as a failure, and its offers are not stored (unless the commit's answer
            // was lost); once committed, a part is answered as stored.
            auto next = batch->decisions[batch->next_publish];
            lock.unlock();
            next(true);
            lock.lock();
          }
          if (--batch->answering > 0) return;
          // The decisions hold the parts' jobs, whose completions hold the batch: let go.
          batch->decisions.clear();
          lock.unlock();
          if (batch->refusal != StatusCode::kOk) {
            // In the batch's order, as one shard names them.
            std::stable_sort(batch->refused.begin(), batch->refused.end(),
                             [](const FieldError& a, const FieldError& b) {
                               return std::stoul(a.path.substr(1)) < std::stoul(b.path.substr(1));
                             });
            return batch->done(Status::WithFieldErrors(batch->refusal, batch->refusal_message,
                                                       std::move(batch->refused)));
          }
          if (batch->failure) return batch->done(*batch->failure);
          for (Offer& offer : batch->offers) offer.version = 1;
          batch->done(std::move(batch->offers));
        });
  }
}

}  // namespace uudai::gateway
