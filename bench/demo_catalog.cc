#include "demo_catalog.h"

#include <string>

#include "uudai/campaign_time.h"

namespace uudai::bench {
namespace {

constexpr const char* kCategories[] = {"electronics", "fashion", "grocery", "beauty",
                                       "home",        "books",   "toys",    "sports"};
constexpr std::size_t kCategoryCount = std::size(kCategories);
constexpr const char* kPartnerMethods[] = {"momo", "zalopay", "vnpay", "vietqr", "card"};

Offer BaseOffer(std::string id, std::string merchant_id) {
  Offer offer;
  offer.id = std::move(id);
  offer.merchant_id = std::move(merchant_id);
  offer.name = "Ưu đãi Tháng tiêu dùng số";
  offer.starts_at = *ParseRfc3339("2026-10-01T00:00:00+07:00");
  offer.ends_at = *ParseRfc3339("2026-11-01T00:00:00+07:00");
  return offer;
}

std::string MerchantId(std::size_t m) { return "shop-" + std::to_string(m); }

}  // namespace

Timestamp DemoNow() { return *ParseRfc3339("2026-10-10T12:00:00+07:00"); }

DemoCampaign MakeDemoCampaign(std::size_t offer_count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  DemoCampaign campaign;
  const std::size_t merchant_offers = offer_count > kOpenOffers ? offer_count - kOpenOffers : 0;
  campaign.merchants = std::max<std::size_t>(1, merchant_offers / kOffersPerMerchant);
  // Open offers: platform-wide percent and fixed, payment-partner offers per e-wallet (some of
  // them cashback), and free shipping; some need a code, some have limits.
  for (std::size_t i = 0; i < kOpenOffers && i < offer_count; ++i) {
    Offer offer = BaseOffer("open-" + std::to_string(i), "platform");
    offer.funded_by = FundedBy::kPlatform;
    switch (i % 3) {
      case 0:
        offer.layer = Layer::kPlatform;
        offer.discount = Discount::Percent(5 + static_cast<std::int64_t>(i % 10), 50'000);
        offer.min_order_amount = 100'000 * static_cast<Money>(1 + i % 4);
        break;
      case 1:
        offer.layer = Layer::kPayment;
        offer.discount = Discount::Fixed(20'000 + 5'000 * static_cast<Money>(i % 5));
        offer.payment_methods = std::vector<std::string>{kPartnerMethods[i % 5]};
        offer.funded_by = FundedBy::kPaymentPartner;
        offer.funder = kPartnerMethods[i % 5];
        offer.limits.per_shopper = 3;
        if (i % 6 == 4) offer.discount = Discount::Cashback(10, 50'000);  // "hoàn 10% tối đa 50k"
        break;
      default:
        offer.layer = Layer::kShipping;
        offer.discount = Discount::FreeShipping(15'000 + 5'000 * static_cast<Money>(i % 4));
        offer.payment_methods = std::vector<std::string>{"digital"};
        break;
    }
    if (i % 4 == 3) {
      offer.code_mode = CodeMode::kPublic;
      offer.code = i == 3 ? std::string("THANG10") : "OPEN" + std::to_string(i);
    }
    campaign.offers.push_back(std::make_shared<const Offer>(std::move(offer)));
  }
  // Shop offers: ten per shop, a mix of percent, fixed, tiered and buy_x_get_y discounts,
  // first-order offers, category filters, minimum spends, limits and public codes.
  for (std::size_t n = 0; n < merchant_offers; ++n) {
    const std::size_t m = n % campaign.merchants;
    Offer offer = BaseOffer("o-" + std::to_string(n), MerchantId(m));
    offer.layer = Layer::kMerchant;
    if (n % 2 == 0) {
      const auto percent = 5 + static_cast<std::int64_t>(rng() % 30);  // drawn before the cap
      offer.discount = Discount::Percent(percent, 30'000 + 10'000 * static_cast<Money>(rng() % 10));
    } else {
      offer.discount = Discount::Fixed(10'000 + 5'000 * static_cast<Money>(rng() % 10));
    }
    // Two in ten tiered ("giảm 20k từ 200k, 60k từ 500k", or by units), one buy 2 get 1;
    // decided by n so that the random draws, and every other field, stay as they were.
    if (n % 10 == 3 || n % 10 == 6) {
      offer.discount =
          n % 10 == 3
              ? Discount::Tiered(TierBasis::kSubtotal,
                                 {{200'000, DiscountType::kFixed, 20'000, std::nullopt},
                                  {500'000, DiscountType::kFixed, 60'000, std::nullopt}})
              : Discount::Tiered(TierBasis::kQuantity, {{3, DiscountType::kPercent, 10, 50'000},
                                                        {5, DiscountType::kPercent, 15, 80'000}});
    } else if (n % 10 == 8) {
      offer.discount = Discount::BuyXGetY(2, 1, 100, 2);
    }
    offer.min_order_amount = 50'000 * static_cast<Money>(rng() % 8);
    if (rng() % 3 == 0) {
      offer.categories = std::vector<std::string>{kCategories[rng() % kCategoryCount]};
    }
    if (rng() % 4 == 0) offer.limits.total_redemptions = 1'000;
    if (rng() % 5 == 0) offer.limits.per_shopper = 1;
    if (rng() % 6 == 0) offer.payment_methods = std::vector<std::string>{"digital"};
    if (rng() % 7 == 0) offer.daily_window = DailyWindow{11 * 60, 14 * 60};
    if (n % 10 == 9) {
      offer.code_mode = CodeMode::kPublic;
      offer.code = "SHOP" + std::to_string(n);
    }
    offer.priority = static_cast<std::int32_t>(rng() % 3);
    offer.first_order = n % 10 == 5;  // one in ten for a shopper's first order at the shop
    campaign.offers.push_back(std::make_shared<const Offer>(std::move(offer)));
  }
  return campaign;
}

Cart MakeRandomCart(const DemoCampaign& campaign, std::mt19937_64& rng, std::size_t items) {
  Cart cart;
  cart.shopper_id = "s-" + std::to_string(rng() % 100'000);
  cart.merchant_id = MerchantId(rng() % campaign.merchants);
  cart.payment_method = kAllPaymentMethods[rng() % kPaymentMethodCount];
  cart.shipping_fee = 15'000 + 5'000 * static_cast<Money>(rng() % 5);
  for (std::size_t i = 0; i < items; ++i) {
    cart.items.push_back(
        {"sku-" + std::to_string(rng() % 1000), kCategories[rng() % kCategoryCount],
         10'000 * static_cast<Money>(1 + rng() % 50), static_cast<std::int64_t>(1 + rng() % 3)});
  }
  if (rng() % 4 == 0) cart.codes.push_back("THANG10");
  return cart;
}

}  // namespace uudai::bench
