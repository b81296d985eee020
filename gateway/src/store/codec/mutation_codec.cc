#include "store/codec/mutation_codec.h"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "store/codec/webhook_codec.h"

namespace uudai::gateway {
namespace json = boost::json;
namespace {

// --- encoding --------------------------------------------------------------------------------

json::value Opt(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : nullptr; }
json::value Opt(const std::optional<std::string>& v) { return v ? json::value(*v) : nullptr; }
json::value Opt(const std::optional<Timestamp>& v) { return v ? json::value(v->millis) : nullptr; }
json::value Opt(const std::optional<std::vector<std::string>>& v) {
  if (!v) return nullptr;
  json::array out;
  for (const auto& s : *v) out.emplace_back(s);
  return out;
}

json::object EncodeLimits(const OfferLimits& l, json::storage_ptr sp = {}) {
  return json::object({{"tr", Opt(l.total_redemptions)},
                       {"tb", Opt(l.total_budget)},
                       {"ps", Opt(l.per_shopper)},
                       {"pd", Opt(l.per_day)}},
                      std::move(sp));
}

// What a tiered or buy_x_get_y discount adds to type, value and max_amount ("dx"; absent
// for the other types): {"b": basis, "t": [[min, type, value, max_amount], ...]} or
// {"buy", "get", "ms": max_sets}.
json::value EncodeDiscountRules(const Discount& d) {
  if (d.type == DiscountType::kTiered) {
    json::array tiers;
    for (const DiscountTier& t : d.tiers) {
      tiers.push_back(json::array{t.min, static_cast<int>(t.type), t.value, Opt(t.max_amount)});
    }
    return json::object{{"b", static_cast<int>(d.basis)}, {"t", std::move(tiers)}};
  }
  if (d.type == DiscountType::kBuyXGetY) {
    return json::object{{"buy", d.buy}, {"get", d.get}, {"ms", Opt(d.max_sets)}};
  }
  return nullptr;
}

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
      {"dm", Opt(o.discount.max_amount)},
      {"mo", o.min_order_amount},
      {"pm", Opt(o.payment_methods)},
      {"cat", Opt(o.categories)},
      {"sku", Opt(o.skus)},
      {"mids", Opt(o.merchant_ids)},
      {"s", o.starts_at.millis},
      {"e", o.ends_at.millis},
      {"w", std::move(window)},
      {"cm", static_cast<int>(o.code_mode)},
      {"c", Opt(o.code)},
      {"lim", EncodeLimits(o.limits)},
      {"x", o.exclusive},
      {"p", o.priority},
      {"fb", static_cast<int>(o.funded_by)},
      {"f", Opt(o.funder)},
      {"r", o.restore_on_refund},
      {"st", static_cast<int>(o.status)},
      {"v", o.version},
      {"ca", o.created_at.millis},
      {"ua", o.updated_at.millis},
  };
  if (json::value rules = EncodeDiscountRules(o.discount); !rules.is_null()) {
    out["dx"] = std::move(rules);
  }
  if (o.shopper_tags) out["tags"] = Opt(o.shopper_tags);  // absent for most offers
  if (o.first_order) out["fo"] = true;                    // likewise
  if (o.hot) out["hot"] = true;                           // likewise
  if (o.updated_by) out["by"] = json::array{o.updated_by->key_id, o.updated_by->role};
  return out;
}

json::object EncodeEvent(const StoreEvent& e, const json::storage_ptr& sp) {
  json::object out(
      {{"s", e.seq}, {"t", static_cast<int>(e.type)}, {"at", e.at.millis}, {"m", e.merchant_id}},
      sp);
  if (!e.offer_id.empty()) out["o"] = e.offer_id;
  if (e.offer) out["of"] = EncodeOffer(*e.offer);
  if (!e.changed.empty()) {
    json::array changed(sp);
    for (const std::string& path : e.changed) changed.emplace_back(path);
    out["ch"] = std::move(changed);
  }
  if (!e.redemption_id.empty()) out["r"] = e.redemption_id;
  if (e.threshold) {
    out["th"] = json::array({static_cast<int>(e.threshold->basis), e.threshold->percent,
                             e.threshold->used, e.threshold->limit},
                            sp);
  }
  return out;
}

