// Campaign stats from MemoryStore: exact sums, groupings, hour-resolution ranges.
#include <gtest/gtest.h>

#include "uudai/campaign_stats.h"
#include "uudai/memory_store.h"

namespace uudai {
namespace {

Timestamp At(const char* text) { return *ParseRfc3339(text); }

RedeemedOffer Applied(std::string offer_id, Money discount, FundedBy funded_by,
                      std::optional<std::string> funder = std::nullopt) {
  RedeemedOffer a;
  a.offer_id = std::move(offer_id);
  a.discount = discount;
  a.funded_by = funded_by;
  a.funder = std::move(funder);
  return a;
}

CampaignQuery Grouped(CampaignGrouping grouping) {
  CampaignQuery query;
  query.group_by = grouping;
  return query;
}

CampaignQuery Range(Timestamp from, Timestamp to) {
  CampaignQuery query;
  query.from = from;
  query.to = to;
  return query;
}

class CampaignStatsTest : public ::testing::Test {
 protected:
  // The store re-checks every applied offer (it must exist, be active and in its window):
  // each offer these tests apply, active all of October 2026.
  void GivenOffers() {
    for (const char* id : {"o-shop", "o-momo", "o-platform"}) {
      Offer offer;
      offer.id = id;
      offer.merchant_id = "shop-1";
      offer.name = id;
      offer.discount = Discount::Fixed(10'000);
      offer.starts_at = At("2026-10-01T00:00:00+07:00");
      offer.ends_at = At("2026-11-01T00:00:00+07:00");
      store_.CreateOffer(offer, [](Result<Offer> created) { ASSERT_TRUE(created.ok()); });
    }
  }

  // Creates a redemption directly: the campaign sums need no quote.
  void Create(const std::string& id, const std::string& merchant, const std::string& shopper,
              PaymentMethod method, Money subtotal, std::vector<RedeemedOffer> applied,
              const char* created_at, bool commit) {
    Redemption r;
    r.id = id;
    r.status = commit ? RedemptionStatus::kCommitted : RedemptionStatus::kReserved;
    r.merchant_id = merchant;
    r.shopper_id = shopper;
    r.order_id = "order-" + id;
    r.payment_method = method;
    r.subtotal = subtotal;
    for (const auto& a : applied) r.discount_total += a.discount;
    r.applied = std::move(applied);
    r.created_at = At(created_at);
    r.expires_at = Timestamp{r.created_at.millis + 3'600'000'000};
    Status status;
    store_.CreateRedemption({r, std::nullopt}, [&status](Result<CreateRedemptionOutcome> out) {
      status = out.status();
    });
    ASSERT_TRUE(status.ok()) << status.message();
  }

  void Act(const std::string& id, RedemptionAction action) {
    Status status;
    store_.TransitionRedemption(id, action,
                                [&status](Result<Redemption> r) { status = r.status(); });
    ASSERT_TRUE(status.ok()) << status.message();
  }

  CampaignStats Query(CampaignQuery query) {
    std::optional<CampaignStats> out;
    store_.GetCampaignStats(query, [&out](Result<CampaignStats> r) { out = r.value(); });
    return *out;
  }

  // Given: a small campaign over two local days, two shops, three payment methods.
  void SetUp() override {
    GivenOffers();
    // shop-1, 10.10 at 12:xx local: committed, momo, shopper a, two offers.
    Create("r1", "shop-1", "a", PaymentMethod::kMomo, 500'000,
           {Applied("o-shop", 50'000, FundedBy::kMerchant),
            Applied("o-momo", 30'000, FundedBy::kPaymentPartner, "momo")},
           "2026-10-10T12:15:00+07:00", true);
    // shop-1, 10.10 at 12:xx: committed, momo, shopper b.
    Create("r2", "shop-1", "b", PaymentMethod::kMomo, 200'000,
           {Applied("o-shop", 20'000, FundedBy::kMerchant)}, "2026-10-10T12:45:00+07:00", true);
    // shop-1, 10.10 at 13:xx: reserved then cancelled, card, shopper c.
    Create("r3", "shop-1", "c", PaymentMethod::kCard, 300'000,
           {Applied("o-shop", 30'000, FundedBy::kMerchant)}, "2026-10-10T13:05:00+07:00", false);
    Act("r3", RedemptionAction::kCancel);
    // shop-2, 10.11 at 00:30 local (10.10 17:30Z): committed then refunded, vietqr, shopper a.
    Create("r4", "shop-2", "a", PaymentMethod::kVietqr, 1'000'000,
           {Applied("o-platform", 100'000, FundedBy::kPlatform)}, "2026-10-10T17:30:00Z", true);
    Act("r4", RedemptionAction::kRefund);
    // shop-2, 10.11 at 09:xx: reserved (still live), momo, shopper d.
    Create("r5", "shop-2", "d", PaymentMethod::kMomo, 400'000,
           {Applied("o-platform", 40'000, FundedBy::kPlatform)}, "2026-10-11T09:00:00+07:00",
           false);
  }

  ManualClock clock_{At("2026-10-10T12:00:00+07:00")};
  MemoryStore store_{clock_, {}};
};

TEST_F(CampaignStatsTest, TotalsCountRedemptionsByStatusAndMoneyOncePerRedemption) {
  const CampaignStats stats = Query({});
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kCommitted), 2);
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kReserved), 1);
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kReleased), 1);
  EXPECT_EQ(stats.totals.count(RedemptionStatus::kRefunded), 1);
  EXPECT_EQ(stats.totals.discount_committed, 80'000 + 20'000);  // r1 (both offers) + r2
  EXPECT_EQ(stats.totals.gmv_committed, 500'000 + 200'000);     // r1 once, not per offer
  EXPECT_EQ(stats.unique_shoppers, 2);  // a and b; a again on 10.11 (refunded: kept) counts once
}

TEST_F(CampaignStatsTest, GroupByDayUsesLocalDaysAndSumsToTotals) {
  const CampaignStats stats = Query(Grouped(CampaignGrouping::kDay));
  ASSERT_EQ(stats.groups.size(), 2u);
  EXPECT_EQ(stats.groups[0].key, "2026-10-10");
  EXPECT_EQ(stats.groups[1].key, "2026-10-11");  // r4 at 17:30Z is 00:30 local on 10.11
  EXPECT_EQ(stats.groups[0].bucket.gmv_committed, 700'000);
  EXPECT_EQ(stats.groups[1].bucket.count(RedemptionStatus::kRefunded), 1);
  EXPECT_EQ(stats.groups[0].unique_shoppers, 2);
  EXPECT_EQ(stats.groups[1].unique_shoppers, 1);
  StatsBucket sum;
  for (const auto& g : stats.groups) {
    for (std::size_t i = 0; i < kRedemptionStatusCount; ++i)
      sum.by_status[i] += g.bucket.by_status[i];
    sum.discount_committed += g.bucket.discount_committed;
    sum.gmv_committed += g.bucket.gmv_committed;
  }
  EXPECT_EQ(sum, stats.totals);
}

TEST_F(CampaignStatsTest, GroupByHourKeysAreLocalHourStarts) {
  const CampaignStats stats = Query(Grouped(CampaignGrouping::kHour));
  ASSERT_EQ(stats.groups.size(), 4u);
  EXPECT_EQ(stats.groups[0].key, "2026-10-10T12:00:00+07:00");
  EXPECT_EQ(stats.groups[0].bucket.count(RedemptionStatus::kCommitted), 2);
  EXPECT_EQ(stats.groups[1].key, "2026-10-10T13:00:00+07:00");
  EXPECT_EQ(stats.groups[2].key, "2026-10-11T00:00:00+07:00");
  EXPECT_EQ(stats.groups[3].key, "2026-10-11T09:00:00+07:00");
}

TEST_F(CampaignStatsTest, GroupByPaymentMethodAndMerchant) {
  const CampaignStats by_method = Query(Grouped(CampaignGrouping::kPaymentMethod));
  ASSERT_EQ(by_method.groups.size(), 3u);  // card, momo, vietqr (sorted by key)
  EXPECT_EQ(by_method.groups[0].key, "card");
  EXPECT_EQ(by_method.groups[1].key, "momo");
  EXPECT_EQ(by_method.groups[1].bucket.discount_committed, 100'000);
  EXPECT_EQ(by_method.groups[1].bucket.count(RedemptionStatus::kReserved), 1);
  const CampaignStats by_merchant = Query(Grouped(CampaignGrouping::kMerchant));
  ASSERT_EQ(by_merchant.groups.size(), 2u);
  EXPECT_EQ(by_merchant.groups[0].key, "shop-1");
  EXPECT_EQ(by_merchant.groups[0].bucket.gmv_committed, 700'000);
  EXPECT_EQ(by_merchant.groups[0].unique_shoppers, 2);
  EXPECT_EQ(by_merchant.groups[1].unique_shoppers, 1);
}

TEST_F(CampaignStatsTest, GroupByOfferAndFunderAttributeEachOffersShare) {
  const CampaignStats by_offer = Query(Grouped(CampaignGrouping::kOffer));
  ASSERT_EQ(by_offer.groups.size(), 3u);
  EXPECT_EQ(by_offer.groups[0].key, "o-momo");
  EXPECT_EQ(by_offer.groups[0].bucket.discount_committed, 30'000);
  EXPECT_EQ(by_offer.groups[0].bucket.gmv_committed, 500'000);  // counted for each offer
  EXPECT_EQ(by_offer.groups[2].key, "o-shop");
  EXPECT_EQ(by_offer.groups[2].bucket.discount_committed, 70'000);
  EXPECT_FALSE(by_offer.groups[0].unique_shoppers.has_value());
  const CampaignStats by_funder = Query(Grouped(CampaignGrouping::kFundedBy));
  ASSERT_EQ(by_funder.groups.size(), 3u);
  EXPECT_EQ(by_funder.groups[0].key, "merchant");
  EXPECT_EQ(by_funder.groups[1].key, "payment_partner:momo");
  EXPECT_EQ(by_funder.groups[1].bucket.discount_committed, 30'000);
  EXPECT_EQ(by_funder.groups[2].key, "platform");
  EXPECT_EQ(by_funder.groups[2].bucket.count(RedemptionStatus::kRefunded), 1);
}

TEST_F(CampaignStatsTest, RangeAndMerchantFilterSelectHourBuckets) {
  // [12:00, 13:00) local on 10.10 takes r1 and r2 only.
  const CampaignStats noon =
      Query(Range(At("2026-10-10T12:00:00+07:00"), At("2026-10-10T13:00:00+07:00")));
  EXPECT_EQ(noon.totals.count(RedemptionStatus::kCommitted), 2);
  EXPECT_EQ(noon.totals.count(RedemptionStatus::kReleased), 0);
  // A `from` inside an hour starts at the next hour: 12:30 → from 13:00.
  const CampaignStats later =
      Query(Range(At("2026-10-10T12:30:00+07:00"), At("2026-10-10T14:00:00+07:00")));
  EXPECT_EQ(later.totals.count(RedemptionStatus::kCommitted), 0);
  EXPECT_EQ(later.totals.count(RedemptionStatus::kReleased), 1);
  CampaignQuery only_shop2;
  only_shop2.merchant_id = "shop-2";
  const CampaignStats shop2 = Query(only_shop2);
  EXPECT_EQ(shop2.totals.count(RedemptionStatus::kReserved), 1);
  EXPECT_EQ(shop2.totals.count(RedemptionStatus::kRefunded), 1);
  EXPECT_EQ(shop2.totals.gmv_committed, 0);  // refunded GMV leaves
}

TEST_F(CampaignStatsTest, ParseCampaignGroupingKnowsEveryName) {
  EXPECT_EQ(ParseCampaignGrouping("day"), CampaignGrouping::kDay);
  EXPECT_EQ(ParseCampaignGrouping("funded_by"), CampaignGrouping::kFundedBy);
  EXPECT_FALSE(ParseCampaignGrouping("week").has_value());
}

}  // namespace
}  // namespace uudai
