// The Store conformance suite (see store_conformance.h): the test bodies, instantiated for
// each store by the binary that tests it. Every test goes
// through the Store port only and waits for completions with Await, so it runs unchanged
// against MemoryStore and RedisStore. Groups: offers, unique codes, lifecycle, expiry, limits,
// orders, idempotency, stats, all-or-nothing.
#include "engine/store_conformance.h"

#include <algorithm>
#include <condition_variable>
#include <initializer_list>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace uudai::store_test {
namespace {

using S = RedemptionStatus;

const LocalDay kToday = DayOf(CampaignNow());
constexpr std::int64_t kTtl = 15 * kMillisPerMinute;

StatsBucket Bucket(std::initializer_list<std::pair<RedemptionStatus, std::int64_t>> counts,
                   Money discount_committed = 0, Money gmv_committed = 0) {
  StatsBucket bucket;
  for (const auto& [status, count] : counts) {
    bucket.by_status[static_cast<std::size_t>(status)] = count;
  }
  bucket.discount_committed = discount_committed;
  bucket.gmv_committed = gmv_committed;
  return bucket;
}

// Usage of an offer as UsageOf reports it: live redemptions, their discounts, those of the
// shopper asked about and those of the day asked about.
OfferUsage Counted(std::int64_t redemptions, Money budget_spent, std::int64_t shopper,
                   std::int64_t day) {
  return OfferUsage{redemptions, budget_spent, shopper, day};
}

}  // namespace

// --- Offers ----------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, CreateOfferStoresVersionOne) {
  auto& store = this->store_;
  // Given an offer whose caller-side version says 7
  Offer offer = MakeOffer("o-1");
  offer.version = 7;
  // When it is created
  Result<Offer> created = store.CreateOffer(offer);
  // Then it is stored, unchanged but for version 1, and found by id
  ASSERT_TRUE(created.ok()) << created.status().message();
  offer.version = 1;
  EXPECT_EQ(created.value(), offer);
  const auto found = store.store().FindOffer("o-1");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(*found, offer);
}

TEST_P(StoreConformanceTest, CreateOfferWithTakenIdIsAlreadyExists) {
  auto& store = this->store_;
  store.GivenOffer(MakeOffer("o-1"));
  Offer again = MakeOffer("o-1");
  again.name = "Một ưu đãi khác";
  Result<Offer> created = store.CreateOffer(again);
  EXPECT_EQ(CodeOf(created), StatusCode::kAlreadyExists);
  EXPECT_EQ(store.store().FindOffer("o-1")->name, MakeOffer("o-1").name);
}

TEST_P(StoreConformanceTest, UpdateOfferAtCurrentVersionStoresNextVersion) {
  auto& store = this->store_;
  Offer offer = store.GivenOffer(MakeOffer("o-1"));
  offer.name = "Giảm 20.000đ";
  offer.discount.value = 20'000;
  Result<Offer> updated = store.UpdateOffer(offer, 1);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->discount.value, 20'000);
  const auto found = store.store().FindOffer("o-1");
  EXPECT_EQ(found->version, 2);
  EXPECT_EQ(found->name, "Giảm 20.000đ");
  EXPECT_EQ(CodeOf(store.UpdateOffer(updated.value(), 2)), StatusCode::kOk);
  EXPECT_EQ(store.store().FindOffer("o-1")->version, 3);
}

TEST_P(StoreConformanceTest, UpdateOfferAtStaleVersionIsVersionMismatch) {
  auto& store = this->store_;
  Offer offer = store.GivenOffer(MakeOffer("o-1"));
  offer.name = "first edit";
  ASSERT_TRUE(store.UpdateOffer(offer, 1).ok());
  // When a second writer edits from version 1 too
  offer.name = "second edit";
  Result<Offer> stale = store.UpdateOffer(offer, 1);
  // Then it is refused and the first edit stands
  EXPECT_EQ(CodeOf(stale), StatusCode::kVersionMismatch);
  EXPECT_EQ(store.store().FindOffer("o-1")->name, "first edit");
  EXPECT_EQ(store.store().FindOffer("o-1")->version, 2);
}

TEST_P(StoreConformanceTest, UpdateOfUnknownOfferIsNotFound) {
  EXPECT_EQ(CodeOf(this->store_.UpdateOffer(MakeOffer("nope"), 1)), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ArchivedOfferIsFinal) {
  auto& store = this->store_;
  Offer offer = store.GivenOffer(MakeOffer("o-1"));
  offer.status = OfferStatus::kArchived;
  ASSERT_TRUE(store.UpdateOffer(offer, 1).ok());
  offer.status = OfferStatus::kActive;
  EXPECT_EQ(CodeOf(store.UpdateOffer(offer, 2)), StatusCode::kInvalidTransition);
  EXPECT_EQ(store.store().FindOffer("o-1")->status, OfferStatus::kArchived);
  EXPECT_EQ(store.store().FindOffer("o-1")->version, 2);
}

TEST_P(StoreConformanceTest, MerchantIdCannotChange) {
  auto& store = this->store_;
  Offer offer = store.GivenOffer(MakeOffer("o-1"));
  offer.merchant_id = "m-2";
  Result<Offer> updated = store.UpdateOffer(offer, 1);
  ASSERT_EQ(CodeOf(updated), StatusCode::kValidation);
  ASSERT_EQ(updated.status().field_errors().size(), 1U);
  EXPECT_EQ(updated.status().field_errors()[0].path, "merchant_id");
  EXPECT_EQ(store.store().FindOffer("o-1")->merchant_id, "m-1");
}

TEST_P(StoreConformanceTest, CodeModeCannotChange) {
  auto& store = this->store_;
  Offer offer = store.GivenOffer(MakeOffer("o-1"));
  offer.code_mode = CodeMode::kUnique;
  Result<Offer> updated = store.UpdateOffer(offer, 1);
  ASSERT_EQ(CodeOf(updated), StatusCode::kValidation);
  ASSERT_EQ(updated.status().field_errors().size(), 1U);
  EXPECT_EQ(updated.status().field_errors()[0].path, "code_mode");
  EXPECT_EQ(store.store().FindOffer("o-1")->code_mode, CodeMode::kAuto);
}

TEST_P(StoreConformanceTest, LayerCannotChange) {
  auto& store = this->store_;
  Offer offer = store.GivenOffer(MakeOffer("o-1"));
  offer.layer = Layer::kPlatform;
  Result<Offer> updated = store.UpdateOffer(offer, 1);
  ASSERT_EQ(CodeOf(updated), StatusCode::kValidation);
  ASSERT_EQ(updated.status().field_errors().size(), 1U);
  EXPECT_EQ(updated.status().field_errors()[0].path, "layer");
  EXPECT_EQ(store.store().FindOffer("o-1")->layer, Layer::kMerchant);
}

TEST_P(StoreConformanceTest, PublicCodeOfLiveOfferIsCodeConflict) {
  auto& store = this->store_;
  // Given a paused (not archived) offer owning THANG10
  Offer owner = MakePublicCodeOffer("o-a", "THANG10");
  owner.status = OfferStatus::kPaused;
  store.GivenOffer(owner);
  // When another offer claims the same code
  Result<Offer> created = store.CreateOffer(MakePublicCodeOffer("o-b", "THANG10"));
  // Then it is refused, naming the owner, and not stored
  ASSERT_EQ(CodeOf(created), StatusCode::kCodeConflict);
  EXPECT_EQ(created.status().offer_id(), "o-a");
  EXPECT_EQ(store.store().FindOffer("o-b"), nullptr);
}

TEST_P(StoreConformanceTest, UpdateToTakenPublicCodeIsCodeConflict) {
  auto& store = this->store_;
  store.GivenOffer(MakePublicCodeOffer("o-a", "THANG10"));
  Offer other = store.GivenOffer(MakePublicCodeOffer("o-b", "SALE10"));
  other.code = "THANG10";
  Result<Offer> updated = store.UpdateOffer(other, 1);
  ASSERT_EQ(CodeOf(updated), StatusCode::kCodeConflict);
  EXPECT_EQ(updated.status().offer_id(), "o-a");
  EXPECT_EQ(store.store().FindOffer("o-b")->code, "SALE10");
}

TEST_P(StoreConformanceTest, ArchivingFreesPublicCode) {
  auto& store = this->store_;
  Offer owner = store.GivenOffer(MakePublicCodeOffer("o-a", "THANG10"));
  owner.status = OfferStatus::kArchived;
  ASSERT_TRUE(store.UpdateOffer(owner, 1).ok());
  Result<Offer> created = store.CreateOffer(MakePublicCodeOffer("o-b", "THANG10"));
  EXPECT_EQ(CodeOf(created), StatusCode::kOk) << created.status().message();
}

TEST_P(StoreConformanceTest, ChangingPublicCodeFreesTheOldOne) {
  auto& store = this->store_;
  Offer owner = store.GivenOffer(MakePublicCodeOffer("o-a", "THANG10"));
  owner.code = "SALE10";
  ASSERT_TRUE(store.UpdateOffer(owner, 1).ok());
  EXPECT_EQ(CodeOf(store.CreateOffer(MakePublicCodeOffer("o-b", "THANG10"))), StatusCode::kOk);
  EXPECT_EQ(CodeOf(store.CreateOffer(MakePublicCodeOffer("o-c", "SALE10"))),
            StatusCode::kCodeConflict);
}

// --- Code scopes: a merchant-layer offer's public code is its shop's; the platform, payment
// and shipping layers share one platform-wide scope.

TEST_P(StoreConformanceTest, TwoShopsMayRunTheSamePublicCode) {
  auto& store = this->store_;
  store.GivenOffer(ShopCodeOffer("o-a", "m-1", "SALE10"));
  Result<Offer> created = store.CreateOffer(ShopCodeOffer("o-b", "m-2", "SALE10"));
  ASSERT_EQ(CodeOf(created), StatusCode::kOk) << created.status().message();
  const auto found = store.store().FindOffer("o-b");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->code, "SALE10");
}

