#include "json/redemption_export.h"

#include <boost/json/serialize.hpp>

#include "json/checkout_json.h"

namespace uudai::gateway {
namespace {

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

// Column order of the CSV export; AppendCsvRow writes the same order.
constexpr std::string_view kCsvColumns[] = {
    "id",          "status",         "created_at",     "expires_at",    "committed_at",
    "released_at", "expired_at",     "refunded_at",    "shopper_id",    "merchant_id",
    "order_id",    "payment_method", "subtotal",       "shipping_fee",  "discount_total",
    "total",       "cashback_total", "applied_offers", "applied_codes", "applied_offer_names"};

bool NeedsFormulaGuard(std::string_view field) {
  if (field.empty()) return false;
  const char first = field.front();
  return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' ||
         first == '\r';
}

}  // namespace

std::optional<ExportFormat> ParseExportFormat(std::string_view text) {
  if (text == "ndjson") return ExportFormat::kNdjson;
  if (text == "csv") return ExportFormat::kCsv;
  return std::nullopt;
}

std::string_view ExportContentType(ExportFormat format) {
  return format == ExportFormat::kCsv ? "text/csv; charset=utf-8; header=present"
                                      : "application/x-ndjson";
}

std::string_view ExportFileExtension(ExportFormat format) {
  return format == ExportFormat::kCsv ? "csv" : "ndjson";
}

void AppendCsvField(std::string& out, std::string_view field) {
  const bool guard = NeedsFormulaGuard(field);
  const bool quote = guard || field.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(field);
    return;
  }
  out.push_back('"');
  if (guard) out.push_back('\'');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

RedemptionExportWriter::RedemptionExportWriter(ExportFormat format, CampaignZone zone,
                                               OfferNameLookup offer_names)
    : format_(format), zone_(zone), offer_names_(std::move(offer_names)) {}

void RedemptionExportWriter::AppendPreamble(std::string& out) const {
  if (format_ != ExportFormat::kCsv) return;
  out.append(kUtf8ByteOrderMark);
  for (std::size_t i = 0; i < std::size(kCsvColumns); ++i) {
    if (i > 0) out.push_back(',');
    out.append(kCsvColumns[i]);
  }
  out.append("\r\n");
}

void RedemptionExportWriter::AppendRow(std::string& out, const Redemption& redemption) const {
  if (format_ == ExportFormat::kCsv) return AppendCsvRow(out, redemption);
  out += RedemptionJsonText(redemption, zone_);
  out.push_back('\n');
}

void RedemptionExportWriter::AppendCsvRow(std::string& out, const Redemption& r) const {
  bool first = true;
  auto field = [&](std::string_view value) {
    if (!first) out.push_back(',');
    first = false;
    AppendCsvField(out, value);
  };
  auto time = [&](const std::optional<Timestamp>& t) {
    field(t ? FormatRfc3339(*t, zone_) : std::string());
  };
  std::string offers, codes, names;
  for (const RedeemedOffer& applied : r.applied) {
    const std::string separator = offers.empty() ? "" : ";";
    // "o-1:20000" for a discount, "o-2:cashback:50000" for a cashback.
    offers += separator + applied.offer_id + ':' +
              (applied.cashback > 0 ? "cashback:" + std::to_string(applied.cashback)
                                    : std::to_string(applied.discount));
    if (applied.code) codes += (codes.empty() ? "" : ";") + *applied.code;
    names += (names.empty() ? "" : "; ") + offer_names_(applied.offer_id);
  }
  field(r.id);
  field(RedemptionStatusName(r.status));
  time(r.created_at);
  time(r.expires_at);
  time(r.committed_at);
  time(r.released_at);
  time(r.expired_at);
  time(r.refunded_at);
  field(r.shopper_id);
  field(r.merchant_id);
  field(r.order_id);
  field(PaymentMethodName(r.payment_method));
  field(std::to_string(r.subtotal));
  field(std::to_string(r.shipping_fee));
  field(std::to_string(r.discount_total));
  field(std::to_string(r.total()));
  field(std::to_string(r.cashback_total()));
  field(offers);
  field(codes);
  field(names);
  out.append("\r\n");
}

}  // namespace uudai::gateway