// Everything in `sp` (the caller's arena), so that nothing is copied between allocators.
json::object EncodeRedemption(const Redemption& r, const json::storage_ptr& sp) {
  json::array applied(sp);
  for (const RedeemedOffer& a : r.applied) {
    json::object entry({{"o", a.offer_id},
                        {"ov", a.offer_version},
                        {"m", a.offer_merchant_id},
                        {"l", static_cast<int>(a.layer)},
                        {"cm", static_cast<int>(a.code_mode)},
                        {"c", Opt(a.code)},
                        {"d", a.discount},
                        {"r", a.restore_on_refund},
                        {"fb", static_cast<int>(a.funded_by)},
                        {"f", Opt(a.funder)}},
                       sp);
    if (a.cashback > 0) entry["cb"] = a.cashback;  // only a cashback offer's
    applied.push_back(std::move(entry));
  }
  json::array rejected(sp);
  for (const CodeRejection& x : r.rejected) {
    rejected.push_back(json::object(
        {{"c", x.code}, {"o", Opt(x.offer_id)}, {"r", static_cast<int>(x.reason)}}, sp));
  }
  return json::object({{"id", r.id},
                       {"st", static_cast<int>(r.status)},
                       {"sh", r.shopper_id},
                       {"m", r.merchant_id},
                       {"or", r.order_id},
                       {"pm", static_cast<int>(r.payment_method)},
                       {"sub", r.subtotal},
                       {"sf", r.shipping_fee},
                       {"dt", r.discount_total},
                       {"a", std::move(applied)},
                       {"rj", std::move(rejected)},
                       {"ca", r.created_at.millis},
                       {"ea", r.expires_at.millis},
                       {"cma", Opt(r.committed_at)},
                       {"rla", Opt(r.released_at)},
                       {"exa", Opt(r.expired_at)},
                       {"rfa", Opt(r.refunded_at)}},
                      sp);
}

// --- decoding --------------------------------------------------------------------------------