TEST_P(StoreConformanceTest, ACodeConflictNamesOnlyAnOfferOfTheSameShop) {
  auto& store = this->store_;
  // Given m-1 and m-2 both run SALE10, m-1 first
  store.GivenOffer(ShopCodeOffer("o-a", "m-1", "SALE10"));
  store.GivenOffer(ShopCodeOffer("o-b", "m-2", "SALE10"));
  Offer other = store.GivenOffer(ShopCodeOffer("o-d", "m-2", "OTHER"));
  // When m-2 claims SALE10 again, by creating or by patching
  other.code = "SALE10";
  for (const Result<Offer>& refused :
       {store.CreateOffer(ShopCodeOffer("o-c", "m-2", "SALE10")), store.UpdateOffer(other, 1)}) {
    // Then it is refused naming m-2's own offer, never m-1's
    ASSERT_EQ(CodeOf(refused), StatusCode::kCodeConflict);
    EXPECT_EQ(refused.status().offer_id(), "o-b");
    EXPECT_EQ(refused.status().message().find("o-a"), std::string::npos)
        << refused.status().message();
  }
  EXPECT_EQ(store.store().FindOffer("o-c"), nullptr);
  EXPECT_EQ(store.store().FindOffer("o-d")->code, "OTHER");
}

TEST_P(StoreConformanceTest, AShopsCodeMayEqualAPlatformCode) {
  auto& store = this->store_;
  store.GivenOffer(PlatformCodeOffer("o-p", "SALE10"));
  Result<Offer> created = store.CreateOffer(ShopCodeOffer("o-m", "m-1", "SALE10"));
  EXPECT_EQ(CodeOf(created), StatusCode::kOk) << created.status().message();
}

TEST_P(StoreConformanceTest, APlatformCodeIsNotBlockedByAShopsCode) {
  auto& store = this->store_;
  // Given a shop runs SALE10
  store.GivenOffer(ShopCodeOffer("o-m", "m-1", "SALE10"));
  // When the platform registers SALE10, then it is not refused
  Result<Offer> created = store.CreateOffer(PlatformCodeOffer("o-p", "SALE10"));
  EXPECT_EQ(CodeOf(created), StatusCode::kOk) << created.status().message();
  // But the payment layer shares the platform's scope
  Result<Offer> payment = store.CreateOffer(PlatformCodeOffer("o-q", "SALE10", Layer::kPayment));
  ASSERT_EQ(CodeOf(payment), StatusCode::kCodeConflict);
  EXPECT_EQ(payment.status().offer_id(), "o-p");
}

TEST_P(StoreConformanceTest, PublicCodeEqualToALiveUniqueCodeOfItsScopeIsCodeConflict) {
  auto& store = this->store_;
  // Given unique codes issued for m-1's o-u and for the platform's o-v
  store.GivenOffer(MakeUniqueCodeOffer("o-u"));
  Offer platform_unique = MakePlatformOffer("o-v");
  platform_unique.code_mode = CodeMode::kUnique;
  store.GivenOffer(platform_unique);
  const auto codes = MakeCodes(3);
  ASSERT_EQ(store.IssueCodes("o-u", {codes[0], codes[1]}).value().issued, 2U);
  ASSERT_EQ(store.IssueCodes("o-v", {codes[2]}).value().issued, 1U);
  // When m-1 registers one as a public code, or patches one in (hyphenated: the same code)
  Offer patched = store.GivenOffer(MakePublicCodeOffer("o-c", "OTHER"));
  patched.code = codes[1].substr(0, 4) + "-" + codes[1].substr(4);
  const Result<Offer> created = store.CreateOffer(MakePublicCodeOffer("o-b", codes[0]));
  const Result<Offer> updated = store.UpdateOffer(patched, 1);
  // Then both are refused, naming the unique codes' offer
  ASSERT_EQ(CodeOf(created), StatusCode::kCodeConflict);
  EXPECT_EQ(created.status().offer_id(), "o-u");
  ASSERT_EQ(CodeOf(updated), StatusCode::kCodeConflict);
  EXPECT_EQ(updated.status().offer_id(), "o-u");
  EXPECT_EQ(store.store().FindOffer("o-b"), nullptr);
  EXPECT_EQ(store.store().FindOffer("o-c")->code, "OTHER");
  // And the platform's unique code is refused to the platform
  const Result<Offer> platform = store.CreateOffer(PlatformCodeOffer("o-p", codes[2]));
  ASSERT_EQ(CodeOf(platform), StatusCode::kCodeConflict);
  EXPECT_EQ(platform.status().offer_id(), "o-v");
}

TEST_P(StoreConformanceTest, PublicCodeEqualToAUniqueCodeOfAnotherScopeIsAllowed) {
  auto& store = this->store_;
  // Given unique codes of m-2's o-u, and of m-1's o-w, since archived
  Offer shop2_unique = MakeUniqueCodeOffer("o-u");
  shop2_unique.merchant_id = "m-2";
  store.GivenOffer(shop2_unique);
  Offer archived = store.GivenOffer(MakeUniqueCodeOffer("o-w"));
  const auto codes = MakeCodes(2);
  ASSERT_EQ(store.IssueCodes("o-u", {codes[0]}).value().issued, 1U);
  ASSERT_EQ(store.IssueCodes("o-w", {codes[1]}).value().issued, 1U);
  archived.status = OfferStatus::kArchived;
  ASSERT_TRUE(store.UpdateOffer(archived, 1).ok());
  // Then m-1 and the platform may use m-2's as a public code, and m-1 the archived one's
  EXPECT_EQ(CodeOf(store.CreateOffer(MakePublicCodeOffer("o-a", codes[0]))), StatusCode::kOk);
  EXPECT_EQ(CodeOf(store.CreateOffer(PlatformCodeOffer("o-p", codes[0]))), StatusCode::kOk);
  EXPECT_EQ(CodeOf(store.CreateOffer(MakePublicCodeOffer("o-b", codes[1]))), StatusCode::kOk);
}

TEST_P(StoreConformanceTest, FindOfferOfUnknownIdIsNull) {
  EXPECT_EQ(this->store_.store().FindOffer("nope"), nullptr);
}

TEST_P(StoreConformanceTest, ListOffersHoldsEveryOfferAtItsLatestVersion) {
  auto& store = this->store_;
  store.GivenOffer(MakeOffer("o-2"));
  store.GivenOffer(MakeOffer("o-1"));
  Offer archived = store.GivenOffer(MakeOffer("o-3"));
  archived.status = OfferStatus::kArchived;
  ASSERT_TRUE(store.UpdateOffer(archived, 1).ok());

  auto offers = store.store().ListOffers();
  std::sort(offers.begin(), offers.end(),
            [](const auto& a, const auto& b) { return a->id < b->id; });
  ASSERT_EQ(offers.size(), 3U);
  EXPECT_EQ(offers[0]->id, "o-1");
  EXPECT_EQ(offers[1]->id, "o-2");
  EXPECT_EQ(offers[2]->id, "o-3");
  EXPECT_EQ(offers[2]->version, 2);
  EXPECT_EQ(offers[2]->status, OfferStatus::kArchived);
}

TEST_P(StoreConformanceTest, ListOffersPageWalksTheOffersInIdOrderFilteredByShopAndStatus) {
  auto& store = this->store_;
  // Given offers of two shops, created out of id order, one of them paused
  for (const char* id : {"o-5", "o-1", "o-4", "o-2", "o-3"}) store.GivenOffer(MakeOffer(id));
  Offer other = MakeOffer("o-0");
  other.merchant_id = "m-2";
  store.GivenOffer(other);
  Offer paused = *store.store().FindOffer("o-4");
  paused.status = OfferStatus::kPaused;
  ASSERT_TRUE(store.UpdateOffer(paused, 1).ok());
  auto ids = [](const OfferListPage& page) {
    std::vector<std::string> out;
    for (const auto& offer : page.offers) out.push_back(offer->id);
    return out;
  };

  // When the shop m-1's offers are read two at a time
  OfferListQuery query;
  query.merchant_id = "m-1";
  query.limit = 2;
  std::vector<std::vector<std::string>> pages;
  for (int i = 0; i < 5; ++i) {
    const OfferListPage page = store.store().ListOffersPage(query);
    pages.push_back(ids(page));
    if (!page.next_after_id) break;
    query.after_id = *page.next_after_id;
  }

  // Then every page is in id order, and the last one says so
  using Ids = std::vector<std::string>;
  EXPECT_EQ(pages, (std::vector<Ids>{{"o-1", "o-2"}, {"o-3", "o-4"}, {"o-5"}}));
  // And the filters hold: every shop, paused only, an unknown shop
  OfferListQuery all;
  EXPECT_EQ(ids(store.store().ListOffersPage(all)),
            (Ids{"o-0", "o-1", "o-2", "o-3", "o-4", "o-5"}));
  all.status = OfferStatus::kPaused;
  const OfferListPage only_paused = store.store().ListOffersPage(all);
  EXPECT_EQ(ids(only_paused), (Ids{"o-4"}));
  EXPECT_FALSE(only_paused.next_after_id.has_value());
  all.merchant_id = "m-3";
  all.status.reset();
  EXPECT_TRUE(store.store().ListOffersPage(all).offers.empty());
  // And each offer is at its latest version
  query = {};
  query.after_id = "o-3";
  query.limit = 1;
  const OfferListPage page = store.store().ListOffersPage(query);
  ASSERT_EQ(ids(page), (Ids{"o-4"}));
  EXPECT_EQ(page.offers[0]->version, 2);
  EXPECT_EQ(page.next_after_id, "o-4");
}

