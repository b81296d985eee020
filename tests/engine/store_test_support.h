// Test support for Store tests: waiting for completions, and builders for offers, codes,
// redemptions and idempotency claims.
//
// Store operations complete through a callback that may run before the call returns
// (MemoryStore) or later on another thread (RedisStore). Await turns any such call into a
// value, so tests read as plain sequences of steps whatever the store. Thread-safe: every
// function here may be used from many test threads at once.
#ifndef UUDAI_TESTS_ENGINE_STORE_TEST_SUPPORT_H_
#define UUDAI_TESTS_ENGINE_STORE_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "uudai/campaign_stats.h"
#include "uudai/campaign_time.h"
#include "uudai/cart.h"
#include "uudai/clock.h"
#include "uudai/offer.h"
#include "uudai/offer_stats.h"
#include "uudai/quote.h"
#include "uudai/redemption.h"
#include "uudai/status.h"
#include "uudai/store.h"
#include "uudai/unique_code.h"
#include "uudai/usage_view.h"

namespace uudai {

// GoogleTest prints these by name in failure messages.
inline void PrintTo(StatusCode code, std::ostream* os) { *os << CodeName(code); }
inline void PrintTo(RedemptionStatus status, std::ostream* os) {
  *os << RedemptionStatusName(status);
}
inline void PrintTo(const Timestamp& t, std::ostream* os) {
  *os << FormatRfc3339(t, CampaignZone());
}
inline void PrintTo(const LocalDay& day, std::ostream* os) { *os << FormatLocalDay(day); }
inline void PrintTo(const OfferUsage& u, std::ostream* os) {
  *os << "{redemptions " << u.redemptions << ", budget_spent " << u.budget_spent
      << ", shopper_redemptions " << u.shopper_redemptions << ", day_redemptions "
      << u.day_redemptions << "}";
}
inline void PrintTo(const StatsBucket& b, std::ostream* os) {
  *os << "{";
  for (std::size_t i = 0; i < kRedemptionStatusCount; ++i) {
    *os << RedemptionStatusName(static_cast<RedemptionStatus>(i)) << " " << b.by_status[i] << ", ";
  }
  *os << "discount_committed " << b.discount_committed << ", gmv_committed " << b.gmv_committed
      << "}";
}

}  // namespace uudai

namespace uudai::store_test {

// How long Await waits for a completion before it reports the operation as lost.
inline constexpr std::chrono::seconds kAwaitTimeout{20};

// One expected completion: hand callback() to a store call, then look at it or wait for it.
// Completing twice is a test failure.
template <typename T>
class Pending {
 public:
  Pending() : slot_(std::make_shared<Slot>()), future_(slot_->promise.get_future()) {}

  Completion<T> callback() const {
    return [slot = slot_](Result<T> result) {
      if (slot->calls.fetch_add(1) != 0) {
        ADD_FAILURE() << "a store completion was called more than once";
        return;
      }
      slot->promise.set_value(std::move(result));
    };
  }
  // True once the completion ran.
  bool arrived() const {
    return future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }
  // Waits for the completion; one that never comes is a test failure (kInternal).
  Result<T> Wait() {
    if (future_.wait_for(kAwaitTimeout) != std::future_status::ready) {
      ADD_FAILURE() << "a store completion did not arrive within " << kAwaitTimeout.count() << " s";
      return Status(StatusCode::kInternal, "completion timed out");
    }
    return future_.get();
  }

