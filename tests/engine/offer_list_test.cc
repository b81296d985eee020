// OfferListPager against a page made the plain way (every offer sorted, filtered, cut), for
// random catalogs, filters, limits and examination budgets.
#include "uudai/offer_list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace uudai {
namespace {

std::shared_ptr<const Offer> OfferOf(std::string id, std::string merchant, OfferStatus status) {
  auto offer = std::make_shared<Offer>();
  offer->id = std::move(id);
  offer->merchant_id = std::move(merchant);
  offer->status = status;
  return offer;
}

OfferListPage Paged(const std::vector<std::shared_ptr<const Offer>>& sorted,
                    const OfferListQuery& query) {
  OfferListPager pager(query);
  for (const auto& offer : sorted) {
    if (offer->id <= query.after_id) continue;
    if (!pager.Take(offer)) break;
  }
  return std::move(pager).Finish();
}

bool Passes(const Offer& offer, const OfferListQuery& query) {
  return (!query.merchant_id || offer.merchant_id == *query.merchant_id) &&
         (!query.status || offer.status == *query.status);
}

TEST(OfferListPagerTest, WalkingEveryPageFindsExactlyTheMatchingOffersInOrder) {
  std::mt19937 rng(7);
  const OfferStatus statuses[] = {OfferStatus::kActive, OfferStatus::kPaused,
                                  OfferStatus::kArchived};
  for (int round = 0; round < 300; ++round) {
    std::vector<std::shared_ptr<const Offer>> offers;
    const int count = static_cast<int>(rng() % 60);
    for (int i = 0; i < count; ++i) {
      offers.push_back(OfferOf("o-" + std::to_string(rng() % 1000) + "-" + std::to_string(i),
                               "m-" + std::to_string(rng() % 4), statuses[rng() % 3]));
    }
    std::sort(offers.begin(), offers.end(),
              [](const auto& a, const auto& b) { return a->id < b->id; });
    OfferListQuery query;
    if (rng() % 2) query.merchant_id = "m-" + std::to_string(rng() % 5);
    if (rng() % 2) query.status = statuses[rng() % 3];
    query.limit = 1 + rng() % 7;
    query.max_examined = rng() % 12;  // below limit + 1 too: the pager raises it

    std::vector<std::string> expected;
    for (const auto& offer : offers) {
      if (Passes(*offer, query)) expected.push_back(offer->id);
    }
    std::vector<std::string> walked;
    for (int page_number = 0;; ++page_number) {
      ASSERT_LT(page_number, 200) << "the pages never end";
      const OfferListPage page = Paged(offers, query);
      ASSERT_LE(page.offers.size(), query.limit);
      for (const auto& offer : page.offers) walked.push_back(offer->id);
      if (!page.next_after_id) break;
      // A cursor never goes back, nor before the page's last offer.
      ASSERT_GT(*page.next_after_id, query.after_id);
      if (!page.offers.empty()) {
        EXPECT_GE(*page.next_after_id, page.offers.back()->id);
      }
      query.after_id = *page.next_after_id;
    }
    EXPECT_EQ(walked, expected) << "round " << round;
  }
}

TEST(OfferListPagerTest, AFullPageWithNothingAfterItHasNoCursor) {
  std::vector<std::shared_ptr<const Offer>> offers = {OfferOf("a", "m", OfferStatus::kActive),
                                                      OfferOf("b", "m", OfferStatus::kActive),
                                                      OfferOf("c", "m", OfferStatus::kPaused)};
  OfferListQuery query;
  query.limit = 2;
  query.status = OfferStatus::kActive;

  const OfferListPage page = Paged(offers, query);

  ASSERT_EQ(page.offers.size(), 2U);
  EXPECT_FALSE(page.next_after_id.has_value());
}

TEST(OfferListPagerTest, APageThatRanOutOfLooksEndsAtTheLastOfferLookedAt) {
  std::vector<std::shared_ptr<const Offer>> offers;
  for (char c = 'a'; c <= 'j'; ++c)
    offers.push_back(OfferOf(std::string(1, c), "m", OfferStatus::kActive));
  OfferListQuery query;
  query.limit = 2;
  query.merchant_id = "other";
  query.max_examined = 4;

  const OfferListPage page = Paged(offers, query);

  EXPECT_TRUE(page.offers.empty());
  EXPECT_EQ(page.next_after_id, "d");
}

}  // namespace
}  // namespace uudai