// Throws std::exception on any shape problem; DecodeMutation turns that into a Status.
std::int64_t I(const json::object& o, std::string_view k) {
  return o.at(k).to_number<std::int64_t>();
}
std::string S(const json::object& o, std::string_view k) {
  return std::string(o.at(k).as_string());
}
bool B(const json::object& o, std::string_view k) { return o.at(k).as_bool(); }
std::optional<std::int64_t> OptI(const json::object& o, std::string_view k) {
  const auto& v = o.at(k);
  if (v.is_null()) return std::nullopt;
  return v.to_number<std::int64_t>();
}
std::optional<std::string> OptS(const json::object& o, std::string_view k) {
  const auto& v = o.at(k);
  if (v.is_null()) return std::nullopt;
  return std::string(v.as_string());
}
std::optional<std::vector<std::string>> OptList(const json::object& o, std::string_view k) {
  const auto& v = o.at(k);
  if (v.is_null()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}
std::optional<Timestamp> OptT(const json::object& o, std::string_view k) {
  auto v = OptI(o, k);
  if (!v) return std::nullopt;
  return Timestamp{*v};
}
template <typename Enum>
Enum E(const json::object& o, std::string_view k, int count) {
  const auto v = I(o, k);
  if (v < 0 || v >= count) throw std::out_of_range("enum out of range");
  return static_cast<Enum>(v);
}

OfferLimits DecodeLimits(const json::object& o) {
  return {OptI(o, "tr"), OptI(o, "tb"), OptI(o, "ps"), OptI(o, "pd")};
}

void DecodeDiscountRules(const json::object& o, Discount& d) {
  if (d.type == DiscountType::kTiered) {
    d.basis = E<TierBasis>(o, "b", 2);
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
    d.buy = I(o, "buy");
    d.get = I(o, "get");
    d.max_sets = OptI(o, "ms");
  }
}

Offer DecodeOffer(const json::object& o) {
  Offer x;
  x.id = S(o, "id");
  x.merchant_id = S(o, "m");
  x.name = S(o, "n");
  x.layer = E<Layer>(o, "l", 4);
  x.discount.type = E<DiscountType>(o, "dt", static_cast<int>(kDiscountTypeCount));
  x.discount.value = I(o, "dv");
  x.discount.max_amount = OptI(o, "dm");
  if (const auto* rules = o.if_contains("dx")) DecodeDiscountRules(rules->as_object(), x.discount);
  x.min_order_amount = I(o, "mo");
  x.payment_methods = OptList(o, "pm");
  x.categories = OptList(o, "cat");
  x.skus = OptList(o, "sku");
  x.merchant_ids = OptList(o, "mids");
  if (o.contains("tags")) x.shopper_tags = OptList(o, "tags");
  if (o.contains("fo")) x.first_order = B(o, "fo");
  if (o.contains("hot")) x.hot = B(o, "hot");
  x.starts_at = Timestamp{I(o, "s")};
  x.ends_at = Timestamp{I(o, "e")};
  if (const auto& w = o.at("w"); !w.is_null()) {
    x.daily_window = DailyWindow{static_cast<int>(w.as_array().at(0).to_number<int>()),
                                 static_cast<int>(w.as_array().at(1).to_number<int>())};
  }
  x.code_mode = E<CodeMode>(o, "cm", 3);
  x.code = OptS(o, "c");
  x.limits = DecodeLimits(o.at("lim").as_object());
  x.exclusive = B(o, "x");
  x.priority = static_cast<std::int32_t>(I(o, "p"));
  x.funded_by = E<FundedBy>(o, "fb", 3);
  x.funder = OptS(o, "f");
  x.restore_on_refund = B(o, "r");
  x.status = E<OfferStatus>(o, "st", 3);
  x.version = I(o, "v");
  x.created_at = Timestamp{I(o, "ca")};
  x.updated_at = Timestamp{I(o, "ua")};
  if (const auto* by = o.if_contains("by")) {
    const json::array& author = by->as_array();
    x.updated_by =
        OfferAuthor{std::string(author.at(0).as_string()), std::string(author.at(1).as_string())};
  }
  return x;
}

// An event held by the embedded store (EventsCarried). Redemption events carry only the id.
StoreEvent DecodeEvent(const json::object& o) {
  StoreEvent e;
  e.seq = o.at("s").to_number<std::uint64_t>();
  e.type = E<EventType>(o, "t", static_cast<int>(kEventTypeCount));
  e.at = Timestamp{I(o, "at")};
  e.merchant_id = S(o, "m");
  if (const auto* id = o.if_contains("o")) e.offer_id = id->as_string();
  if (const auto* offer = o.if_contains("of")) {
    e.offer = std::make_shared<const Offer>(DecodeOffer(offer->as_object()));
  }
  if (const auto* changed = o.if_contains("ch")) {
    for (const auto& path : changed->as_array()) e.changed.emplace_back(path.as_string());
  }
  if (const auto* id = o.if_contains("r")) e.redemption_id = id->as_string();
  if (const auto* th = o.if_contains("th")) {
    const auto& t = th->as_array();
    const int basis = t.at(0).to_number<int>();
    if (basis < 0 || basis > 1) throw std::out_of_range("threshold basis out of range");
    e.threshold =
        BudgetThreshold{static_cast<ThresholdBasis>(basis), t.at(1).to_number<int>(),
                        t.at(2).to_number<std::int64_t>(), t.at(3).to_number<std::int64_t>()};
  }
  return e;
}

Redemption DecodeRedemption(const json::object& o) {
  Redemption r;
  r.id = S(o, "id");
  r.status = E<RedemptionStatus>(o, "st", static_cast<int>(kRedemptionStatusCount));
  r.shopper_id = S(o, "sh");
  r.merchant_id = S(o, "m");
  r.order_id = S(o, "or");
  r.payment_method = E<PaymentMethod>(o, "pm", static_cast<int>(kPaymentMethodCount));
  r.subtotal = I(o, "sub");
  r.shipping_fee = I(o, "sf");
  r.discount_total = I(o, "dt");
  for (const auto& v : o.at("a").as_array()) {
    const auto& a = v.as_object();
    RedeemedOffer x;
    x.offer_id = S(a, "o");
    if (a.contains("ov")) x.offer_version = I(a, "ov");  // absent in older journals
    x.offer_merchant_id = S(a, "m");
    x.layer = E<Layer>(a, "l", 4);
    x.code_mode = E<CodeMode>(a, "cm", 3);
    x.code = OptS(a, "c");
    x.discount = I(a, "d");  // older journals also carry the offer's limits ("lim"): unused
    if (a.contains("cb")) x.cashback = I(a, "cb");
    x.restore_on_refund = B(a, "r");
    x.funded_by = E<FundedBy>(a, "fb", 3);
    x.funder = OptS(a, "f");
    r.applied.push_back(std::move(x));
  }
  for (const auto& v : o.at("rj").as_array()) {
    const auto& x = v.as_object();
    r.rejected.push_back({S(x, "c"), OptS(x, "o"),
                          E<RejectionReason>(x, "r", static_cast<int>(kRejectionReasonCount))});
  }
  r.created_at = Timestamp{I(o, "ca")};
  r.expires_at = Timestamp{I(o, "ea")};
  r.committed_at = OptT(o, "cma");
  r.released_at = OptT(o, "rla");
  r.expired_at = OptT(o, "exa");
  r.refunded_at = OptT(o, "rfa");
  return r;
}

}  // namespace

