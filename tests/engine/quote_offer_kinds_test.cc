// Tiered and buy_x_get_y discounts: exact đồng at every boundary, the units taken, filters,
// rejection reasons, and how they combine with the other layers; offers for shopper segments;
// cashback (paid back after payment, outside the total) and first-order offers.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "engine/quote_test_support.h"
#include "uudai/quote.h"
#include "uudai/status.h"

namespace uudai {
namespace {

using testing::Applied;
using testing::AppliedOf;
using testing::BaseOffer;
using testing::BuyXGetYOffer;
using testing::CartOf;
using testing::FakeUsageView;
using testing::FixedOffer;
using testing::FixedTier;
using testing::Item;
using testing::MakeCart;
using testing::OnlyRejection;
using testing::PercentOffer;
using testing::PercentTier;
using testing::QuoteFor;
using testing::TieredOffer;
using testing::WithCode;

// "Giảm 20k cho đơn từ 200k, 60k cho đơn từ 500k"
Offer TwentyOrSixtyThousand() {
  return TieredOffer("o-tier", Layer::kMerchant, TierBasis::kSubtotal,
                     {FixedTier(200'000, 20'000), FixedTier(500'000, 60'000)});
}

// --- tiered by subtotal ---------------------------------------------------------------------

TEST(TieredDiscountTest, SubtotalExactlyAtATiersMinReachesIt) {
  EXPECT_EQ(AppliedOf(QuoteFor({TwentyOrSixtyThousand()}, CartOf(200'000))),
            (Applied{{"o-tier", 20'000}}));
  EXPECT_EQ(AppliedOf(QuoteFor({TwentyOrSixtyThousand()}, CartOf(500'000))),
            (Applied{{"o-tier", 60'000}}));
}

TEST(TieredDiscountTest, OneDongBelowATiersMinStaysOnTheTierBelow) {
  EXPECT_EQ(AppliedOf(QuoteFor({TwentyOrSixtyThousand()}, CartOf(499'999))),
            (Applied{{"o-tier", 20'000}}));
}

TEST(TieredDiscountTest, BelowTheLowestTierNothingAppliesAndACodeSaysMinOrderAmount) {
  EXPECT_TRUE(QuoteFor({TwentyOrSixtyThousand()}, CartOf(199'999)).applied.empty());
  const Quote quote =
      QuoteFor({WithCode(TwentyOrSixtyThousand(), "TANG")}, CartOf(199'999, {"TANG"}));
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(OnlyRejection(quote).reason, RejectionReason::kMinOrderAmount);
}

TEST(TieredDiscountTest, FarAboveTheHighestTierTheHighestApplies) {
  EXPECT_EQ(AppliedOf(QuoteFor({TwentyOrSixtyThousand()}, CartOf(9'000'000))),
            (Applied{{"o-tier", 60'000}}));
}

TEST(TieredDiscountTest, PercentTierRoundsDownAndIsCapped) {
  const Offer offer = TieredOffer("o-tier", Layer::kMerchant, TierBasis::kSubtotal,
                                  {PercentTier(100'000, 7), PercentTier(1'000'000, 10, 150'000)});
  // 333,339 × 7% = 23,333.73
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, CartOf(333'339))), (Applied{{"o-tier", 23'333}}));
  // 10% of 2,000,000 = 200,000, capped at 150,000
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, CartOf(2'000'000))), (Applied{{"o-tier", 150'000}}));
}

TEST(TieredDiscountTest, TiersAreReachedByTheEligibleSubtotalOnly) {
  Offer offer = TwentyOrSixtyThousand();
  offer.categories = std::vector<std::string>{"books"};
  // 450,000 of books and 300,000 of electronics: the books alone reach only the first tier
  const Cart cart =
      MakeCart({Item("b-1", "books", 150'000, 3), Item("e-1", "electronics", 300'000)});
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, cart)), (Applied{{"o-tier", 20'000}}));
}

TEST(TieredDiscountTest, FixedTierIsLimitedToTheEligibleSubtotal) {
  Offer offer =
      TieredOffer("o-tier", Layer::kMerchant, TierBasis::kQuantity, {FixedTier(2, 100'000)});
  const Cart cart = MakeCart({Item("s-1", "socks", 20'000, 2)});
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, cart)), (Applied{{"o-tier", 40'000}}));
}

// --- tiered by quantity ("mua 3 giảm 10%") ---------------------------------------------------

Offer ThreeForTenPercentFiveForFifteen() {
  return TieredOffer("o-qty", Layer::kMerchant, TierBasis::kQuantity,
                     {PercentTier(3, 10), PercentTier(5, 15)});
}

TEST(TieredDiscountTest, QuantityTiersCountUnitsNotLines) {
  // One line of 3 units reaches the first tier: 10% of 3 × 100,000
  EXPECT_EQ(AppliedOf(QuoteFor({ThreeForTenPercentFiveForFifteen()},
                               MakeCart({Item("a", "toys", 100'000, 3)}))),
            (Applied{{"o-qty", 30'000}}));
  // 2 + 3 units on two lines reach the second: 15% of 500,000
  EXPECT_EQ(
      AppliedOf(QuoteFor({ThreeForTenPercentFiveForFifteen()},
                         MakeCart({Item("a", "toys", 100'000, 2), Item("b", "toys", 100'000, 3)}))),
      (Applied{{"o-qty", 75'000}}));
}

TEST(TieredDiscountTest, OneUnitShortOfTheLowestQuantityTierIsMinQuantity) {
  const Quote quote = QuoteFor({WithCode(ThreeForTenPercentFiveForFifteen(), "MUA3")},
                               MakeCart({Item("a", "toys", 100'000, 2)}, {"MUA3"}));
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(OnlyRejection(quote).reason, RejectionReason::kMinQuantity);
}

TEST(TieredDiscountTest, QuantityTiersCountOnlyEligibleUnits) {
  Offer offer = ThreeForTenPercentFiveForFifteen();
  offer.categories = std::vector<std::string>{"toys"};
  // 2 toys and 4 books: the toys alone are too few
  const Quote quote =
      QuoteFor({offer}, MakeCart({Item("a", "toys", 100'000, 2), Item("b", "books", 50'000, 4)}));
  EXPECT_TRUE(quote.applied.empty());
}

// --- buy_x_get_y ("mua 2 tặng 1") -----------------------------------------------------------

Offer BuyTwoGetOneFree(std::optional<std::int64_t> max_sets = std::nullopt) {
  return BuyXGetYOffer("o-bogo", Layer::kMerchant, 2, 1, 100, max_sets);
}

TEST(BuyXGetYDiscountTest, FiveUnitsBuyTwoGetOneGiveTheCheapestUnitFree) {
  // 5 units make one set of 3 (and 2 left over): the cheapest unit, 30,000, is free
  const Cart cart = MakeCart({Item("a", "shirts", 90'000), Item("b", "shirts", 30'000),
                              Item("c", "shirts", 50'000, 2), Item("d", "shirts", 70'000)});
  EXPECT_EQ(AppliedOf(QuoteFor({BuyTwoGetOneFree()}, cart)), (Applied{{"o-bogo", 30'000}}));
}

TEST(BuyXGetYDiscountTest, SixUnitsMakeTwoSetsAndTheTwoCheapestUnitsAreFree) {
  const Cart cart = MakeCart({Item("a", "shirts", 90'000, 3), Item("b", "shirts", 40'000, 3)});
  EXPECT_EQ(AppliedOf(QuoteFor({BuyTwoGetOneFree()}, cart)), (Applied{{"o-bogo", 80'000}}));
}

TEST(BuyXGetYDiscountTest, UnitsOfOneLineCountOneByOne) {
  // One line of 3 units at 60,000: one set, one unit free
  EXPECT_EQ(AppliedOf(QuoteFor({BuyTwoGetOneFree()}, MakeCart({Item("a", "shirts", 60'000, 3)}))),
            (Applied{{"o-bogo", 60'000}}));
}

TEST(BuyXGetYDiscountTest, MaxSetsBoundsTheUnitsGiven) {
  // 9 units would make 3 sets; max_sets 2 gives the 2 cheapest units
  const Cart cart = MakeCart({Item("a", "shirts", 10'000), Item("b", "shirts", 20'000),
                              Item("c", "shirts", 30'000), Item("d", "shirts", 100'000, 6)});
  EXPECT_EQ(AppliedOf(QuoteFor({BuyTwoGetOneFree(2)}, cart)), (Applied{{"o-bogo", 30'000}}));
  EXPECT_EQ(AppliedOf(QuoteFor({BuyTwoGetOneFree()}, cart)), (Applied{{"o-bogo", 60'000}}));
}

TEST(BuyXGetYDiscountTest, PercentOffTheGivenUnitsRoundsDown) {
  // Buy 1 get 1 at 50%: of 2 units, the cheaper (33,333) at half price: 16,666.5 → 16,666
  const Offer offer = BuyXGetYOffer("o-half", Layer::kMerchant, 1, 1, 50);
  const Cart cart = MakeCart({Item("a", "shirts", 33'333), Item("b", "shirts", 80'000)});
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, cart)), (Applied{{"o-half", 16'666}}));
}

TEST(BuyXGetYDiscountTest, TooFewUnitsForOneSetIsMinQuantity) {
  const Quote quote = QuoteFor({WithCode(BuyTwoGetOneFree(), "MUA2TANG1")},
                               MakeCart({Item("a", "shirts", 60'000, 2)}, {"MUA2TANG1"}));
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(OnlyRejection(quote).reason, RejectionReason::kMinQuantity);
}

TEST(BuyXGetYDiscountTest, OnlyEligibleUnitsMakeSetsAndAreGiven) {
  Offer offer = BuyTwoGetOneFree();
  offer.categories = std::vector<std::string>{"shirts"};
  // The 5,000 socks are cheapest but not eligible: 3 shirts make a set, the cheapest shirt free
  const Cart cart = MakeCart(
      {Item("s", "socks", 5'000, 4), Item("a", "shirts", 90'000, 2), Item("b", "shirts", 70'000)});
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, cart)), (Applied{{"o-bogo", 70'000}}));
}

TEST(BuyXGetYDiscountTest, TheSameCartGivesTheSameUnitsWhateverTheLineOrder) {
  const std::vector<CartItem> items = {Item("a", "shirts", 50'000), Item("b", "shirts", 20'000, 2),
                                       Item("c", "shirts", 20'000), Item("d", "shirts", 90'000, 2)};
  std::vector<CartItem> reversed(items.rbegin(), items.rend());
  const Applied forward = AppliedOf(QuoteFor({BuyTwoGetOneFree()}, MakeCart(items)));
  EXPECT_EQ(forward, (Applied{{"o-bogo", 40'000}}));
  EXPECT_EQ(AppliedOf(QuoteFor({BuyTwoGetOneFree()}, MakeCart(reversed))), forward);
}

TEST(BuyXGetYDiscountTest, ASetWhoseGivenUnitIsFreeAlreadyIsNoEligibleItemsNotMinQuantity) {
  // Enough units for a set, but the cheapest is a 0-đồng gift: the discount comes to 0
  const Quote quote =
      QuoteFor({WithCode(BuyXGetYOffer("o-b1g1", Layer::kMerchant, 1, 1, 100), "B1G1")},
               MakeCart({Item("gift", "shirts", 0), Item("a", "shirts", 100'000)}, {"B1G1"}));
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(OnlyRejection(quote).reason, RejectionReason::kNoEligibleItems);
}

TEST(TieredDiscountTest, AReachedTierThatRoundsToZeroIsNoEligibleItemsNotMinOrderAmount) {
  const Offer offer =
      TieredOffer("o-tier", Layer::kMerchant, TierBasis::kSubtotal, {PercentTier(1, 10)});
  const Quote quote = QuoteFor({WithCode(offer, "TIER1")}, CartOf(5, {"TIER1"}));
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(OnlyRejection(quote).reason, RejectionReason::kNoEligibleItems);
}

// --- with the other layers ------------------------------------------------------------------

TEST(OfferKindsTest, TheLargerMerchantDiscountWinsItsLayer) {
  // 3 units of 100,000: buy 2 get 1 free gives 100,000, 20% gives 60,000
  const Cart cart = MakeCart({Item("a", "shirts", 100'000, 3)});
  EXPECT_EQ(
      AppliedOf(QuoteFor({BuyTwoGetOneFree(), PercentOffer("o-pct", Layer::kMerchant, 20)}, cart)),
      (Applied{{"o-bogo", 100'000}}));
}

TEST(OfferKindsTest, TieredMerchantAndPlatformDiscountsCombineWithoutCompounding) {
  // Both on the 600,000 before any discount: 60,000 (tier) + 50,000 (platform fixed)
  const Quote quote = QuoteFor(
      {TwentyOrSixtyThousand(), FixedOffer("o-plat", Layer::kPlatform, 50'000)}, CartOf(600'000));
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-tier", 60'000}, {"o-plat", 50'000}}));
  EXPECT_EQ(quote.total(), 600'000 + 30'000 - 110'000);
}

// --- shopper_tags -----------------------------------------------------------------------------

Offer ForNewUsersAndStudents(Offer offer) {
  offer.shopper_tags = std::vector<std::string>{"new_user", "student"};
  return offer;
}

Cart TaggedCart(std::vector<std::string> tags, std::vector<std::string> codes = {}) {
  Cart cart = CartOf(500'000, std::move(codes));
  cart.shopper_tags = std::move(tags);
  return cart;
}

TEST(ShopperTagsTest, AnOfferForTaggedShoppersAppliesWhenTheCartHoldsOneOfItsTags) {
  const Offer offer = ForNewUsersAndStudents(FixedOffer("o-new", Layer::kMerchant, 50'000));
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, TaggedCart({"student"}))), (Applied{{"o-new", 50'000}}));
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, TaggedCart({"vip", "new_user"}))),
            (Applied{{"o-new", 50'000}}));
}

TEST(ShopperTagsTest, ACartWithoutTagsOrWithOthersGetsNoneAndACodeSaysShopperTags) {
  const Offer offer = ForNewUsersAndStudents(FixedOffer("o-new", Layer::kMerchant, 50'000));
  EXPECT_TRUE(QuoteFor({offer}, TaggedCart({})).applied.empty());
  EXPECT_TRUE(QuoteFor({offer}, TaggedCart({"vip", "New_User"})).applied.empty());  // exact
  const Quote quote = QuoteFor({WithCode(offer, "CHAOBAN")}, TaggedCart({"vip"}, {"CHAOBAN"}));
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(OnlyRejection(quote).reason, RejectionReason::kShopperTags);
}

TEST(ShopperTagsTest, TagsAreCheckedAfterThePaymentMethodAndBeforeTheItems) {
  Offer offer =
      WithCode(ForNewUsersAndStudents(FixedOffer("o-new", Layer::kMerchant, 50'000)), "CHAOBAN");
  offer.payment_methods = std::vector<std::string>{"zalopay"};  // the cart pays with MoMo
  offer.categories = std::vector<std::string>{"books"};         // the cart holds none
  EXPECT_EQ(OnlyRejection(QuoteFor({offer}, TaggedCart({}, {"CHAOBAN"}))).reason,
            RejectionReason::kPaymentMethod);
  offer.payment_methods.reset();
  EXPECT_EQ(OnlyRejection(QuoteFor({offer}, TaggedCart({}, {"CHAOBAN"}))).reason,
            RejectionReason::kShopperTags);
  EXPECT_EQ(OnlyRejection(QuoteFor({offer}, TaggedCart({"student"}, {"CHAOBAN"}))).reason,
            RejectionReason::kNoEligibleItems);
}

TEST(ShopperTagsTest, AnUntaggedOfferAppliesToEveryShopperTaggedOrNot) {
  const Offer offer = FixedOffer("o-all", Layer::kMerchant, 10'000);
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, TaggedCart({}))), (Applied{{"o-all", 10'000}}));
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, TaggedCart({"student"}))), (Applied{{"o-all", 10'000}}));
}

TEST(ShopperTagsTest, TheSegmentOfferWinsOnlyForTheSegment) {
  const std::vector<Offer> offers = {
      ForNewUsersAndStudents(FixedOffer("o-new", Layer::kMerchant, 80'000)),
      FixedOffer("o-all", Layer::kMerchant, 30'000)};
  EXPECT_EQ(AppliedOf(QuoteFor(offers, TaggedCart({"new_user"}))), (Applied{{"o-new", 80'000}}));
  EXPECT_EQ(AppliedOf(QuoteFor(offers, TaggedCart({}))), (Applied{{"o-all", 30'000}}));
}

// --- cashback ---------------------------------------------------------------------------------

// "Hoàn tiền 10% (tối đa 25k) khi thanh toán qua MoMo"
Offer TenPercentBackUpTo25k(std::string id = "o-cashback") {
  Offer offer = BaseOffer(std::move(id), Layer::kPayment);
  offer.discount = Discount::Cashback(10, 25'000);
  offer.funded_by = FundedBy::kPaymentPartner;
  offer.funder = "momo";
  offer.payment_methods = std::vector<std::string>{"momo"};
  return offer;
}

// (offer id, discount, cashback) of every applied offer, in order.
using Rewards = std::vector<std::tuple<std::string, Money, Money>>;
Rewards RewardsOf(const Quote& quote) {
  Rewards rewards;
  for (const AppliedOffer& a : quote.applied) {
    rewards.emplace_back(a.offer->id, a.discount, a.cashback);
  }
  return rewards;
}

TEST(CashbackTest, TenPercentIsCappedAtItsMaxAmount) {
  // 10% of 300,000 = 30,000, capped at 25,000
  const Quote quote = QuoteFor({TenPercentBackUpTo25k()}, CartOf(300'000));
  EXPECT_EQ(RewardsOf(quote), (Rewards{{"o-cashback", 0, 25'000}}));
  EXPECT_EQ(quote.cashback_total, 25'000);
}

TEST(CashbackTest, BelowTheCapItIsTheFlooredPercent) {
  // 10% of 200,000 = 20,000
  EXPECT_EQ(RewardsOf(QuoteFor({TenPercentBackUpTo25k()}, CartOf(200'000))),
            (Rewards{{"o-cashback", 0, 20'000}}));
  // 10% of 123,459 = 12,345.9 → 12,345
  EXPECT_EQ(RewardsOf(QuoteFor({TenPercentBackUpTo25k()}, CartOf(123'459))),
            (Rewards{{"o-cashback", 0, 12'345}}));
}

TEST(CashbackTest, ItIsNotTakenOffTheTotalButReportedAsCashbackTotal) {
  const Quote quote = QuoteFor({TenPercentBackUpTo25k()}, CartOf(300'000));
  ASSERT_EQ(quote.applied.size(), 1u);
  const AppliedOffer& applied = quote.applied.front();
  EXPECT_EQ(applied.discount, 0);
  EXPECT_EQ(applied.cashback, 25'000);
  EXPECT_EQ(applied.reward(), 25'000);
  EXPECT_EQ(quote.discount_total, 0);
  EXPECT_EQ(quote.cashback_total, 25'000);
  EXPECT_EQ(quote.total(), 300'000 + 30'000);  // the shopper pays it all, and gets 25,000 back
}

TEST(CashbackTest, ABiggerPaymentDiscountBeatsIt) {
  // 15% off (45,000) against 10% back (30,000, under a 50,000 cap): the discount wins, though
  // the cashback's id is the smaller
  Offer cashback = TenPercentBackUpTo25k("o-a-cashback");
  cashback.discount.max_amount = 50'000;
  const Offer percent = PercentOffer("o-b-percent", Layer::kPayment, 15);
  const Quote quote = QuoteFor({cashback, percent}, CartOf(300'000));
  EXPECT_EQ(RewardsOf(quote), (Rewards{{"o-b-percent", 45'000, 0}}));
  EXPECT_EQ(quote.discount_total, 45'000);
  EXPECT_EQ(quote.cashback_total, 0);
  EXPECT_EQ(quote.total(), 300'000 + 30'000 - 45'000);
}

TEST(CashbackTest, ItBeatsASmallerPaymentDiscountAndACodeForTheLoserIsSuperseded) {
  // 10% back (25,000 at the cap) against 5% off (15,000): the cashback wins, though the
  // discount's id is the smaller
  const Offer percent = WithCode(PercentOffer("o-a-percent", Layer::kPayment, 5), "GIAM5");
  const Quote quote =
      QuoteFor({TenPercentBackUpTo25k("o-b-cashback"), percent}, CartOf(300'000, {"GIAM5"}));
  EXPECT_EQ(RewardsOf(quote), (Rewards{{"o-b-cashback", 0, 25'000}}));
  EXPECT_EQ(quote.discount_total, 0);
  EXPECT_EQ(quote.cashback_total, 25'000);
  EXPECT_EQ(quote.total(), 300'000 + 30'000);
  EXPECT_EQ(OnlyRejection(quote),
            (CodeRejection{"GIAM5", std::string("o-a-percent"), RejectionReason::kSuperseded}));
}

TEST(CashbackTest, ItCombinesWithAMerchantDiscountAndIsOnTheSubtotalBeforeIt) {
  // 20% off at the merchant (60,000) and 10% back (30,000 under a 50,000 cap), both on the
  // 300,000 before any discount (not 10% of 240,000 = 24,000)
  Offer cashback = TenPercentBackUpTo25k();
  cashback.discount.max_amount = 50'000;
  const Quote quote =
      QuoteFor({PercentOffer("o-merchant", Layer::kMerchant, 20), cashback}, CartOf(300'000));
  EXPECT_EQ(RewardsOf(quote), (Rewards{{"o-merchant", 60'000, 0}, {"o-cashback", 0, 30'000}}));
  EXPECT_EQ(quote.discount_total, 60'000);
  EXPECT_EQ(quote.cashback_total, 30'000);
  EXPECT_EQ(quote.total(), 300'000 + 30'000 - 60'000);
}

TEST(CashbackTest, ItIsTrimmedToWhatTheMerchantAndPlatformDiscountsLeaveOfTheItems) {
  // 100,000 of items: 60,000 off (merchant) and 30,000 off (platform) leave 10,000, so 20% back
  // (20,000) is trimmed to 10,000
  Offer cashback = TenPercentBackUpTo25k();
  cashback.discount = Discount::Cashback(20);
  const Quote quote = QuoteFor({FixedOffer("o-merchant", Layer::kMerchant, 60'000),
                                FixedOffer("o-platform", Layer::kPlatform, 30'000), cashback},
                               CartOf(100'000));
  EXPECT_EQ(
      RewardsOf(quote),
      (Rewards{{"o-merchant", 60'000, 0}, {"o-platform", 30'000, 0}, {"o-cashback", 0, 10'000}}));
  EXPECT_EQ(quote.discount_total, 90'000);
  EXPECT_EQ(quote.cashback_total, 10'000);
  EXPECT_EQ(quote.total(), 100'000 + 30'000 - 90'000);
}

TEST(CashbackTest, NothingIsPaidBackWhenTheDiscountsTakeTheWholeItemsSubtotal) {
  // 70,000 + 30,000 off 100,000 of items: 20% back would be trimmed to 0, and merchant +
  // cashback (90,000) weighs less than merchant + platform (100,000)
  Offer cashback = WithCode(TenPercentBackUpTo25k(), "HOAN20");
  cashback.discount = Discount::Cashback(20);
  const Quote quote = QuoteFor({FixedOffer("o-merchant", Layer::kMerchant, 70'000),
                                FixedOffer("o-platform", Layer::kPlatform, 30'000), cashback},
                               CartOf(100'000, {"HOAN20"}));
  EXPECT_EQ(RewardsOf(quote), (Rewards{{"o-merchant", 70'000, 0}, {"o-platform", 30'000, 0}}));
  EXPECT_EQ(quote.cashback_total, 0);
  EXPECT_EQ(OnlyRejection(quote).reason, RejectionReason::kSuperseded);
}

// --- first_order ------------------------------------------------------------------------------

Offer FirstOrder(Offer offer) {
  offer.first_order = true;
  return offer;
}

// "Giảm 50k cho đơn đầu tiên tại shop", behind the code CHAOBAN.
Offer FirstOrderAtTheShop() {
  return WithCode(FirstOrder(FixedOffer("o-first", Layer::kMerchant, 50'000)), "CHAOBAN");
}

TEST(FirstOrderTest, AMerchantOfferAppliesToAShopperWithNoOrderAtTheShop) {
  FakeUsageView usage;
  const Quote quote =
      QuoteFor({FirstOrderAtTheShop()}, CartOf(500'000, {"CHAOBAN"}), testing::Oct10Noon(), &usage);
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-first", 50'000}}));
  EXPECT_TRUE(quote.rejected.empty());
}

TEST(FirstOrderTest, AMerchantOfferIsRefusedToAShopperWithAnOrderAtTheShop) {
  FakeUsageView usage;
  usage.SetShopperOrders("s-1", "m-1", 1);
  const std::vector<Offer> offers = {FirstOrderAtTheShop(),
                                     FixedOffer("o-everyone", Layer::kPlatform, 10'000)};
  const Quote quote = QuoteFor(offers, CartOf(500'000, {"CHAOBAN"}), testing::Oct10Noon(), &usage);
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-everyone", 10'000}}));  // not a first_order offer
  EXPECT_EQ(OnlyRejection(quote),
            (CodeRejection{"CHAOBAN", std::string("o-first"), RejectionReason::kNotFirstOrder}));
  // An auto offer is left out just the same
  Offer automatic = FirstOrderAtTheShop();
  automatic.code_mode = CodeMode::kAuto;
  automatic.code.reset();
  EXPECT_TRUE(QuoteFor({automatic}, CartOf(500'000), testing::Oct10Noon(), &usage).applied.empty());
}

TEST(FirstOrderTest, AMerchantOfferIgnoresOrdersAtOtherShopsAndOfOtherShoppers) {
  FakeUsageView usage;
  usage.SetShopperOrders("s-1", "m-2", 3);  // at another shop…
  usage.SetShopperOrders("s-1", "", 3);     // …so on the platform as well
  usage.SetShopperOrders("s-2", "m-1", 1);  // another shopper at this shop
  const Quote quote =
      QuoteFor({FirstOrderAtTheShop()}, CartOf(500'000, {"CHAOBAN"}), testing::Oct10Noon(), &usage);
  EXPECT_EQ(AppliedOf(quote), (Applied{{"o-first", 50'000}}));
  EXPECT_TRUE(quote.rejected.empty());
}

TEST(FirstOrderTest, APlatformOfferCountsTheShoppersOrdersAtEveryShop) {
  const Offer offer =
      WithCode(FirstOrder(FixedOffer("o-first", Layer::kPlatform, 30'000)), "DONDAU");
  FakeUsageView none;
  EXPECT_EQ(AppliedOf(QuoteFor({offer}, CartOf(500'000, {"DONDAU"}), testing::Oct10Noon(), &none)),
            (Applied{{"o-first", 30'000}}));

  FakeUsageView elsewhere;
  elsewhere.SetShopperOrders("s-1", "", 1);  // e.g. one order at m-2
  elsewhere.SetShopperOrders("s-1", "m-2", 1);
  const Quote quote =
      QuoteFor({offer}, CartOf(500'000, {"DONDAU"}), testing::Oct10Noon(), &elsewhere);
  EXPECT_TRUE(quote.applied.empty());
  EXPECT_EQ(OnlyRejection(quote),
            (CodeRejection{"DONDAU", std::string("o-first"), RejectionReason::kNotFirstOrder}));
}

TEST(FirstOrderTest, APaymentLayerCashbackForAFirstOrderCountsOrdersOnThePlatform) {
  const Offer offer = FirstOrder(TenPercentBackUpTo25k());
  FakeUsageView none;
  EXPECT_EQ(RewardsOf(QuoteFor({offer}, CartOf(300'000), testing::Oct10Noon(), &none)),
            (Rewards{{"o-cashback", 0, 25'000}}));
  FakeUsageView one;
  one.SetShopperOrders("s-1", "", 2);
  EXPECT_TRUE(QuoteFor({offer}, CartOf(300'000), testing::Oct10Noon(), &one).applied.empty());
}

TEST(FirstOrderTest, ShopperTagsAreReportedBeforeNotFirstOrder) {
  Offer offer = FirstOrderAtTheShop();
  offer.shopper_tags = std::vector<std::string>{"new_user"};
  FakeUsageView usage;
  usage.SetShopperOrders("s-1", "m-1", 1);
  const Cart untagged = CartOf(500'000, {"CHAOBAN"});
  EXPECT_EQ(OnlyRejection(QuoteFor({offer}, untagged, testing::Oct10Noon(), &usage)).reason,
            RejectionReason::kShopperTags);
  Cart tagged = untagged;
  tagged.shopper_tags = {"new_user"};
  EXPECT_EQ(OnlyRejection(QuoteFor({offer}, tagged, testing::Oct10Noon(), &usage)).reason,
            RejectionReason::kNotFirstOrder);
}

TEST(FirstOrderTest, PaymentMethodIsReportedBeforeAndTheItemsAfterNotFirstOrder) {
  Offer offer = FirstOrderAtTheShop();
  offer.payment_methods = std::vector<std::string>{"zalopay"};  // the cart pays with MoMo
  offer.categories = std::vector<std::string>{"books"};         // the cart holds none
  offer.min_order_amount = 1'000'000;                           // and 500,000 is too little
  FakeUsageView usage;
  usage.SetShopperOrders("s-1", "m-1", 1);
  const Cart cart = CartOf(500'000, {"CHAOBAN"});
  EXPECT_EQ(OnlyRejection(QuoteFor({offer}, cart, testing::Oct10Noon(), &usage)).reason,
            RejectionReason::kPaymentMethod);
  offer.payment_methods.reset();
  EXPECT_EQ(OnlyRejection(QuoteFor({offer}, cart, testing::Oct10Noon(), &usage)).reason,
            RejectionReason::kNotFirstOrder);
  const FakeUsageView first;  // a first order: the items are what fail it
  EXPECT_EQ(OnlyRejection(QuoteFor({offer}, cart, testing::Oct10Noon(), &first)).reason,
            RejectionReason::kNoEligibleItems);
  offer.categories.reset();
  EXPECT_EQ(OnlyRejection(QuoteFor({offer}, cart, testing::Oct10Noon(), &first)).reason,
            RejectionReason::kMinOrderAmount);
}

TEST(FirstOrderTest, TheReasonIsNamedNotFirstOrderAndMapsToItsStatus) {
  EXPECT_EQ(RejectionReasonName(RejectionReason::kNotFirstOrder), "not_first_order");
  EXPECT_EQ(LimitStatusFor(RejectionReason::kNotFirstOrder), StatusCode::kNotFirstOrder);
  EXPECT_EQ(CodeName(StatusCode::kNotFirstOrder), "not_first_order");
}

}  // namespace
}  // namespace uudai