TEST_P(StoreConformanceTest, ListOffersPageStopsAfterLookingAtMaxExaminedOffers) {
  auto& store = this->store_;
  // Given ten offers, of which only the last is paused
  for (int i = 0; i < 10; ++i) store.GivenOffer(MakeOffer("o-" + std::to_string(i)));
  Offer paused = *store.store().FindOffer("o-9");
  paused.status = OfferStatus::kPaused;
  ASSERT_TRUE(store.UpdateOffer(paused, 1).ok());

  // When paused offers are listed looking at no more than four offers a page
  OfferListQuery query;
  query.status = OfferStatus::kPaused;
  query.limit = 1;
  query.max_examined = 4;
  std::vector<std::size_t> sizes;
  std::vector<std::string> found;
  for (int i = 0; i < 10; ++i) {
    const OfferListPage page = store.store().ListOffersPage(query);
    sizes.push_back(page.offers.size());
    for (const auto& offer : page.offers) found.push_back(offer->id);
    if (!page.next_after_id) break;
    query.after_id = *page.next_after_id;
  }

  // Then the pages end early, empty, with a cursor to read on from, until the paused one
  EXPECT_EQ(sizes, (std::vector<std::size_t>{0, 0, 1}));
  EXPECT_EQ(found, (std::vector<std::string>{"o-9"}));
}

TEST_P(StoreConformanceTest, ObserverSeesEveryOfferChange) {
  auto& store = this->store_;
  // Given an observer (it may be called on another thread, even after the test)
  struct Seen {
    std::mutex mutex;
    std::condition_variable changed;
    std::set<std::pair<std::string, std::int64_t>> versions;
  };
  auto seen = std::make_shared<Seen>();
  store.store().SetOfferObserver([seen](const std::vector<std::shared_ptr<const Offer>>& offers) {
    std::lock_guard lock(seen->mutex);
    for (const auto& offer : offers) seen->versions.emplace(offer->id, offer->version);
    seen->changed.notify_all();
  });
  // When an offer is created and updated
  Offer offer = store.GivenOffer(MakeOffer("o-1"));
  ASSERT_TRUE(store.UpdateOffer(offer, 1).ok());
  // Then the observer sees both versions
  std::unique_lock lock(seen->mutex);
  EXPECT_TRUE(
      seen->changed.wait_for(lock, kAwaitTimeout, [&] { return seen->versions.size() >= 2; }));
  EXPECT_EQ(seen->versions,
            (std::set<std::pair<std::string, std::int64_t>>{{"o-1", 1}, {"o-1", 2}}));
}

// --- Unique codes ----------------------------------------------------------------------------

TEST_P(StoreConformanceTest, IssueCodesReportsDuplicates) {
  auto& store = this->store_;
  store.GivenOffer(MakeUniqueCodeOffer("o-u"));
  const auto codes = MakeCodes(3);
  Result<IssuedCodes> first = store.IssueCodes("o-u", {codes[0], codes[1]});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->issued, 2U);
  EXPECT_TRUE(first->duplicates.empty());
  Result<IssuedCodes> second = store.IssueCodes("o-u", {codes[1], codes[2]});
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->issued, 1U);
  EXPECT_EQ(second->duplicates, std::vector<std::string>{codes[1]});
}

TEST_P(StoreConformanceTest, IssueCodesForUnknownOfferIsNotFound) {
  EXPECT_EQ(CodeOf(this->store_.IssueCodes("nope", MakeCodes(1))), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, IssuedCodeIsAvailable) {
  auto& store = this->store_;
  store.GivenOffer(MakeUniqueCodeOffer("o-u"));
  const auto codes = MakeCodes(2);
  store.GivenCodes("o-u", {codes[0]});
  const auto info = store.store().usage().FindUniqueCode(codes[0]);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->offer_id, "o-u");
  EXPECT_TRUE(info->available);
  EXPECT_FALSE(store.store().usage().FindUniqueCode(codes[1]).has_value());
}

TEST_P(StoreConformanceTest, CodeInLiveRedemptionIsCodeUsed) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeUniqueCodeOffer("o-u"));
  const auto code = MakeCodes(1)[0];
  store.GivenCodes("o-u", {code});
  // Given a reservation holding the code
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000, code).Build());
  EXPECT_FALSE(store.store().usage().FindUniqueCode(code)->available);
  // When another order uses it
  Result<CreateRedemptionOutcome> second =
      store.Create(RedemptionBuilder("r-2").Shopper("s-2").Apply(offer, 10'000, code).Build());
  // Then it is refused, naming the offer
  ASSERT_EQ(CodeOf(second), StatusCode::kCodeUsed);
  EXPECT_EQ(second.status().offer_id(), "o-u");
}

TEST_P(StoreConformanceTest, CommittedCodeStaysUsed) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeUniqueCodeOffer("o-u"));
  const auto code = MakeCodes(1)[0];
  store.GivenCodes("o-u", {code});
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000, code).Build());
  store.GivenTransition("r-1", RedemptionAction::kCommit);
  EXPECT_FALSE(store.store().usage().FindUniqueCode(code)->available);
  EXPECT_EQ(CodeOf(store.Create(RedemptionBuilder("r-2").Apply(offer, 10'000, code).Build())),
            StatusCode::kCodeUsed);
}

TEST_P(StoreConformanceTest, CancelFreesUniqueCode) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeUniqueCodeOffer("o-u"));
  const auto code = MakeCodes(1)[0];
  store.GivenCodes("o-u", {code});
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000, code).Build());
  store.GivenTransition("r-1", RedemptionAction::kCancel);
  EXPECT_TRUE(store.store().usage().FindUniqueCode(code)->available);
  EXPECT_EQ(CodeOf(store.Create(RedemptionBuilder("r-2").Apply(offer, 10'000, code).Build())),
            StatusCode::kOk);
}

TEST_P(StoreConformanceTest, ExpiryFreesUniqueCode) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeUniqueCodeOffer("o-u"));
  const auto code = MakeCodes(1)[0];
  store.GivenCodes("o-u", {code});
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000, code).Build());
  this->clock_.Advance(kTtl);
  ASSERT_EQ(store.ExpireDue().value(), 1U);
  EXPECT_TRUE(store.store().usage().FindUniqueCode(code)->available);
  EXPECT_EQ(CodeOf(store.Create(RedemptionBuilder("r-2")
                                    .CreatedAt(this->clock_.Now())
                                    .Apply(offer, 10'000, code)
                                    .Build())),
            StatusCode::kOk);
}

TEST_P(StoreConformanceTest, UnissuedCodeIsCodeUsed) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeUniqueCodeOffer("o-u"));
  Result<CreateRedemptionOutcome> created =
      store.Create(RedemptionBuilder("r-1").Apply(offer, 10'000, MakeCodes(1)[0]).Build());
  EXPECT_EQ(CodeOf(created), StatusCode::kCodeUsed);
  EXPECT_EQ(CodeOf(store.Get("r-1")), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, CodeOfAnotherOfferIsCodeUsed) {
  auto& store = this->store_;
  store.GivenOffer(MakeUniqueCodeOffer("o-u1"));
  const Offer other = store.GivenOffer(MakeUniqueCodeOffer("o-u2"));
  const auto code = MakeCodes(1)[0];
  store.GivenCodes("o-u1", {code});
  EXPECT_EQ(CodeOf(store.Create(RedemptionBuilder("r-1").Apply(other, 10'000, code).Build())),
            StatusCode::kCodeUsed);
  EXPECT_TRUE(store.store().usage().FindUniqueCode(code)->available);
}

// --- Lifecycle -------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, CreatedRedemptionIsReserved) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  const Redemption planned = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();
  Result<CreateRedemptionOutcome> created = store.Create(planned);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_FALSE(created->replayed);
  EXPECT_EQ(created->redemption, planned);
  EXPECT_EQ(created->redemption.status, S::kReserved);
  EXPECT_EQ(created->redemption.expires_at, Timestamp{CampaignNow().millis + kTtl});
  Result<Redemption> found = store.Get("r-1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found.value(), planned);
}

TEST_P(StoreConformanceTest, CreateWithCommitStartsCommitted) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  const Redemption created =
      store.GivenRedemption(RedemptionBuilder("r-1").Committed().Apply(offer, 10'000).Build());
  EXPECT_EQ(created.status, S::kCommitted);
  EXPECT_EQ(created.committed_at, CampaignNow());
  EXPECT_EQ(store.Get("r-1")->status, S::kCommitted);
  EXPECT_EQ(store.Stats("o-1")->totals, Bucket({{S::kCommitted, 1}}, 10'000, 500'000));
}

TEST_P(StoreConformanceTest, CommitSetsCommittedAt) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  this->clock_.Advance(5 * kMillisPerMinute);
  Result<Redemption> committed = store.Commit("r-1");
  ASSERT_TRUE(committed.ok()) << committed.status().message();
  EXPECT_EQ(committed->status, S::kCommitted);
  EXPECT_EQ(committed->committed_at, this->clock_.Now());
  EXPECT_EQ(store.Get("r-1").value(), committed.value());
}

TEST_P(StoreConformanceTest, CancelReleasesReservation) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  this->clock_.Advance(kMillisPerMinute);
  Result<Redemption> released = store.Cancel("r-1");
  ASSERT_TRUE(released.ok()) << released.status().message();
  EXPECT_EQ(released->status, S::kReleased);
  EXPECT_EQ(released->released_at, this->clock_.Now());
  EXPECT_EQ(released->committed_at, std::nullopt);
  EXPECT_EQ(store.Get("r-1").value(), released.value());
}

TEST_P(StoreConformanceTest, RefundSetsRefundedAt) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  this->clock_.Advance(kMillisPerMinute);
  const Timestamp committed_at = this->clock_.Now();
  store.GivenTransition("r-1", RedemptionAction::kCommit);
  this->clock_.Advance(kMillisPerDay);
  Result<Redemption> refunded = store.Refund("r-1");
  ASSERT_TRUE(refunded.ok()) << refunded.status().message();
  EXPECT_EQ(refunded->status, S::kRefunded);
  EXPECT_EQ(refunded->committed_at, committed_at);
  EXPECT_EQ(refunded->refunded_at, this->clock_.Now());
  EXPECT_EQ(store.Get("r-1").value(), refunded.value());
}

TEST_P(StoreConformanceTest, CommitTwiceIsInvalidTransition) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  const Redemption committed = store.GivenTransition("r-1", RedemptionAction::kCommit);
  this->clock_.Advance(kMillisPerMinute);
  EXPECT_EQ(CodeOf(store.Commit("r-1")), StatusCode::kInvalidTransition);
  EXPECT_EQ(store.Get("r-1").value(), committed);
  EXPECT_EQ(store.Stats("o-1")->totals, Bucket({{S::kCommitted, 1}}, 10'000, 500'000));
}

TEST_P(StoreConformanceTest, CancelOfCommittedIsInvalidTransition) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  store.GivenTransition("r-1", RedemptionAction::kCommit);
  EXPECT_EQ(CodeOf(store.Cancel("r-1")), StatusCode::kInvalidTransition);
  EXPECT_EQ(store.Get("r-1")->status, S::kCommitted);
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(1, 10'000, 1, 1));
}

TEST_P(StoreConformanceTest, RefundOfReservedIsInvalidTransition) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  EXPECT_EQ(CodeOf(store.Refund("r-1")), StatusCode::kInvalidTransition);
  EXPECT_EQ(store.Get("r-1")->status, S::kReserved);
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(1, 10'000, 1, 1));
}

TEST_P(StoreConformanceTest, ReleasedRedemptionIsFinal) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  const Redemption released = store.GivenTransition("r-1", RedemptionAction::kCancel);
  for (RedemptionAction action :
       {RedemptionAction::kCommit, RedemptionAction::kCancel, RedemptionAction::kRefund}) {
    EXPECT_EQ(CodeOf(store.Transition("r-1", action)), StatusCode::kInvalidTransition)
        << RedemptionActionName(action);
  }
  EXPECT_EQ(store.Get("r-1").value(), released);
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(0, 0, 0, 0));
}