std::string EncodeMutation(const StoreMutation& mutation) {
  // One arena per line: a redemption's line is a few dozen small JSON nodes, built and freed
  // on every write, so a stack buffer spares as many heap allocations.
  unsigned char buffer[8192];
  json::monotonic_resource arena(buffer, sizeof buffer);
  const json::storage_ptr sp(&arena);
  json::object line({{"v", kMutationFormatVersion}}, sp);
  if (const auto* m = std::get_if<OfferWritten>(&mutation)) {
    line["t"] = "offer";
    line["offer"] = EncodeOffer(*m->offer);
  } else if (const auto* m = std::get_if<OffersCreated>(&mutation)) {
    line["t"] = "offers";
    json::array offers(sp);
    offers.reserve(m->offers.size());
    for (const auto& offer : m->offers) offers.emplace_back(EncodeOffer(*offer));
    line["offers"] = std::move(offers);
  } else if (const auto* m = std::get_if<CodesIssued>(&mutation)) {
    line["t"] = "codes";
    line["offer_id"] = m->offer_id;
    json::array codes;
    codes.reserve(m->codes.size());
    for (const auto& c : m->codes) codes.emplace_back(c);
    line["codes"] = std::move(codes);
  } else if (const auto* m = std::get_if<RedemptionCreated>(&mutation)) {
    line["t"] = "created";
    line["r"] = EncodeRedemption(m->redemption, sp);
    if (m->idempotency) {
      json::object idem({{"k", m->idempotency->scope_key},
                         {"f", m->idempotency->fingerprint},
                         {"at", m->idempotency->created_at.millis}},
                        sp);
      if (m->idempotency->response.empty()) {
        // A rendered response (none kept): version 2, which a reader of version 1 refuses
        // rather than replaying an empty answer.
        line["v"] = kRenderedResponseFormatVersion;
      } else {
        idem["body"] = m->idempotency->response;
      }
      line["idem"] = std::move(idem);
    }
  } else if (const auto* m = std::get_if<RedemptionTransitioned>(&mutation)) {
    line["t"] = "transition";
    line["id"] = m->redemption_id;
    line["a"] = static_cast<int>(m->action);
    line["at"] = m->at.millis;
  } else if (const auto* m = std::get_if<OfferHistoryCarried>(&mutation)) {
    line["t"] = "offer_history";
    line["id"] = m->offer_id;
    json::array versions(sp);
    versions.reserve(m->versions.size());
    for (const auto& offer : m->versions) versions.emplace_back(EncodeOffer(*offer));
    line["versions"] = std::move(versions);
  } else if (const auto* m = std::get_if<WebhookCreated>(&mutation)) {
    line["t"] = "webhook";
    line["w"] = EncodeWebhook(m->webhook);
    if (!m->deliveries.empty()) {
      json::array log(sp);
      log.reserve(m->deliveries.size());
      for (const DeliveryAttempt& a : m->deliveries) log.emplace_back(EncodeDeliveryAttempt(a));
      line["log"] = std::move(log);
    }
  } else if (const auto* m = std::get_if<WebhookDeleted>(&mutation)) {
    line["t"] = "webhook_deleted";
    line["id"] = m->webhook_id;
  } else if (const auto* m = std::get_if<WebhookAttempted>(&mutation)) {
    line["t"] = "webhook_attempt";
    line["id"] = m->webhook_id;
    line["rw"] = m->rewinds;
    line["a"] = EncodeDeliveryAttempt(m->attempt);
  } else if (const auto* m = std::get_if<WebhookRewound>(&mutation)) {
    line["t"] = "webhook_rewound";
    line["id"] = m->webhook_id;
    line["thr"] = m->through;
  } else if (const auto* m = std::get_if<EventsCarried>(&mutation)) {
    line["t"] = "events";
    line["last"] = m->last_seq;
    json::array held(sp);
    held.reserve(m->held.size());
    for (const StoreEvent& event : m->held) held.emplace_back(EncodeEvent(event, sp));
    line["held"] = std::move(held);
    json::array announced(sp);
    for (const auto& [offer_id, bits] : m->thresholds_announced) {
      announced.emplace_back(json::array({json::value(offer_id), json::value(bits)}, sp));
    }
    line["thr"] = std::move(announced);
  }
  return json::serialize(line);
}

