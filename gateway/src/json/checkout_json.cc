#include "json/checkout_json.h"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include "uudai/text_rules.h"

namespace uudai::gateway {
namespace {

// The fields quote and redemption requests share.
void ReadCart(FieldReader& r, BodyProblems& problems, Cart& cart) {
  if (auto v = r.String("shopper_id", true)) cart.shopper_id = *v;
  if (auto v = r.String("merchant_id", true)) cart.merchant_id = *v;
  if (auto v = r.String("payment_method", true)) {
    if (auto method = ParsePaymentMethod(*v)) {
      cart.payment_method = *method;
    } else {
      r.Invalid("payment_method",
                "unknown payment method; expected one of momo, zalopay, vnpay, shopeepay, "
                "viettel_money, vietqr, card, bank_transfer, cod");
    }
  }
  cart.shipping_fee = r.Amount("shipping_fee").value_or(0);
  if (const auto* items = r.Array("items", true)) {
    if (items->size() > kMaxCartItems) {
      r.Invalid("items", "must have at most " + std::to_string(kMaxCartItems) + " items");
    } else {
      for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string path = r.PathOf("items") + "[" + std::to_string(i) + "]";
        if (!(*items)[i].is_object()) {
          problems.invalid.push_back({path, "must be an object"});
          continue;
        }
        FieldReader item_reader((*items)[i].get_object(), path, problems);
        CartItem item;
        if (auto v = item_reader.String("sku", true)) item.sku = *v;
        if (auto v = item_reader.String("category", true)) item.category = *v;
        if (auto v = item_reader.Amount("unit_price", true)) item.unit_price = *v;
        if (auto v = item_reader.Integer("quantity", 1, kMaxItemQuantity, true)) item.quantity = *v;
        item_reader.Finish();
        cart.items.push_back(std::move(item));
      }
    }
  }
  if (auto codes = r.StringList("codes", kMaxCartCodes)) cart.codes = std::move(*codes);
  if (auto tags = r.StringList("shopper_tags", kMaxShopperTags)) {
    cart.shopper_tags = std::move(*tags);
  }
}

}  // namespace

boost::json::array RejectedToJson(const std::vector<CodeRejection>& rejected,
                                  const boost::json::storage_ptr& sp) {
  boost::json::array out(sp);
  for (const CodeRejection& r : rejected) {
    out.push_back(boost::json::object(
        {{"code", r.code},
         {"offer_id", r.offer_id ? boost::json::value(*r.offer_id) : boost::json::value(nullptr)},
         {"reason", RejectionReasonName(r.reason)}},
        sp));
  }
  return out;
}

namespace {

boost::json::value OptionalTime(const std::optional<Timestamp>& t, const CampaignZone& zone) {
  return t ? boost::json::value(FormatRfc3339(*t, zone)) : boost::json::value(nullptr);
}

}  // namespace

std::optional<QuoteRequest> QuoteRequestFromJson(const boost::json::object& body,
                                                 BodyProblems& problems) {
  FieldReader r(body, "", problems);
  QuoteRequest request;
  ReadCart(r, problems, request.cart);
  if (auto at = r.String("at")) {
    request.at = ParseRfc3339(*at);
    if (!request.at) r.Invalid("at", "must be an RFC 3339 timestamp with an offset");
  }
  r.Finish();
  if (!problems.empty()) return std::nullopt;
  return request;
}

std::optional<RedemptionRequest> RedemptionRequestFromJson(const boost::json::object& body,
                                                           BodyProblems& problems) {
  FieldReader r(body, "", problems);
  RedemptionRequest request;
  ReadCart(r, problems, request.cart);
  if (auto v = r.String("order_id", true)) {
    request.order_id = *v;
    if (!IsValidIdentifier(*v)) {
      r.Invalid("order_id", "must be 1-128 characters of letters, digits and -_.:@/");
    }
  }
  request.commit = r.Bool("commit").value_or(false);
  request.expected_discount_total = r.Amount("expected_discount_total");
  if (r.Has("at")) r.Invalid("at", "is for quotes only; a redemption happens now");
  r.Finish();
  if (!problems.empty()) return std::nullopt;
  return request;
}

boost::json::object QuoteToJson(const Quote& quote, const boost::json::storage_ptr& sp) {
  boost::json::array applied(sp);
  for (const AppliedOffer& a : quote.applied) {
    applied.push_back(boost::json::object(
        {{"offer_id", a.offer->id},
         {"layer", LayerName(a.offer->layer)},
         {"code", a.code ? boost::json::value(*a.code) : boost::json::value(nullptr)},
         {"discount", a.discount},
         {"cashback", a.cashback}},
        sp));
  }
  return boost::json::object({{"subtotal", quote.subtotal},
                              {"shipping_fee", quote.shipping_fee},
                              {"discount_total", quote.discount_total},
                              {"total", quote.total()},
                              {"cashback_total", quote.cashback_total},
                              {"applied", std::move(applied)},
                              {"rejected", RejectedToJson(quote.rejected, sp)}},
                             sp);
}

std::string QuoteJsonText(const Quote& quote) {
  // Built in a stack arena, as RedemptionJsonText: a quote is a few dozen small nodes.
  unsigned char buffer[4096];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  return boost::json::serialize(QuoteToJson(quote, &arena));
}

boost::json::object RedemptionToJson(const Redemption& r, const CampaignZone& zone,
                                     const boost::json::storage_ptr& sp) {
  boost::json::array applied(sp);
  for (const RedeemedOffer& a : r.applied) {
    applied.push_back(boost::json::object(
        {{"offer_id", a.offer_id},
         {"layer", LayerName(a.layer)},
         {"code", a.code ? boost::json::value(*a.code) : boost::json::value(nullptr)},
         {"discount", a.discount},
         {"cashback", a.cashback}},
        sp));
  }
  return boost::json::object(
      {{"id", r.id},
       {"status", RedemptionStatusName(r.status)},
       {"order_id", r.order_id},
       {"shopper_id", r.shopper_id},
       {"merchant_id", r.merchant_id},
       {"payment_method", PaymentMethodName(r.payment_method)},
       {"subtotal", r.subtotal},
       {"shipping_fee", r.shipping_fee},
       {"discount_total", r.discount_total},
       {"total", r.total()},
       {"cashback_total", r.cashback_total()},
       {"applied", std::move(applied)},
       {"rejected", RejectedToJson(r.rejected, sp)},
       {"created_at", FormatRfc3339(r.created_at, zone)},
       {"expires_at", r.status == RedemptionStatus::kReserved
                          ? boost::json::value(FormatRfc3339(r.expires_at, zone))
                          : boost::json::value(nullptr)},
       {"committed_at", OptionalTime(r.committed_at, zone)},
       {"released_at", OptionalTime(r.released_at, zone)},
       {"expired_at", OptionalTime(r.expired_at, zone)},
       {"refunded_at", OptionalTime(r.refunded_at, zone)}},
      sp);
}

std::string RedemptionJsonText(const Redemption& redemption, const CampaignZone& zone) {
  // Built in a stack arena: a redemption is a few dozen small nodes, made and freed per request.
  unsigned char buffer[4096];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  return boost::json::serialize(RedemptionToJson(redemption, zone, &arena));
}

}  // namespace uudai::gateway
