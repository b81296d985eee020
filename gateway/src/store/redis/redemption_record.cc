#include "store/redis/redemption_record.h"

#include <charconv>
#include <optional>
#include <vector>

namespace uudai::gateway {
namespace {

// The fields of each part of a record.
constexpr std::size_t kHeadFields = 5;
constexpr std::size_t kPlanFields = 5;
constexpr std::size_t kPlanFieldsPerOffer = 4;
constexpr std::size_t kRestFields = 6;
constexpr std::size_t kRestFieldsPerOffer = 8;
constexpr std::size_t kFieldsPerRejection = 3;

Status Malformed(const std::string& id, std::string_view what) {
  return Status(StatusCode::kInternal,
                "the Redis record of redemption " + id + " is malformed: " + std::string(what));
}

bool HoldsSeparator(std::string_view text) {
  return text.find(kRecordSection) != std::string_view::npos ||
         text.find(kRecordField) != std::string_view::npos;
}

// %-escapes '%' and the two separators.
void AppendEscaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (c == '%' || c == kRecordSection || c == kRecordField) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 0xf];
    } else {
      out += c;
    }
  }
}

std::optional<std::string> Unescaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size()) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc() || end != text.data() + i + 3) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

class RecordWriter {
 public:
  void Field(std::string_view text) {
    Separate();
    out_.append(text);
  }
  void Number(std::int64_t value) {
    Separate();
    out_ += std::to_string(value);
  }
  void OptionalTime(const std::optional<Timestamp>& t) {
    Separate();
    if (t) out_ += std::to_string(t->millis);
  }
  void Escaped(std::string_view text) {
    Separate();
    AppendEscaped(out_, text);
  }
  void EndSection() {
    out_ += kRecordSection;
    first_ = true;
  }
  std::string Take() { return std::move(out_); }

 private:
  void Separate() {
    if (!first_) out_ += kRecordField;
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
};

std::optional<std::int64_t> Integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// An enum spelled as its number, below `count`.
template <typename E>
std::optional<E> Enum(std::string_view text, int count) {
  const auto n = Integer(text);
  if (!n || *n < 0 || *n >= count) return std::nullopt;
  return static_cast<E>(*n);
}

}  // namespace

