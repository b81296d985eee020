// The mutation codec's offers: decode(encode(x)) == x for every discount type, the rules of a
// tiered or buy_x_get_y discount carried in "dx" (and no "dx" for the others, as the lines
// written before those types), and a "dx" that names no valid rule refused; a redemption's
// refused codes with every reason; first_order ("fo") and a cashback ("cb") written only when
// set; an idempotency record's response ("body") written when it has one, and a line without
// it marked version 2, which a reader of version 1 refuses rather than replay an empty answer.
#include "store/codec/mutation_codec.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "uudai/offer.h"
#include "uudai/quote.h"
#include "uudai/redemption.h"
#include "uudai/store_mutation.h"

namespace uudai::gateway {
namespace {

// An offer with every optional field set, so a round trip that drops any of them shows.
Offer FullOffer(std::string id, Discount discount) {
  Offer offer;
  offer.id = std::move(id);
  offer.merchant_id = "shop-1";
  offer.name = "Mua nhiều giảm nhiều – Tháng 10";
  offer.layer = Layer::kPlatform;
  offer.discount = std::move(discount);
  offer.min_order_amount = 100'000;
  offer.payment_methods = std::vector<std::string>{"momo", "digital"};
  offer.categories = std::vector<std::string>{"books", "toys"};
  offer.skus = std::vector<std::string>{"sku-1"};
  offer.merchant_ids = std::vector<std::string>{"shop-1", "shop-2"};
  offer.starts_at = Timestamp{1'790'787'600'000};  // 2026-10-01T00:00:00+07:00
  offer.ends_at = Timestamp{1'793'466'000'000};    // 2026-11-01T00:00:00+07:00
  offer.daily_window = DailyWindow{11 * 60, 14 * 60};
  offer.code_mode = CodeMode::kPublic;
  offer.code = "MUANHIEU";
  offer.limits = {1'000, 50'000'000, 2, 100};
  offer.exclusive = true;
  offer.priority = -7;
  offer.funded_by = FundedBy::kPaymentPartner;
  offer.funder = "momo";
  offer.restore_on_refund = false;
  offer.status = OfferStatus::kPaused;
  offer.version = 4;
  offer.created_at = Timestamp{1'790'000'000'123};
  offer.updated_at = Timestamp{1'790'000'456'789};
  return offer;
}

// The offers of the round trips: every discount type, and each way a tier or set can be.
std::vector<Offer> OffersOfEveryKind() {
  return {
      FullOffer("o-percent", Discount::Percent(10, 50'000)),
      FullOffer("o-fixed", Discount::Fixed(20'000)),
      FullOffer("o-ship", Discount::FreeShipping(30'000)),
      FullOffer("o-tier-subtotal",
                Discount::Tiered(TierBasis::kSubtotal,
                                 {{200'000, DiscountType::kFixed, 20'000, std::nullopt},
                                  {500'000, DiscountType::kPercent, 10, 60'000},
                                  {2'000'000, DiscountType::kPercent, 15, std::nullopt}})),
      FullOffer("o-tier-quantity",
                Discount::Tiered(TierBasis::kQuantity,
                                 {{2, DiscountType::kPercent, 5, std::nullopt},
                                  {5, DiscountType::kPercent, 10, 100'000},
                                  {10, DiscountType::kFixed, 300'000, std::nullopt}})),
      FullOffer("o-tier-one", Discount::Tiered(TierBasis::kSubtotal,
                                               {{1'000'000'000'000'000, DiscountType::kFixed,
                                                 1'000'000'000'000'000, std::nullopt}})),
      FullOffer("o-bogo", Discount::BuyXGetY(2, 1, 100, std::nullopt)),
      FullOffer("o-bogo-capped", Discount::BuyXGetY(3, 2, 50, 4)),
      FullOffer("o-bogo-max", Discount::BuyXGetY(1'000, 1'000, 1, 1'000'000)),
      FullOffer("o-cashback", Discount::Cashback(10, 25'000)),
      FullOffer("o-cashback-uncapped", Discount::Cashback(100)),
  };
}

Offer RoundTripped(const Offer& offer) {
  const std::string line = EncodeMutation(OfferWritten{std::make_shared<const Offer>(offer)});
  const Result<StoreMutation> decoded = DecodeMutation(line);
  EXPECT_TRUE(decoded.ok()) << line << " → " << decoded.status().message();
  if (!decoded.ok()) return {};
  const auto* written = std::get_if<OfferWritten>(&decoded.value());
  EXPECT_NE(written, nullptr) << line;
  if (written == nullptr || written->offer == nullptr) return {};
  return *written->offer;
}

TEST(MutationCodecTest, EveryKindOfOfferSurvivesTheRoundTrip) {
  for (const Offer& offer : OffersOfEveryKind()) {
    EXPECT_EQ(RoundTripped(offer), offer) << offer.id;
  }
}

TEST(MutationCodecTest, TieredOfferBySubtotalKeepsItsBasisAndEveryTier) {
  const Offer offer = OffersOfEveryKind()[3];
  const Offer back = RoundTripped(offer);
  EXPECT_EQ(back.discount.type, DiscountType::kTiered);
  EXPECT_EQ(back.discount.basis, TierBasis::kSubtotal);
  ASSERT_EQ(back.discount.tiers.size(), 3U);
  EXPECT_EQ(back.discount.tiers[0],
            (DiscountTier{200'000, DiscountType::kFixed, 20'000, std::nullopt}));
  EXPECT_EQ(back.discount.tiers[1], (DiscountTier{500'000, DiscountType::kPercent, 10, 60'000}));
  EXPECT_EQ(back.discount.tiers[2],
            (DiscountTier{2'000'000, DiscountType::kPercent, 15, std::nullopt}));
  EXPECT_EQ(back, offer);
}

TEST(MutationCodecTest, TieredOfferByQuantityKeepsItsBasis) {
  const Offer offer = OffersOfEveryKind()[4];
  const Offer back = RoundTripped(offer);
  EXPECT_EQ(back.discount.basis, TierBasis::kQuantity);
  EXPECT_EQ(back.discount.tiers, offer.discount.tiers);
  EXPECT_EQ(back, offer);
}

TEST(MutationCodecTest, BuyXGetYOfferKeepsBuyGetPercentAndMaxSets) {
  const Offer uncapped =
      RoundTripped(FullOffer("o-bogo", Discount::BuyXGetY(2, 1, 100, std::nullopt)));
  EXPECT_EQ(uncapped.discount.type, DiscountType::kBuyXGetY);
  EXPECT_EQ(uncapped.discount.buy, 2);
  EXPECT_EQ(uncapped.discount.get, 1);
  EXPECT_EQ(uncapped.discount.value, 100);
  EXPECT_EQ(uncapped.discount.max_sets, std::nullopt);
  const Offer capped = RoundTripped(FullOffer("o-bogo", Discount::BuyXGetY(3, 2, 50, 4)));
  EXPECT_EQ(capped.discount, Discount::BuyXGetY(3, 2, 50, 4));
}

TEST(MutationCodecTest, OffersCreatedTogetherSurviveTheRoundTrip) {
  OffersCreated created;
  const std::vector<Offer> offers = OffersOfEveryKind();
  for (const Offer& offer : offers) created.offers.push_back(std::make_shared<const Offer>(offer));
  const std::string line = EncodeMutation(created);
  const Result<StoreMutation> decoded = DecodeMutation(line);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  const auto* back = std::get_if<OffersCreated>(&decoded.value());
  ASSERT_NE(back, nullptr);
  ASSERT_EQ(back->offers.size(), offers.size());
  for (std::size_t i = 0; i < offers.size(); ++i) EXPECT_EQ(*back->offers[i], offers[i]) << i;
}

TEST(MutationCodecTest, EncodingIsStableAcrossARoundTrip) {
  for (const Offer& offer : OffersOfEveryKind()) {
    const std::string line = EncodeMutation(OfferWritten{std::make_shared<const Offer>(offer)});
    const Result<StoreMutation> decoded = DecodeMutation(line);
    ASSERT_TRUE(decoded.ok()) << line;
    EXPECT_EQ(EncodeMutation(decoded.value()), line);
  }
}

TEST(MutationCodecTest, OnlyTieredAndBuyXGetYOffersCarryDx) {
  for (const Offer& offer : OffersOfEveryKind()) {
    const std::string line = EncodeMutation(OfferWritten{std::make_shared<const Offer>(offer)});
    const bool has_rules = offer.discount.type == DiscountType::kTiered ||
                           offer.discount.type == DiscountType::kBuyXGetY;
    EXPECT_EQ(line.find("\"dx\"") != std::string::npos, has_rules) << line;
  }
}

TEST(MutationCodecTest, ShopperTagsSurviveTheRoundTripAndAreWrittenOnlyWhenSet) {
  Offer tagged = OffersOfEveryKind().front();
  tagged.shopper_tags = std::vector<std::string>{"new_user", "student"};
  EXPECT_EQ(RoundTripped(tagged), tagged);
  const std::string line = EncodeMutation(OfferWritten{std::make_shared<const Offer>(tagged)});
  EXPECT_NE(line.find("\"tags\":[\"new_user\",\"student\"]"), std::string::npos) << line;

  Offer untagged = OffersOfEveryKind().front();
  untagged.shopper_tags.reset();
  const std::string plain = EncodeMutation(OfferWritten{std::make_shared<const Offer>(untagged)});
  EXPECT_EQ(plain.find("\"tags\""), std::string::npos) << plain;
  EXPECT_EQ(RoundTripped(untagged), untagged);  // a line without "tags": no tags
}

// `line` with its first `from` replaced by `to` (a damaged journal line).
std::string WithReplaced(std::string line, const std::string& from, const std::string& to) {
  const std::size_t at = line.find(from);
  EXPECT_NE(at, std::string::npos) << from << " not in " << line;
  if (at != std::string::npos) line.replace(at, from.size(), to);
  return line;
}

TEST(MutationCodecTest, TierOfAnotherTypeThanPercentOrFixedIsRefused) {
  const Offer offer = FullOffer(
      "o-tier", Discount::Tiered(TierBasis::kSubtotal,
                                 {{200'000, DiscountType::kFixed, 20'000, std::nullopt}}));
  const std::string line = EncodeMutation(OfferWritten{std::make_shared<const Offer>(offer)});
  ASSERT_TRUE(DecodeMutation(line).ok()) << line;
  // [200000,1,20000,null]: 1 is fixed; 2 (free_shipping), 3 (tiered) and 9 are no tier's type
  for (const char* type : {"2", "3", "9"}) {
    const std::string bad = WithReplaced(line, "[200000,1,", std::string("[200000,") + type + ",");
    EXPECT_FALSE(DecodeMutation(bad).ok()) << bad;
  }
}

TEST(MutationCodecTest, TierBasisOutOfRangeIsRefused) {
  const Offer offer = FullOffer(
      "o-tier",
      Discount::Tiered(TierBasis::kQuantity, {{2, DiscountType::kPercent, 5, std::nullopt}}));
  const std::string line = EncodeMutation(OfferWritten{std::make_shared<const Offer>(offer)});
  ASSERT_TRUE(DecodeMutation(line).ok()) << line;
  EXPECT_FALSE(DecodeMutation(WithReplaced(line, "\"b\":1", "\"b\":2")).ok());
}

// A redemption's refused codes keep their reason, min_quantity (the last) included.
TEST(MutationCodecTest, RedemptionRejectionsKeepEveryReasonMinQuantityIncluded) {
  Redemption r;
  r.id = "r-1";
  r.shopper_id = "s-1";
  r.merchant_id = "shop-1";
  r.order_id = "order-1";
  r.subtotal = 300'000;
  r.discount_total = 100'000;
  r.applied = {{"o-bogo", 1, "shop-1", Layer::kMerchant, CodeMode::kAuto, std::nullopt, 100'000, 0,
                true, FundedBy::kMerchant, std::nullopt}};
  r.rejected = {{"MUA5MON", std::string("o-tier"), RejectionReason::kMinQuantity},
                {"DONLON", std::string("o-tier-2"), RejectionReason::kMinOrderAmount},
                {"NOPE", std::nullopt, RejectionReason::kUnknownCode}};
  r.created_at = Timestamp{1'791'608'400'000};
  r.expires_at = Timestamp{1'791'609'300'000};

  const std::string line = EncodeMutation(RedemptionCreated{r, std::nullopt});
  const Result<StoreMutation> decoded = DecodeMutation(line);

  ASSERT_TRUE(decoded.ok()) << line << " → " << decoded.status().message();
  const auto* created = std::get_if<RedemptionCreated>(&decoded.value());
  ASSERT_NE(created, nullptr) << line;
  EXPECT_EQ(created->redemption, r);
}

// --- cashback and first_order -----------------------------------------------------------------

// A payment-layer cashback offer for a shopper's first order (every other field set as well).
Offer FirstOrderCashback() {
  Offer offer = FullOffer("o-cashback", Discount::Cashback(10, 25'000));
  offer.layer = Layer::kPayment;
  offer.first_order = true;
  return offer;
}

std::string OfferLine(const Offer& offer) {
  return EncodeMutation(OfferWritten{std::make_shared<const Offer>(offer)});
}

TEST(MutationCodecTest, AFirstOrderCashbackOfferSurvivesTheRoundTrip) {
  const Offer offer = FirstOrderCashback();
  const Offer back = RoundTripped(offer);
  EXPECT_EQ(back, offer);
  EXPECT_TRUE(back.first_order);
  EXPECT_EQ(back.discount, Discount::Cashback(10, 25'000));
  const std::string line = OfferLine(offer);
  EXPECT_NE(line.find("\"fo\":true"), std::string::npos) << line;
  EXPECT_EQ(EncodeMutation(DecodeMutation(line).value()), line);
}

TEST(MutationCodecTest, FirstOrderIsWrittenOnlyWhenSet) {
  Offer offer = FirstOrderCashback();
  offer.first_order = false;
  const std::string line = OfferLine(offer);
  EXPECT_EQ(line.find("\"fo\""), std::string::npos) << line;
  EXPECT_EQ(RoundTripped(offer), offer);  // a line without "fo": not a first-order offer
  for (const Offer& other : OffersOfEveryKind()) {
    EXPECT_EQ(OfferLine(other).find("\"fo\""), std::string::npos) << other.id;
  }
}

// A committed redemption of 300,000 with a merchant discount and a payment partner's cashback.
Redemption WithCashback() {
  Redemption r;
  r.id = "r-cb";
  r.status = RedemptionStatus::kCommitted;
  r.shopper_id = "s-1";
  r.merchant_id = "shop-1";
  r.order_id = "order-cb";
  r.subtotal = 300'000;
  r.shipping_fee = 30'000;
  r.discount_total = 60'000;
  r.applied = {
      {"o-merchant", 2, "shop-1", Layer::kMerchant, CodeMode::kAuto, std::nullopt, 60'000, 0, true,
       FundedBy::kMerchant, std::nullopt},
      {"o-cashback", 3, "platform", Layer::kPayment, CodeMode::kPublic, std::string("HOAN10"), 0,
       25'000, false, FundedBy::kPaymentPartner, std::string("momo")}};
  r.created_at = Timestamp{1'791'608'400'000};
  r.expires_at = Timestamp{1'791'609'300'000};
  r.committed_at = r.created_at;
  return r;
}

Redemption RedemptionRoundTripped(const Redemption& r) {
  const std::string line = EncodeMutation(RedemptionCreated{r, std::nullopt});
  const Result<StoreMutation> decoded = DecodeMutation(line);
  EXPECT_TRUE(decoded.ok()) << line << " → " << decoded.status().message();
  if (!decoded.ok()) return {};
  const auto* created = std::get_if<RedemptionCreated>(&decoded.value());
  EXPECT_NE(created, nullptr) << line;
  return created == nullptr ? Redemption{} : created->redemption;
}

TEST(MutationCodecTest, ARedemptionKeepsItsCashbackApartFromItsDiscounts) {
  const Redemption r = WithCashback();
  const Redemption back = RedemptionRoundTripped(r);
  EXPECT_EQ(back, r);
  ASSERT_EQ(back.applied.size(), 2U);
  EXPECT_EQ(back.applied[1].discount, 0);
  EXPECT_EQ(back.applied[1].cashback, 25'000);
  EXPECT_EQ(back.cashback_total(), 25'000);
  const std::string line = EncodeMutation(RedemptionCreated{r, std::nullopt});
  EXPECT_NE(line.find("\"cb\":25000"), std::string::npos) << line;
}

TEST(MutationCodecTest, ARedemptionWithoutCashbackCarriesNoCb) {
  Redemption r = WithCashback();
  r.applied.pop_back();
  const std::string line = EncodeMutation(RedemptionCreated{r, std::nullopt});
  EXPECT_EQ(line.find("\"cb\""), std::string::npos) << line;
  EXPECT_EQ(RedemptionRoundTripped(r), r);  // a line without "cb": no cashback
}

// The idempotency record of a created redemption, decoded back from `line`.
std::optional<IdempotencyRecord> ClaimOf(const std::string& line) {
  Result<StoreMutation> decoded = DecodeMutation(line);
  EXPECT_TRUE(decoded.ok()) << decoded.status().message() << ": " << line;
  if (!decoded.ok()) return std::nullopt;
  const auto* created = std::get_if<RedemptionCreated>(&decoded.value());
  EXPECT_NE(created, nullptr) << line;
  return created == nullptr ? std::nullopt : created->idempotency;
}

TEST(MutationCodecTest, AClaimWithItsResponseIsAVersion1LineWithTheBody) {
  const IdempotencyRecord claim{"key-a\x1fidem-1", "fp", "{\"id\":\"r-1\"}", Timestamp{42}};
  const std::string line = EncodeMutation(RedemptionCreated{WithCashback(), claim});
  EXPECT_EQ(line.rfind("{\"v\":1,", 0), 0U) << line;
  EXPECT_NE(line.find("\"body\""), std::string::npos) << line;
  const std::optional<IdempotencyRecord> back = ClaimOf(line);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->scope_key, claim.scope_key);
  EXPECT_EQ(back->fingerprint, claim.fingerprint);
  EXPECT_EQ(back->response, claim.response);
  EXPECT_EQ(back->created_at, claim.created_at);
}

TEST(MutationCodecTest, ARenderedClaimIsAVersion2LineWithoutABody) {
  const IdempotencyRecord claim{"key-a\x1fidem-1", "fp", "", Timestamp{42}};
  const std::string line = EncodeMutation(RedemptionCreated{WithCashback(), claim});
  EXPECT_EQ(line.rfind("{\"v\":2,", 0), 0U) << line;
  EXPECT_EQ(line.find("\"body\""), std::string::npos) << line;
  const std::optional<IdempotencyRecord> back = ClaimOf(line);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->response, "");
  EXPECT_EQ(back->fingerprint, "fp");
  // Every other line stays version 1, for the readers of version 1.
  EXPECT_EQ(EncodeMutation(RedemptionCreated{WithCashback(), std::nullopt}).rfind("{\"v\":1,", 0),
            0U);
}

TEST(MutationCodecTest, AVersionThisBuildDoesNotKnowIsRefused) {
  std::string line = EncodeMutation(RedemptionCreated{WithCashback(), std::nullopt});
  ASSERT_EQ(line.rfind("{\"v\":1,", 0), 0U) << line;
  line.replace(5, 1, "3");
  const Result<StoreMutation> decoded = DecodeMutation(line);
  EXPECT_FALSE(decoded.ok()) << line;
}

}  // namespace
}  // namespace uudai::gateway
