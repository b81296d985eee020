// The Store conformance suite (see store_conformance.h) for Store::CreateOffers: offers
// registered together, all or nothing. Every store stores the whole batch at version 1 and
// tells the observer of it, or refuses it naming every refused offer by its position in the
// batch ("[3].id", "[7].code") and stores none of it.
#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/store_conformance.h"

namespace uudai::store_test {
namespace {

// The paths of a refusal's field errors, in order.
std::vector<std::string> PathsOf(const Status& status) {
  std::vector<std::string> paths;
  for (const FieldError& error : status.field_errors()) paths.push_back(error.path);
  return paths;
}

// The ids of every stored offer, sorted.
std::vector<std::string> StoredIds(const Store& store) {
  std::vector<std::string> ids;
  for (const auto& offer : store.ListOffers()) ids.push_back(offer->id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Checks that the store holds exactly the offers `before` (sorted ids), so that no offer of
// `batch` whose id was free is stored.
void ExpectNoneStored(const Store& store, const std::vector<Offer>& batch,
                      const std::vector<std::string>& before) {
  EXPECT_EQ(StoredIds(store), before);
  for (const Offer& offer : batch) {
    if (std::find(before.begin(), before.end(), offer.id) != before.end()) continue;
    EXPECT_EQ(store.FindOffer(offer.id), nullptr) << offer.id;
  }
}

// `count` auto offers "<prefix>-0".., each named after its position.
std::vector<Offer> ManyOffers(const std::string& prefix, int count) {
  std::vector<Offer> offers;
  for (int i = 0; i < count; ++i) {
    Offer offer = MakeOffer(prefix + "-" + std::to_string(i));
    offer.name = "Lô " + prefix + " số " + std::to_string(i);
    offers.push_back(std::move(offer));
  }
  return offers;
}

}  // namespace

// --- Stored together ----------------------------------------------------------------------------

TEST_P(StoreConformanceTest, CreateOffersStoresEveryOfferAtVersionOneInTheOrderGiven) {
  auto& store = this->store_;
  store.GivenOffer(MakeOffer("o-0"));
  // Given offers of three kinds whose caller-side versions say otherwise, ids out of order
  Offer platform = MakePlatformOffer("o-c");
  platform.version = 9;
  Offer coded = MakePublicCodeOffer("o-a", "THANG10");
  coded.version = 3;
  Offer unique = MakeUniqueCodeOffer("o-b");
  std::vector<Offer> batch = {platform, coded, unique};

  // When they are created together
  Result<std::vector<Offer>> created = store.CreateOffers(batch);

  // Then each is answered, in the order given, unchanged but for version 1
  ASSERT_TRUE(created.ok()) << created.status().message();
  for (Offer& offer : batch) offer.version = 1;
  EXPECT_EQ(created.value(), batch);
  // And each is found by id and listed beside the earlier offer
  for (const Offer& offer : batch) {
    const auto found = store.store().FindOffer(offer.id);
    ASSERT_NE(found, nullptr) << offer.id;
    EXPECT_EQ(*found, offer);
  }
  EXPECT_EQ(StoredIds(store.store()), (std::vector<std::string>{"o-0", "o-a", "o-b", "o-c"}));
}

TEST_P(StoreConformanceTest, OffersCreatedTogetherAreUpdatedAndCodedLikeAnyOther) {
  auto& store = this->store_;
  ASSERT_TRUE(
      store.CreateOffers({MakeOffer("o-1"), MakeUniqueCodeOffer("o-u"), MakeOffer("o-2")}).ok());
  // An edit from version 1 succeeds (the store holds version 1), a second one from 1 does not
  Offer edited = *store.store().FindOffer("o-2");
  edited.name = "Giảm 20.000đ";
  Result<Offer> updated = store.UpdateOffer(edited, 1);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(CodeOf(store.UpdateOffer(edited, 1)), StatusCode::kVersionMismatch);
  EXPECT_EQ(store.store().FindOffer("o-2")->name, "Giảm 20.000đ");
  // And the batch's unique-code offer takes codes
  const auto codes = MakeCodes(2);
  Result<IssuedCodes> issued = store.IssueCodes("o-u", codes);
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  EXPECT_EQ(issued->issued, 2U);
  ASSERT_TRUE(store.store().usage().FindUniqueCode(codes[1]).has_value());
  EXPECT_EQ(store.store().usage().FindUniqueCode(codes[1])->offer_id, "o-u");
}

TEST_P(StoreConformanceTest, ObserverHearsOfTheWholeBatchInOneCall) {
  auto& store = this->store_;
  // Given an observer (it may be called on another thread, even after the test)
  struct Seen {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::vector<std::pair<std::string, std::int64_t>>> calls;
    std::size_t offers = 0;
  };
  auto seen = std::make_shared<Seen>();
  store.store().SetOfferObserver([seen](const std::vector<std::shared_ptr<const Offer>>& offers) {
    std::lock_guard lock(seen->mutex);
    auto& call = seen->calls.emplace_back();
    for (const auto& offer : offers) call.emplace_back(offer->id, offer->version);
    seen->offers += offers.size();
    seen->changed.notify_all();
  });
  // When three offers are created together
  Offer coded = MakePublicCodeOffer("o-2", "SALE10");
  coded.version = 4;
  ASSERT_TRUE(store.CreateOffers({MakeOffer("o-3"), coded, MakePlatformOffer("o-1")}).ok());
  // Then the observer hears of all three, at version 1, in one call (a spread store: one call
  // per shard the batch spans, here at most two: the shop's and the platform's)
  std::unique_lock lock(seen->mutex);
  EXPECT_TRUE(seen->changed.wait_for(lock, kAwaitTimeout, [&] { return seen->offers >= 3; }));
  if (this->GetParam().spread) {
    ASSERT_LE(seen->calls.size(), 2U);
  } else {
    ASSERT_EQ(seen->calls.size(), 1U);
  }
  std::vector<std::pair<std::string, std::int64_t>> call;
  for (const auto& one : seen->calls) call.insert(call.end(), one.begin(), one.end());
  std::sort(call.begin(), call.end());
  EXPECT_EQ(call, (std::vector<std::pair<std::string, std::int64_t>>{
                      {"o-1", 1}, {"o-2", 1}, {"o-3", 1}}));
}

// store.h: "the observer hears of them in one call", however many they are: the catalog it
// feeds then never shows a part of a batch (here more offers than a page of a shared store's
// change log, 2,000).
TEST_P(StoreConformanceTest, ObserverHearsOfThousandsOfOffersInOneCall) {
  auto& store = this->store_;
  struct Seen {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::size_t> call_sizes;
    std::size_t offers = 0;
  };
  auto seen = std::make_shared<Seen>();
  store.store().SetOfferObserver([seen](const std::vector<std::shared_ptr<const Offer>>& offers) {
    std::lock_guard lock(seen->mutex);
    seen->call_sizes.push_back(offers.size());
    seen->offers += offers.size();
    seen->changed.notify_all();
  });

  ASSERT_TRUE(store.CreateOffers(ManyOffers("o", 2'500)).ok());

  std::unique_lock lock(seen->mutex);
  EXPECT_TRUE(seen->changed.wait_for(lock, kAwaitTimeout, [&] { return seen->offers >= 2'500; }));
  EXPECT_EQ(seen->call_sizes, std::vector<std::size_t>{2'500})
      << "the observer heard of the batch in " << seen->call_sizes.size() << " calls";
}

TEST_P(StoreConformanceTest, ThousandsOfOffersAreStoredTogether) {
  auto& store = this->store_;
  // More offers than a page of a shared store's change log (2,000)
  const std::vector<Offer> batch = ManyOffers("o", 2'500);
  Result<std::vector<Offer>> created = store.CreateOffers(batch);
  ASSERT_TRUE(created.ok()) << created.status().message();
  ASSERT_EQ(created->size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Offer expected = batch[i];
    expected.version = 1;
    EXPECT_EQ(created.value()[i], expected) << i;
    const auto found = store.store().FindOffer(batch[i].id);
    ASSERT_NE(found, nullptr) << batch[i].id;
    EXPECT_EQ(*found, expected);
  }
  EXPECT_EQ(store.store().ListOffers().size(), 2'500U);
}

// --- Ids ----------------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, TakenIdsRefuseTheWholeBatchNamingEachOne) {
  auto& store = this->store_;
  store.GivenOffer(MakeOffer("o-1"));
  store.GivenOffer(MakeOffer("o-2"));
  // Given a batch reusing two stored ids and, at [4], an id it already holds at [0]
  std::vector<Offer> batch = {MakeOffer("o-new"), MakeOffer("o-1"), MakeOffer("o-other"),
                              MakeOffer("o-2"), MakeOffer("o-new")};
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].name = "batch " + std::to_string(i);

  Result<std::vector<Offer>> created = store.CreateOffers(batch);

  // Then it is refused, naming positions 1, 3 and 4, and nothing of it is stored
  ASSERT_EQ(CodeOf(created), StatusCode::kAlreadyExists);
  EXPECT_EQ(PathsOf(created.status()), (std::vector<std::string>{"[1].id", "[3].id", "[4].id"}));
  ExpectNoneStored(store.store(), batch, {"o-1", "o-2"});
  EXPECT_EQ(store.store().FindOffer("o-1")->name, MakeOffer("o-1").name);
  EXPECT_EQ(store.store().FindOffer("o-1")->version, 1);
}

TEST_P(StoreConformanceTest, RefusalOfThousandsOfOffersNamesEveryOne) {
  auto& store = this->store_;
  // Given a batch of 3,000 stored once
  const std::vector<Offer> batch = ManyOffers("o", 3'000);
  ASSERT_TRUE(store.CreateOffers(batch).ok());
  // When the same batch is sent again, then every one of its offers is named
  Result<std::vector<Offer>> again = store.CreateOffers(batch);
  ASSERT_EQ(CodeOf(again), StatusCode::kAlreadyExists);
  const std::vector<std::string> paths = PathsOf(again.status());
  ASSERT_EQ(paths.size(), 3'000U);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(paths[i], "[" + std::to_string(i) + "].id");
  }
  EXPECT_EQ(store.store().ListOffers().size(), 3'000U);
}

// --- Public codes -------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, CodesOfLiveOffersRefuseTheWholeBatchNamingEachOne) {
  auto& store = this->store_;
  // Given a paused (not archived) offer owning THANG10 and an active one owning SALE10
  Offer paused = MakePublicCodeOffer("o-a", "THANG10");
  paused.status = OfferStatus::kPaused;
  store.GivenOffer(paused);
  store.GivenOffer(MakePublicCodeOffer("o-b", "SALE10"));
  // When a batch claims both codes (and a free one) for other offers
  const std::vector<Offer> batch = {MakeOffer("o-c"), MakePublicCodeOffer("o-d", "THANG10"),
                                    MakePublicCodeOffer("o-e", "FREE5"),
                                    MakePublicCodeOffer("o-f", "SALE10")};

  Result<std::vector<Offer>> created = store.CreateOffers(batch);

  // Then it is refused naming positions 1 and 3, each with its code's owner
  ASSERT_EQ(CodeOf(created), StatusCode::kCodeConflict);
  ASSERT_EQ(PathsOf(created.status()), (std::vector<std::string>{"[1].code", "[3].code"}));
  EXPECT_NE(created.status().field_errors()[0].message.find("o-a"), std::string::npos)
      << created.status().field_errors()[0].message;
  EXPECT_NE(created.status().field_errors()[1].message.find("o-b"), std::string::npos)
      << created.status().field_errors()[1].message;
  ExpectNoneStored(store.store(), batch, {"o-a", "o-b"});
  // And the free code stayed free
  EXPECT_EQ(CodeOf(store.CreateOffer(MakePublicCodeOffer("o-g", "FREE5"))), StatusCode::kOk);
}

TEST_P(StoreConformanceTest, LiveUniqueCodesOfTheSameScopeRefuseTheBatch) {
  auto& store = this->store_;
  // Given unique codes of m-1's o-u
  store.GivenOffer(MakeUniqueCodeOffer("o-u"));
  const auto codes = MakeCodes(2);
  store.GivenCodes("o-u", codes);
  // When a batch registers them as public codes: the platform (another scope) at [0], m-1 at
  // [1], and m-1 at [2] with the code hyphenated (the same code to a shopper)
  const std::vector<Offer> batch = {
      PlatformCodeOffer("o-p", codes[0]), MakePublicCodeOffer("o-a", codes[0]),
      MakePublicCodeOffer("o-b", codes[1].substr(0, 4) + "-" + codes[1].substr(4))};

  Result<std::vector<Offer>> created = store.CreateOffers(batch);

  // Then the two of m-1 are refused, naming o-u, and nothing is stored
  ASSERT_EQ(CodeOf(created), StatusCode::kCodeConflict);
  ASSERT_EQ(PathsOf(created.status()), (std::vector<std::string>{"[1].code", "[2].code"}));
  for (const FieldError& error : created.status().field_errors()) {
    EXPECT_NE(error.message.find("o-u"), std::string::npos) << error.message;
  }
  ExpectNoneStored(store.store(), batch, {"o-u"});
  // And the platform's offer alone is accepted
  EXPECT_EQ(CodeOf(store.CreateOffers({batch[0]})), StatusCode::kOk);
}

TEST_P(StoreConformanceTest, TwoOffersOfTheBatchWithOneCodeInOneScopeRefuseIt) {
  auto& store = this->store_;
  // Given a batch where SALE10 is m-1's at [0] and [2], and the platform scope's at [3]
  // (platform layer) and [4] (payment layer: the same scope); m-2's at [1] is another scope
  const std::vector<Offer> batch = {
      ShopCodeOffer("o-a", "m-1", "SALE10"), ShopCodeOffer("o-b", "m-2", "SALE10"),
      ShopCodeOffer("o-c", "m-1", "SALE10"), PlatformCodeOffer("o-d", "SALE10"),
      PlatformCodeOffer("o-e", "SALE10", Layer::kPayment)};

  Result<std::vector<Offer>> created = store.CreateOffers(batch);

  // Then it is refused naming [2] and [4], each pointing at the batch offer it collides with
  ASSERT_EQ(CodeOf(created), StatusCode::kCodeConflict);
  ASSERT_EQ(PathsOf(created.status()), (std::vector<std::string>{"[2].code", "[4].code"}));
  EXPECT_NE(created.status().field_errors()[0].message.find("[0]"), std::string::npos)
      << created.status().field_errors()[0].message;
  EXPECT_NE(created.status().field_errors()[1].message.find("[3]"), std::string::npos)
      << created.status().field_errors()[1].message;
  ExpectNoneStored(store.store(), batch, {});
  // And no code was taken: m-1 registers SALE10 on its own
  EXPECT_EQ(CodeOf(store.CreateOffer(ShopCodeOffer("o-f", "m-1", "SALE10"))), StatusCode::kOk);
}

TEST_P(StoreConformanceTest, TwoShopsMayTakeTheSameCodeInOneBatch) {
  auto& store = this->store_;
  // When m-1 and m-2 (and the platform) take SALE10 in one batch
  Result<std::vector<Offer>> created = store.CreateOffers({ShopCodeOffer("o-a", "m-1", "SALE10"),
                                                           ShopCodeOffer("o-b", "m-2", "SALE10"),
                                                           PlatformCodeOffer("o-p", "SALE10")});

  // Then all are stored
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(store.store().FindOffer("o-a")->code, "SALE10");
  EXPECT_EQ(store.store().FindOffer("o-b")->code, "SALE10");
  EXPECT_EQ(store.store().FindOffer("o-p")->code, "SALE10");
  // And each holds the code in its own scope: a later claim in m-2 names m-2's offer
  Result<Offer> again = store.CreateOffer(ShopCodeOffer("o-c", "m-2", "SALE10"));
  ASSERT_EQ(CodeOf(again), StatusCode::kCodeConflict);
  EXPECT_EQ(again.status().offer_id(), "o-b");
  Result<Offer> platform = store.CreateOffer(PlatformCodeOffer("o-q", "SALE10", Layer::kShipping));
  ASSERT_EQ(CodeOf(platform), StatusCode::kCodeConflict);
  EXPECT_EQ(platform.status().offer_id(), "o-p");
}

TEST_P(StoreConformanceTest, ABatchMayTakeTheCodeOfAnArchivedOffer) {
  auto& store = this->store_;
  // Given THANG10 held by an offer since archived
  Offer owner = store.GivenOffer(MakePublicCodeOffer("o-a", "THANG10"));
  owner.status = OfferStatus::kArchived;
  ASSERT_TRUE(store.UpdateOffer(owner, 1).ok());
  // When a batch takes it (beside an archived offer of its own with the code)
  Offer archived_in_batch = MakePublicCodeOffer("o-b", "THANG10");
  archived_in_batch.status = OfferStatus::kArchived;
  Result<std::vector<Offer>> created =
      store.CreateOffers({archived_in_batch, MakePublicCodeOffer("o-c", "THANG10")});

  // Then both are stored, and the live one holds the code
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(store.store().FindOffer("o-c")->code, "THANG10");
  EXPECT_EQ(store.store().FindOffer("o-b")->status, OfferStatus::kArchived);
  Result<Offer> again = store.CreateOffer(MakePublicCodeOffer("o-d", "THANG10"));
  ASSERT_EQ(CodeOf(again), StatusCode::kCodeConflict);
  EXPECT_EQ(again.status().offer_id(), "o-c");
}

TEST_P(StoreConformanceTest, ABatchWithTakenIdsAndTakenCodesStoresNothing) {
  auto& store = this->store_;
  store.GivenOffer(MakePublicCodeOffer("o-a", "THANG10"));
  const std::vector<Offer> batch = {MakeOffer("o-b"), MakeOffer("o-a"),
                                    MakePublicCodeOffer("o-c", "THANG10")};

  Result<std::vector<Offer>> created = store.CreateOffers(batch);

  // Either refusal may be reported; what matters is that it names its offer and stores nothing
  ASSERT_TRUE(CodeOf(created) == StatusCode::kAlreadyExists ||
              CodeOf(created) == StatusCode::kCodeConflict)
      << CodeName(CodeOf(created));
  EXPECT_EQ(PathsOf(created.status()), CodeOf(created) == StatusCode::kAlreadyExists
                                           ? std::vector<std::string>{"[1].id"}
                                           : std::vector<std::string>{"[2].code"});
  ExpectNoneStored(store.store(), batch, {"o-a"});
  const auto earlier = store.store().FindOffer("o-a");
  EXPECT_EQ(earlier->code_mode, CodeMode::kPublic);
  EXPECT_EQ(earlier->code, "THANG10");
  EXPECT_EQ(earlier->version, 1);
}

}  // namespace uudai::store_test
