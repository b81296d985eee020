#include "store/codec/mutation_codec.h"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "store/codec/json_fields.h"
#include "store/codec/offer_codec.h"
#include "store/codec/webhook_codec.h"

namespace uudai::gateway {
namespace json = boost::json;
using json_fields::Bool;
using json_fields::EnumField;
using json_fields::Int;
using json_fields::Nullable;
using json_fields::OptText;
using json_fields::OptTime;
using json_fields::Text;
namespace {

// --- encoding --------------------------------------------------------------------------------

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
                        {"c", Nullable(a.code)},
                        {"d", a.discount},
                        {"r", a.restore_on_refund},
                        {"fb", static_cast<int>(a.funded_by)},
                        {"f", Nullable(a.funder)}},
                       sp);
    if (a.cashback > 0) entry["cb"] = a.cashback;  // only a cashback offer's
    applied.push_back(std::move(entry));
  }
  json::array rejected(sp);
  for (const CodeRejection& x : r.rejected) {
    rejected.push_back(json::object(
        {{"c", x.code}, {"o", Nullable(x.offer_id)}, {"r", static_cast<int>(x.reason)}}, sp));
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
                       {"cma", Nullable(r.committed_at)},
                       {"rla", Nullable(r.released_at)},
                       {"exa", Nullable(r.expired_at)},
                       {"rfa", Nullable(r.refunded_at)}},
                      sp);
}

// --- decoding --------------------------------------------------------------------------------

// An event held by the embedded store (EventsCarried). Redemption events carry only the id.
StoreEvent DecodeEvent(const json::object& o) {
  StoreEvent e;
  e.seq = o.at("s").to_number<std::uint64_t>();
  e.type = EnumField<EventType>(o, "t", static_cast<int>(kEventTypeCount));
  e.at = Timestamp{Int(o, "at")};
  e.merchant_id = Text(o, "m");
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
  r.id = Text(o, "id");
  r.status = EnumField<RedemptionStatus>(o, "st", static_cast<int>(kRedemptionStatusCount));
  r.shopper_id = Text(o, "sh");
  r.merchant_id = Text(o, "m");
  r.order_id = Text(o, "or");
  r.payment_method = EnumField<PaymentMethod>(o, "pm", static_cast<int>(kPaymentMethodCount));
  r.subtotal = Int(o, "sub");
  r.shipping_fee = Int(o, "sf");
  r.discount_total = Int(o, "dt");
  for (const auto& v : o.at("a").as_array()) {
    const auto& a = v.as_object();
    RedeemedOffer x;
    x.offer_id = Text(a, "o");
    if (a.contains("ov")) x.offer_version = Int(a, "ov");  // absent in older journals
    x.offer_merchant_id = Text(a, "m");
    x.layer = EnumField<Layer>(a, "l", 4);
    x.code_mode = EnumField<CodeMode>(a, "cm", 3);
    x.code = OptText(a, "c");
    x.discount = Int(a, "d");  // older journals also carry the offer's limits ("lim"): unused
    if (a.contains("cb")) x.cashback = Int(a, "cb");
    x.restore_on_refund = Bool(a, "r");
    x.funded_by = EnumField<FundedBy>(a, "fb", 3);
    x.funder = OptText(a, "f");
    r.applied.push_back(std::move(x));
  }
  for (const auto& v : o.at("rj").as_array()) {
    const auto& x = v.as_object();
    r.rejected.push_back(
        {Text(x, "c"), OptText(x, "o"),
         EnumField<RejectionReason>(x, "r", static_cast<int>(kRejectionReasonCount))});
  }
  r.created_at = Timestamp{Int(o, "ca")};
  r.expires_at = Timestamp{Int(o, "ea")};
  r.committed_at = OptTime(o, "cma");
  r.released_at = OptTime(o, "rla");
  r.expired_at = OptTime(o, "exa");
  r.refunded_at = OptTime(o, "rfa");
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
    if (const std::int64_t v = Int(line, "v");
        v != kMutationFormatVersion && v != kRenderedResponseFormatVersion) {
      return Status(StatusCode::kInternal, "unknown journal format version");
    }
    const std::string type = Text(line, "t");
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
      CodesIssued m{Text(line, "offer_id"), {}};
      for (const auto& c : line.at("codes").as_array()) m.codes.emplace_back(c.as_string());
      return StoreMutation{std::move(m)};
    }
    if (type == "created") {
      RedemptionCreated m{DecodeRedemption(line.at("r").as_object()), std::nullopt};
      if (const auto* idem = line.if_contains("idem")) {
        const auto& o = idem->as_object();
        // No "body" (version 2): a rendered response.
        m.idempotency = IdempotencyRecord{Text(o, "k"), Text(o, "f"),
                                          o.contains("body") ? Text(o, "body") : std::string(),
                                          Timestamp{Int(o, "at")}};
      }
      return StoreMutation{std::move(m)};
    }
    if (type == "transition") {
      return StoreMutation{RedemptionTransitioned{Text(line, "id"),
                                                  EnumField<RedemptionAction>(line, "a", 4),
                                                  Timestamp{Int(line, "at")}, std::nullopt}};
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
      OfferHistoryCarried m{Text(line, "id"), {}};
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
    if (type == "webhook_deleted") return StoreMutation{WebhookDeleted{Text(line, "id")}};
    if (type == "webhook_attempt") {
      return StoreMutation{WebhookAttempted{Text(line, "id"),
                                            line.at("rw").to_number<std::uint64_t>(),
                                            DecodeDeliveryAttempt(line.at("a").as_object())}};
    }
    if (type == "webhook_rewound") {
      return StoreMutation{
          WebhookRewound{Text(line, "id"), line.at("thr").to_number<std::uint64_t>()}};
    }
    return Status(StatusCode::kInternal, "unknown journal record type " + type);
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, std::string("bad journal record: ") + e.what());
  }
}

}  // namespace uudai::gateway
