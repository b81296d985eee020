#include "store/codec/offer_codec.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "store/codec/json_fields.h"

namespace uudai::gateway {
namespace json = boost::json;
using json_fields::AuthorArray;
using json_fields::Bool;
using json_fields::EnumField;
using json_fields::Int;
using json_fields::Nullable;
using json_fields::OptAuthor;
using json_fields::OptInt;
using json_fields::OptList;
using json_fields::OptText;
using json_fields::Text;

namespace {

json::object EncodeLimits(const OfferLimits& l, json::storage_ptr sp = {}) {
  return json::object({{"tr", Nullable(l.total_redemptions)},
                       {"tb", Nullable(l.total_budget)},
                       {"ps", Nullable(l.per_shopper)},
                       {"pd", Nullable(l.per_day)}},
                      std::move(sp));
}

// What a tiered or buy_x_get_y discount adds to type, value and max_amount ("dx"; absent
// for the other types): {"b": basis, "t": [[min, type, value, max_amount], ...]} or
// {"buy", "get", "ms": max_sets}.
json::value EncodeDiscountRules(const Discount& d) {
  if (d.type == DiscountType::kTiered) {
    json::array tiers;
    for (const DiscountTier& t : d.tiers) {
      tiers.push_back(
          json::array{t.min, static_cast<int>(t.type), t.value, Nullable(t.max_amount)});
    }
    return json::object{{"b", static_cast<int>(d.basis)}, {"t", std::move(tiers)}};
  }
  if (d.type == DiscountType::kBuyXGetY) {
    return json::object{{"buy", d.buy}, {"get", d.get}, {"ms", Nullable(d.max_sets)}};
  }
  return nullptr;
}

OfferLimits DecodeLimits(const json::object& o) {
  return {OptInt(o, "tr"), OptInt(o, "tb"), OptInt(o, "ps"), OptInt(o, "pd")};
}

void DecodeDiscountRules(const json::object& o, Discount& d) {
  if (d.type == DiscountType::kTiered) {
    d.basis = EnumField<TierBasis>(o, "b", 2);
    for (const auto& t : o.at("t").as_array()) {
      const auto& tier = t.as_array();
      const auto type = tier.at(1).to_number<int>();
      if (type != static_cast<int>(DiscountType::kPercent) &&
          type != static_cast<int>(DiscountType::kFixed)) {
        throw std::out_of_range("tier discount type out of range");
      }
      d.tiers.push_back({tier.at(0).to_number<std::int64_t>(), static_cast<DiscountType>(type),
                         tier.at(2).to_number<std::int64_t>(),
                         tier.at(3).is_null()
                             ? std::nullopt
                             : std::optional<Money>(tier.at(3).to_number<std::int64_t>())});
    }
  } else if (d.type == DiscountType::kBuyXGetY) {
    d.buy = Int(o, "buy");
    d.get = Int(o, "get");
    d.max_sets = OptInt(o, "ms");
  }
}

}  // namespace

json::object EncodeOffer(const Offer& o) {
  json::value window = nullptr;
  if (o.daily_window) window = json::array{o.daily_window->from_minute, o.daily_window->to_minute};
  json::object out{
      {"id", o.id},
      {"m", o.merchant_id},
      {"n", o.name},
      {"l", static_cast<int>(o.layer)},
      {"dt", static_cast<int>(o.discount.type)},
      {"dv", o.discount.value},
      {"dm", Nullable(o.discount.max_amount)},
      {"mo", o.min_order_amount},
      {"pm", Nullable(o.payment_methods)},
      {"cat", Nullable(o.categories)},
      {"sku", Nullable(o.skus)},
      {"mids", Nullable(o.merchant_ids)},
      {"s", o.starts_at.millis},
      {"e", o.ends_at.millis},
      {"w", std::move(window)},
      {"cm", static_cast<int>(o.code_mode)},
      {"c", Nullable(o.code)},
      {"lim", EncodeLimits(o.limits)},
      {"x", o.exclusive},
      {"p", o.priority},
      {"fb", static_cast<int>(o.funded_by)},
      {"f", Nullable(o.funder)},
      {"r", o.restore_on_refund},
      {"st", static_cast<int>(o.status)},
      {"v", o.version},
      {"ca", o.created_at.millis},
      {"ua", o.updated_at.millis},
  };
  if (json::value rules = EncodeDiscountRules(o.discount); !rules.is_null()) {
    out["dx"] = std::move(rules);
  }
  if (o.shopper_tags) out["tags"] = Nullable(o.shopper_tags);  // absent for most offers
  if (o.first_order) out["fo"] = true;                         // likewise
  if (o.hot) out["hot"] = true;                                // likewise
  if (o.updated_by) out["by"] = AuthorArray(*o.updated_by);
  return out;
}

Offer DecodeOffer(const json::object& o) {
  Offer x;
  x.id = Text(o, "id");
  x.merchant_id = Text(o, "m");
  x.name = Text(o, "n");
  x.layer = EnumField<Layer>(o, "l", 4);
  x.discount.type = EnumField<DiscountType>(o, "dt", static_cast<int>(kDiscountTypeCount));
  x.discount.value = Int(o, "dv");
  x.discount.max_amount = OptInt(o, "dm");
  if (const auto* rules = o.if_contains("dx")) DecodeDiscountRules(rules->as_object(), x.discount);
  x.min_order_amount = Int(o, "mo");
  x.payment_methods = OptList(o, "pm");
  x.categories = OptList(o, "cat");
  x.skus = OptList(o, "sku");
  x.merchant_ids = OptList(o, "mids");
  if (o.contains("tags")) x.shopper_tags = OptList(o, "tags");
  if (o.contains("fo")) x.first_order = Bool(o, "fo");
  if (o.contains("hot")) x.hot = Bool(o, "hot");
  x.starts_at = Timestamp{Int(o, "s")};
  x.ends_at = Timestamp{Int(o, "e")};
  if (const auto& w = o.at("w"); !w.is_null()) {
    x.daily_window = DailyWindow{static_cast<int>(w.as_array().at(0).to_number<int>()),
                                 static_cast<int>(w.as_array().at(1).to_number<int>())};
  }
  x.code_mode = EnumField<CodeMode>(o, "cm", 3);
  x.code = OptText(o, "c");
  x.limits = DecodeLimits(o.at("lim").as_object());
  x.exclusive = Bool(o, "x");
  x.priority = static_cast<std::int32_t>(Int(o, "p"));
  x.funded_by = EnumField<FundedBy>(o, "fb", 3);
  x.funder = OptText(o, "f");
  x.restore_on_refund = Bool(o, "r");
  x.status = EnumField<OfferStatus>(o, "st", 3);
  x.version = Int(o, "v");
  x.created_at = Timestamp{Int(o, "ca")};
  x.updated_at = Timestamp{Int(o, "ua")};
  x.updated_by = OptAuthor(o, "by");
  return x;
}

}  // namespace uudai::gateway