TEST_P(StoreConformanceTest, ExpiredRedemptionIsFinal) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  this->clock_.Advance(kTtl);
  ASSERT_EQ(store.ExpireDue().value(), 1U);
  const Redemption expired = store.Get("r-1").value();
  EXPECT_EQ(CodeOf(store.Cancel("r-1")), StatusCode::kInvalidTransition);
  EXPECT_EQ(CodeOf(store.Refund("r-1")), StatusCode::kInvalidTransition);
  EXPECT_EQ(store.Get("r-1").value(), expired);
  EXPECT_EQ(expired.status, S::kExpired);
}

TEST_P(StoreConformanceTest, CommitAfterExpiryRanIsReservationExpired) {
  // store.h: kReservationExpired for any commit at or after expires_at, whether or not expiry
  // already ran (a client must not see sweeper timing).
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  this->clock_.Advance(kTtl);
  ASSERT_EQ(store.ExpireDue().value(), 1U);
  const Redemption expired = store.Get("r-1").value();
  EXPECT_EQ(CodeOf(store.Commit("r-1")), StatusCode::kReservationExpired);
  EXPECT_EQ(store.Get("r-1").value(), expired);
  EXPECT_EQ(store.Stats("o-1")->totals, Bucket({{S::kExpired, 1}}));
}

TEST_P(StoreConformanceTest, RefundedRedemptionIsFinal) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Committed().Apply(offer, 10'000).Build());
  const Redemption refunded = store.GivenTransition("r-1", RedemptionAction::kRefund);
  for (RedemptionAction action :
       {RedemptionAction::kCommit, RedemptionAction::kCancel, RedemptionAction::kRefund}) {
    EXPECT_EQ(CodeOf(store.Transition("r-1", action)), StatusCode::kInvalidTransition)
        << RedemptionActionName(action);
  }
  EXPECT_EQ(store.Get("r-1").value(), refunded);
  EXPECT_EQ(store.Stats("o-1")->totals, Bucket({{S::kRefunded, 1}}));
}

TEST_P(StoreConformanceTest, UnknownRedemptionIsNotFound) {
  auto& store = this->store_;
  EXPECT_EQ(CodeOf(store.Get("nope")), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store.Commit("nope")), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ReusedRedemptionIdIsAlreadyExists) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  const Redemption first =
      store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  Result<CreateRedemptionOutcome> again = store.Create(
      RedemptionBuilder("r-1").Shopper("s-2").Order("order-other").Apply(offer, 10'000).Build());
  EXPECT_EQ(CodeOf(again), StatusCode::kAlreadyExists);
  EXPECT_EQ(store.Get("r-1").value(), first);
  EXPECT_EQ(store.Usage(offer, "s-2", kToday), Counted(1, 10'000, 0, 1));
}

TEST_P(StoreConformanceTest, RedemptionApplyingNoOfferIsNothingToRedeem) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  Redemption empty = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();
  empty.applied.clear();
  empty.discount_total = 0;
  EXPECT_EQ(CodeOf(store.Create(empty)), StatusCode::kNothingToRedeem);
  EXPECT_EQ(CodeOf(store.Get("r-1")), StatusCode::kNotFound);
}

// --- Expiry ----------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, CommitAtExpiresAtIsReservationExpired) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 1;
  const Offer offer = store.GivenOffer(limited);
  const Redemption r = store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  // When the commit arrives exactly at the end of the reservation
  this->clock_.Set(r.expires_at);
  Result<Redemption> committed = store.Commit("r-1");
  // Then it is refused and the reservation is expired, its quota back
  EXPECT_EQ(CodeOf(committed), StatusCode::kReservationExpired);
  const Redemption after = store.Get("r-1").value();
  EXPECT_EQ(after.status, S::kExpired);
  EXPECT_EQ(after.expired_at, r.expires_at);
  EXPECT_EQ(after.committed_at, std::nullopt);
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(0, 0, 0, 0));
  EXPECT_EQ(store.Stats("o-1")->totals, Bucket({{S::kExpired, 1}}));
  EXPECT_EQ(store.Stats("o-1")->remaining_redemptions, 1);
}

TEST_P(StoreConformanceTest, CommitAfterExpiresAtIsReservationExpired) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  const Redemption r = store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  this->clock_.Set(Timestamp{r.expires_at.millis + kMillisPerHour});
  EXPECT_EQ(CodeOf(store.Commit("r-1")), StatusCode::kReservationExpired);
  EXPECT_EQ(store.Get("r-1")->status, S::kExpired);
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(0, 0, 0, 0));
}

TEST_P(StoreConformanceTest, CommitJustBeforeExpiresAtSucceeds) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  const Redemption r = store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  this->clock_.Set(Timestamp{r.expires_at.millis - 1});
  Result<Redemption> committed = store.Commit("r-1");
  ASSERT_TRUE(committed.ok()) << committed.status().message();
  EXPECT_EQ(committed->status, S::kCommitted);
}

