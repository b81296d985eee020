// Fuzz target: a request body → quote request and redemption request (checkout_json), then the
// quote the engine gives that cart against a small fixed campaign with fixed usage, and the
// redemption it would plan — the path of POST /v1/checkout/quote and POST /v1/redemptions up to
// the store.
//
// Invariants (docs/design.md §3):
// - reading never crashes; a refused body or an invalid cart has a 422 problem JSON;
// - subtotal = Σ unit_price × quantity; 0 ≤ discount_total = Σ applied discounts; item
//   discounts ≤ subtotal, the shipping discount ≤ shipping_fee, so total ≥ 0;
// - every applied discount > 0; at most one offer per layer, in layer order; an exclusive offer
//   stands alone; an applied offer is active, in its window, for this merchant and payment
//   method, and within its limits;
// - every supplied code is either applied (one or, for a code of both the shop and the platform,
//   two of its offers) or reported as rejected once, in supplied order;
// - evaluation is deterministic; quote and redemption JSON are strict JSON with those figures.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include <boost/json/serialize.hpp>

#include "fuzz_check.h"
#include "fuzz_support.h"
#include "json/checkout_json.h"
#include "json/problem.h"
#include "uudai/catalog.h"
#include "uudai/quote.h"
#include "uudai/redemption.h"