 private:
  struct Slot {
    std::promise<Result<T>> promise;
    std::atomic<int> calls{0};
  };
  std::shared_ptr<Slot> slot_;  // shared with the callback, which may outlive a timed-out wait
  std::future<Result<T>> future_;
};

// Runs `start` with a completion and waits for it (see Pending::Wait).
template <typename T>
Result<T> Await(const std::function<void(Completion<T>)>& start) {
  Pending<T> pending;
  start(pending.callback());
  return pending.Wait();
}

// The code of a result: kOk when it holds a value.
template <typename T>
StatusCode CodeOf(const Result<T>& result) {
  return result.ok() ? StatusCode::kOk : result.status().code();
}

// --- Time ------------------------------------------------------------------------------------

// An RFC 3339 instant; a test failure (and the epoch) when `text` does not parse.
inline Timestamp At(std::string_view text) {
  std::optional<Timestamp> t = ParseRfc3339(text);
  if (!t) {
    ADD_FAILURE() << "bad timestamp in test: " << text;
    return Timestamp{};
  }
  return *t;
}

// The instant every store test starts at: Digital Consumption Month, local noon.
inline Timestamp CampaignNow() { return At("2026-10-10T12:00:00+07:00"); }
inline LocalDay DayOf(Timestamp t) { return CampaignZone().DayOf(t); }

// --- Offers ----------------------------------------------------------------------------------

// An active merchant-layer auto offer of merchant m-1: 10,000 đồng off, all of October 2026,
// no limits.
inline Offer MakeOffer(std::string id) {
  Offer offer;
  offer.id = std::move(id);
  offer.merchant_id = "m-1";
  offer.name = "Giảm 10.000đ Tháng 10";
  offer.layer = Layer::kMerchant;
  offer.discount = Discount::Fixed(10'000);
  offer.starts_at = At("2026-10-01T00:00:00+07:00");
  offer.ends_at = At("2026-11-01T00:00:00+07:00");
  offer.code_mode = CodeMode::kAuto;
  offer.created_at = offer.starts_at;
  offer.updated_at = offer.starts_at;
  return offer;
}

// The same, at the platform layer and funded by the platform.
inline Offer MakePlatformOffer(std::string id) {
  Offer offer = MakeOffer(std::move(id));
  offer.merchant_id = "platform";
  offer.layer = Layer::kPlatform;
  offer.funded_by = FundedBy::kPlatform;
  return offer;
}

// A payment partner's cashback on the payment layer ("hoàn 10% tối đa 25.000 ₫" by default),
// paid by MoMo.
inline Offer MakeCashbackOffer(std::string id, std::int64_t percent = 10, Money cap = 25'000) {
  Offer offer = MakePlatformOffer(std::move(id));
  offer.layer = Layer::kPayment;
  offer.discount = Discount::Cashback(percent, cap);
  offer.funded_by = FundedBy::kPaymentPartner;
  offer.funder = "momo";
  return offer;
}

// A merchant offer behind one shared code (upper-case, as stored).
inline Offer MakePublicCodeOffer(std::string id, std::string code) {
  Offer offer = MakeOffer(std::move(id));
  offer.code_mode = CodeMode::kPublic;
  offer.code = std::move(code);
  return offer;
}

// A public-code offer of shop `merchant` (merchant layer: the code is the shop's).
inline Offer ShopCodeOffer(std::string id, std::string merchant, std::string code) {
  Offer offer = MakePublicCodeOffer(std::move(id), std::move(code));
  offer.merchant_id = std::move(merchant);
  return offer;
}

// A public-code offer of the platform-wide code scope, on `layer`.
inline Offer PlatformCodeOffer(std::string id, std::string code, Layer layer = Layer::kPlatform) {
  Offer offer = MakePlatformOffer(std::move(id));
  offer.layer = layer;
  offer.code_mode = CodeMode::kPublic;
  offer.code = std::move(code);
  return offer;
}

// A merchant offer redeemed with single-use codes.
inline Offer MakeUniqueCodeOffer(std::string id) {
  Offer offer = MakeOffer(std::move(id));
  offer.code_mode = CodeMode::kUnique;
  return offer;
}

// A deterministic RandomSource (std::mt19937_64) for generating codes.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  void Fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& byte : out) byte = static_cast<std::uint8_t>(engine_());
  }

 private:
  std::mt19937_64 engine_;
};

// `count` distinct canonical unique codes, the same for the same seed.
inline std::vector<std::string> MakeCodes(std::size_t count, std::uint64_t seed = 10) {
  SeededRandom random(seed);
  return GenerateUniqueCodes(random, count);
}

// --- Redemptions -----------------------------------------------------------------------------

// Builds a Redemption the way the gateway does: a cart and a quote through PlanRedemption.
// Defaults: shopper s-1 at merchant m-1 paying with momo, one item of 500,000 đồng, order
// "order-<id>", created at CampaignNow(), reserved for 15 minutes.
class RedemptionBuilder {
 public:
  explicit RedemptionBuilder(std::string id) : id_(std::move(id)), order_id_("order-" + id_) {}

