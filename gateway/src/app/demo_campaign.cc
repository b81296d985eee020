#include "app/demo_campaign.h"

#include <future>

namespace uudai::gateway {
namespace {

Timestamp At(int year, const char* rest) { return *ParseRfc3339(std::to_string(year) + rest); }

template <typename T, typename Start>
Result<T> Wait(Start start) {
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](Result<T> r) { promise.set_value(std::move(r)); });
  return future.get();
}

std::vector<Offer> DemoOffers(int year, Timestamp now) {
  const Timestamp october = At(year, "-10-01T00:00:00+07:00");
  const Timestamp november = At(year, "-11-01T00:00:00+07:00");
  auto base = [&](std::string id, std::string merchant, std::string name, Layer layer) {
    Offer o;
    o.id = std::move(id);
    o.merchant_id = std::move(merchant);
    o.name = std::move(name);
    o.layer = layer;
    o.starts_at = october;
    o.ends_at = november;
    o.funded_by = layer == Layer::kMerchant ? FundedBy::kMerchant : FundedBy::kPlatform;
    o.created_at = now;
    o.updated_at = now;
    return o;
  };
  std::vector<Offer> offers;
  {  // Shop 1, electronics: 10 % off, capped, from 500.000 ₫.
    Offer o = base("demo-dienmay-10", "shop-dienmay", "Điện máy giảm 10% (tối đa 200.000 ₫)",
                   Layer::kMerchant);
    o.discount = Discount::Percent(10, 200'000);
    o.min_order_amount = 500'000;
    o.categories = std::vector<std::string>{"electronics"};
    o.limits.total_redemptions = 1'000;
    o.limits.per_shopper = 1;
    offers.push_back(std::move(o));
  }
  {  // Shop 2, fashion: 50.000 ₫ off with unique single-use codes.
    Offer o = base("demo-thoitrang-50k", "shop-thoitrang", "Thời trang giảm 50.000 ₫ (mã riêng)",
                   Layer::kMerchant);
    o.discount = Discount::Fixed(50'000);
    o.min_order_amount = 300'000;
    o.code_mode = CodeMode::kUnique;
    offers.push_back(std::move(o));
  }
  {  // Shop 3, grocery: the 10.10 flash window, 12:00–14:00 local, 20 % off.
    Offer o =
        base("demo-bachhoa-1010", "shop-bachhoa", "Flash sale 10.10 — giảm 20%", Layer::kMerchant);
    o.discount = Discount::Percent(20, 100'000);
    o.starts_at = At(year, "-10-10T00:00:00+07:00");
    o.ends_at = At(year, "-10-11T00:00:00+07:00");
    o.daily_window = DailyWindow{12 * 60, 14 * 60};
    o.limits.per_day = 500;
    offers.push_back(std::move(o));
  }
  {  // Shop 3, grocery, all month: "giảm 20k cho đơn từ 200k, 60k cho đơn từ 500k" (tiers).
    Offer o =
        base("demo-bachhoa-tiers", "shop-bachhoa",
             "Giảm 20.000 ₫ cho đơn từ 200.000 ₫, 60.000 ₫ cho đơn từ 500.000 ₫", Layer::kMerchant);
    o.discount = Discount::Tiered(TierBasis::kSubtotal,
                                  {{200'000, DiscountType::kFixed, 20'000, std::nullopt},
                                   {500'000, DiscountType::kFixed, 60'000, std::nullopt}});
    offers.push_back(std::move(o));
  }
  {  // Shop 4, mother & baby: diapers "mua 2 tặng 1", twice an order at most.
    Offer o = base("demo-mebe-mua2tang1", "shop-mebe", "Tã bỉm mua 2 tặng 1", Layer::kMerchant);
    o.discount = Discount::BuyXGetY(2, 1, 100, 2);
    o.categories = std::vector<std::string>{"diapers"};
    o.limits.per_shopper = 3;
    offers.push_back(std::move(o));
  }
  {  // Shop 4, mother & baby: code DONDAU, 30.000 ₫ off a shopper's first order at the shop.
    Offer o = base("demo-mebe-dondau", "shop-mebe", "Đơn đầu tiên tại Mẹ & Bé giảm 30.000 ₫",
                   Layer::kMerchant);
    o.discount = Discount::Fixed(30'000);
    o.min_order_amount = 200'000;
    o.code_mode = CodeMode::kPublic;
    o.code = "DONDAU";
    o.first_order = true;
    offers.push_back(std::move(o));
  }
  {  // Platform: public code THANG10, 10 % off any shop, paid digitally.
    Offer o = base("demo-thang10", "platform", "Tháng tiêu dùng số: mã THANG10 giảm 10%",
                   Layer::kPlatform);
    o.discount = Discount::Percent(10, 100'000);
    o.min_order_amount = 200'000;
    o.code_mode = CodeMode::kPublic;
    o.code = "THANG10";
    o.payment_methods = std::vector<std::string>{"digital"};
    o.limits.total_budget = 500'000'000;
    o.limits.per_shopper = 3;
    offers.push_back(std::move(o));
  }
  {  // Platform: 50.000 ₫ off a first purchase for shoppers the checkout tags new_user.
    Offer o =
        base("demo-nguoimoi-50k", "platform", "Người dùng mới giảm 50.000 ₫", Layer::kPlatform);
    o.discount = Discount::Fixed(50'000);
    o.min_order_amount = 150'000;
    o.shopper_tags = std::vector<std::string>{"new_user"};
    o.limits.per_shopper = 1;
    offers.push_back(std::move(o));
  }
  const struct {
    const char* id;
    const char* method;
    const char* name;
    Money amount;
  } wallets[] = {
      {"demo-momo-30k", "momo", "Ví MoMo giảm 30.000 ₫", 30'000},
      {"demo-zalopay-25k", "zalopay", "ZaloPay giảm 25.000 ₫", 25'000},
      {"demo-vnpay-20k", "vnpay", "VNPay giảm 20.000 ₫", 20'000},
      {"demo-vietqr-15k", "vietqr", "Chuyển khoản VietQR giảm 15.000 ₫", 15'000},
      {"demo-card-5pct", "card", "Thẻ giảm 5%", 0},
  };
  for (const auto& w : wallets) {
    Offer o = base(w.id, "platform", w.name, Layer::kPayment);
    o.discount = w.amount > 0 ? Discount::Fixed(w.amount) : Discount::Percent(5, 50'000);
    o.min_order_amount = 150'000;
    o.payment_methods = std::vector<std::string>{w.method};
    o.funded_by = FundedBy::kPaymentPartner;
    o.funder = w.method;
    o.limits.per_shopper = 2;
    o.limits.total_budget = 200'000'000;
    offers.push_back(std::move(o));
  }
  {  // Payment: "hoàn 10% tối đa 50k" — ShopeePay pays 10 % back after the payment.
    Offer o = base("demo-shopeepay-hoan10", "platform", "Ví ShopeePay hoàn 10% tối đa 50.000 ₫",
                   Layer::kPayment);
    o.discount = Discount::Cashback(10, 50'000);
    o.min_order_amount = 100'000;
    o.payment_methods = std::vector<std::string>{"shopeepay"};
    o.funded_by = FundedBy::kPaymentPartner;
    o.funder = "shopeepay";
    o.limits.per_shopper = 2;
    o.limits.total_budget = 100'000'000;
    offers.push_back(std::move(o));
  }
  {  // Shipping: free shipping up to 30.000 ₫ for digital payments.
    Offer o =
        base("demo-freeship", "platform", "Miễn phí vận chuyển tới 30.000 ₫", Layer::kShipping);
    o.discount = Discount::FreeShipping(30'000);
    o.min_order_amount = 100'000;
    o.payment_methods = std::vector<std::string>{"digital"};
    offers.push_back(std::move(o));
  }
  return offers;
}

}  // namespace

Result<DemoResult> LoadDemoCampaign(Store& store, RandomSource& random, Timestamp now, int year) {
  DemoResult result;
  if (!store.AllOffers().empty()) return result;
  for (Offer& offer : DemoOffers(year, now)) {
    auto created = Wait<Offer>([&](auto done) { store.CreateOffer(std::move(offer), done); });
    if (!created.ok()) return created.status();
    ++result.offers;
  }
  auto codes = GenerateUniqueCodes(random, 5);
  auto issued =
      Wait<IssuedCodes>([&](auto done) { store.IssueCodes("demo-thoitrang-50k", codes, done); });
  if (!issued.ok()) return issued.status();
  result.unique_codes = std::move(codes);
  return result;
}

}  // namespace uudai::gateway
