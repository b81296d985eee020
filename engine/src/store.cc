#include "uudai/store.h"

#include <algorithm>

namespace uudai {

std::vector<std::shared_ptr<const Offer>> Store::ListOffers() const {
  auto offers = AllOffers();
  std::sort(offers.begin(), offers.end(),
            [](const auto& a, const auto& b) { return a->id < b->id; });
  return offers;
}

OfferListPage Store::ListOffersPage(const OfferListQuery& query) const {
  const auto offers = ListOffers();
  auto from =
      std::upper_bound(offers.begin(), offers.end(), query.after_id,
                       [](const std::string& id, const auto& offer) { return id < offer->id; });
  OfferListPager pager(query);
  for (auto it = from; it != offers.end() && pager.Take(*it); ++it) {
  }
  return std::move(pager).Finish();
}

void Store::FindOfferCaughtUp(const std::string& id,
                              Completion<std::shared_ptr<const Offer>> done) const {
  done(FindOffer(id));
}

void Store::SettleRefusal(RefusalCheck check, Completion<SettledRefusal> done) {
  FindIdempotentResponse(
      check.scope_key, check.fingerprint,
      [this, check, done = std::move(done)](Result<std::optional<std::string>> found) mutable {
        if (!found.ok()) return done(found.status());
        if (found.value()) return done(SettledRefusal{std::move(found.value()), std::nullopt});
        FindLiveOrder(check.merchant_id, check.order_id,
                      [done = std::move(done)](Result<std::optional<std::string>> live) {
                        if (!live.ok()) return done(live.status());
                        done(SettledRefusal{std::nullopt, std::move(live.value())});
                      });
      });
}

}  // namespace uudai