namespace uudai::fuzz {
namespace {

const CampaignZone kZone;

struct Campaign {
  std::shared_ptr<const CatalogSnapshot> catalog;
  FixedUsage usage;
  QuoteEvaluator evaluator{kZone};
};

const Campaign& TheCampaign() {
  static const Campaign* campaign = [] {
    auto* c = new Campaign;
    std::vector<std::shared_ptr<const Offer>> offers;
    for (const Offer& offer : FixedOffers()) offers.push_back(std::make_shared<Offer>(offer));
    c->catalog = CatalogSnapshot::Build(std::move(offers));
    return c;
  }();
  return *campaign;
}

bool MethodAllowed(const Offer& offer, PaymentMethod method) {
  if (!offer.payment_methods) return true;
  for (const std::string& id : *offer.payment_methods) {
    if (id == "digital" && method != PaymentMethod::kCod) return true;
    if (ParsePaymentMethod(id) == method) return true;
  }
  return false;
}

bool MerchantAllowed(const Offer& offer, const std::string& merchant_id) {
  if (offer.layer == Layer::kMerchant) return offer.merchant_id == merchant_id;
  if (!offer.merchant_ids) return true;
  for (const std::string& id : *offer.merchant_ids) {
    if (id == merchant_id) return true;
  }
  return false;
}

void CheckApplied(const AppliedOffer& a, const Cart& cart, Timestamp at, const UsageView& usage) {
  const Offer& o = *a.offer;
  FUZZ_CHECK(a.discount > 0, o.id);
  FUZZ_CHECK(o.status == OfferStatus::kActive && o.starts_at <= at && at < o.ends_at, o.id);
  FUZZ_CHECK(!o.daily_window || o.daily_window->Contains(kZone.MinuteOfDay(at)), o.id);
  FUZZ_CHECK(MerchantAllowed(o, cart.merchant_id) && MethodAllowed(o, cart.payment_method), o.id);
  FUZZ_CHECK((o.code_mode == CodeMode::kAuto) == !a.code.has_value(), o.id);
  const OfferUsage used = usage.UsageOf(o, cart.shopper_id, kZone.DayOf(at));
  const OfferLimits& l = o.limits;
  FUZZ_CHECK(!l.total_redemptions || used.redemptions < *l.total_redemptions, o.id);
  FUZZ_CHECK(!l.total_budget || used.budget_spent + a.discount <= *l.total_budget, o.id);
  FUZZ_CHECK(!l.per_shopper || used.shopper_redemptions < *l.per_shopper, o.id);
  FUZZ_CHECK(!l.per_day || used.day_redemptions < *l.per_day, o.id);
}

void CheckQuote(const Quote& q, const Cart& cart, Timestamp at, const UsageView& usage) {
  FUZZ_CHECK(q.subtotal == ItemsSubtotal(cart) && q.shipping_fee == cart.shipping_fee);
  Money items_discount = 0, shipping_discount = 0, sum = 0;
  // Codes of the applied offers, canonical. A supplied code applies offers of one canonical
  // spelling (in this campaign no public code reads as a unique code), and a repeat of it is
  // rejected, so each spelling stands for one supplied code.
  std::set<std::string> applied_codes;
  for (std::size_t i = 0; i < q.applied.size(); ++i) {
    const AppliedOffer& a = q.applied[i];
    CheckApplied(a, cart, at, usage);
    if (i > 0) FUZZ_CHECK(q.applied[i - 1].offer->layer < a.offer->layer, "layers out of order");
    if (a.offer->exclusive) FUZZ_CHECK(q.applied.size() == 1, "exclusive offer not alone");
    (a.offer->layer == Layer::kShipping ? shipping_discount : items_discount) += a.discount;
    sum += a.discount;
    if (a.code) applied_codes.insert(*a.code);
  }
  FUZZ_CHECK(q.discount_total == sum && q.discount_total >= 0);
  FUZZ_CHECK(items_discount <= q.subtotal && shipping_discount <= q.shipping_fee);
  FUZZ_CHECK(q.discount_total <= q.subtotal + q.shipping_fee && q.total() >= 0);
  FUZZ_CHECK(applied_codes.size() + q.rejected.size() == cart.codes.size(),
             "a code went unreported or was reported twice");
  std::size_t next = 0;  // rejections come in supplied order
  for (const CodeRejection& r : q.rejected) {
    while (next < cart.codes.size() && cart.codes[next] != r.code) ++next;
    FUZZ_CHECK(next < cart.codes.size(), "rejected code out of order or not supplied: " + r.code);
    ++next;
    FUZZ_CHECK(r.offer_id.has_value() == (r.reason != RejectionReason::kUnknownCode), r.code);
  }
}

bool SameQuote(const Quote& a, const Quote& b) {
  if (a.discount_total != b.discount_total || a.applied.size() != b.applied.size()) return false;
  for (std::size_t i = 0; i < a.applied.size(); ++i) {
    if (a.applied[i].offer->id != b.applied[i].offer->id ||
        a.applied[i].discount != b.applied[i].discount || a.applied[i].code != b.applied[i].code) {
      return false;
    }
  }
  return a.rejected == b.rejected;
}

// Reads a cart's 422s the way the handlers do; true when the cart may be quoted.
bool CartAccepted(bool read, gateway::BodyProblems problems, const Cart* cart) {
  if (!read) {
    FUZZ_CHECK(!problems.empty());
    RequireProblemJson(gateway::ProblemFor(std::move(problems)).ToJson(), 422);
    return false;
  }
  FUZZ_CHECK(problems.empty());
  auto errors = ValidateCart(*cart);
  if (!errors.empty()) {
    RequireProblemJson(gateway::InvalidFields(std::move(errors)).ToJson(), 422);
    return false;
  }
  return true;
}

Quote QuoteChecked(const Cart& cart, Timestamp at) {
  const Campaign& c = TheCampaign();
  const Quote quote = c.evaluator.Evaluate(*c.catalog, cart, at, c.usage);
  CheckQuote(quote, cart, at, c.usage);
  FUZZ_CHECK(SameQuote(quote, c.evaluator.Evaluate(*c.catalog, cart, at, c.usage)));
  return quote;
}

void CheckQuoteRequest(const boost::json::object& body) {
  gateway::BodyProblems problems;
  const auto request = gateway::QuoteRequestFromJson(body, problems);
  if (!CartAccepted(request.has_value(), std::move(problems), request ? &request->cart : nullptr)) {
    return;
  }
  const Timestamp at = request->at.value_or(FuzzNow());
  const Quote quote = QuoteChecked(request->cart, at);
  const std::string text = boost::json::serialize(gateway::QuoteToJson(quote));
  const boost::json::object json = RequireJsonObject(text);
  FUZZ_CHECK(json.at("total").as_int64() == quote.total() &&
                 json.at("discount_total").as_int64() == quote.discount_total,
             text);
}

void CheckRedemptionRequest(const boost::json::object& body) {
  gateway::BodyProblems problems;
  const auto request = gateway::RedemptionRequestFromJson(body, problems);
  if (!CartAccepted(request.has_value(), std::move(problems), request ? &request->cart : nullptr)) {
    return;
  }
  const Quote quote = QuoteChecked(request->cart, FuzzNow());
  if (quote.applied.empty()) return;  // 409 nothing_to_redeem
  const RedemptionIntent intent{"r_fuzz", request->order_id, FuzzNow(), 900'000, request->commit};
  const Redemption r = PlanRedemption(request->cart, quote, intent);
  Money sum = 0;
  for (const RedeemedOffer& a : r.applied) sum += a.discount;
  FUZZ_CHECK(r.discount_total == quote.discount_total && sum == r.discount_total);
  FUZZ_CHECK(r.total() == quote.total() && r.total() >= 0);
  FUZZ_CHECK((r.status == RedemptionStatus::kCommitted) == request->commit);
  const std::string text = boost::json::serialize(gateway::RedemptionToJson(r, kZone));
  const boost::json::object json = RequireJsonObject(text);
  FUZZ_CHECK(json.at("order_id").as_string() == request->order_id, text);
  FUZZ_CHECK(json.at("total").as_int64() == r.total(), text);
}

}  // namespace
}  // namespace uudai::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = uudai::fuzz::ParseRequestBody(data, size);
  if (!body) return 0;
  uudai::fuzz::CheckQuoteRequest(body->object);
  uudai::fuzz::CheckRedemptionRequest(body->object);
  return 0;
}