  RedemptionBuilder& Shopper(std::string shopper_id) {
    shopper_id_ = std::move(shopper_id);
    return *this;
  }
  RedemptionBuilder& Merchant(std::string merchant_id) {
    merchant_id_ = std::move(merchant_id);
    return *this;
  }
  RedemptionBuilder& Order(std::string order_id) {
    order_id_ = std::move(order_id);
    return *this;
  }
  RedemptionBuilder& Method(PaymentMethod method) {
    method_ = method;
    return *this;
  }
  RedemptionBuilder& Subtotal(Money subtotal) {
    subtotal_ = subtotal;
    return *this;
  }
  RedemptionBuilder& CreatedAt(Timestamp at) {
    created_at_ = at;
    return *this;
  }
  RedemptionBuilder& TtlMillis(std::int64_t ttl_millis) {
    ttl_millis_ = ttl_millis;
    return *this;
  }
  // Starts committed instead of reserved.
  RedemptionBuilder& Committed() {
    commit_ = true;
    return *this;
  }
  // Applies `offer` with `discount`, and its code (canonical) for code offers.
  RedemptionBuilder& Apply(const Offer& offer, Money discount,
                           std::optional<std::string> code = std::nullopt) {
    applied_.push_back(
        AppliedOffer{std::make_shared<const Offer>(offer), std::move(code), discount, 0});
    return *this;
  }

  // Applies the cashback offer `offer`, paying `cashback` back after payment.
  RedemptionBuilder& ApplyCashback(const Offer& offer, Money cashback) {
    applied_.push_back(
        AppliedOffer{std::make_shared<const Offer>(offer), std::nullopt, 0, cashback});
    return *this;
  }

  Redemption Build() const {
    Cart cart;
    cart.shopper_id = shopper_id_;
    cart.merchant_id = merchant_id_;
    cart.payment_method = method_;
    cart.items.push_back(CartItem{"sku-1", "electronics", subtotal_, 1});
    Quote quote;
    quote.subtotal = subtotal_;
    quote.applied = applied_;
    for (const AppliedOffer& a : applied_) {
      quote.discount_total += a.discount;
      quote.cashback_total += a.cashback;
      if (a.code) cart.codes.push_back(*a.code);
    }
    return PlanRedemption(cart, quote,
                          RedemptionIntent{id_, order_id_, created_at_, ttl_millis_, commit_});
  }

 private:
  std::string id_;
  std::string order_id_;
  std::string shopper_id_ = "s-1";
  std::string merchant_id_ = "m-1";
  PaymentMethod method_ = PaymentMethod::kMomo;
  Money subtotal_ = 500'000;
  Timestamp created_at_ = CampaignNow();
  std::int64_t ttl_millis_ = 15 * kMillisPerMinute;
  bool commit_ = false;
  std::vector<AppliedOffer> applied_;
};

inline IdempotencyClaim Claim(std::string scope_key, std::string fingerprint,
                              std::string response) {
  return IdempotencyClaim{std::move(scope_key), std::move(fingerprint), std::move(response)};
}

// --- Calling a store -------------------------------------------------------------------------

// What a test store renders as a redemption's first response (MemoryStoreOptions and
// RedisStoreOptions::render_response): what a replay must not lose, the status, times and
// amounts of the redemption as created.
inline std::string RenderForReplay(const Redemption& r) {
  std::string text = r.id + " " + std::string(RedemptionStatusName(r.status)) + " created " +
                     std::to_string(r.created_at.millis) + " expires " +
                     std::to_string(r.expires_at.millis) + " discount " +
                     std::to_string(r.discount_total) + " cashback " +
                     std::to_string(r.cashback_total());
  if (r.committed_at) text += " committed " + std::to_string(r.committed_at->millis);
  if (r.released_at) text += " released";
  if (r.expired_at) text += " expired";
  if (r.refunded_at) text += " refunded";
  return text;
}

// A Store seen through Await: every call returns its result. The Given* methods are for the
// "given" part of a test: they report a refusal as a test failure and return what was stored.
class SyncStore {
 public:
  explicit SyncStore(Store& store) : store_(store) {}

  Store& store() { return store_; }

