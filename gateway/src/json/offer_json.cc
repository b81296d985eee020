#include "json/offer_json.h"

#include <boost/json/array.hpp>

#include "uudai/text_rules.h"

namespace uudai::gateway {
namespace {

constexpr const char* kServerFields[] = {"id", "version", "created_at", "updated_at"};
// A new offer may name its own id (see OfferFromJson); the rest of kServerFields are the
// server's.
constexpr const char* kServerFieldsOfANewOffer[] = {"version", "created_at", "updated_at"};

template <typename Enum>
std::optional<Enum> ReadEnum(FieldReader& r, std::string_view key,
                             std::optional<Enum> (*parse)(std::string_view), const char* allowed) {
  const auto text = r.String(key);
  if (!text) return std::nullopt;
  const auto value = parse(*text);
  if (!value) r.Invalid(key, std::string("must be one of ") + allowed);
  return value;
}

std::optional<Timestamp> ReadTime(FieldReader& r, std::string_view key, bool required) {
  const auto text = r.String(key, required);
  if (!text) return std::nullopt;
  const auto t = ParseRfc3339(*text);
  if (!t)
    r.Invalid(key, "must be an RFC 3339 timestamp with an offset, e.g. 2026-10-10T12:00:00+07:00");
  return t;
}

// A percent, cashback, fixed or free_shipping discount: the whole discount of an offer, or one
// tier's. Fields of another type present (not null) are refused, as a patch that changes the
// type must clear them.
void ReadSimpleDiscount(FieldReader& r, DiscountType type, std::int64_t& value,
                        std::optional<Money>& max_amount) {
  const bool is_percent = type == DiscountType::kPercent || type == DiscountType::kCashback;
  if (type != DiscountType::kFreeShipping) {
    const auto read = is_percent ? r.Integer("value", 1, 100, true) : r.Amount("value", true);
    if (read) value = *read;
  } else {
    value = 0;  // a patch may turn another discount into free shipping
    if (r.Has("value")) r.Invalid("value", "is not used by free_shipping discounts");
  }
  if (type != DiscountType::kFixed) {
    max_amount = r.Amount("max_amount");
  } else {
    max_amount.reset();  // a patch may turn a capped discount into a fixed one
    if (r.Has("max_amount")) {
      r.Invalid("max_amount", "applies only to percent, cashback and free_shipping discounts");
    }
  }
}

void ReadTiers(FieldReader& r, BodyProblems& problems, Discount& d) {
  if (auto basis = ReadEnum<TierBasis>(r, "basis", ParseTierBasis, "subtotal, quantity")) {
    d.basis = *basis;
  } else if (!r.Has("basis")) {
    r.Invalid("basis", "is required");
  }
  const auto* tiers = r.Array("tiers", true);
  d.tiers.clear();
  if (tiers == nullptr) return;
  for (std::size_t i = 0; i < tiers->size(); ++i) {
    const std::string at = r.PathOf("tiers") + "[" + std::to_string(i) + "]";
    if (!(*tiers)[i].is_object()) {
      problems.invalid.push_back({at, "must be an object {\"min\", \"discount\"}"});
      continue;
    }
    FieldReader tier_reader((*tiers)[i].as_object(), at, problems);
    DiscountTier tier;
    if (auto min = tier_reader.Amount("min", true)) tier.min = *min;
    if (const auto* discount = tier_reader.Object("discount", true)) {
      FieldReader dr(*discount, tier_reader.PathOf("discount"), problems);
      if (auto type = ReadEnum<DiscountType>(dr, "type", ParseDiscountType, "percent, fixed")) {
        tier.type = *type;
        if (tier.type == DiscountType::kPercent || tier.type == DiscountType::kFixed) {
          ReadSimpleDiscount(dr, tier.type, tier.value, tier.max_amount);
        } else {
          dr.Invalid("type", "must be percent or fixed");
        }
      } else if (!dr.Has("type")) {
        dr.Invalid("type", "is required");
      }
      dr.Finish();
    }
    tier_reader.Finish();
    d.tiers.push_back(tier);
  }
}

void ReadBuyXGetY(FieldReader& r, Discount& d) {
  if (auto buy = r.Integer("buy", 1, 1000, true)) d.buy = *buy;
  if (auto get = r.Integer("get", 1, 1000, true)) d.get = *get;
  if (auto percent = r.Integer("percent", 1, 100, true)) d.value = *percent;
  d.max_sets = r.Integer("max_sets", 1, 1'000'000);
}

void ReadDiscount(FieldReader& body, BodyProblems& problems, Offer& offer) {
  const auto* object = body.Object("discount", true);
  if (object == nullptr) return;
  FieldReader r(*object, body.PathOf("discount"), problems);
  Discount& d = offer.discount;
  if (auto type =
          ReadEnum<DiscountType>(r, "type", ParseDiscountType,
                                 "percent, fixed, free_shipping, tiered, buy_x_get_y, cashback")) {
    d.type = *type;
  } else if (!r.Has("type")) {
    r.Invalid("type", "is required");
  }
  // What the type does not use is cleared (a patch may change the type): the fields left in
  // the body for it are then unknown, or refused by name below.
  const DiscountType type = d.type;
  d = Discount{};
  d.type = type;
  switch (d.type) {
    case DiscountType::kTiered:
      ReadTiers(r, problems, d);
      for (const char* field : {"value", "max_amount"}) {
        if (r.Has(field)) r.Invalid(field, "is not used by tiered discounts (each tier has one)");
      }
      break;
    case DiscountType::kBuyXGetY:
      ReadBuyXGetY(r, d);
      for (const char* field : {"value", "max_amount"}) {
        if (r.Has(field)) r.Invalid(field, "is not used by buy_x_get_y discounts");
      }
      break;
    default:
      ReadSimpleDiscount(r, d.type, d.value, d.max_amount);
  }
  r.Finish();
}

void ReadLimits(FieldReader& body, BodyProblems& problems, Offer& offer) {
  const auto* object = body.Object("limits");
  if (object == nullptr) return;
  FieldReader r(*object, body.PathOf("limits"), problems);
  constexpr std::int64_t kMaxCount = 1'000'000'000'000;
  offer.limits.total_redemptions = r.Integer("total_redemptions", 1, kMaxCount);
  offer.limits.total_budget = r.Amount("total_budget");
  if (offer.limits.total_budget && *offer.limits.total_budget < 1) {
    r.Invalid("total_budget", "must be at least 1 (leave it out for no limit)");
  }
  offer.limits.per_shopper = r.Integer("per_shopper", 1, kMaxCount);
  offer.limits.per_day = r.Integer("per_day", 1, kMaxCount);
  r.Finish();
}

void ReadDailyWindow(FieldReader& body, BodyProblems& problems, Offer& offer) {
  const auto* object = body.Object("daily_window");
  if (object == nullptr) return;
  FieldReader r(*object, body.PathOf("daily_window"), problems);
  DailyWindow window;
  bool ok = true;
  for (auto [key, slot] :
       {std::pair{"from", &window.from_minute}, std::pair{"to", &window.to_minute}}) {
    const auto text = r.String(key, true);
    const auto minute = text ? ParseClockTime(*text) : std::nullopt;
    if (text && !minute) r.Invalid(key, "must be a local time HH:MM from 00:00 to 24:00");
    if (minute) {
      *slot = *minute;
    } else {
      ok = false;
    }
  }
  r.Finish();
  if (ok) offer.daily_window = window;
}

// Reads every offer field except the server-owned ones (the caller decides about those).
std::optional<Offer> ReadOffer(FieldReader& r, BodyProblems& problems, Offer offer) {
  if (auto merchant = r.String("merchant_id")) offer.merchant_id = *merchant;
  if (auto name = r.String("name", true)) offer.name = *name;
  if (auto layer =
          ReadEnum<Layer>(r, "layer", ParseLayer, "merchant, platform, payment, shipping")) {
    offer.layer = *layer;
  }
  ReadDiscount(r, problems, offer);
  offer.min_order_amount = r.Amount("min_order_amount").value_or(0);
  offer.payment_methods = r.StringList("payment_methods", 16);
  offer.categories = r.StringList("categories", 1000);
  offer.skus = r.StringList("skus", 1000);
  offer.merchant_ids = r.StringList("merchant_ids", 1000);
  offer.shopper_tags = r.StringList("shopper_tags", 1000);
  offer.first_order = r.Bool("first_order").value_or(false);
  if (auto t = ReadTime(r, "starts_at", true)) offer.starts_at = *t;
  if (auto t = ReadTime(r, "ends_at", true)) offer.ends_at = *t;
  offer.daily_window.reset();
  ReadDailyWindow(r, problems, offer);
  if (auto mode = ReadEnum<CodeMode>(r, "code_mode", ParseCodeMode, "auto, public, unique")) {
    offer.code_mode = *mode;
  }
  offer.code = r.String("code");
  if (offer.code) {
    // Codes match case-insensitively: store the upper-case form (validation checks the rest).
    if (auto canonical = CanonicalPublicCode(*offer.code)) offer.code = *canonical;
  }
  offer.limits = {};
  ReadLimits(r, problems, offer);
  offer.exclusive = r.Bool("exclusive").value_or(false);
  offer.priority =
      static_cast<std::int32_t>(r.Integer("priority", kMinPriority, kMaxPriority).value_or(0));
  const auto funded_by =
      ReadEnum<FundedBy>(r, "funded_by", ParseFundedBy, "merchant, platform, payment_partner");
  offer.funded_by = funded_by.value_or(offer.layer == Layer::kMerchant ? FundedBy::kMerchant
                                                                       : FundedBy::kPlatform);
  offer.funder = r.String("funder");
  offer.restore_on_refund = r.Bool("restore_on_refund").value_or(true);
  offer.hot = r.Bool("hot").value_or(false);
  if (auto status =
          ReadEnum<OfferStatus>(r, "status", ParseOfferStatus, "active, paused, archived")) {
    offer.status = *status;
  }
  r.Finish();
  if (!problems.empty()) return std::nullopt;
  return offer;
}

boost::json::value OptionalList(const std::optional<std::vector<std::string>>& list) {
  if (!list) return nullptr;
  boost::json::array out;
  for (const auto& s : *list) out.emplace_back(s);
  return out;
}

// RFC 7396: null removes, objects merge recursively, anything else replaces.
void MergePatch(boost::json::object& target, const boost::json::object& patch) {
  for (const auto& [key, value] : patch) {
    if (value.is_null()) {
      target.erase(key);
    } else if (value.is_object() && target.contains(key) && target.at(key).is_object()) {
      MergePatch(target.at(key).get_object(), value.get_object());
    } else {
      target[key] = value;
    }
  }
}

}  // namespace

std::optional<Offer> OfferFromJson(const boost::json::object& body, const NewOfferContext& ctx,
                                   BodyProblems& problems) {
  FieldReader r(body, "", problems);
  for (const char* field : kServerFieldsOfANewOffer) {
    if (r.Has(field)) r.Invalid(field, "is set by the server");
  }
  Offer offer;
  offer.id = ctx.id;
  if (auto id = r.String("id")) {
    if (IsValidOfferId(*id)) {
      offer.id = std::move(*id);
    } else {
      r.Invalid("id",
                "must be 1-64 characters of letters, digits and -_.: starting with a letter or "
                "a digit");
    }
  }
  offer.created_at = ctx.now;
  offer.updated_at = ctx.now;
  offer.version = 1;
  if (ctx.merchant_id) {
    offer.merchant_id = *ctx.merchant_id;
    const auto given = body.if_contains("merchant_id");
    if (given != nullptr && !(given->is_string() && given->get_string() == *ctx.merchant_id)) {
      r.Invalid("merchant_id", "a merchant key registers offers only for its own merchant");
    }
  } else if (!body.contains("merchant_id")) {
    r.Invalid("merchant_id", "is required");
  }
  return ReadOffer(r, problems, std::move(offer));
}

std::optional<Offer> PatchOffer(const Offer& base, const boost::json::object& patch, Timestamp now,
                                const CampaignZone& zone, BodyProblems& problems) {
  {
    FieldReader guard(patch, "", problems);
    for (const char* field : kServerFields) {
      if (guard.Has(field)) guard.Invalid(field, "is set by the server");
    }
    if (!problems.empty()) return std::nullopt;
  }
  boost::json::object merged = OfferToJson(base, zone);
  MergePatch(merged, patch);
  FieldReader r(merged, "", problems);
  for (const char* field : kServerFields) r.Allow(field);
  Offer offer = base;
  offer.updated_at = now;
  return ReadOffer(r, problems, std::move(offer));
}

namespace {

// percent and cashback: type, value, max_amount; fixed: type, value; free_shipping: type,
// max_amount.
boost::json::object SimpleDiscountToJson(DiscountType type, std::int64_t value,
                                         const std::optional<Money>& max_amount) {
  boost::json::object out;
  out["type"] = DiscountTypeName(type);
  if (type != DiscountType::kFreeShipping) out["value"] = value;
  if (type != DiscountType::kFixed) {
    out["max_amount"] = max_amount ? boost::json::value(*max_amount) : boost::json::value(nullptr);
  }
  return out;
}

boost::json::object DiscountToJson(const Discount& d) {
  switch (d.type) {
    case DiscountType::kTiered: {
      boost::json::array tiers;
      for (const DiscountTier& tier : d.tiers) {
        tiers.push_back(boost::json::object{
            {"min", tier.min},
            {"discount", SimpleDiscountToJson(tier.type, tier.value, tier.max_amount)}});
      }
      return {{"type", DiscountTypeName(d.type)},
              {"basis", TierBasisName(d.basis)},
              {"tiers", std::move(tiers)}};
    }
    case DiscountType::kBuyXGetY:
      return {{"type", DiscountTypeName(d.type)},
              {"buy", d.buy},
              {"get", d.get},
              {"percent", d.value},
              {"max_sets", d.max_sets ? boost::json::value(*d.max_sets) : nullptr}};
    default:
      return SimpleDiscountToJson(d.type, d.value, d.max_amount);
  }
}

}  // namespace

boost::json::object OfferToJson(const Offer& offer, const CampaignZone& zone) {
  const boost::json::object discount = DiscountToJson(offer.discount);
  auto optional_int = [](const std::optional<std::int64_t>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  boost::json::object limits{
      {"total_redemptions", optional_int(offer.limits.total_redemptions)},
      {"total_budget", optional_int(offer.limits.total_budget)},
      {"per_shopper", optional_int(offer.limits.per_shopper)},
      {"per_day", optional_int(offer.limits.per_day)},
  };
  boost::json::value window = nullptr;
  if (offer.daily_window) {
    window = boost::json::object{{"from", FormatClockTime(offer.daily_window->from_minute)},
                                 {"to", FormatClockTime(offer.daily_window->to_minute)}};
  }
  auto optional_string = [](const std::optional<std::string>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  return boost::json::object{
      {"id", offer.id},
      {"merchant_id", offer.merchant_id},
      {"name", offer.name},
      {"layer", LayerName(offer.layer)},
      {"discount", std::move(discount)},
      {"min_order_amount", offer.min_order_amount},
      {"payment_methods", OptionalList(offer.payment_methods)},
      {"categories", OptionalList(offer.categories)},
      {"skus", OptionalList(offer.skus)},
      {"merchant_ids", OptionalList(offer.merchant_ids)},
      {"shopper_tags", OptionalList(offer.shopper_tags)},
      {"first_order", offer.first_order},
      {"starts_at", FormatRfc3339(offer.starts_at, zone)},
      {"ends_at", FormatRfc3339(offer.ends_at, zone)},
      {"daily_window", std::move(window)},
      {"code_mode", CodeModeName(offer.code_mode)},
      {"code", optional_string(offer.code)},
      {"limits", std::move(limits)},
      {"exclusive", offer.exclusive},
      {"priority", offer.priority},
      {"funded_by", FundedByName(offer.funded_by)},
      {"funder", optional_string(offer.funder)},
      {"restore_on_refund", offer.restore_on_refund},
      {"hot", offer.hot},
      {"status", OfferStatusName(offer.status)},
      {"version", offer.version},
      {"created_at", FormatRfc3339(offer.created_at, zone)},
      {"updated_at", FormatRfc3339(offer.updated_at, zone)},
  };
}

boost::json::value OfferAuthorToJson(const std::optional<OfferAuthor>& author) {
  if (!author) return nullptr;
  return boost::json::object{{"key_id", author->key_id}, {"role", author->role}};
}

}  // namespace uudai::gateway