Result<StoreMutation> DecodeMutation(std::string_view text) {
  // Replay decodes millions of small records: build each DOM in one arena, not many mallocs.
  thread_local unsigned char arena[16 * 1024];
  json::monotonic_resource resource(arena, sizeof arena);
  boost::system::error_code ec;
  const json::value value = json::parse(text, ec, &resource);
  if (ec || !value.is_object()) return Status(StatusCode::kInternal, "journal line is not JSON");
  try {
    const auto& line = value.as_object();
    if (const std::int64_t v = I(line, "v");
        v != kMutationFormatVersion && v != kRenderedResponseFormatVersion) {
      return Status(StatusCode::kInternal, "unknown journal format version");
    }
    const std::string type = S(line, "t");
    if (type == "offer") {
      return StoreMutation{
          OfferWritten{std::make_shared<const Offer>(DecodeOffer(line.at("offer").as_object()))}};
    }
    if (type == "offers") {
      OffersCreated m;
      for (const auto& offer : line.at("offers").as_array()) {
        m.offers.push_back(std::make_shared<const Offer>(DecodeOffer(offer.as_object())));
      }
      return StoreMutation{std::move(m)};
    }
    if (type == "codes") {
      CodesIssued m{S(line, "offer_id"), {}};
      for (const auto& c : line.at("codes").as_array()) m.codes.emplace_back(c.as_string());
      return StoreMutation{std::move(m)};
    }
    if (type == "created") {
      RedemptionCreated m{DecodeRedemption(line.at("r").as_object()), std::nullopt};
      if (const auto* idem = line.if_contains("idem")) {
        const auto& o = idem->as_object();
        // No "body" (version 2): a rendered response.
        m.idempotency = IdempotencyRecord{S(o, "k"), S(o, "f"),
                                          o.contains("body") ? S(o, "body") : std::string(),
                                          Timestamp{I(o, "at")}};
      }
      return StoreMutation{std::move(m)};
    }
    if (type == "transition") {
      return StoreMutation{RedemptionTransitioned{S(line, "id"), E<RedemptionAction>(line, "a", 4),
                                                  Timestamp{I(line, "at")}, std::nullopt}};
    }
    if (type == "events") {
      EventsCarried m;
      m.last_seq = line.at("last").to_number<std::uint64_t>();
      for (const auto& event : line.at("held").as_array()) {
        m.held.push_back(DecodeEvent(event.as_object()));
      }
      for (const auto& pair : line.at("thr").as_array()) {
        const auto& p = pair.as_array();
        m.thresholds_announced.emplace_back(std::string(p.at(0).as_string()),
                                            p.at(1).to_number<std::uint8_t>());
      }
      return StoreMutation{std::move(m)};
    }
    if (type == "offer_history") {
      OfferHistoryCarried m{S(line, "id"), {}};
      for (const auto& offer : line.at("versions").as_array()) {
        m.versions.push_back(std::make_shared<const Offer>(DecodeOffer(offer.as_object())));
      }
      return StoreMutation{std::move(m)};
    }
    if (type == "webhook") {
      WebhookCreated m{DecodeWebhook(line.at("w").as_object()), {}};
      if (const auto* log = line.if_contains("log")) {
        for (const auto& a : log->as_array()) {
          m.deliveries.push_back(DecodeDeliveryAttempt(a.as_object()));
        }
      }
      return StoreMutation{std::move(m)};
    }
    if (type == "webhook_deleted") return StoreMutation{WebhookDeleted{S(line, "id")}};
    if (type == "webhook_attempt") {
      return StoreMutation{WebhookAttempted{S(line, "id"), line.at("rw").to_number<std::uint64_t>(),
                                            DecodeDeliveryAttempt(line.at("a").as_object())}};
    }
    if (type == "webhook_rewound") {
      return StoreMutation{
          WebhookRewound{S(line, "id"), line.at("thr").to_number<std::uint64_t>()}};
    }
    return Status(StatusCode::kInternal, "unknown journal record type " + type);
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, std::string("bad journal record: ") + e.what());
  }
}

}  // namespace uudai::gateway
