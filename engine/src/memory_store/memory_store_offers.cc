// MemoryStore: offers (created one at a time or in batches, updated, listed, their history)
// and the unique codes issued for them.
#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "memory_store/memory_store_state.h"
#include "uudai/memory_store.h"
#include "uudai/offer_validator.h"

namespace uudai {
namespace {

Status NotFound(const std::string& what, const std::string& id) {
  return Status(StatusCode::kNotFound, what + " " + id + " does not exist");
}

}  // namespace

// --- Offers ----------------------------------------------------------------------------------

Status MemoryStore::NewOfferIdTaken(const std::string& id) const {
  if (state_->offers.count(id) == 0) return Status::Ok();
  if (state_->offers_not_durable.count(id) != 0) {
    return Status(StatusCode::kRequestInProgress,
                  "offer " + id +
                      " is being registered by a request not answered yet: send this "
                      "one again once it is");
  }
  return Status(StatusCode::kAlreadyExists, "offer " + id + " already exists");
}

void MemoryStore::NoteNotDurable(const std::vector<std::shared_ptr<const Offer>>& created) {
  if (options_.log == nullptr) return;
  for (const auto& offer : created) state_->offers_not_durable.insert(offer->id);
}

void MemoryStore::NoteDurable(const std::vector<std::shared_ptr<const Offer>>& created) {
  if (options_.log == nullptr) return;
  std::unique_lock lock(state_->offers_mutex);
  for (const auto& offer : created) state_->offers_not_durable.erase(offer->id);
}

void MemoryStore::CompleteOfferWrite(std::uint64_t sequence, std::shared_ptr<const Offer> stored,
                                     Completion<Offer> done) {
  AfterDurable(sequence, [this, stored = std::move(stored), done = std::move(done)](Status status) {
    if (!status.ok()) return done(std::move(status));
    if (observer_) observer_({stored});
    done(*stored);
  });
}

void MemoryStore::CreateOffer(Offer offer, Completion<Offer> done) {
  if (failed()) return done(State::Unavailable());
  offer.version = 1;
  auto stored = std::make_shared<const Offer>(std::move(offer));
  std::uint64_t sequence = 0;
  Status refused = [&] {
    std::unique_lock lock(state_->offers_mutex);
    if (Status taken = NewOfferIdTaken(stored->id); !taken.ok()) return taken;
    if (Status free = state_->CheckPublicCodeFreeLocked(*stored); !free.ok()) return free;
    state_->PutOfferLocked(stored);
    NoteNotDurable({stored});
    sequence = Record(OfferWritten{stored}, {OfferEvent(stored, nullptr)});
    return Status::Ok();
  }();
  if (!refused.ok()) return done(std::move(refused));
  CompleteOfferWrite(sequence, stored,
                     [this, stored, done = std::move(done)](Result<Offer> written) {
                       NoteDurable({stored});
                       done(std::move(written));
                     });
}

void MemoryStore::CreateOffers(std::vector<Offer> offers, Completion<std::vector<Offer>> done) {
  if (failed()) return done(State::Unavailable());
  std::vector<std::shared_ptr<const Offer>> stored;
  stored.reserve(offers.size());
  for (Offer& offer : offers) {
    offer.version = 1;
    stored.push_back(std::make_shared<const Offer>(std::move(offer)));
  }
  std::uint64_t sequence = 0;
  Status refused = [&] {
    std::unique_lock lock(state_->offers_mutex);
    std::vector<FieldError> taken;
    std::vector<FieldError> in_progress;
    std::vector<FieldError> conflicts;
    std::unordered_set<std::string_view> batch_ids;
    // code scope US code → the position of the batch's offer holding it
    std::unordered_map<std::string, std::size_t> batch_codes;
    for (std::size_t i = 0; i < stored.size(); ++i) {
      const Offer& offer = *stored[i];
      const std::string at = "[" + std::to_string(i) + "]";
      if (!batch_ids.insert(offer.id).second) {
        taken.push_back({at + ".id", "offer " + offer.id + " already exists"});
      } else if (Status id = NewOfferIdTaken(offer.id); !id.ok()) {
        (id.code() == StatusCode::kRequestInProgress ? in_progress : taken)
            .push_back({at + ".id", id.message()});
      }
      if (Status free = state_->CheckPublicCodeFreeLocked(offer); !free.ok()) {
        conflicts.push_back({at + ".code", free.message()});
      } else if (offer.code_mode == CodeMode::kPublic && offer.code &&
                 offer.status != OfferStatus::kArchived) {
        const std::string code_key = std::string(CodeScopeOf(offer)) + '\x1f' + *offer.code;
        if (auto [first, inserted] = batch_codes.try_emplace(code_key, i); !inserted) {
          conflicts.push_back({at + ".code", "code " + *offer.code + " is also the code of [" +
                                                 std::to_string(first->second) +
                                                 "] in this batch"});
        }
      }
    }
    if (!in_progress.empty()) {
      return Status::WithFieldErrors(StatusCode::kRequestInProgress,
                                     "offers are being registered by a request not answered yet: "
                                     "send this one again once it is",
                                     std::move(in_progress));
    }
    if (!taken.empty()) {
      return Status::WithFieldErrors(StatusCode::kAlreadyExists, "offer ids already exist",
                                     std::move(taken));
    }
    if (!conflicts.empty()) {
      return Status::WithFieldErrors(StatusCode::kCodeConflict,
                                     "public codes already belong to other offers",
                                     std::move(conflicts));
    }
    std::vector<StoreEvent> events;
    events.reserve(stored.size());
    for (const auto& offer : stored) {
      state_->PutOfferLocked(offer);
      events.push_back(OfferEvent(offer, nullptr));
    }
    NoteNotDurable(stored);
    sequence = Record(OffersCreated{stored}, std::move(events));
    return Status::Ok();
  }();
  if (!refused.ok()) return done(std::move(refused));
  AfterDurable(sequence, [this, stored = std::move(stored), done = std::move(done)](Status status) {
    NoteDurable(stored);
    if (!status.ok()) return done(std::move(status));
    if (observer_) observer_(stored);
    std::vector<Offer> out;
    out.reserve(stored.size());
    for (const auto& offer : stored) out.push_back(*offer);
    done(std::move(out));
  });
}

void MemoryStore::UpdateOffer(Offer offer, std::int64_t base_version, Completion<Offer> done) {
  if (failed()) return done(State::Unavailable());
  std::shared_ptr<const Offer> stored;
  std::uint64_t sequence = 0;
  Status refused = [&] {
    std::unique_lock lock(state_->offers_mutex);
    auto it = state_->offers.find(offer.id);
    if (it == state_->offers.end()) return NotFound("offer", offer.id);
    const Offer& current = *it->second;
    if (current.version != base_version) {
      return Status::ForOffer(StatusCode::kVersionMismatch, offer.id,
                              "offer " + offer.id + " is at version " +
                                  std::to_string(current.version) + ", not " +
                                  std::to_string(base_version));
    }
    if (current.status == OfferStatus::kArchived) {
      return Status::ForOffer(StatusCode::kInvalidTransition, offer.id,
                              "offer " + offer.id + " is archived; archived offers are final");
    }
    if (auto refused = ValidateOfferChange(current, offer); !refused.empty()) {
      return Status::Invalid(std::move(refused));
    }
    if (Status free = state_->CheckPublicCodeFreeLocked(offer); !free.ok()) return free;
    offer.version = base_version + 1;
    offer.created_at = current.created_at;
    stored = std::make_shared<const Offer>(std::move(offer));
    StoreEvent event = OfferEvent(stored, &current);
    state_->PutOfferLocked(stored);
    sequence = Record(OfferWritten{stored}, {std::move(event)});
    return Status::Ok();
  }();
  if (!refused.ok()) return done(std::move(refused));
  CompleteOfferWrite(sequence, std::move(stored), std::move(done));
}

std::shared_ptr<const Offer> MemoryStore::FindOffer(const std::string& id) const {
  std::shared_lock lock(state_->offers_mutex);
  auto it = state_->offers.find(id);
  return it == state_->offers.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Offer>> MemoryStore::AllOffers() const {
  std::shared_lock lock(state_->offers_mutex);
  std::vector<std::shared_ptr<const Offer>> out;
  out.reserve(state_->offers.size());
  for (const auto& [id, offer] : state_->offers) out.push_back(offer);
  return out;
}

std::vector<std::shared_ptr<const Offer>> MemoryStore::ListOffers() const {
  std::shared_lock lock(state_->offers_mutex);
  std::vector<std::shared_ptr<const Offer>> out;
  out.reserve(state_->offers_in_order.size());
  state_->offers_in_order.ForEachAfter("", [&out](const std::shared_ptr<const Offer>& offer) {
    out.push_back(offer);
    return true;
  });
  return out;
}

OfferListPage MemoryStore::ListOffersPage(const OfferListQuery& query) const {
  std::shared_lock lock(state_->offers_mutex);
  const internal::OffersInOrder* offers = &state_->offers_in_order;
  if (query.merchant_id) {
    auto shop = state_->offers_in_order_by_merchant.find(*query.merchant_id);
    if (shop == state_->offers_in_order_by_merchant.end()) return {};
    offers = &shop->second;
  }
  OfferListPager pager(query);
  offers->ForEachAfter(query.after_id, [&pager](const std::shared_ptr<const Offer>& offer) {
    return pager.Take(offer);
  });
  return std::move(pager).Finish();
}

void MemoryStore::ReadOfferHistory(OfferHistoryQuery query, Completion<OfferHistoryPage> done) {
  if (!state_->keep_redemptions()) {
    return done(Status(StatusCode::kInternal,
                       "this store keeps no offer history: it is a view, written by Replay only"));
  }
  OfferHistoryPage page;
  {
    std::shared_lock lock(state_->offers_mutex);
    auto latest = state_->offers.find(query.offer_id);
    if (latest == state_->offers.end()) {
      lock.unlock();
      return done(NotFound("offer", query.offer_id));
    }
    page.latest_version = latest->second->version;
    page.merchant_id = latest->second->merchant_id;
    const std::size_t limit = std::max<std::size_t>(query.limit, 1);
    auto take = [&](const Offer& version) {
      if (version.version > query.after_version && page.versions.size() < limit) {
        page.versions.push_back(version);
      }
    };
    // Oldest first. A journal written before versions were kept may hold only the latest.
    if (auto earlier = state_->earlier_versions.find(query.offer_id);
        earlier != state_->earlier_versions.end()) {
      for (const auto& version : earlier->second) take(*version);
    }
    take(*latest->second);
  }
  done(std::move(page));
}

void MemoryStore::SetOfferObserver(OfferObserver observer) { observer_ = std::move(observer); }

// --- Unique codes ----------------------------------------------------------------------------

void MemoryStore::IssueCodes(std::string offer_id, std::vector<std::string> codes,
                             Completion<IssuedCodes> done) {
  if (failed()) return done(State::Unavailable());
  const auto offer = FindOffer(offer_id);
  if (offer == nullptr) return done(NotFound("offer", offer_id));
  if (offer->code_mode != CodeMode::kUnique || offer->status == OfferStatus::kArchived) {
    return done(Status::ForOffer(StatusCode::kInvalidTransition, offer_id,
                                 "codes can be issued only for unique-code offers that are not "
                                 "archived"));
  }
  IssuedCodes result;
  CodesIssued mutation{offer_id, {}};
  std::uint64_t sequence = 0;
  {
    internal::LockSet locks;
    for (const std::string& code : codes) locks.Add(state_->CodeShard(code).mutex);
    locks.Lock();
    mutation.codes.reserve(codes.size());
    for (std::string& code : codes) {
      auto& map = state_->CodeShard(code).map;
      if (map.count(code) != 0) {
        result.duplicates.push_back(std::move(code));
        continue;
      }
      map.emplace(code, State::CodeState{offer_id, {}});
      mutation.codes.push_back(std::move(code));
    }
    result.issued = mutation.codes.size();
    sequence = Record(mutation, {});
  }
  AfterDurable(sequence, [result = std::move(result), done = std::move(done)](Status status) {
    if (!status.ok()) return done(std::move(status));
    done(result);
  });
}

}  // namespace uudai
