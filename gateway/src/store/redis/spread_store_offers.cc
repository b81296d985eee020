// SpreadStore's offers: each kept in the shard of its shop (or the hub, for platform-wide
// layers), found by asking the shards' views.
#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

#include "store/redis/ask_every_shard.h"
#include "store/redis/gather.h"
#include "store/redis/spread_store.h"

namespace uudai::gateway {

// --- Offers ---------------------------------------------------------------------------------

RedisStore& SpreadStore::OfferShard(const Offer& offer) const {
  return *shards_[layout_.OfOffer(offer.layer, offer.merchant_id)];
}

RedisStore* SpreadStore::ShardKnowing(const std::string& id) const {
  for (const auto& shard : data_shards()) {
    if (shard->FindOffer(id) != nullptr) return shard.get();
  }
  return nullptr;
}

void SpreadStore::CreateOffer(Offer offer, Completion<Offer> done) {
  // An id is unique in the store: one kept in another shard is taken too.
  if (RedisStore* other = ShardKnowing(offer.id); other != nullptr && other != &OfferShard(offer)) {
    return done(Status(StatusCode::kAlreadyExists, "offer " + offer.id + " already exists"));
  }
  RedisStore& shard = OfferShard(offer);
  shard.CreateOffer(std::move(offer), WithShares(std::move(done)));
}

void SpreadStore::UpdateOffer(Offer offer, std::int64_t base_version, Completion<Offer> done) {
  // An offer never changes shop or layer (its shard refuses that), so the shard that keeps it
  // answers; one no view knows yet may be new in the shard of its shop.
  RedisStore* shard = ShardKnowing(offer.id);
  if (shard == nullptr) shard = &OfferShard(offer);
  shard->UpdateOffer(std::move(offer), base_version, WithShares(std::move(done)));
}

std::shared_ptr<const Offer> SpreadStore::FindOffer(const std::string& id) const {
  RedisStore* shard = ShardKnowing(id);
  return shard != nullptr ? shard->FindOffer(id) : nullptr;
}

void SpreadStore::FindOfferCaughtUp(const std::string& id,
                                    Completion<std::shared_ptr<const Offer>> done) const {
  if (auto offer = FindOffer(id)) return done(std::move(offer));
  auto gather = MakeGather<std::shared_ptr<const Offer>, std::shared_ptr<const Offer>>(
      data_shards().size(),
      [](std::vector<std::shared_ptr<const Offer>> found) -> Result<std::shared_ptr<const Offer>> {
        for (auto& offer : found) {
          if (offer) return std::move(offer);
        }
        return std::shared_ptr<const Offer>();
      },
      std::move(done));
  for (std::size_t k = 0; k < data_shards().size(); ++k) {
    data_shards()[k]->FindOfferCaughtUp(id, gather->Slot(k));
  }
}

std::vector<std::shared_ptr<const Offer>> SpreadStore::AllOffers() const {
  std::vector<std::shared_ptr<const Offer>> all;
  for (const auto& shard : data_shards()) {
    auto offers = shard->AllOffers();
    all.insert(all.end(), std::make_move_iterator(offers.begin()),
               std::make_move_iterator(offers.end()));
  }
  return all;
}

OfferListPage SpreadStore::ListOffersPage(const OfferListQuery& query) const {
  // Each shard's page in id order; merged, the page may only reach as far as the nearest id
  // after which a shard that stopped early (limit or max_examined) still has offers.
  std::vector<std::shared_ptr<const Offer>> merged;
  std::optional<std::string> bound;
  for (const auto& shard : data_shards()) {
    OfferListPage page = shard->ListOffersPage(query);
    if (page.next_after_id && (!bound || *page.next_after_id < *bound)) {
      bound = page.next_after_id;
    }
    merged.insert(merged.end(), std::make_move_iterator(page.offers.begin()),
                  std::make_move_iterator(page.offers.end()));
  }
  std::sort(merged.begin(), merged.end(),
            [](const auto& a, const auto& b) { return a->id < b->id; });
  OfferListPage page;
  std::size_t within_bound = 0;
  for (auto& offer : merged) {
    if (bound && offer->id > *bound) break;
    ++within_bound;
    if (page.offers.size() < query.limit) page.offers.push_back(std::move(offer));
  }
  if (page.offers.size() == query.limit && (within_bound > page.offers.size() || bound)) {
    page.next_after_id = page.offers.back()->id;
  } else if (bound) {
    page.next_after_id = bound;
  }
  return page;
}

void SpreadStore::ReadOfferHistory(OfferHistoryQuery query, Completion<OfferHistoryPage> done) {
  if (RedisStore* shard = ShardKnowing(query.offer_id)) {
    return shard->ReadOfferHistory(std::move(query), std::move(done));
  }
  AskEveryShard<OfferHistoryPage>(
      data_shards(),
      [query](RedisStore& shard, Completion<OfferHistoryPage> d) {
        shard.ReadOfferHistory(query, std::move(d));
      },
      [](const Result<OfferHistoryPage>& r) { return r.ok(); },
      Status(StatusCode::kNotFound, "offer " + query.offer_id + " does not exist"),
      std::move(done));
}

void SpreadStore::SetOfferObserver(OfferObserver observer) {
  // Called by the data shards' observers (set in the constructor); the same REQUIRES as
  // RedisStore's.
  observer_ = std::move(observer);
}

void SpreadStore::IssueCodes(std::string offer_id, std::vector<std::string> codes,
                             Completion<IssuedCodes> done) {
  RedisStore* shard = ShardKnowing(offer_id);
  if (shard == nullptr) {
    return done(Status(StatusCode::kNotFound, "offer " + offer_id + " does not exist"));
  }
  shard->IssueCodes(std::move(offer_id), std::move(codes), std::move(done));
}

}  // namespace uudai::gateway
