// The ledger conformance suite: reading the ledger in pages (exports) and stats that are exact
// over a few hundred redemptions with mixed outcomes. Run against every Store, like
// StoreConformanceTest (see store_conformance.h):
//
//   INSTANTIATE_TEST_SUITE_P(Memory, LedgerConformanceTest,
//                            ::testing::Values(EnvironmentOf<MemoryStoreEnvironment>("memory")));
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/store_conformance.h"

namespace uudai::store_test {

namespace ledger_test {

std::vector<std::string> IdsOf(const std::vector<Redemption>& rows) {
  std::vector<std::string> ids;
  for (const Redemption& r : rows) ids.push_back(r.id);
  return ids;
}

LedgerPageQuery Pages(std::size_t limit, std::optional<Timestamp> from = std::nullopt,
                      std::optional<Timestamp> to = std::nullopt) {
  LedgerPageQuery query;
  query.limit = limit;
  query.from = from;
  query.to = to;
  return query;
}

LedgerPageQuery Continue(std::uint64_t start, std::uint64_t end, std::size_t limit) {
  LedgerPageQuery query = Pages(limit);
  query.start = start;
  query.end = end;
  return query;
}

CampaignQuery GroupedBy(CampaignGrouping grouping) {
  CampaignQuery query;
  query.group_by = grouping;
  return query;
}

// What a test expects of one redemption it made, kept apart from the store's answers.
struct Made {
  Redemption planned;
  RedemptionStatus outcome;
};

StatsBucket& operator+=(StatsBucket& sum, const StatsBucket& b) {
  for (std::size_t i = 0; i < kRedemptionStatusCount; ++i) sum.by_status[i] += b.by_status[i];
  sum.discount_committed += b.discount_committed;
  sum.gmv_committed += b.gmv_committed;
  return sum;
}

// The bucket one redemption adds: its count under its outcome, and money when committed.
StatsBucket BucketOf(const Made& made, Money discount, Money gmv) {
  StatsBucket bucket;
  bucket.by_status[static_cast<std::size_t>(made.outcome)] = 1;
  if (made.outcome == RedemptionStatus::kCommitted) {
    bucket.discount_committed = discount;
    bucket.gmv_committed = gmv;
  }
  return bucket;
}

}  // namespace ledger_test

TEST_P(LedgerConformanceTest, LedgerPagesHoldEveryRedemptionInCreationOrderAsItIsNow) {
  const Offer offer = this->store_.GivenOffer(MakeOffer("o-1"));
  std::vector<std::string> created;
  for (int i = 0; i < 7; ++i) {
    const std::string id = "r-" + std::to_string(i);
    this->store_.GivenRedemption(RedemptionBuilder(id).Apply(offer, 10'000).Build());
    created.push_back(id);
  }
  this->store_.GivenTransition("r-2", RedemptionAction::kCommit);
  this->store_.GivenTransition("r-4", RedemptionAction::kCancel);

  Result<LedgerPage> first = this->Page(ledger_test::Pages(3));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(ledger_test::IdsOf(first->rows), (std::vector<std::string>{"r-0", "r-1", "r-2"}));
  EXPECT_EQ(first->end, 7U);
  EXPECT_FALSE(first->done());

  const std::vector<Redemption> all = this->ReadAll(ledger_test::Pages(3));
  EXPECT_EQ(ledger_test::IdsOf(all), created);
  ASSERT_EQ(all.size(), 7U);
  EXPECT_EQ(all[2].status, RedemptionStatus::kCommitted);
  EXPECT_EQ(all[4].status, RedemptionStatus::kReleased);
  EXPECT_EQ(all[0], this->store_.Get("r-0").value());
}

TEST_P(LedgerConformanceTest, LedgerOfAnEmptyStoreIsOneEmptyLastPage) {
  Result<LedgerPage> page = this->Page(ledger_test::Pages(1000));
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->rows.empty());
  EXPECT_TRUE(page->done());
}

TEST_P(LedgerConformanceTest, LedgerSelectsCreationTimesInTheHalfOpenRange) {
  const Offer offer = this->store_.GivenOffer(MakeOffer("o-1"));
  const char* times[] = {"2026-10-09T23:59:59+07:00", "2026-10-10T00:00:00+07:00",
                         "2026-10-10T11:59:59+07:00", "2026-10-10T12:00:00+07:00"};
  int n = 0;
  for (const char* t : times) {
    this->store_.GivenRedemption(RedemptionBuilder("r-" + std::to_string(n++))
                                     .CreatedAt(At(t))
                                     .TtlMillis(kMillisPerDay)
                                     .Apply(offer, 10'000)
                                     .Build());
  }
  const auto rows = this->ReadAll(
      ledger_test::Pages(1, At("2026-10-10T00:00:00+07:00"), At("2026-10-10T12:00:00+07:00")));
  EXPECT_EQ(ledger_test::IdsOf(rows), (std::vector<std::string>{"r-1", "r-2"}));
  EXPECT_EQ(this->ReadAll(ledger_test::Pages(10, At("2026-10-10T12:00:00+07:00"))).size(), 1U);
  EXPECT_EQ(
      this->ReadAll(ledger_test::Pages(10, std::nullopt, At("2026-10-10T00:00:00+07:00"))).size(),
      1U);
}

TEST_P(LedgerConformanceTest, LedgerReadStopsAtTheEndTheFirstPageFixed) {
  const Offer offer = this->store_.GivenOffer(MakeOffer("o-1"));
  for (int i = 0; i < 4; ++i) {
    this->store_.GivenRedemption(
        RedemptionBuilder("r-" + std::to_string(i)).Apply(offer, 10'000).Build());
  }
  Result<LedgerPage> first = this->Page(ledger_test::Pages(2));
  ASSERT_TRUE(first.ok());
  this->store_.GivenRedemption(RedemptionBuilder("r-late").Apply(offer, 10'000).Build());
  Result<LedgerPage> second = this->Page(ledger_test::Continue(first->next, first->end, 100));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(ledger_test::IdsOf(second->rows), (std::vector<std::string>{"r-2", "r-3"}));
  EXPECT_TRUE(second->done());
  // A new export sees it.
  EXPECT_EQ(this->ReadAll(ledger_test::Pages(1000)).size(), 5U);
}

TEST_P(LedgerConformanceTest, LedgerCursorPastTheEndIsAnEmptyLastPage) {
  const Offer offer = this->store_.GivenOffer(MakeOffer("o-1"));
  this->store_.GivenRedemption(RedemptionBuilder("r-0").Apply(offer, 10'000).Build());
  Result<LedgerPage> page = this->Page(ledger_test::Continue(50, 90, 1000));
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->rows.empty());
  EXPECT_TRUE(page->done());
}

// A few hundred redemptions over three days, two merchants, a platform offer and several
// payment methods, ending committed, released, expired, refunded or still reserved: every
// stats figure equals the sum the test computes from what it did, and group sums equal totals.
TEST_P(LedgerConformanceTest, StatsAreExactOverMixedOutcomes) {
  using ledger_test::BucketOf;
  using ledger_test::Made;
  using ledger_test::operator+=;
  using S = RedemptionStatus;
  Offer shop1 = MakeOffer("o-shop1");
  Offer shop2 = MakeOffer("o-shop2");
  shop2.merchant_id = "m-2";
  const Offer platform = this->store_.GivenOffer(MakePlatformOffer("o-platform"));
  shop1 = this->store_.GivenOffer(shop1);
  shop2 = this->store_.GivenOffer(shop2);
  const PaymentMethod methods[] = {PaymentMethod::kMomo, PaymentMethod::kZalopay,
                                   PaymentMethod::kVnpay, PaymentMethod::kCard};
  const S outcomes[] = {S::kCommitted, S::kCommitted, S::kReleased,
                        S::kExpired,   S::kRefunded,  S::kReserved};
  const Timestamp start = At("2026-10-08T00:00:00+07:00");
  std::mt19937 random(2026);
  std::vector<Made> made;
  for (int i = 0; i < 300; ++i) {
    const bool second_shop = random() % 3 == 0;
    const S outcome = outcomes[random() % std::size(outcomes)];
    // Spread over 2.5 days before "now" (10 Oct, 12:00), at whole minutes.
    const Timestamp created{start.millis +
                            static_cast<std::int64_t>(random() % (60 * 60)) * kMillisPerMinute};
    RedemptionBuilder builder("r-" + std::to_string(i));
    builder.Merchant(second_shop ? "m-2" : "m-1")
        .Shopper("s-" + std::to_string(random() % 40))
        .Method(methods[random() % std::size(methods)])
        .Subtotal(100'000 + static_cast<Money>(random() % 50) * 10'000)
        .CreatedAt(created)
        // Expired ones are due by now; the others last past it.
        .TtlMillis(outcome == S::kExpired ? 15 * kMillisPerMinute : 5 * kMillisPerDay)
        .Apply(second_shop ? shop2 : shop1, 10'000 + static_cast<Money>(random() % 5) * 1'000);
    if (random() % 2 == 0) builder.Apply(platform, 20'000);
    if (outcome == S::kCommitted && random() % 2 == 0) builder.Committed();
    made.push_back(Made{this->store_.GivenRedemption(builder.Build()), outcome});
  }
  for (const Made& m : made) {
    const std::string& id = m.planned.id;
    if (m.outcome == S::kReleased) this->store_.GivenTransition(id, RedemptionAction::kCancel);
    if ((m.outcome == S::kCommitted && m.planned.status == S::kReserved) ||
        m.outcome == S::kRefunded) {
      this->store_.GivenTransition(id, RedemptionAction::kCommit);
    }
    if (m.outcome == S::kRefunded) this->store_.GivenTransition(id, RedemptionAction::kRefund);
  }
  this->clock_.Advance(kMillisPerHour);  // every 15-minute reservation is due now
  const auto expired_count = std::count_if(made.begin(), made.end(),
                                           [](const Made& m) { return m.outcome == S::kExpired; });
  EXPECT_EQ(this->store_.ExpireDue(1000).value(), static_cast<std::size_t>(expired_count));

  // The test's own sums.
  StatsBucket totals;
  std::set<std::string> committed_shoppers;
  std::map<std::string, std::set<std::string>> committed_shoppers_by_merchant;
  // Local day → shoppers (of every merchant, and merchant → local day → shoppers).
  std::map<std::string, std::set<std::string>> committed_shoppers_by_day;
  std::map<std::string, std::map<std::string, std::set<std::string>>>
      committed_shoppers_by_merchant_day;
  std::map<std::string, StatsBucket> by_offer, by_method, by_merchant, by_funder, by_day;
  std::map<std::string, std::set<std::string>> offer_shoppers;
  std::set<std::int64_t> hours;
  for (const Made& m : made) {
    const Redemption& r = m.planned;
    hours.insert(r.created_at.millis / kMillisPerHour);
    totals += BucketOf(m, r.discount_total, r.subtotal);
    by_method[std::string(PaymentMethodName(r.payment_method))] +=
        BucketOf(m, r.discount_total, r.subtotal);
    by_merchant[r.merchant_id] += BucketOf(m, r.discount_total, r.subtotal);
    by_day[FormatLocalDay(DayOf(r.created_at))] += BucketOf(m, r.discount_total, r.subtotal);
    const bool counted = m.outcome == S::kCommitted || m.outcome == S::kRefunded;
    if (counted) {
      committed_shoppers.insert(r.shopper_id);
      committed_shoppers_by_merchant[r.merchant_id].insert(r.shopper_id);
      const std::string day = FormatLocalDay(DayOf(r.created_at));
      committed_shoppers_by_day[day].insert(r.shopper_id);
      committed_shoppers_by_merchant_day[r.merchant_id][day].insert(r.shopper_id);
    }
    for (const RedeemedOffer& a : r.applied) {
      by_offer[a.offer_id] += BucketOf(m, a.discount, r.subtotal);
      by_funder[a.funded_by == FundedBy::kPlatform ? "platform" : "merchant"] +=
          BucketOf(m, a.discount, r.subtotal);
      if (counted) offer_shoppers[a.offer_id].insert(r.shopper_id);
    }
  }

  const CampaignStats campaign = this->store_.CampaignStatsFor(CampaignQuery{}).value();
  EXPECT_EQ(campaign.totals, totals);
  EXPECT_EQ(campaign.unique_shoppers, static_cast<std::int64_t>(committed_shoppers.size()));
  // Unique shoppers: the whole campaign (counted as they happen) and a range that covers it
  // (merged from the hours) agree, overall, for one merchant and per merchant group.
  CampaignQuery covering;
  covering.from = At("2026-10-01T00:00:00+07:00");
  covering.to = At("2026-11-01T00:00:00+07:00");
  EXPECT_EQ(this->store_.CampaignStatsFor(covering).value().unique_shoppers,
            campaign.unique_shoppers);
  for (const auto& [merchant, shoppers] : committed_shoppers_by_merchant) {
    CampaignQuery one;
    one.merchant_id = merchant;
    EXPECT_EQ(this->store_.CampaignStatsFor(one).value().unique_shoppers,
              static_cast<std::int64_t>(shoppers.size()))
        << merchant;
    covering.merchant_id = merchant;
    EXPECT_EQ(this->store_.CampaignStatsFor(covering).value().unique_shoppers,
              static_cast<std::int64_t>(shoppers.size()))
        << merchant;
  }
  const CampaignStats merchant_groups =
      this->store_.CampaignStatsFor(ledger_test::GroupedBy(CampaignGrouping::kMerchant)).value();
  for (const CampaignGroup& group : merchant_groups.groups) {
    EXPECT_EQ(group.unique_shoppers,
              static_cast<std::int64_t>(committed_shoppers_by_merchant[group.key].size()))
        << group.key;
  }
  // Day groups: a shopper of both merchants on one day counts once; the whole campaign
  // (counted as they happen), a covering range (merged from the hours) and one merchant's.
  auto day_shoppers = [this](CampaignQuery query) {
    query.group_by = CampaignGrouping::kDay;
    std::map<std::string, std::int64_t> counts;
    const CampaignStats stats = this->store_.CampaignStatsFor(query).value();
    for (const CampaignGroup& group : stats.groups) {
      counts[group.key] = group.unique_shoppers.value_or(-1);
    }
    return counts;
  };
  auto sizes = [&by_day](const std::map<std::string, std::set<std::string>>& sets) {
    std::map<std::string, std::int64_t> counts;
    for (const auto& [day, bucket] : by_day) counts[day] = 0;
    for (const auto& [day, shoppers] : sets)
      counts[day] = static_cast<std::int64_t>(shoppers.size());
    return counts;
  };
  // Ranges that cut through the committed shoppers' hours (each local day alone, the first
  // two together) merge the sets of their hours.
  std::set<std::string> first_two_days;
  for (const auto& [day, shoppers] : committed_shoppers_by_day) {
    CampaignQuery one_day;
    one_day.from = At(day + "T00:00:00+07:00");
    one_day.to = Timestamp{one_day.from->millis + kMillisPerDay};
    EXPECT_EQ(this->store_.CampaignStatsFor(one_day).value().unique_shoppers,
              static_cast<std::int64_t>(shoppers.size()))
        << day;
    EXPECT_EQ(
        day_shoppers(one_day),
        (std::map<std::string, std::int64_t>{{day, static_cast<std::int64_t>(shoppers.size())}}))
        << day;
    if (day < "2026-10-10") first_two_days.insert(shoppers.begin(), shoppers.end());
  }
  CampaignQuery two_days;
  two_days.from = At("2026-10-08T00:00:00+07:00");
  two_days.to = At("2026-10-10T00:00:00+07:00");
  EXPECT_EQ(this->store_.CampaignStatsFor(two_days).value().unique_shoppers,
            static_cast<std::int64_t>(first_two_days.size()));
  ASSERT_EQ(committed_shoppers_by_day.size(), 3u) << "the data spans 8, 9 and 10 October";

  covering.merchant_id.reset();
  EXPECT_EQ(day_shoppers(CampaignQuery{}), sizes(committed_shoppers_by_day));
  EXPECT_EQ(day_shoppers(covering), sizes(committed_shoppers_by_day));
  for (const auto& [merchant, by_merchant_day] : committed_shoppers_by_merchant_day) {
    CampaignQuery one;
    one.merchant_id = merchant;
    std::map<std::string, std::int64_t> expected;
    for (const auto& [day, shoppers] : by_merchant_day) {
      expected[day] = static_cast<std::int64_t>(shoppers.size());
    }
    std::map<std::string, std::int64_t> actual = day_shoppers(one);
    std::erase_if(actual, [](const auto& entry) { return entry.second == 0; });
    EXPECT_EQ(actual, expected) << merchant;
    covering.merchant_id = merchant;
    actual = day_shoppers(covering);
    std::erase_if(actual, [](const auto& entry) { return entry.second == 0; });
    EXPECT_EQ(actual, expected) << merchant << ", covering range";
  }

  const std::pair<CampaignGrouping, const std::map<std::string, StatsBucket>*> groupings[] = {
      {CampaignGrouping::kPaymentMethod, &by_method},
      {CampaignGrouping::kMerchant, &by_merchant},
      {CampaignGrouping::kDay, &by_day},
      {CampaignGrouping::kOffer, &by_offer},
      {CampaignGrouping::kFundedBy, &by_funder},
      {CampaignGrouping::kHour, nullptr}};
  for (const auto& [grouping, expected] : groupings) {
    const CampaignStats grouped =
        this->store_.CampaignStatsFor(ledger_test::GroupedBy(grouping)).value();
    EXPECT_EQ(grouped.totals, totals);
    std::map<std::string, StatsBucket> actual;
    StatsBucket sum;
    for (const CampaignGroup& group : grouped.groups) {
      actual[group.key] = group.bucket;
      sum += group.bucket;
    }
    if (expected != nullptr) {
      EXPECT_EQ(actual, *expected) << "group_by " << int(grouping);
    }
    const bool once_per_redemption =
        grouping != CampaignGrouping::kOffer && grouping != CampaignGrouping::kFundedBy;
    if (once_per_redemption) {
      EXPECT_EQ(sum, totals) << "group sums equal totals, group_by " << int(grouping);
    } else {
      EXPECT_EQ(sum.discount_committed, totals.discount_committed);
    }
  }
  // One group per hour that has redemptions (whole-hour zone offset: local hours are UTC ones).
  EXPECT_EQ(this->store_.CampaignStatsFor(ledger_test::GroupedBy(CampaignGrouping::kHour))
                .value()
                .groups.size(),
            hours.size());

  for (const Offer* offer : std::vector<const Offer*>{&shop1, &shop2, &platform}) {
    const OfferStats stats = this->store_.Stats(offer->id).value();
    EXPECT_EQ(stats.totals, by_offer[offer->id]) << offer->id;
    EXPECT_EQ(stats.unique_shoppers, static_cast<std::int64_t>(offer_shoppers[offer->id].size()));
    StatsBucket day_sum, method_sum;
    for (const auto& [day, bucket] : stats.by_day) day_sum += bucket;
    for (const auto& [method, bucket] : stats.by_payment_method) method_sum += bucket;
    EXPECT_EQ(day_sum, stats.totals) << offer->id;
    EXPECT_EQ(method_sum, stats.totals) << offer->id;
  }

  // The ledger holds each redemption once, in its final state.
  const std::vector<Redemption> ledger = this->ReadAll(ledger_test::Pages(64));
  ASSERT_EQ(ledger.size(), made.size());
  for (std::size_t i = 0; i < made.size(); ++i) {
    EXPECT_EQ(ledger[i].id, made[i].planned.id);
    EXPECT_EQ(ledger[i].status, made[i].outcome) << ledger[i].id;
  }
}

}  // namespace uudai::store_test