  Result<Offer> CreateOffer(Offer offer) {
    return Await<Offer>(
        [&](Completion<Offer> done) { store_.CreateOffer(std::move(offer), std::move(done)); });
  }
  Result<std::vector<Offer>> CreateOffers(std::vector<Offer> offers) {
    return Await<std::vector<Offer>>([&](Completion<std::vector<Offer>> done) {
      store_.CreateOffers(std::move(offers), std::move(done));
    });
  }
  Result<Offer> UpdateOffer(Offer offer, std::int64_t base_version) {
    return Await<Offer>([&](Completion<Offer> done) {
      store_.UpdateOffer(std::move(offer), base_version, std::move(done));
    });
  }
  Result<IssuedCodes> IssueCodes(std::string offer_id, std::vector<std::string> codes) {
    return Await<IssuedCodes>([&](Completion<IssuedCodes> done) {
      store_.IssueCodes(std::move(offer_id), std::move(codes), std::move(done));
    });
  }
  Result<CreateRedemptionOutcome> Create(Redemption redemption,
                                         std::optional<IdempotencyClaim> claim = std::nullopt) {
    return Await<CreateRedemptionOutcome>([&](Completion<CreateRedemptionOutcome> done) {
      store_.CreateRedemption(CreateRedemptionRequest{std::move(redemption), std::move(claim)},
                              std::move(done));
    });
  }
  Result<std::optional<std::string>> FindIdempotentResponse(std::string scope_key,
                                                            std::string fingerprint) {
    return Await<std::optional<std::string>>([&](Completion<std::optional<std::string>> done) {
      store_.FindIdempotentResponse(std::move(scope_key), std::move(fingerprint), std::move(done));
    });
  }
  Result<Redemption> Transition(std::string id, RedemptionAction action) {
    return Await<Redemption>([&](Completion<Redemption> done) {
      store_.TransitionRedemption(std::move(id), action, std::move(done));
    });
  }
  Result<Redemption> Commit(std::string id) {
    return Transition(std::move(id), RedemptionAction::kCommit);
  }
  Result<Redemption> Cancel(std::string id) {
    return Transition(std::move(id), RedemptionAction::kCancel);
  }
  Result<Redemption> Refund(std::string id) {
    return Transition(std::move(id), RedemptionAction::kRefund);
  }
  Result<Redemption> Get(std::string id) {
    return Await<Redemption>(
        [&](Completion<Redemption> done) { store_.GetRedemption(std::move(id), std::move(done)); });
  }
  Result<std::optional<std::string>> FindLiveOrder(std::string merchant_id, std::string order_id) {
    return Await<std::optional<std::string>>([&](Completion<std::optional<std::string>> done) {
      store_.FindLiveOrder(std::move(merchant_id), std::move(order_id), std::move(done));
    });
  }
  Result<std::size_t> ExpireDue(std::size_t max_count = 1000) {
    return Await<std::size_t>(
        [&](Completion<std::size_t> done) { store_.ExpireDue(max_count, std::move(done)); });
  }
  Result<OfferStats> Stats(std::string offer_id) {
    return Await<OfferStats>([&](Completion<OfferStats> done) {
      store_.GetOfferStats(std::move(offer_id), std::move(done));
    });
  }
  Result<CampaignStats> CampaignStatsFor(CampaignQuery query) {
    return Await<CampaignStats>([&](Completion<CampaignStats> done) {
      store_.GetCampaignStats(std::move(query), std::move(done));
    });
  }
  Result<EventPage> Events(EventQuery query) {
    return Await<EventPage>(
        [&](Completion<EventPage> done) { store_.ReadEvents(std::move(query), std::move(done)); });
  }
  Result<OfferHistoryPage> OfferHistory(OfferHistoryQuery query) {
    return Await<OfferHistoryPage>([&](Completion<OfferHistoryPage> done) {
      store_.ReadOfferHistory(std::move(query), std::move(done));
    });
  }
  Result<Webhook> CreateWebhook(Webhook webhook) {
    return Await<Webhook>([&](Completion<Webhook> done) {
      store_.CreateWebhook(std::move(webhook), std::move(done));
    });
  }
  Result<std::vector<Webhook>> ListWebhooks(std::optional<std::string> merchant_id = {}) {
    return Await<std::vector<Webhook>>([&](Completion<std::vector<Webhook>> done) {
      store_.ListWebhooks(std::move(merchant_id), std::move(done));
    });
  }
  Result<Webhook> DeleteWebhook(std::string id) {
    return Await<Webhook>(
        [&](Completion<Webhook> done) { store_.DeleteWebhook(std::move(id), std::move(done)); });
  }
  Result<Webhook> RecordWebhookAttempt(std::string id, std::uint64_t rewinds,
                                       DeliveryAttempt attempt) {
    return Await<Webhook>([&](Completion<Webhook> done) {
      store_.RecordWebhookAttempt(std::move(id), rewinds, std::move(attempt), std::move(done));
    });
  }
  Result<std::vector<DeliveryAttempt>> WebhookDeliveries(std::string id, std::size_t limit = 100) {
    return Await<std::vector<DeliveryAttempt>>([&](Completion<std::vector<DeliveryAttempt>> done) {
      store_.ReadWebhookDeliveries(std::move(id), limit, std::move(done));
    });
  }
  Result<Webhook> RewindWebhook(std::string id, std::uint64_t through) {
    return Await<Webhook>([&](Completion<Webhook> done) {
      store_.RewindWebhook(std::move(id), through, std::move(done));
    });
  }
  Result<bool> LeaseWebhook(std::string id, std::string owner, std::int64_t lease_millis) {
    return Await<bool>([&](Completion<bool> done) {
      store_.LeaseWebhook(std::move(id), std::move(owner), lease_millis, std::move(done));
    });
  }
  OfferUsage Usage(const Offer& offer, std::string_view shopper_id, LocalDay day) const {
    return store_.usage().UsageOf(offer, shopper_id, day);
  }

