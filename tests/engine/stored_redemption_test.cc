// StoredRedemption and OfferCounters::InternTerms: the ledger's compact form of a redemption
// gives back exactly the redemption stored (discounts and cashbacks alike), and redemptions of
// the same offer terms share one copy of them.
#include "memory_store/stored_redemption.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/store_test_support.h"
#include "memory_store/offer_counters.h"

namespace uudai::store_test {
namespace {

using internal::OfferCounters;
using internal::StoredRedemption;

// A redemption with three offers (one with a unique code, one with limits and a funder), a
// rejected code and every optional field set.
Redemption RichRedemption() {
  Offer limited = MakePlatformOffer("o-platform");
  limited.limits.per_shopper = 2;
  limited.limits.total_budget = 5'000'000;
  limited.funder = "momo";
  limited.restore_on_refund = false;
  Redemption r = RedemptionBuilder("r_0123456789abcdef")
                     .Shopper("s-42")
                     .Order("order-42")
                     .Method(PaymentMethod::kZalopay)
                     .Apply(MakeOffer("o-merchant"), 10'000)
                     .Apply(limited, 25'000)
                     .Apply(MakeUniqueCodeOffer("o-unique"), 5'000, "ABCDEFGHJKMNP")
                     .Build();
  r.shipping_fee = 30'000;
  r.rejected.push_back(CodeRejection{"THANG10", "o-other", RejectionReason::kMinOrderAmount});
  return r;
}

std::vector<StoredRedemption::Terms> InternAll(std::vector<OfferCounters>& counters,
                                               const Redemption& r) {
  std::vector<StoredRedemption::Terms> terms;
  for (std::size_t i = 0; i < r.applied.size(); ++i) {
    terms.push_back(counters[i].InternTerms(r.applied[i]));
  }
  return terms;
}

TEST(StoredRedemptionTest, ExpandGivesBackTheRedemptionStored) {
  const Redemption r = RichRedemption();
  std::vector<OfferCounters> counters(r.applied.size());

  const StoredRedemption stored(r, InternAll(counters, r));

  EXPECT_EQ(stored.Expand(r.id), r);
  EXPECT_EQ(stored.status(), RedemptionStatus::kReserved);
  EXPECT_EQ(stored.created_as(), RedemptionStatus::kReserved);
  EXPECT_EQ(stored.created_at(), r.created_at);
}

TEST(StoredRedemptionTest, TakeStateOfKeepsTheTransitionsAndNothingElseChanges) {
  Redemption r = RichRedemption();
  std::vector<OfferCounters> counters(r.applied.size());
  StoredRedemption stored(r, InternAll(counters, r));

  r.status = RedemptionStatus::kRefunded;
  r.committed_at = Timestamp{r.created_at.millis + 1'000};
  r.refunded_at = Timestamp{r.created_at.millis + 2'000};
  stored.TakeStateOf(r);

  EXPECT_EQ(stored.Expand(r.id), r);
  EXPECT_EQ(stored.created_as(), RedemptionStatus::kReserved);
}

TEST(StoredRedemptionTest, RedemptionsOfTheSameTermsShareThemAndKeepTheirOwnCodes) {
  OfferCounters counters;
  const Offer offer = MakeUniqueCodeOffer("o-unique");
  const Redemption first = RedemptionBuilder("r-1").Apply(offer, 5'000, "AAAAAAAAAAAAA").Build();
  const Redemption second = RedemptionBuilder("r-2").Apply(offer, 7'000, "BBBBBBBBBBBBB").Build();
  Offer edited = offer;
  edited.restore_on_refund = !offer.restore_on_refund;
  const Redemption third = RedemptionBuilder("r-3").Apply(edited, 5'000, "CCCCCCCCCCCCC").Build();

  const auto terms_1 = counters.InternTerms(first.applied[0]);
  const auto terms_2 = counters.InternTerms(second.applied[0]);
  const auto terms_3 = counters.InternTerms(third.applied[0]);

  EXPECT_EQ(terms_1, terms_2) << "one copy for the same terms";
  EXPECT_NE(terms_1, terms_3) << "an edit of the refund policy is other terms";
  EXPECT_EQ(terms_3->restore_on_refund, !offer.restore_on_refund);
  EXPECT_FALSE(terms_1->code.has_value());
  EXPECT_EQ(StoredRedemption(first, {terms_1}).Expand("r-1"), first);
  EXPECT_EQ(StoredRedemption(second, {terms_2}).Expand("r-2"), second);
  EXPECT_EQ(StoredRedemption(third, {terms_3}).Expand("r-3"), third);
  EXPECT_EQ(counters.InternTerms(first.applied[0]), terms_1) << "older terms are found again";
}

// A redemption with a merchant discount of 60,000 and a cashback of `cashback`.
Redemption WithCashback(std::string id, Money cashback) {
  Redemption r = RedemptionBuilder(std::move(id))
                     .Subtotal(300'000)
                     .Apply(MakeOffer("o-merchant"), 60'000)
                     .ApplyCashback(MakeCashbackOffer("o-cashback"), cashback)
                     .Build();
  return r;
}

TEST(StoredRedemptionTest, ADiscountAndACashbackExpandBackEqual) {
  const Redemption r = WithCashback("r-cb", 25'000);
  std::vector<OfferCounters> counters(r.applied.size());

  const StoredRedemption stored(r, InternAll(counters, r));
  const Redemption back = stored.Expand(r.id);

  EXPECT_EQ(back, r);
  ExpectDiscountThenCashback(back, 60'000, 25'000);
}

TEST(StoredRedemptionTest, CashbacksOfTheSameTermsShareThemAndKeepTheirOwnAmounts) {
  OfferCounters counters;
  const Redemption first = WithCashback("r-1", 25'000);
  const Redemption second = WithCashback("r-2", 12'345);
  const auto terms_1 = counters.InternTerms(first.applied[1]);
  const auto terms_2 = counters.InternTerms(second.applied[1]);
  EXPECT_EQ(terms_1, terms_2) << "one copy for the same terms, whatever the cashback";
  EXPECT_EQ(terms_1->cashback, 0);
  EXPECT_EQ(terms_1->discount, 0);

  OfferCounters merchant;
  const auto merchant_terms = merchant.InternTerms(first.applied[0]);
  EXPECT_EQ(StoredRedemption(first, {merchant_terms, terms_1}).Expand("r-1"), first);
  EXPECT_EQ(StoredRedemption(second, {merchant_terms, terms_2}).Expand("r-2"), second);
}

}  // namespace
}  // namespace uudai::store_test