std::vector<std::string_view> SplitFields(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

Result<std::string> EncodeRedemptionRecord(const Redemption& r, LocalDay day) {
  for (std::string_view identifier :
       {std::string_view(r.shopper_id), std::string_view(r.merchant_id),
        std::string_view(r.order_id)}) {
    if (HoldsSeparator(identifier)) {
      return Status(StatusCode::kInternal, "redemption " + r.id + " has an identifier that " +
                                               "holds a control character the store cannot keep");
    }
  }
  for (const RedeemedOffer& a : r.applied) {
    if (HoldsSeparator(a.offer_id) || HoldsSeparator(a.offer_merchant_id) ||
        HoldsSeparator(a.code.value_or("")) || HoldsSeparator(a.funder.value_or(""))) {
      return Status(StatusCode::kInternal, "redemption " + r.id + " applies offer " + a.offer_id +
                                               " with a field the store cannot keep");
    }
  }
  RecordWriter w;
  w.Number(static_cast<int>(r.status));
  w.OptionalTime(r.committed_at);
  w.OptionalTime(r.released_at);
  w.OptionalTime(r.expired_at);
  w.OptionalTime(r.refunded_at);
  w.EndSection();
  w.Number(r.expires_at.millis);
  w.Field(r.shopper_id);
  w.Number(day.index);
  w.Field(r.merchant_id);
  w.Field(r.order_id);
  for (const RedeemedOffer& a : r.applied) {
    w.Field(a.offer_id);
    w.Number(a.reward());  // what the offer's budget counts
    const bool held = a.code_mode == CodeMode::kUnique && a.code;
    w.Field(held ? std::string_view(*a.code) : std::string_view());
    w.Field(a.restore_on_refund ? "1" : "0");
  }
  w.EndSection();
  w.Number(static_cast<int>(r.payment_method));
  w.Number(r.subtotal);
  w.Number(r.shipping_fee);
  w.Number(r.discount_total);
  w.Number(r.created_at.millis);
  w.Number(static_cast<int>(r.status));  // as created: the head's status moves on
  for (const RedeemedOffer& a : r.applied) {
    w.Number(a.offer_version);
    w.Field(a.offer_merchant_id);
    w.Number(static_cast<int>(a.layer));
    w.Number(static_cast<int>(a.code_mode));
    w.Field(a.code.value_or(""));
    w.Number(static_cast<int>(a.funded_by));
    w.Field(a.funder.value_or(""));
    w.Field(a.cashback > 0 ? "c" : "");  // the plan's amount is a cashback, not a discount
  }
  for (const CodeRejection& x : r.rejected) {
    w.Escaped(x.code);
    w.Field(x.offer_id.value_or(""));
    w.Number(static_cast<int>(x.reason));
  }
  return w.Take();
}

Result<Redemption> DecodeRedemptionRecord(const std::string& id, std::string_view record,
                                          RedemptionStatus* created_as) {
  const auto sections = SplitFields(record, kRecordSection);
  if (sections.size() != 3) return Malformed(id, "not three sections");
  const auto head = SplitFields(sections[0], kRecordField);
  const auto plan = SplitFields(sections[1], kRecordField);
  const auto rest = SplitFields(sections[2], kRecordField);
  if (head.size() != kHeadFields) return Malformed(id, "head");
  if (plan.size() < kPlanFields + kPlanFieldsPerOffer ||
      (plan.size() - kPlanFields) % kPlanFieldsPerOffer != 0) {
    return Malformed(id, "plan");
  }
  const std::size_t offers = (plan.size() - kPlanFields) / kPlanFieldsPerOffer;
  const std::size_t rejections_at = kRestFields + offers * kRestFieldsPerOffer;
  if (rest.size() < rejections_at || (rest.size() - rejections_at) % kFieldsPerRejection != 0) {
    return Malformed(id, "rest");
  }

  Redemption r;
  r.id = id;
  const auto status = Enum<RedemptionStatus>(head[0], kRedemptionStatusCount);
  if (!status) return Malformed(id, "status");
  r.status = *status;
  std::optional<Timestamp>* times[] = {&r.committed_at, &r.released_at, &r.expired_at,
                                       &r.refunded_at};
  for (std::size_t i = 0; i < 4; ++i) {
    if (head[1 + i].empty()) continue;
    const auto at = Integer(head[1 + i]);
    if (!at) return Malformed(id, "time");
    *times[i] = Timestamp{*at};
  }

  const auto expires_at = Integer(plan[0]);
  if (!expires_at || !Integer(plan[2])) return Malformed(id, "plan numbers");
  r.expires_at = Timestamp{*expires_at};
  r.shopper_id = std::string(plan[1]);
  r.merchant_id = std::string(plan[3]);
  r.order_id = std::string(plan[4]);

  const auto payment = Enum<PaymentMethod>(rest[0], kPaymentMethodCount);
  const auto subtotal = Integer(rest[1]);
  const auto shipping = Integer(rest[2]);
  const auto discount_total = Integer(rest[3]);
  const auto created_at = Integer(rest[4]);
  if (!payment || !subtotal || !shipping || !discount_total || !created_at) {
    return Malformed(id, "amounts");
  }
  r.payment_method = *payment;
  r.subtotal = *subtotal;
  r.shipping_fee = *shipping;
  r.discount_total = *discount_total;
  r.created_at = Timestamp{*created_at};
  const auto first_status = Enum<RedemptionStatus>(rest[5], kRedemptionStatusCount);
  if (!first_status) return Malformed(id, "status as created");
  if (created_as != nullptr) *created_as = *first_status;

  r.applied.reserve(offers);
  for (std::size_t k = 0; k < offers; ++k) {
    const std::string_view* p = &plan[kPlanFields + k * kPlanFieldsPerOffer];
    const std::string_view* x = &rest[kRestFields + k * kRestFieldsPerOffer];
    RedeemedOffer a;
    a.offer_id = std::string(p[0]);
    const auto discount = Integer(p[1]);
    const auto version = Integer(x[0]);
    const auto layer = Enum<Layer>(x[2], kLayerCount);
    const auto code_mode = Enum<CodeMode>(x[3], 3);
    const auto funded_by = Enum<FundedBy>(x[5], 3);
    if (!discount || !version || !layer || !code_mode || !funded_by ||
        (p[3] != "0" && p[3] != "1") || (x[7] != "c" && !x[7].empty())) {
      return Malformed(id, "applied offer " + a.offer_id);
    }
    (x[7] == "c" ? a.cashback : a.discount) = *discount;
    a.restore_on_refund = p[3] == "1";
    a.offer_version = *version;
    a.offer_merchant_id = std::string(x[1]);
    a.layer = *layer;
    a.code_mode = *code_mode;
    if (!x[4].empty()) a.code = std::string(x[4]);
    a.funded_by = *funded_by;
    if (!x[6].empty()) a.funder = std::string(x[6]);
    r.applied.push_back(std::move(a));
  }
  for (std::size_t i = rejections_at; i + kFieldsPerRejection <= rest.size();
       i += kFieldsPerRejection) {
    CodeRejection x;
    auto code = Unescaped(rest[i]);
    const auto reason = Enum<RejectionReason>(rest[i + 2], static_cast<int>(kRejectionReasonCount));
    if (!code || !reason) return Malformed(id, "rejected code");
    x.code = std::move(*code);
    if (!rest[i + 1].empty()) x.offer_id = std::string(rest[i + 1]);
    x.reason = *reason;
    r.rejected.push_back(std::move(x));
  }
  return r;
}

}  // namespace uudai::gateway