  Offer GivenOffer(Offer offer) {
    const std::string id = offer.id;
    Result<Offer> created = CreateOffer(std::move(offer));
    if (!created.ok()) {
      ADD_FAILURE() << "could not create offer " << id << ": " << created.status().message();
      return Offer{};
    }
    return created.value();
  }
  void GivenCodes(const std::string& offer_id, std::vector<std::string> codes) {
    const std::size_t count = codes.size();
    Result<IssuedCodes> issued = IssueCodes(offer_id, std::move(codes));
    if (!issued.ok() || issued->issued != count) {
      ADD_FAILURE() << "could not issue " << count << " codes for " << offer_id << ": "
                    << issued.status().message();
    }
  }
  Redemption GivenRedemption(Redemption redemption,
                             std::optional<IdempotencyClaim> claim = std::nullopt) {
    const std::string id = redemption.id;
    Result<CreateRedemptionOutcome> created = Create(std::move(redemption), std::move(claim));
    if (!created.ok()) {
      ADD_FAILURE() << "could not create redemption " << id << ": " << created.status().message();
      return Redemption{};
    }
    return created->redemption;
  }
  Redemption GivenTransition(const std::string& id, RedemptionAction action) {
    Result<Redemption> after = Transition(id, action);
    if (!after.ok()) {
      ADD_FAILURE() << "could not " << RedemptionActionName(action) << " " << id << ": "
                    << after.status().message();
      return Redemption{};
    }
    return after.value();
  }

 private:
  Store& store_;
};

// `r` applies two offers: a discount of `discount`, then a cashback of `cashback`, each kept in
// its own field.
inline void ExpectDiscountThenCashback(const Redemption& r, Money discount, Money cashback) {
  ASSERT_EQ(r.applied.size(), 2U);
  EXPECT_EQ(r.applied[0].discount, discount);
  EXPECT_EQ(r.applied[0].cashback, 0);
  EXPECT_EQ(r.applied[1].discount, 0);
  EXPECT_EQ(r.applied[1].cashback, cashback);
  EXPECT_EQ(r.discount_total, discount);
  EXPECT_EQ(r.cashback_total(), cashback);
}

// --- Comparing two stores ------------------------------------------------------------------

// Every figure of an offer's (campaign's) stats is the same in both (e.g. a store and its replay).
inline void ExpectSameStats(const OfferStats& replayed, const OfferStats& original) {
  EXPECT_EQ(replayed.offer_id, original.offer_id);
  EXPECT_EQ(replayed.totals, original.totals);
  EXPECT_EQ(replayed.unique_shoppers, original.unique_shoppers);
  EXPECT_EQ(replayed.remaining_redemptions, original.remaining_redemptions);
  EXPECT_EQ(replayed.remaining_budget, original.remaining_budget);
  EXPECT_EQ(replayed.by_day, original.by_day);
  EXPECT_EQ(replayed.by_payment_method, original.by_payment_method);
}

inline void ExpectSameCampaignStats(const CampaignStats& replayed, const CampaignStats& original) {
  EXPECT_EQ(replayed.totals, original.totals);
  EXPECT_EQ(replayed.unique_shoppers, original.unique_shoppers);
  ASSERT_EQ(replayed.groups.size(), original.groups.size());
  for (std::size_t i = 0; i < original.groups.size(); ++i) {
    EXPECT_EQ(replayed.groups[i].key, original.groups[i].key);
    EXPECT_EQ(replayed.groups[i].bucket, original.groups[i].bucket) << original.groups[i].key;
    EXPECT_EQ(replayed.groups[i].unique_shoppers, original.groups[i].unique_shoppers)
        << original.groups[i].key;
  }
}

}  // namespace uudai::store_test

#endif  // UUDAI_TESTS_ENGINE_STORE_TEST_SUPPORT_H_