TEST_P(StoreConformanceTest, ExpireDueExpiresOnlyDueReservations) {
  auto& store = this->store_;
  auto& clock = this->clock_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  const Timestamp t0 = clock.Now();
  // Given reservations ending at t0+15m and t0+20m, one ending at t0+25m, and a commit
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-2").Committed().Apply(offer, 10'000).Build());
  clock.Advance(5 * kMillisPerMinute);
  store.GivenRedemption(
      RedemptionBuilder("r-3").CreatedAt(clock.Now()).Apply(offer, 10'000).Build());
  clock.Advance(5 * kMillisPerMinute);
  store.GivenRedemption(
      RedemptionBuilder("r-4").CreatedAt(clock.Now()).Apply(offer, 10'000).Build());
  // When expiry runs at t0+20m
  clock.Set(Timestamp{t0.millis + 20 * kMillisPerMinute});
  Result<std::size_t> expired = store.ExpireDue(100);
  // Then exactly the two due reservations expire, at that instant
  ASSERT_TRUE(expired.ok()) << expired.status().message();
  EXPECT_EQ(expired.value(), 2U);
  EXPECT_EQ(store.Get("r-1")->status, S::kExpired);
  EXPECT_EQ(store.Get("r-1")->expired_at, clock.Now());
  EXPECT_EQ(store.Get("r-2")->status, S::kCommitted);
  EXPECT_EQ(store.Get("r-3")->status, S::kExpired);
  EXPECT_EQ(store.Get("r-4")->status, S::kReserved);
  EXPECT_EQ(store.ExpireDue(100).value(), 0U);
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(2, 20'000, 2, 2));
}

TEST_P(StoreConformanceTest, ExpireDueExpiresAtMostMaxCount) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  for (const char* id : {"r-1", "r-2", "r-3"}) {
    store.GivenRedemption(RedemptionBuilder(id).Apply(offer, 10'000).Build());
  }
  this->clock_.Advance(kTtl);
  EXPECT_EQ(store.ExpireDue(2).value(), 2U);
  EXPECT_EQ(store.Stats("o-1")->totals, Bucket({{S::kReserved, 1}, {S::kExpired, 2}}));
  EXPECT_EQ(store.ExpireDue(2).value(), 1U);
  EXPECT_EQ(store.Stats("o-1")->totals, Bucket({{S::kExpired, 3}}));
}

TEST_P(StoreConformanceTest, ExpiryGivesQuotaBack) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits = OfferLimits{1, 10'000, 1, 1};
  const Offer offer = store.GivenOffer(limited);
  // Given the last unit reserved by s-1, so s-2 is refused
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  EXPECT_EQ(
      CodeOf(store.Create(RedemptionBuilder("r-2").Shopper("s-2").Apply(offer, 10'000).Build())),
      StatusCode::kQuotaExhausted);
  // When the reservation expires
  this->clock_.Advance(kTtl);
  ASSERT_EQ(store.ExpireDue().value(), 1U);
  // Then every counter is back and s-2 gets the last unit
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(0, 0, 0, 0));
  Result<CreateRedemptionOutcome> retry = store.Create(RedemptionBuilder("r-3")
                                                           .Shopper("s-2")
                                                           .CreatedAt(this->clock_.Now())
                                                           .Apply(offer, 10'000)
                                                           .Build());
  EXPECT_EQ(CodeOf(retry), StatusCode::kOk) << retry.status().message();
}

// --- Limits ----------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, TotalRedemptionsLimitIsQuotaExhausted) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 2;
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(RedemptionBuilder("r-1").Shopper("s-1").Apply(offer, 10'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-2").Shopper("s-2").Apply(offer, 10'000).Build());
  Result<CreateRedemptionOutcome> third =
      store.Create(RedemptionBuilder("r-3").Shopper("s-3").Apply(offer, 10'000).Build());
  ASSERT_EQ(CodeOf(third), StatusCode::kQuotaExhausted);
  EXPECT_EQ(third.status().offer_id(), "o-1");
  EXPECT_EQ(CodeOf(store.Get("r-3")), StatusCode::kNotFound);
  EXPECT_EQ(store.Usage(offer, "s-3", kToday), Counted(2, 20'000, 0, 2));
}

TEST_P(StoreConformanceTest, CommitKeepsQuota) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 1;
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  store.GivenTransition("r-1", RedemptionAction::kCommit);
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(1, 10'000, 1, 1));
  EXPECT_EQ(
      CodeOf(store.Create(RedemptionBuilder("r-2").Shopper("s-2").Apply(offer, 10'000).Build())),
      StatusCode::kQuotaExhausted);
}

TEST_P(StoreConformanceTest, TotalBudgetLimitIsBudgetExhausted) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits.total_budget = 100'000;
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(RedemptionBuilder("r-1").Shopper("s-1").Apply(offer, 60'000).Build());
  // A discount that would pass the budget is refused even though a smaller one still fits
  Result<CreateRedemptionOutcome> too_big =
      store.Create(RedemptionBuilder("r-2").Shopper("s-2").Apply(offer, 40'001).Build());
  ASSERT_EQ(CodeOf(too_big), StatusCode::kBudgetExhausted);
  EXPECT_EQ(too_big.status().offer_id(), "o-1");
  store.GivenRedemption(RedemptionBuilder("r-3").Shopper("s-3").Apply(offer, 40'000).Build());
  EXPECT_EQ(CodeOf(store.Create(RedemptionBuilder("r-4").Shopper("s-4").Apply(offer, 1).Build())),
            StatusCode::kBudgetExhausted);
  EXPECT_EQ(store.Usage(offer, "s-4", kToday), Counted(2, 100'000, 0, 2));
  EXPECT_EQ(store.Stats("o-1")->remaining_budget, 0);
}

TEST_P(StoreConformanceTest, PerShopperLimitIsPerShopperLimit) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits.per_shopper = 2;
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(RedemptionBuilder("r-1").Shopper("s-1").Apply(offer, 10'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-2").Shopper("s-1").Apply(offer, 10'000).Build());
  Result<CreateRedemptionOutcome> third =
      store.Create(RedemptionBuilder("r-3").Shopper("s-1").Apply(offer, 10'000).Build());
  ASSERT_EQ(CodeOf(third), StatusCode::kPerShopperLimit);
  EXPECT_EQ(third.status().offer_id(), "o-1");
  store.GivenRedemption(RedemptionBuilder("r-4").Shopper("s-2").Apply(offer, 10'000).Build());
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(3, 30'000, 2, 3));
  EXPECT_EQ(store.Usage(offer, "s-2", kToday), Counted(3, 30'000, 1, 3));
}

TEST_P(StoreConformanceTest, PerDayLimitIsDailyLimit) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits.per_day = 2;
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(RedemptionBuilder("r-1").Shopper("s-1").Apply(offer, 10'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-2").Shopper("s-2").Apply(offer, 10'000).Build());
  Result<CreateRedemptionOutcome> third =
      store.Create(RedemptionBuilder("r-3").Shopper("s-3").Apply(offer, 10'000).Build());
  ASSERT_EQ(CodeOf(third), StatusCode::kDailyLimit);
  EXPECT_EQ(third.status().offer_id(), "o-1");
}

TEST_P(StoreConformanceTest, PerDayLimitCountsLocalDays) {
  auto& store = this->store_;
  auto& clock = this->clock_;
  Offer limited = MakeOffer("o-1");
  limited.limits.per_day = 1;
  const Offer offer = store.GivenOffer(limited);
  // 16:59:59Z is 23:59:59 on 9 October in Vietnam; 17:00:00Z is midnight starting 10 October.
  const Timestamp last_second = At("2026-10-09T16:59:59Z");
  const Timestamp midnight = At("2026-10-09T17:00:00Z");
  ASSERT_EQ(FormatLocalDay(DayOf(last_second)), "2026-10-09");
  ASSERT_EQ(FormatLocalDay(DayOf(midnight)), "2026-10-10");
  clock.Set(last_second);
  Result<CreateRedemptionOutcome> late = store.Create(
      RedemptionBuilder("r-1").Shopper("s-1").CreatedAt(last_second).Apply(offer, 10'000).Build());
  clock.Set(midnight);
  Result<CreateRedemptionOutcome> early = store.Create(
      RedemptionBuilder("r-2").Shopper("s-2").CreatedAt(midnight).Apply(offer, 10'000).Build());
  clock.Advance(1000);
  Result<CreateRedemptionOutcome> again = store.Create(
      RedemptionBuilder("r-3").Shopper("s-3").CreatedAt(clock.Now()).Apply(offer, 10'000).Build());
  EXPECT_EQ(CodeOf(late), StatusCode::kOk);
  EXPECT_EQ(CodeOf(early), StatusCode::kOk);
  EXPECT_EQ(CodeOf(again), StatusCode::kDailyLimit);
  EXPECT_EQ(store.Usage(offer, "s-1", DayOf(last_second)).day_redemptions, 1);
  EXPECT_EQ(store.Usage(offer, "s-1", DayOf(midnight)).day_redemptions, 1);
}

TEST_P(StoreConformanceTest, CancelGivesQuotaBack) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits = OfferLimits{1, 10'000, 1, 1};
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(1, 10'000, 1, 1));
  store.GivenTransition("r-1", RedemptionAction::kCancel);
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(0, 0, 0, 0));
  EXPECT_EQ(CodeOf(store.Create(RedemptionBuilder("r-2").Apply(offer, 10'000).Build())),
            StatusCode::kOk);
}

TEST_P(StoreConformanceTest, RefundGivesQuotaBackWhenOfferRestoresOnRefund) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits = OfferLimits{1, 10'000, 1, 1};
  limited.restore_on_refund = true;
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(RedemptionBuilder("r-1").Committed().Apply(offer, 10'000).Build());
  store.GivenTransition("r-1", RedemptionAction::kRefund);
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(0, 0, 0, 0));
  EXPECT_EQ(CodeOf(store.Create(RedemptionBuilder("r-2").Apply(offer, 10'000).Build())),
            StatusCode::kOk);
}

TEST_P(StoreConformanceTest, RefundKeepsQuotaWhenOfferDoesNotRestoreOnRefund) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits = OfferLimits{1, 10'000, 1, 1};
  limited.restore_on_refund = false;
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(RedemptionBuilder("r-1").Committed().Apply(offer, 10'000).Build());
  store.GivenTransition("r-1", RedemptionAction::kRefund);
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(1, 10'000, 1, 1));
  EXPECT_EQ(
      CodeOf(store.Create(RedemptionBuilder("r-2").Shopper("s-2").Apply(offer, 10'000).Build())),
      StatusCode::kQuotaExhausted);
  EXPECT_EQ(store.Stats("o-1")->remaining_redemptions, 0);
}

// --- Orders ----------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, SecondLiveRedemptionOfOrderIsOrderAlreadyRedeemed) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  const Offer other = store.GivenOffer(MakeOffer("o-2"));
  store.GivenRedemption(RedemptionBuilder("r-1").Order("order-9").Apply(offer, 10'000).Build());
  Result<CreateRedemptionOutcome> reserved_twice = store.Create(
      RedemptionBuilder("r-2").Shopper("s-2").Order("order-9").Apply(other, 10'000).Build());
  EXPECT_EQ(CodeOf(reserved_twice), StatusCode::kOrderAlreadyRedeemed);
  store.GivenTransition("r-1", RedemptionAction::kCommit);
  Result<CreateRedemptionOutcome> committed_twice =
      store.Create(RedemptionBuilder("r-3").Order("order-9").Apply(other, 10'000).Build());
  EXPECT_EQ(CodeOf(committed_twice), StatusCode::kOrderAlreadyRedeemed);
  EXPECT_EQ(store.Usage(other, "s-1", kToday), Counted(0, 0, 0, 0));
}

TEST_P(StoreConformanceTest, SameOrderIdAtAnotherMerchantIsAnotherOrder) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Order("order-9").Apply(offer, 10'000).Build());
  Result<CreateRedemptionOutcome> elsewhere = store.Create(
      RedemptionBuilder("r-2").Merchant("m-2").Order("order-9").Apply(offer, 10'000).Build());
  EXPECT_EQ(CodeOf(elsewhere), StatusCode::kOk);
}

TEST_P(StoreConformanceTest, OrderCanBeRedeemedAgainAfterCancel) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Order("order-9").Apply(offer, 10'000).Build());
  store.GivenTransition("r-1", RedemptionAction::kCancel);
  Result<CreateRedemptionOutcome> again =
      store.Create(RedemptionBuilder("r-2").Order("order-9").Apply(offer, 10'000).Build());
  EXPECT_EQ(CodeOf(again), StatusCode::kOk);
}

TEST_P(StoreConformanceTest, OrderCanBeRedeemedAgainAfterExpiry) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Order("order-9").Apply(offer, 10'000).Build());
  this->clock_.Advance(kTtl);
  ASSERT_EQ(store.ExpireDue().value(), 1U);
  Result<CreateRedemptionOutcome> again = store.Create(RedemptionBuilder("r-2")
                                                           .Order("order-9")
                                                           .CreatedAt(this->clock_.Now())
                                                           .Apply(offer, 10'000)
                                                           .Build());
  EXPECT_EQ(CodeOf(again), StatusCode::kOk);
}

TEST_P(StoreConformanceTest, FindLiveOrderNamesTheLiveRedemption) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Order("order-9").Apply(offer, 10'000).Build());
  store.GivenTransition("r-1", RedemptionAction::kCommit);
  EXPECT_EQ(store.FindLiveOrder("m-1", "order-9").value(), "r-1");
  EXPECT_EQ(store.FindLiveOrder("m-2", "order-9").value(), std::nullopt);
  EXPECT_EQ(store.FindLiveOrder("m-1", "order-8").value(), std::nullopt);
}

TEST_P(StoreConformanceTest, FindLiveOrderForgetsReleasedRedemptions) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Order("order-9").Apply(offer, 10'000).Build());
  store.GivenTransition("r-1", RedemptionAction::kCancel);
  EXPECT_EQ(store.FindLiveOrder("m-1", "order-9").value(), std::nullopt);
}

// --- Idempotency -----------------------------------------------------------------------------

TEST_P(StoreConformanceTest, SameClaimReplaysTheFirstResponse) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  const std::string first_response = R"({"id":"r-1","status":"reserved","discount_total":10000})";
  Result<CreateRedemptionOutcome> first =
      store.Create(RedemptionBuilder("r-1").Order("order-9").Apply(offer, 10'000).Build(),
                   Claim("key-a:idem-1", "fp-1", first_response));
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_FALSE(first->replayed);
  EXPECT_EQ(first->response, first_response);
  // When the same request comes again (the gateway plans it anew, with a new id)
  Result<CreateRedemptionOutcome> retry =
      store.Create(RedemptionBuilder("r-2").Order("order-9").Apply(offer, 10'000).Build(),
                   Claim("key-a:idem-1", "fp-1", R"({"id":"r-2"})"));
  // Then the first outcome is replayed, byte for byte, and nothing new is created
  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->response, first_response);
  EXPECT_EQ(retry->redemption.id, "r-1");
  EXPECT_EQ(CodeOf(store.Get("r-2")), StatusCode::kNotFound);
  EXPECT_EQ(store.Usage(offer, "s-1", kToday), Counted(1, 10'000, 1, 1));
}

TEST_P(StoreConformanceTest, ReplayAfterCommitReturnsTheFirstResponse) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  const std::string first_response = R"({"id":"r-1","status":"reserved"})";
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                        Claim("key-a:idem-1", "fp-1", first_response));
  store.GivenTransition("r-1", RedemptionAction::kCommit);
  Result<CreateRedemptionOutcome> retry =
      store.Create(RedemptionBuilder("r-2").Apply(offer, 10'000).Build(),
                   Claim("key-a:idem-1", "fp-1", R"({"id":"r-2"})"));
  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->response, first_response);
  EXPECT_EQ(retry->redemption.id, "r-1");
  EXPECT_EQ(store.Get("r-1")->status, S::kCommitted);
}

TEST_P(StoreConformanceTest, SameKeyWithAnotherBodyIsIdempotencyKeyReused) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                        Claim("key-a:idem-1", "fp-1", "first"));
  Result<CreateRedemptionOutcome> reused = store.Create(
      RedemptionBuilder("r-2").Shopper("s-2").Order("order-other").Apply(offer, 10'000).Build(),
      Claim("key-a:idem-1", "fp-2", "second"));
  EXPECT_EQ(CodeOf(reused), StatusCode::kIdempotencyKeyReused);
  EXPECT_EQ(CodeOf(store.Get("r-2")), StatusCode::kNotFound);
  EXPECT_EQ(store.Usage(offer, "s-2", kToday), Counted(1, 10'000, 0, 1));
}

// Each applied offer's per-shopper limit counts that offer's redemptions of the shopper, not
// those of another offer applied beside it.
TEST_P(StoreConformanceTest, PerShopperLimitOfEachAppliedOfferCountsThatOfferOnly) {
  auto& store = this->store_;
  Offer shop_offer = MakeOffer("o-a");
  shop_offer.limits.per_shopper = 3;
  Offer platform_offer = MakePlatformOffer("o-b");
  platform_offer.limits.per_shopper = 1;
  const Offer a = store.GivenOffer(shop_offer);
  const Offer b = store.GivenOffer(platform_offer);
  store.GivenRedemption(RedemptionBuilder("r-1").Shopper("s-1").Apply(b, 5'000).Build());
  // o-a first, o-b second: o-b is refused by its own count (1), not o-a's (0).
  Result<CreateRedemptionOutcome> both = store.Create(
      RedemptionBuilder("r-2").Shopper("s-1").Apply(a, 10'000).Apply(b, 5'000).Build());
  ASSERT_EQ(CodeOf(both), StatusCode::kPerShopperLimit);
  EXPECT_EQ(both.status().offer_id(), "o-b");
  store.GivenRedemption(RedemptionBuilder("r-3").Shopper("s-1").Apply(a, 10'000).Build());
  EXPECT_EQ(store.Usage(a, "s-1", kToday), Counted(1, 10'000, 1, 1));
  EXPECT_EQ(store.Usage(b, "s-1", kToday), Counted(1, 5'000, 1, 1));
  // Cancelled, r-1 gives o-b back to the shopper; o-a's count is untouched.
  store.GivenTransition("r-1", RedemptionAction::kCancel);
  store.GivenRedemption(
      RedemptionBuilder("r-4").Shopper("s-1").Apply(a, 10'000).Apply(b, 5'000).Build());
  EXPECT_EQ(store.Usage(a, "s-1", kToday), Counted(2, 20'000, 2, 2));
  EXPECT_EQ(store.Usage(b, "s-1", kToday), Counted(1, 5'000, 1, 1));
  EXPECT_EQ(CodeOf(store.Create(RedemptionBuilder("r-5").Shopper("s-1").Apply(b, 5'000).Build())),
            StatusCode::kPerShopperLimit);
  store.GivenRedemption(RedemptionBuilder("r-6").Shopper("s-1").Apply(a, 10'000).Build());
  EXPECT_EQ(CodeOf(store.Create(RedemptionBuilder("r-7").Shopper("s-1").Apply(a, 10'000).Build())),
            StatusCode::kPerShopperLimit);
}

TEST_P(StoreConformanceTest, ReplayIgnoresLimitsTheFirstRequestUsedUp) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits.per_shopper = 1;
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                        Claim("key-a:idem-1", "fp-1", "first"));
  // A fresh request from s-1 would now be refused...
  EXPECT_EQ(
      CodeOf(store.Create(RedemptionBuilder("r-x").Order("order-x").Apply(offer, 10'000).Build())),
      StatusCode::kPerShopperLimit);
  // ...but the retry of the first one is answered from its record
  Result<CreateRedemptionOutcome> retry =
      store.Create(RedemptionBuilder("r-2").Order("order-r-1").Apply(offer, 10'000).Build(),
                   Claim("key-a:idem-1", "fp-1", "second"));
  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->response, "first");
}

TEST_P(StoreConformanceTest, SameKeyInAnotherScopeIsAnotherRequest) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                        Claim("key-a:idem-1", "fp-1", "first"));
  Result<CreateRedemptionOutcome> other =
      store.Create(RedemptionBuilder("r-2").Apply(offer, 10'000).Build(),
                   Claim("key-b:idem-1", "fp-1", "other"));
  ASSERT_TRUE(other.ok()) << other.status().message();
  EXPECT_FALSE(other->replayed);
  EXPECT_EQ(other->response, "other");
  EXPECT_EQ(other->redemption.id, "r-2");
}

TEST_P(StoreConformanceTest, FindIdempotentResponseReturnsTheRecordedResponse) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                        Claim("key-a:idem-1", "fp-1", "first \xE2\x82\xAB\n"));
  Result<std::optional<std::string>> found = store.FindIdempotentResponse("key-a:idem-1", "fp-1");
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found.value(), "first \xE2\x82\xAB\n");
}

TEST_P(StoreConformanceTest, FindIdempotentResponseOfUnknownKeyIsNullopt) {
  Result<std::optional<std::string>> found =
      this->store_.FindIdempotentResponse("key-a:idem-1", "fp-1");
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found.value(), std::nullopt);
}

TEST_P(StoreConformanceTest, FindIdempotentResponseWithAnotherBodyIsIdempotencyKeyReused) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                        Claim("key-a:idem-1", "fp-1", "first"));
  EXPECT_EQ(CodeOf(store.FindIdempotentResponse("key-a:idem-1", "fp-2")),
            StatusCode::kIdempotencyKeyReused);
}

TEST_P(StoreConformanceTest, RefusedRequestRecordsNoClaim) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 1;
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(RedemptionBuilder("r-0").Shopper("s-0").Apply(offer, 10'000).Build());
  // Given a request refused for quota
  const Redemption planned = RedemptionBuilder("r-1").Apply(offer, 10'000).Build();
  EXPECT_EQ(CodeOf(store.Create(planned, Claim("key-a:idem-1", "fp-1", "first"))),
            StatusCode::kQuotaExhausted);
  EXPECT_EQ(store.FindIdempotentResponse("key-a:idem-1", "fp-1").value(), std::nullopt);
  // When quota comes back and the client retries with the same key a moment later (a
  // shared store treats a request planned within 1 s of a refusal of its key as one that was
  // in flight meanwhile: see Store::SettleRefusal)
  store.GivenTransition("r-0", RedemptionAction::kCancel);
  this->clock_.Advance(2'000);
  Result<CreateRedemptionOutcome> retry = store.Create(
      RedemptionBuilder("r-1").CreatedAt(this->clock_.Now()).Apply(offer, 10'000).Build(),
      Claim("key-a:idem-1", "fp-1", "retry"));
  // Then the retry is a new request
  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_FALSE(retry->replayed);
  EXPECT_EQ(retry->response, "retry");
}

TEST_P(StoreConformanceTest, IdempotencyRecordIsKeptFor24Hours) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                        Claim("key-a:idem-1", "fp-1", "first"));
  this->clock_.Advance(24 * kMillisPerHour - 1);
  EXPECT_EQ(store.ExpireDue().value(), 1U);  // housekeeping runs meanwhile
  EXPECT_EQ(store.FindIdempotentResponse("key-a:idem-1", "fp-1").value(), "first");
  Result<CreateRedemptionOutcome> retry = store.Create(
      RedemptionBuilder("r-2").CreatedAt(this->clock_.Now()).Apply(offer, 10'000).Build(),
      Claim("key-a:idem-1", "fp-1", "second"));
  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->response, "first");
}

TEST_P(StoreConformanceTest, IdempotencyRecordIsForgottenAfter24Hours) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build(),
                        Claim("key-a:idem-1", "fp-1", "first"));
  this->clock_.Advance(24 * kMillisPerHour + 1);
  EXPECT_EQ(store.FindIdempotentResponse("key-a:idem-1", "fp-1").value(), std::nullopt);
  Result<CreateRedemptionOutcome> reuse = store.Create(
      RedemptionBuilder("r-2").CreatedAt(this->clock_.Now()).Apply(offer, 10'000).Build(),
      Claim("key-a:idem-1", "fp-2", "second"));
  ASSERT_TRUE(reuse.ok()) << reuse.status().message();
  EXPECT_FALSE(reuse->replayed);
  EXPECT_EQ(reuse->response, "second");
  EXPECT_EQ(reuse->redemption.id, "r-2");
}

// --- Stats -----------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, StatsCountRedemptionsByStatus) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  auto reserve = [&](const char* id) {
    store.GivenRedemption(RedemptionBuilder(id).Apply(offer, 10'000).Build());
  };
  reserve("r-reserved");
  store.GivenRedemption(RedemptionBuilder("r-committed").Committed().Apply(offer, 10'000).Build());
  reserve("r-commit");
  store.GivenTransition("r-commit", RedemptionAction::kCommit);
  reserve("r-cancel");
  store.GivenTransition("r-cancel", RedemptionAction::kCancel);
  store.GivenRedemption(RedemptionBuilder("r-expire").TtlMillis(1000).Apply(offer, 10'000).Build());
  reserve("r-refund");
  store.GivenTransition("r-refund", RedemptionAction::kCommit);
  store.GivenTransition("r-refund", RedemptionAction::kRefund);
  this->clock_.Advance(1000);
  ASSERT_EQ(store.ExpireDue().value(), 1U);

  Result<OfferStats> stats = store.Stats("o-1");
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->offer_id, "o-1");
  EXPECT_EQ(stats->totals, Bucket({{S::kReserved, 1},
                                   {S::kCommitted, 2},
                                   {S::kReleased, 1},
                                   {S::kExpired, 1},
                                   {S::kRefunded, 1}},
                                  20'000, 1'000'000));
}

TEST_P(StoreConformanceTest, StatsSumDiscountAndGmvOfCommittedRedemptions) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(
      RedemptionBuilder("r-1").Subtotal(500'000).Committed().Apply(offer, 50'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-2").Subtotal(300'000).Apply(offer, 30'000).Build());
  store.GivenTransition("r-2", RedemptionAction::kCommit);
  store.GivenRedemption(RedemptionBuilder("r-3").Subtotal(200'000).Apply(offer, 20'000).Build());
  Result<OfferStats> stats = store.Stats("o-1");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->totals.discount_committed, 80'000);
  EXPECT_EQ(stats->totals.gmv_committed, 800'000);
}

TEST_P(StoreConformanceTest, RefundTakesDiscountAndGmvBackOut) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(
      RedemptionBuilder("r-1").Subtotal(500'000).Committed().Apply(offer, 50'000).Build());
  store.GivenRedemption(
      RedemptionBuilder("r-2").Subtotal(300'000).Committed().Apply(offer, 30'000).Build());
  store.GivenTransition("r-2", RedemptionAction::kRefund);
  EXPECT_EQ(store.Stats("o-1")->totals,
            Bucket({{S::kCommitted, 1}, {S::kRefunded, 1}}, 50'000, 500'000));
}

TEST_P(StoreConformanceTest, UniqueShoppersCountsDistinctCommittedShoppers) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  auto redeem = [&](const char* id, const char* shopper, bool commit) {
    RedemptionBuilder builder(id);
    builder.Shopper(shopper).Apply(offer, 10'000);
    if (commit) builder.Committed();
    store.GivenRedemption(builder.Build());
  };
  redeem("r-1", "s-1", true);
  redeem("r-2", "s-1", true);
  redeem("r-3", "s-2", true);
  store.GivenTransition("r-3", RedemptionAction::kRefund);  // a refund keeps s-2 counted
  redeem("r-4", "s-3", false);                              // reserved only
  redeem("r-5", "s-4", false);
  store.GivenTransition("r-5", RedemptionAction::kCancel);
  EXPECT_EQ(store.Stats("o-1")->unique_shoppers, 2);
}

TEST_P(StoreConformanceTest, RemainingIsNulloptWhenUnlimited) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  Result<OfferStats> stats = store.Stats("o-1");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->remaining_redemptions, std::nullopt);
  EXPECT_EQ(stats->remaining_budget, std::nullopt);
}

TEST_P(StoreConformanceTest, RemainingCountsLiveRedemptionsAndTheirDiscounts) {
  auto& store = this->store_;
  Offer limited = MakeOffer("o-1");
  limited.limits.total_redemptions = 10;
  limited.limits.total_budget = 100'000;
  const Offer offer = store.GivenOffer(limited);
  store.GivenRedemption(RedemptionBuilder("r-1").Apply(offer, 10'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-2").Committed().Apply(offer, 20'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-3").Apply(offer, 30'000).Build());
  store.GivenTransition("r-3", RedemptionAction::kCancel);
  Result<OfferStats> stats = store.Stats("o-1");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->remaining_redemptions, 8);
  EXPECT_EQ(stats->remaining_budget, 70'000);
}

TEST_P(StoreConformanceTest, StatsByDayUseTheLocalDayOfCreation) {
  auto& store = this->store_;
  auto& clock = this->clock_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  // Given a reservation made one second before local midnight and committed after it
  clock.Set(At("2026-10-09T16:59:59Z"));
  store.GivenRedemption(
      RedemptionBuilder("r-1").CreatedAt(clock.Now()).Apply(offer, 10'000).Build());
  clock.Set(At("2026-10-09T17:00:30Z"));
  store.GivenTransition("r-1", RedemptionAction::kCommit);
  // and two redemptions of the next local day
  store.GivenRedemption(
      RedemptionBuilder("r-2").CreatedAt(clock.Now()).Committed().Apply(offer, 20'000).Build());
  store.GivenRedemption(
      RedemptionBuilder("r-3").CreatedAt(clock.Now()).Apply(offer, 30'000).Build());

  Result<OfferStats> stats = store.Stats("o-1");
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->by_day.size(), 2U);
  EXPECT_EQ(FormatLocalDay(stats->by_day[0].first), "2026-10-09");
  EXPECT_EQ(stats->by_day[0].second, Bucket({{S::kCommitted, 1}}, 10'000, 500'000));
  EXPECT_EQ(FormatLocalDay(stats->by_day[1].first), "2026-10-10");
  EXPECT_EQ(stats->by_day[1].second,
            Bucket({{S::kReserved, 1}, {S::kCommitted, 1}}, 20'000, 500'000));
}

TEST_P(StoreConformanceTest, StatsByPaymentMethodCoverMethodsInUse) {
  auto& store = this->store_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  store.GivenRedemption(RedemptionBuilder("r-1")
                            .Method(PaymentMethod::kMomo)
                            .Committed()
                            .Apply(offer, 10'000)
                            .Build());
  store.GivenRedemption(
      RedemptionBuilder("r-2").Method(PaymentMethod::kMomo).Apply(offer, 10'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-3")
                            .Method(PaymentMethod::kVietqr)
                            .Subtotal(300'000)
                            .Committed()
                            .Apply(offer, 15'000)
                            .Build());
  Result<OfferStats> stats = store.Stats("o-1");
  ASSERT_TRUE(stats.ok());
  std::map<PaymentMethod, StatsBucket> by_method(stats->by_payment_method.begin(),
                                                 stats->by_payment_method.end());
  EXPECT_EQ(by_method.size(), stats->by_payment_method.size());
  ASSERT_EQ(by_method.size(), 2U);
  EXPECT_EQ(by_method[PaymentMethod::kMomo],
            Bucket({{S::kReserved, 1}, {S::kCommitted, 1}}, 10'000, 500'000));
  EXPECT_EQ(by_method[PaymentMethod::kVietqr], Bucket({{S::kCommitted, 1}}, 15'000, 300'000));
}

TEST_P(StoreConformanceTest, StatsOfUnknownOfferIsNotFound) {
  EXPECT_EQ(CodeOf(this->store_.Stats("nope")), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, UsageEqualsTheLedgerOfLiveRedemptions) {
  auto& store = this->store_;
  auto& clock = this->clock_;
  Offer merchant = MakeOffer("o-m");
  merchant.restore_on_refund = false;
  const std::vector<Offer> offers = {store.GivenOffer(merchant),
                                     store.GivenOffer(MakePlatformOffer("o-p"))};
  // Given redemptions of one or both offers across two days, moved through every transition
  std::vector<std::string> ids;
  for (int i = 0; i < 24; ++i) {
    if (i == 12) clock.Advance(kMillisPerDay);
    const std::string id = "r-" + std::to_string(i);
    RedemptionBuilder builder(id);
    builder.Shopper("s-" + std::to_string(i % 3)).CreatedAt(clock.Now());
    builder.TtlMillis(i % 6 == 0 ? 1 : 2 * kMillisPerDay);
    if (i % 4 != 3) builder.Apply(offers[0], 1'000 + i);
    if (i % 4 != 0) builder.Apply(offers[1], 2'000 + i);
    store.GivenRedemption(builder.Build());
    ids.push_back(id);
    switch (i % 6) {
      case 1:
        store.GivenTransition(id, RedemptionAction::kCommit);
        break;
      case 2:
        store.GivenTransition(id, RedemptionAction::kCancel);
        break;
      case 3:
        store.GivenTransition(id, RedemptionAction::kCommit);
        store.GivenTransition(id, RedemptionAction::kRefund);
        break;
      default:
        break;
    }
  }
  clock.Advance(1);
  ASSERT_EQ(store.ExpireDue().value(), 4U);
  std::vector<Redemption> ledger;
  for (const std::string& id : ids) ledger.push_back(store.Get(id).value());

  // Then every usage counter equals its sum over the ledger
  for (const Offer& offer : offers) {
    for (const LocalDay day : {kToday, LocalDay{kToday.index + 1}}) {
      for (const char* shopper : {"s-0", "s-1", "s-2"}) {
        OfferUsage expected;
        for (const Redemption& r : ledger) {
          for (const RedeemedOffer& applied : r.applied) {
            const bool holds =
                IsLive(r.status) || (r.status == S::kRefunded && !applied.restore_on_refund);
            if (applied.offer_id != offer.id || !holds) continue;
            expected.redemptions += 1;
            expected.budget_spent += applied.discount;
            if (r.shopper_id == shopper) expected.shopper_redemptions += 1;
            if (DayOf(r.created_at) == day) expected.day_redemptions += 1;
          }
        }
        EXPECT_EQ(store.Usage(offer, shopper, day), expected)
            << offer.id << " " << shopper << " " << FormatLocalDay(day);
      }
    }
  }
}

TEST_P(StoreConformanceTest, CampaignStatsCountEachRedemptionOnce) {
  auto& store = this->store_;
  const Offer merchant = store.GivenOffer(MakeOffer("o-m"));
  const Offer platform = store.GivenOffer(MakePlatformOffer("o-p"));
  // Given a committed redemption applying two offers, a reservation, and another shop's sale
  store.GivenRedemption(
      RedemptionBuilder("r-1").Committed().Apply(merchant, 10'000).Apply(platform, 5'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-2").Shopper("s-2").Apply(merchant, 10'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-3")
                            .Shopper("s-3")
                            .Merchant("m-2")
                            .Subtotal(200'000)
                            .Committed()
                            .Apply(platform, 5'000)
                            .Build());
  // When the whole campaign is summed
  Result<CampaignStats> stats = store.CampaignStatsFor(CampaignQuery{});
  // Then each redemption counts once, with its whole discount and subtotal
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->totals, Bucket({{S::kReserved, 1}, {S::kCommitted, 2}}, 20'000, 700'000));
  EXPECT_EQ(stats->unique_shoppers, 2);
  EXPECT_TRUE(stats->groups.empty());
}

TEST_P(StoreConformanceTest, CampaignStatsByOfferCountEachOffersShare) {
  auto& store = this->store_;
  const Offer merchant = store.GivenOffer(MakeOffer("o-m"));
  const Offer platform = store.GivenOffer(MakePlatformOffer("o-p"));
  store.GivenRedemption(
      RedemptionBuilder("r-1").Committed().Apply(merchant, 10'000).Apply(platform, 5'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-2").Shopper("s-2").Apply(platform, 5'000).Build());
  Result<CampaignStats> stats = store.CampaignStatsFor(
      CampaignQuery{std::nullopt, std::nullopt, std::nullopt, CampaignGrouping::kOffer});
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  ASSERT_EQ(stats->groups.size(), 2U);
  EXPECT_EQ(stats->groups[0].key, "o-m");
  EXPECT_EQ(stats->groups[0].bucket, Bucket({{S::kCommitted, 1}}, 10'000, 500'000));
  EXPECT_EQ(stats->groups[1].key, "o-p");
  EXPECT_EQ(stats->groups[1].bucket,
            Bucket({{S::kReserved, 1}, {S::kCommitted, 1}}, 5'000, 500'000));
}

TEST_P(StoreConformanceTest, CampaignStatsSelectMerchantAndHourRange) {
  auto& store = this->store_;
  auto& clock = this->clock_;
  const Offer offer = store.GivenOffer(MakeOffer("o-1"));
  // Given sales at m-1 at 11:xx and 12:xx local, and at m-2 at 12:xx
  clock.Set(At("2026-10-10T11:59:59+07:00"));
  store.GivenRedemption(
      RedemptionBuilder("r-1").CreatedAt(clock.Now()).Committed().Apply(offer, 1'000).Build());
  clock.Set(At("2026-10-10T12:00:00+07:00"));
  store.GivenRedemption(
      RedemptionBuilder("r-2").CreatedAt(clock.Now()).Committed().Apply(offer, 2'000).Build());
  store.GivenRedemption(RedemptionBuilder("r-3")
                            .Merchant("m-2")
                            .CreatedAt(clock.Now())
                            .Committed()
                            .Apply(offer, 4'000)
                            .Build());
  // When m-1's sales from 12:00 to 13:00 are summed
  Result<CampaignStats> stats = store.CampaignStatsFor(
      CampaignQuery{At("2026-10-10T12:00:00+07:00"), At("2026-10-10T13:00:00+07:00"),
                    std::string("m-1"), CampaignGrouping::kNone});
  // Then only r-2 counts
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->totals, Bucket({{S::kCommitted, 1}}, 2'000, 500'000));
}

TEST_P(StoreConformanceTest, NewStoreIsReady) { EXPECT_TRUE(this->store_.store().ready()); }

// --- All or nothing --------------------------------------------------------------------------

TEST_P(StoreConformanceTest, RedemptionRefusedBySecondOfferChangesNothing) {
  auto& store = this->store_;
  // Given a unique-code merchant offer, and a platform offer whose only unit is taken
  Offer merchant = MakeUniqueCodeOffer("o-a");
  merchant.limits = OfferLimits{5, 50'000, 1, 5};
  const Offer first = store.GivenOffer(merchant);
  Offer platform = MakePlatformOffer("o-b");
  platform.limits.total_redemptions = 1;
  const Offer second = store.GivenOffer(platform);
  const auto code = MakeCodes(1)[0];
  store.GivenCodes("o-a", {code});
  store.GivenRedemption(
      RedemptionBuilder("r-0").Shopper("s-0").Merchant("m-2").Apply(second, 5'000).Build());
  // When a redemption applies both
  Result<CreateRedemptionOutcome> both = store.Create(RedemptionBuilder("r-1")
                                                          .Order("order-9")
                                                          .Apply(first, 10'000, code)
                                                          .Apply(second, 5'000)
                                                          .Build(),
                                                      Claim("key-a:idem-1", "fp-1", "both"));
  // Then it is refused for the second offer and nothing of it was written
  ASSERT_EQ(CodeOf(both), StatusCode::kQuotaExhausted);
  EXPECT_EQ(both.status().offer_id(), "o-b");
  EXPECT_EQ(CodeOf(store.Get("r-1")), StatusCode::kNotFound);
  EXPECT_EQ(store.Usage(first, "s-1", kToday), Counted(0, 0, 0, 0));
  EXPECT_TRUE(store.store().usage().FindUniqueCode(code)->available);
  EXPECT_EQ(store.FindIdempotentResponse("key-a:idem-1", "fp-1").value(), std::nullopt);
  Result<OfferStats> stats = store.Stats("o-a");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->totals, StatsBucket{});
  EXPECT_EQ(stats->unique_shoppers, 0);
  EXPECT_TRUE(stats->by_day.empty());
  EXPECT_TRUE(stats->by_payment_method.empty());
  EXPECT_EQ(stats->remaining_redemptions, 5);
  EXPECT_EQ(stats->remaining_budget, 50'000);
  // and the same order, shopper and code can still redeem the first offer alone (a new
  // request under the same key: its body, without the second offer's code, is another one)
  Result<CreateRedemptionOutcome> alone =
      store.Create(RedemptionBuilder("r-2").Order("order-9").Apply(first, 10'000, code).Build(),
                   Claim("key-a:idem-1", "fp-2", "alone"));
  ASSERT_TRUE(alone.ok()) << alone.status().message();
  EXPECT_FALSE(alone->replayed);
}

}  // namespace uudai::store_test
