// The Store conformance suite (see store_conformance.h) for offer histories: every version an
// offer has had, oldest first, each with who wrote it and when; refused writes leave none.
#include <string>
#include <vector>

#include "engine/store_conformance.h"

namespace uudai::store_test {
namespace {

std::vector<std::int64_t> VersionsOf(const OfferHistoryPage& page) {
  std::vector<std::int64_t> versions;
  for (const Offer& offer : page.versions) versions.push_back(offer.version);
  return versions;
}

}  // namespace

TEST_P(StoreConformanceTest, AnOfferHistoryHoldsEveryVersionWithItsAuthorAndTime) {
  auto& store = this->store_;
  // Given an offer created by a merchant's key, then paused by an admin's, then edited again
  Offer offer = MakeOffer("o-1");
  offer.updated_by = OfferAuthor{"a1b2c3d4e5f6", "merchant"};
  offer.updated_at = Timestamp{1'000};
  store.GivenOffer(offer);
  Offer paused = *store.store().FindOffer("o-1");
  paused.status = OfferStatus::kPaused;
  paused.updated_by = OfferAuthor{"0f0f0f0f0f0f", "admin"};
  paused.updated_at = Timestamp{2'000};
  ASSERT_TRUE(store.UpdateOffer(paused, 1).ok());
  Offer renamed = *store.store().FindOffer("o-1");
  renamed.name = "Giảm 20%";
  renamed.updated_by = OfferAuthor{"a1b2c3d4e5f6", "merchant"};
  renamed.updated_at = Timestamp{3'000};
  ASSERT_TRUE(store.UpdateOffer(renamed, 2).ok());
  // And an edit refused for its stale version
  EXPECT_EQ(CodeOf(store.UpdateOffer(renamed, 2)), StatusCode::kVersionMismatch);

  // When the history is read
  Result<OfferHistoryPage> page = store.OfferHistory({"o-1", 0, 100});

  // Then it holds the three versions, oldest first, each as it was written
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->latest_version, 3);
  EXPECT_EQ(page->merchant_id, offer.merchant_id);
  ASSERT_EQ(VersionsOf(page.value()), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(page->versions[0].status, OfferStatus::kActive);
  EXPECT_EQ(page->versions[0].updated_by, offer.updated_by);
  EXPECT_EQ(page->versions[0].updated_at.millis, 1'000);
  EXPECT_EQ(page->versions[1].status, OfferStatus::kPaused);
  EXPECT_EQ(page->versions[1].updated_by, paused.updated_by);
  EXPECT_EQ(page->versions[1].updated_at.millis, 2'000);
  EXPECT_EQ(page->versions[2].name, "Giảm 20%");
  EXPECT_EQ(page->versions[2].updated_by, renamed.updated_by);
  EXPECT_EQ(OfferFieldsChanged(page->versions[0], page->versions[1]),
            (std::vector<std::string>{"status"}));
  EXPECT_EQ(OfferFieldsChanged(page->versions[1], page->versions[2]),
            (std::vector<std::string>{"name"}));
}

TEST_P(StoreConformanceTest, AnOfferHistoryIsReadInPages) {
  auto& store = this->store_;
  store.GivenOffer(MakeOffer("o-1"));
  for (std::int64_t base = 1; base < 7; ++base) {
    Offer next = *store.store().FindOffer("o-1");
    next.limits.total_redemptions = 100 + base;
    ASSERT_TRUE(store.UpdateOffer(next, base).ok());
  }
  // 7 versions, read 3 at a time
  std::vector<std::int64_t> seen;
  for (std::int64_t after : {0, 3, 6}) {
    Result<OfferHistoryPage> page = store.OfferHistory({"o-1", after, 3});
    ASSERT_TRUE(page.ok()) << page.status().message();
    EXPECT_EQ(page->latest_version, 7);
    for (const Offer& offer : page->versions) {
      seen.push_back(offer.version);
      EXPECT_EQ(offer.limits.total_redemptions,
                offer.version == 1 ? MakeOffer("o-1").limits.total_redemptions
                                   : std::optional<std::int64_t>(99 + offer.version));
    }
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
  // Past the latest: an empty page
  Result<OfferHistoryPage> past = store.OfferHistory({"o-1", 7, 3});
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->versions.empty());
  EXPECT_EQ(past->latest_version, 7);
  // The last one alone
  Result<OfferHistoryPage> last = store.OfferHistory({"o-1", 6, 1});
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(VersionsOf(last.value()), (std::vector<std::int64_t>{7}));
  // A middle one alone
  Result<OfferHistoryPage> middle = store.OfferHistory({"o-1", 2, 1});
  ASSERT_TRUE(middle.ok());
  EXPECT_EQ(VersionsOf(middle.value()), (std::vector<std::int64_t>{3}));
}

TEST_P(StoreConformanceTest, OffersRegisteredTogetherHaveAHistoryOfOneVersion) {
  auto& store = this->store_;
  ASSERT_TRUE(store.CreateOffers({MakeOffer("o-1"), MakeOffer("o-2")}).ok());
  Result<OfferHistoryPage> page = store.OfferHistory({"o-2", 0, 100});
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(VersionsOf(page.value()), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(page->versions[0].id, "o-2");
}

TEST_P(StoreConformanceTest, TheHistoryOfAnUnknownOfferIsNotFound) {
  EXPECT_EQ(CodeOf(this->store_.OfferHistory({"o-missing", 0, 100})), StatusCode::kNotFound);
}

}  // namespace uudai::store_test
