// Catalog: indexed snapshots, late and out-of-order changes, and atomic publication.
#include "uudai/catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "engine/quote_test_support.h"

namespace uudai {
namespace {

using testing::FixedOffer;
using testing::PercentOffer;
using testing::Share;
using testing::SnapshotOf;
using testing::WithCode;
using Ids = std::vector<std::string>;

constexpr std::size_t kMerchantLayer = static_cast<std::size_t>(Layer::kMerchant);
constexpr std::size_t kPlatformLayer = static_cast<std::size_t>(Layer::kPlatform);
constexpr std::size_t kPaymentLayer = static_cast<std::size_t>(Layer::kPayment);

// Sorted ids of a list of entries.
Ids IdsOf(std::span<const CatalogEntry> list) {
  Ids ids;
  for (const CatalogEntry& entry : list) ids.push_back(entry.offer->id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Sorted ids of every entry across the layers.
Ids IdsOf(const AutoOfferLists& lists) { return IdsOf(lists.all()); }

Offer Versioned(Offer offer, std::int64_t version, Money fixed_value) {
  offer.version = version;
  offer.discount.value = fixed_value;
  return offer;
}

Offer Archived(Offer offer, std::int64_t version) {
  offer.status = OfferStatus::kArchived;
  offer.version = version;
  return offer;
}

Offer Paused(Offer offer) {
  offer.status = OfferStatus::kPaused;
  return offer;
}

Offer PlatformFor(std::string id, std::vector<std::string> merchants) {
  Offer offer = PercentOffer(std::move(id), Layer::kPlatform, 5);
  offer.merchant_ids = std::move(merchants);
  return offer;
}

// --- Build and lookups ----------------------------------------------------------------------

TEST(CatalogTest, ArchivedOffersAreLeftOut) {
  const auto snapshot = SnapshotOf({FixedOffer("o-1", Layer::kMerchant, 10'000),
                                    Archived(FixedOffer("o-2", Layer::kMerchant, 10'000), 2)});
  EXPECT_EQ(snapshot->size(), 1u);
  EXPECT_NE(snapshot->FindById("o-1"), nullptr);
  EXPECT_EQ(snapshot->FindById("o-2"), nullptr);
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("m-1")), Ids{"o-1"});
}

TEST(CatalogTest, ArchivedPublicCodeIsNotFound) {
  const auto snapshot =
      SnapshotOf({Archived(WithCode(FixedOffer("o-1", Layer::kMerchant, 10'000), "THANG10"), 2)});
  EXPECT_EQ(snapshot->FindByPublicCode("m-1", "THANG10"), nullptr);
}

TEST(CatalogTest, UnknownIdIsNotFound) {
  const auto snapshot = SnapshotOf({FixedOffer("o-1", Layer::kMerchant, 10'000)});
  EXPECT_EQ(snapshot->FindById("o-9"), nullptr);
}

TEST(CatalogTest, PausedOfferIsFoundById) {
  const auto snapshot = SnapshotOf({Paused(FixedOffer("o-1", Layer::kMerchant, 10'000))});
  const CatalogEntry* entry = snapshot->FindById("o-1");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->offer->status, OfferStatus::kPaused);
}

TEST(CatalogTest, PausedPublicCodeOfferIsFoundByCode) {
  const auto snapshot =
      SnapshotOf({Paused(WithCode(FixedOffer("o-1", Layer::kMerchant, 10'000), "THANG10"))});
  const CatalogEntry* entry = snapshot->FindByPublicCode("m-1", "THANG10");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->offer->id, "o-1");
}

TEST(CatalogTest, PausedAutoOfferIsNotInAutoLists) {
  const auto snapshot = SnapshotOf({Paused(FixedOffer("o-1", Layer::kMerchant, 10'000)),
                                    Paused(PercentOffer("o-2", Layer::kPlatform, 5)),
                                    Paused(PlatformFor("o-3", {"m-1"}))});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("m-1")), Ids{});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersForAllMerchants()), Ids{});
}

TEST(CatalogTest, CodeOffersAreNotInAutoLists) {
  Offer unique = FixedOffer("o-2", Layer::kMerchant, 10'000);
  unique.code_mode = CodeMode::kUnique;
  const auto snapshot =
      SnapshotOf({WithCode(FixedOffer("o-1", Layer::kMerchant, 10'000), "THANG10"), unique,
                  WithCode(PercentOffer("o-3", Layer::kPlatform, 5), "SAN10")});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("m-1")), Ids{});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersForAllMerchants()), Ids{});
  EXPECT_NE(snapshot->FindByPublicCode(kPlatformCodeScope, "SAN10"), nullptr);
}

TEST(CatalogTest, MerchantAutoOfferIsListedOnlyUnderItsMerchant) {
  Offer other = FixedOffer("o-2", Layer::kMerchant, 10'000);
  other.merchant_id = "m-2";
  const auto snapshot = SnapshotOf({FixedOffer("o-1", Layer::kMerchant, 10'000), other});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("m-1")[kMerchantLayer]), Ids{"o-1"});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("m-2")[kMerchantLayer]), Ids{"o-2"});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("m-3")), Ids{});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersForAllMerchants()), Ids{});
}

TEST(CatalogTest, RestrictedPlatformOfferIsListedOnlyUnderItsMerchants) {
  const auto snapshot = SnapshotOf({PlatformFor("o-1", {"m-2", "m-3"})});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("m-2")[kPlatformLayer]), Ids{"o-1"});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("m-3")[kPlatformLayer]), Ids{"o-1"});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("m-1")), Ids{});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersForAllMerchants()), Ids{});
}

TEST(CatalogTest, RepeatedMerchantIdListsTheOfferOnce) {
  const auto snapshot = SnapshotOf({PlatformFor("o-1", {"m-2", "m-3", "m-2"})});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("m-2")), Ids{"o-1"});
}

TEST(CatalogTest, OpenPlatformOfferIsListedForAllMerchantsInItsLayer) {
  const auto snapshot = SnapshotOf(
      {PercentOffer("o-1", Layer::kPlatform, 5), FixedOffer("o-2", Layer::kPayment, 10'000)});
  const auto& open = snapshot->AutoOffersForAllMerchants();
  EXPECT_EQ(IdsOf(open[kPlatformLayer]), Ids{"o-1"});
  EXPECT_EQ(IdsOf(open[kPaymentLayer]), Ids{"o-2"});
  EXPECT_EQ(IdsOf(open[kMerchantLayer]), Ids{});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("m-1")), Ids{});
}

TEST(CatalogTest, MerchantOwnedPlatformOfferIsStillOpenToAllMerchants) {
  // merchant_id is the owner; only merchant_ids restricts a platform offer.
  Offer offer = PercentOffer("o-1", Layer::kPlatform, 5);
  offer.merchant_id = "platform";
  const auto snapshot = SnapshotOf({offer});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersForAllMerchants()), Ids{"o-1"});
  EXPECT_EQ(IdsOf(snapshot->AutoOffersFor("platform")), Ids{});
}

TEST(CatalogTest, CompilesDigitalPaymentGroup) {
  Offer offer = FixedOffer("o-1", Layer::kPayment, 10'000);
  offer.payment_methods = {{"digital"}};
  const auto snapshot = SnapshotOf({offer});  // keeps the entry alive
  const CatalogEntry* entry = snapshot->FindById("o-1");
  ASSERT_NE(entry, nullptr);
  EXPECT_FALSE(entry->any_payment_method);
  EXPECT_EQ(entry->payment_methods, PaymentMethodSet::Digital());
}

TEST(CatalogTest, CompilesListedPaymentMethods) {
  Offer offer = FixedOffer("o-1", Layer::kPayment, 10'000);
  offer.payment_methods = {{"vietqr", "cod"}};
  const auto snapshot = SnapshotOf({offer});  // keeps the entry alive
  const CatalogEntry* entry = snapshot->FindById("o-1");
  ASSERT_NE(entry, nullptr);
  PaymentMethodSet expected;
  expected.Add(PaymentMethod::kVietqr);
  expected.Add(PaymentMethod::kCod);
  EXPECT_EQ(entry->payment_methods, expected);
}

TEST(CatalogTest, AbsentPaymentMethodsMeanAny) {
  const auto snapshot = SnapshotOf({FixedOffer("o-1", Layer::kPayment, 10'000)});
  const CatalogEntry* entry = snapshot->FindById("o-1");
  ASSERT_NE(entry, nullptr);
  EXPECT_TRUE(entry->any_payment_method);
}

TEST(CatalogTest, ItemFilterIsFlaggedForCategoriesOrSkus) {
  Offer by_category = FixedOffer("o-1", Layer::kMerchant, 10'000);
  by_category.categories = {{"books"}};
  Offer by_sku = FixedOffer("o-2", Layer::kMerchant, 10'000);
  by_sku.skus = {{"tv-55"}};
  const auto snapshot =
      SnapshotOf({by_category, by_sku, FixedOffer("o-3", Layer::kMerchant, 10'000)});
  EXPECT_TRUE(snapshot->FindById("o-1")->has_item_filter());
  EXPECT_TRUE(snapshot->FindById("o-2")->has_item_filter());
  EXPECT_FALSE(snapshot->FindById("o-3")->has_item_filter());
}

// --- With(): changes, including late ones ---------------------------------------------------

TEST(CatalogTest, WithReplacesAnOfferOfTheSameId) {
  const auto before = SnapshotOf({FixedOffer("o-1", Layer::kMerchant, 10'000)});
  const auto after =
      before->With(Share({Versioned(FixedOffer("o-1", Layer::kMerchant, 0), 2, 20'000)}));
  ASSERT_NE(after->FindById("o-1"), nullptr);
  EXPECT_EQ(after->FindById("o-1")->offer->discount.value, 20'000);
  EXPECT_EQ(after->size(), 1u);
  EXPECT_EQ(IdsOf(after->AutoOffersFor("m-1")), Ids{"o-1"});
}

TEST(CatalogTest, WithAddsNewOffersAndKeepsTheOthers) {
  const auto before = SnapshotOf({FixedOffer("o-1", Layer::kMerchant, 10'000)});
  const auto after = before->With(Share({PercentOffer("o-2", Layer::kPlatform, 5)}));
  EXPECT_EQ(after->size(), 2u);
  EXPECT_EQ(IdsOf(after->AutoOffersFor("m-1")), Ids{"o-1"});
  EXPECT_EQ(IdsOf(after->AutoOffersForAllMerchants()), Ids{"o-2"});
}

TEST(CatalogTest, WithLeavesTheOriginalSnapshotUnchanged) {
  const auto before = SnapshotOf({FixedOffer("o-1", Layer::kMerchant, 10'000)});
  const auto after =
      before->With(Share({Versioned(FixedOffer("o-1", Layer::kMerchant, 0), 2, 20'000),
                          PercentOffer("o-2", Layer::kPlatform, 5)}));
  EXPECT_EQ(before->size(), 1u);
  EXPECT_EQ(before->FindById("o-1")->offer->discount.value, 10'000);
  EXPECT_EQ(before->FindById("o-2"), nullptr);
  EXPECT_EQ(after->size(), 2u);
}

TEST(CatalogTest, WithIgnoresAnOlderVersionArrivingLate) {
  const auto current = SnapshotOf({Versioned(FixedOffer("o-1", Layer::kMerchant, 0), 3, 30'000)});
  const auto after =
      current->With(Share({Versioned(FixedOffer("o-1", Layer::kMerchant, 0), 2, 20'000)}));
  EXPECT_EQ(after->FindById("o-1")->offer->version, 3);
  EXPECT_EQ(after->FindById("o-1")->offer->discount.value, 30'000);
}

TEST(CatalogTest, WithKeepsTheNewestOfSeveralChangesToOneId) {
  const auto before = SnapshotOf({FixedOffer("o-1", Layer::kMerchant, 10'000)});
  const auto after =
      before->With(Share({Versioned(FixedOffer("o-1", Layer::kMerchant, 0), 4, 40'000),
                          Versioned(FixedOffer("o-1", Layer::kMerchant, 0), 2, 20'000),
                          Versioned(FixedOffer("o-1", Layer::kMerchant, 0), 3, 30'000)}));
  EXPECT_EQ(after->size(), 1u);
  EXPECT_EQ(after->FindById("o-1")->offer->version, 4);
}

TEST(CatalogTest, WithArchivingRemovesTheOffer) {
  const auto before =
      SnapshotOf({WithCode(FixedOffer("o-1", Layer::kMerchant, 10'000), "THANG10")});
  const auto after = before->With(
      Share({Archived(WithCode(FixedOffer("o-1", Layer::kMerchant, 10'000), "THANG10"), 2)}));
  EXPECT_EQ(after->size(), 0u);
  EXPECT_EQ(after->FindById("o-1"), nullptr);
  EXPECT_EQ(after->FindByPublicCode("m-1", "THANG10"), nullptr);
}

TEST(CatalogTest, WithPausingRemovesTheOfferFromAutoListsOnly) {
  const auto before = SnapshotOf({FixedOffer("o-1", Layer::kMerchant, 10'000)});
  Offer paused = Paused(FixedOffer("o-1", Layer::kMerchant, 10'000));
  paused.version = 2;
  const auto after = before->With(Share({paused}));
  EXPECT_EQ(IdsOf(after->AutoOffersFor("m-1")), Ids{});
  ASSERT_NE(after->FindById("o-1"), nullptr);
  EXPECT_EQ(after->FindById("o-1")->offer->status, OfferStatus::kPaused);
}

TEST(CatalogTest, ArchivedOfferIsNotRevivedByAnOlderChange) {
  // Given o-1 archived at version 3
  const auto archived =
      SnapshotOf({FixedOffer("o-1", Layer::kMerchant, 10'000)})
          ->With(Share({Archived(FixedOffer("o-1", Layer::kMerchant, 10'000), 3)}));
  // When the version-2 change (still active) arrives late
  const auto after =
      archived->With(Share({Versioned(FixedOffer("o-1", Layer::kMerchant, 0), 2, 20'000)}));
  // Then o-1 stays archived
  EXPECT_EQ(after->FindById("o-1"), nullptr);
  EXPECT_EQ(IdsOf(after->AutoOffersFor("m-1")), Ids{});
}

TEST(CatalogTest, ArchivedTombstoneOutlivesUnrelatedChanges) {
  // Given o-1 archived at version 3, then an unrelated change published
  const auto archived = SnapshotOf({Archived(FixedOffer("o-1", Layer::kMerchant, 10'000), 3)})
                            ->With(Share({FixedOffer("o-2", Layer::kMerchant, 5'000)}));
  // When an older change to o-1 arrives
  const auto after =
      archived->With(Share({Versioned(FixedOffer("o-1", Layer::kMerchant, 0), 2, 20'000)}));
  // Then o-1 stays archived and o-2 is still there
  EXPECT_EQ(after->FindById("o-1"), nullptr);
  EXPECT_EQ(IdsOf(after->AutoOffersFor("m-1")), Ids{"o-2"});
}

TEST(CatalogTest, ArchivedOfferFromBuildIsNotRevivedByAnOlderChange) {
  const auto snapshot = SnapshotOf({Archived(FixedOffer("o-1", Layer::kMerchant, 10'000), 5)});
  const auto after =
      snapshot->With(Share({Versioned(FixedOffer("o-1", Layer::kMerchant, 0), 4, 20'000)}));
  EXPECT_EQ(after->FindById("o-1"), nullptr);
}

// --- Catalog: publication -------------------------------------------------------------------

TEST(CatalogTest, NewCatalogIsEmpty) {
  Catalog catalog;
  EXPECT_EQ(catalog.Current()->size(), 0u);
}

TEST(CatalogTest, ApplyPublishesANewSnapshotAndTheOldOneStaysValid) {
  // Given a reader holding the current snapshot
  Catalog catalog;
  catalog.Reset(Share({FixedOffer("o-1", Layer::kMerchant, 10'000)}));
  const std::shared_ptr<const CatalogSnapshot> held = catalog.Current();
  // When a writer applies changes
  catalog.Apply(Share({Versioned(FixedOffer("o-1", Layer::kMerchant, 0), 2, 20'000),
                       PercentOffer("o-2", Layer::kPlatform, 5)}));
  // Then new readers see them
  const auto current = catalog.Current();
  EXPECT_NE(current.get(), held.get());
  EXPECT_EQ(current->size(), 2u);
  EXPECT_EQ(current->FindById("o-1")->offer->discount.value, 20'000);
  // And the held snapshot is unchanged
  EXPECT_EQ(held->size(), 1u);
  EXPECT_EQ(held->FindById("o-1")->offer->discount.value, 10'000);
  EXPECT_EQ(held->FindById("o-2"), nullptr);
  EXPECT_EQ(IdsOf(held->AutoOffersFor("m-1")), Ids{"o-1"});
}

TEST(CatalogTest, ResetReplacesTheWholeCatalog) {
  Catalog catalog;
  catalog.Reset(Share({FixedOffer("o-1", Layer::kMerchant, 10'000)}));
  catalog.Reset(Share({FixedOffer("o-2", Layer::kMerchant, 10'000)}));
  EXPECT_EQ(catalog.Current()->FindById("o-1"), nullptr);
  EXPECT_NE(catalog.Current()->FindById("o-2"), nullptr);
}

TEST(CatalogTest, ConcurrentAppliesLoseNoChange) {
  // Given two writers applying distinct offers at once
  Catalog catalog;
  constexpr int kPerWriter = 100;
  auto writer = [&catalog](const std::string& prefix) {
    for (int i = 0; i < kPerWriter; ++i) {
      catalog.Apply(Share({FixedOffer(prefix + std::to_string(i), Layer::kMerchant, 1'000)}));
    }
  };
  std::thread a(writer, "a-");
  std::thread b(writer, "b-");
  a.join();
  b.join();
  // Then every offer is in the final snapshot
  EXPECT_EQ(catalog.Current()->size(), 2u * kPerWriter);
  EXPECT_EQ(catalog.Current()->AutoOffersFor("m-1")[kMerchantLayer].size(), 2u * kPerWriter);
}

}  // namespace
}  // namespace uudai
