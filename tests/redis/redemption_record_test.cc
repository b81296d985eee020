// RedemptionRecord (redemption_record.h): a redemption kept as one string in Redis, read back
// equal, and laid out as the store function reads it.
#include "store/redis/redemption_record.h"

#include <gtest/gtest.h>

#include "engine/store_test_support.h"

namespace uudai::gateway {
namespace {

using store_test::MakeCashbackOffer;
using store_test::MakeOffer;
using store_test::MakePlatformOffer;
using store_test::MakeUniqueCodeOffer;
using store_test::RedemptionBuilder;

std::vector<std::string> Fields(const std::string& section) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = section.find(kRecordField, start);
    out.push_back(section.substr(start, at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

// A redemption with something in every field.
Redemption Everything() {
  Offer platform = MakePlatformOffer("o-platform");
  platform.version = 7;
  platform.funded_by = FundedBy::kPaymentPartner;
  platform.funder = "momo";
  platform.restore_on_refund = false;
  Redemption r = RedemptionBuilder("r-1")
                     .Shopper("s-9")
                     .Merchant("shop-1")
                     .Order("order/42:a@b")
                     .Method(PaymentMethod::kZalopay)
                     .Subtotal(1'000'000'000'000'000)
                     .Apply(MakeUniqueCodeOffer("o-unique"), 50'000, "ABCDEFGHJKMNP")
                     .Apply(platform, 999'999'999'999)
                     .Committed()
                     .Build();
  r.shipping_fee = 30'000;
  r.rejected = {{"THANG10", std::string("o-paused"), RejectionReason::kPaused},
                {"odd\x1f%code\x1e", std::nullopt, RejectionReason::kUnknownCode}};
  r.status = RedemptionStatus::kRefunded;
  r.refunded_at = Timestamp{r.created_at.millis + 5'000};
  return r;
}

TEST(RedemptionRecordTest, ReadsBackEqualInEveryStatus) {
  Redemption r = Everything();
  for (RedemptionStatus status :
       {RedemptionStatus::kReserved, RedemptionStatus::kCommitted, RedemptionStatus::kReleased,
        RedemptionStatus::kExpired, RedemptionStatus::kRefunded}) {
    r.status = status;
    const auto record = EncodeRedemptionRecord(r, LocalDay{20'000});
    ASSERT_TRUE(record.ok()) << record.status().message();
    const auto back = DecodeRedemptionRecord("r-1", record.value());
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back.value(), r) << RedemptionStatusName(status);
  }
  const Redemption plain = RedemptionBuilder("r-2").Apply(MakeOffer("o-1"), 1'000).Build();
  EXPECT_EQ(
      DecodeRedemptionRecord("r-2", EncodeRedemptionRecord(plain, LocalDay{1}).value()).value(),
      plain);
}

TEST(RedemptionRecordTest, EveryRejectionReasonReadsBackMinQuantityIncluded) {
  Redemption r = RedemptionBuilder("r-3").Apply(MakeOffer("o-1"), 1'000).Build();
  r.rejected = {{"MUA5MON", std::string("o-tier"), RejectionReason::kMinQuantity},
                {"DONLON", std::string("o-tier-2"), RejectionReason::kMinOrderAmount},
                {"THANG10", std::string("o-1"), RejectionReason::kSuperseded}};
  const auto record = EncodeRedemptionRecord(r, LocalDay{20'000});
  ASSERT_TRUE(record.ok()) << record.status().message();
  const auto back = DecodeRedemptionRecord("r-3", record.value());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back.value(), r);
}

TEST(RedemptionRecordTest, HeadAndPlanAreWhatTheStoreFunctionReads) {
  const Redemption r = Everything();
  const std::string record = EncodeRedemptionRecord(r, LocalDay{20'000}).value();
  const std::size_t head_end = record.find(kRecordSection);
  const std::size_t plan_end = record.find(kRecordSection, head_end + 1);
  ASSERT_NE(plan_end, std::string::npos);
  EXPECT_EQ(record.find(kRecordSection, plan_end + 1), std::string::npos) << "three sections";

  EXPECT_EQ(Fields(record.substr(0, head_end)),
            (std::vector<std::string>{"4", std::to_string(r.committed_at->millis), "", "",
                                      std::to_string(r.refunded_at->millis)}));
  EXPECT_EQ(Fields(record.substr(head_end + 1, plan_end - head_end - 1)),
            (std::vector<std::string>{
                std::to_string(r.expires_at.millis), "s-9", "20000", "shop-1", "order/42:a@b",
                // offer, discount, held unique code, restores on refund
                "o-unique", "50000", "ABCDEFGHJKMNP", "1", "o-platform", "999999999999", "", "0"}));
}

// A committed redemption of 300,000 with a merchant discount (60,000) and a payment partner's
// cashback (25,000, paid back after payment: not in the discount total).
Redemption WithCashback() {
  Offer cashback = MakeCashbackOffer("o-cashback");
  cashback.restore_on_refund = false;
  Redemption r = RedemptionBuilder("r-cb")
                     .Shopper("s-9")
                     .Merchant("shop-1")
                     .Order("order-cb")
                     .Subtotal(300'000)
                     .Apply(MakeOffer("o-merchant"), 60'000)
                     .ApplyCashback(cashback, 25'000)
                     .Committed()
                     .Build();
  return r;
}

// `record`'s three sections, each as its fields.
std::vector<std::vector<std::string>> Sections(const std::string& record) {
  std::vector<std::vector<std::string>> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = record.find(kRecordSection, start);
    out.push_back(Fields(record.substr(start, at == std::string::npos ? at : at - start)));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

std::string Joined(const std::vector<std::vector<std::string>>& sections) {
  std::string out;
  for (std::size_t s = 0; s < sections.size(); ++s) {
    if (s > 0) out += kRecordSection;
    for (std::size_t f = 0; f < sections[s].size(); ++f) {
      if (f > 0) out += kRecordField;
      out += sections[s][f];
    }
  }
  return out;
}

TEST(RedemptionRecordTest, ADiscountAndACashbackReadBackEqual) {
  const Redemption r = WithCashback();
  ASSERT_EQ(r.applied[0].discount, 60'000);
  ASSERT_EQ(r.applied[1].cashback, 25'000);
  const auto record = EncodeRedemptionRecord(r, LocalDay{20'000});
  ASSERT_TRUE(record.ok()) << record.status().message();
  const auto back = DecodeRedemptionRecord("r-cb", record.value());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back.value(), r);
  ASSERT_EQ(back.value().applied.size(), 2U);
  EXPECT_EQ(back.value().applied[1].discount, 0);
  EXPECT_EQ(back.value().applied[1].cashback, 25'000);
  EXPECT_EQ(back.value().cashback_total(), 25'000);
  EXPECT_EQ(back.value().discount_total, 60'000);
}

TEST(RedemptionRecordTest, ThePlanCarriesACashbacksRewardAndTheRestMarksIt) {
  const Redemption r = WithCashback();
  const std::string record = EncodeRedemptionRecord(r, LocalDay{20'000}).value();
  const auto sections = Sections(record);
  ASSERT_EQ(sections.size(), 3U);
  EXPECT_EQ(sections[1],
            (std::vector<std::string>{
                std::to_string(r.expires_at.millis), "s-9", "20000", "shop-1", "order-cb",
                // offer, amount (what its budget counts), held code, restores
                "o-merchant", "60000", "", "1", "o-cashback", "25000", "", "0"}));
  // The rest: 6 fields, then 8 per applied offer, the last "c" for a cashback ("" otherwise)
  const std::vector<std::string>& rest = sections[2];
  ASSERT_EQ(rest.size(), 6U + 2 * 8);
  EXPECT_EQ(rest[3], "60000") << "the discount total leaves the cashback out";
  EXPECT_EQ(std::vector<std::string>(rest.begin() + 6, rest.begin() + 14),
            (std::vector<std::string>{"1", "m-1", "0", "0", "", "0", "", ""}));
  EXPECT_EQ(std::vector<std::string>(rest.begin() + 14, rest.end()),
            (std::vector<std::string>{"1", "platform", "2", "0", "", "2", "momo", "c"}));
}

TEST(RedemptionRecordTest, AnUnknownCashbackMarkIsMalformed) {
  auto sections = Sections(EncodeRedemptionRecord(WithCashback(), LocalDay{1}).value());
  ASSERT_EQ(sections.size(), 3U);
  ASSERT_EQ(sections[2].back(), "c");
  ASSERT_TRUE(DecodeRedemptionRecord("r-cb", Joined(sections)).ok()) << "Joined is exact";
  sections[2].back() = "x";
  EXPECT_EQ(DecodeRedemptionRecord("r-cb", Joined(sections)).status().code(),
            StatusCode::kInternal);
}

TEST(RedemptionRecordTest, AnIdentifierHoldingASeparatorIsRefused) {
  for (const char* shopper : {"s\x1f"
                              "1",
                              "s\x1e"
                              "1"}) {
    const Redemption r =
        RedemptionBuilder("r-1").Shopper(shopper).Apply(MakeOffer("o-1"), 1'000).Build();
    EXPECT_EQ(EncodeRedemptionRecord(r, LocalDay{1}).status().code(), StatusCode::kInternal);
  }
}

TEST(RedemptionRecordTest, MalformedRecordsAreInternalErrors) {
  const std::string good =
      EncodeRedemptionRecord(RedemptionBuilder("r-1").Apply(MakeOffer("o-1"), 1'000).Build(),
                             LocalDay{1})
          .value();
  ASSERT_TRUE(DecodeRedemptionRecord("r-1", good).ok());
  std::vector<std::string> bad = {"",
                                  "x",
                                  good.substr(0, good.size() - 3),
                                  good +
                                      "\x1f"
                                      "1",
                                  "9" + good.substr(1),
                                  good + "\x1e"};
  for (const std::string& record : bad) {
    const auto decoded = DecodeRedemptionRecord("r-1", record);
    EXPECT_EQ(decoded.status().code(), StatusCode::kInternal) << record;
  }
}

}  // namespace
}  // namespace uudai::gateway
