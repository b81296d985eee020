// Rows of GET /v1/redemptions/export (docs/design.md §4): one redemption each, as NDJSON or CSV.
//
// NDJSON rows are the redemption exactly as GET /v1/redemptions/{id} answers it, one per line.
// CSV is for spreadsheets: UTF-8 with a byte-order mark (so Excel reads Vietnamese names
// right), a header row, CRLF line ends and RFC 4180 quoting. A text field that a spreadsheet
// would run as a formula (starting with = + - @ tab or CR) gets a leading apostrophe (the
// OWASP "CSV injection" advice): ids may start with '-' or '@', and an analyst opening an
// export must never run what a shopper typed.
#ifndef UUDAI_GATEWAY_JSON_REDEMPTION_EXPORT_H_
#define UUDAI_GATEWAY_JSON_REDEMPTION_EXPORT_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "uudai/campaign_time.h"
#include "uudai/redemption.h"

namespace uudai::gateway {

enum class ExportFormat { kNdjson, kCsv };

std::optional<ExportFormat> ParseExportFormat(std::string_view text);  // "ndjson" | "csv"
std::string_view ExportContentType(ExportFormat format);
std::string_view ExportFileExtension(ExportFormat format);

// The current name of an offer (empty when unknown): CSV rows name the offers they applied.
using OfferNameLookup = std::function<std::string(const std::string& offer_id)>;

class RedemptionExportWriter {
 public:
  RedemptionExportWriter(ExportFormat format, CampaignZone zone, OfferNameLookup offer_names);

  // What comes before the first row: for CSV the byte-order mark and the header row.
  void AppendPreamble(std::string& out) const;
  void AppendRow(std::string& out, const Redemption& redemption) const;

 private:
  void AppendCsvRow(std::string& out, const Redemption& r) const;

  ExportFormat format_;
  CampaignZone zone_;
  OfferNameLookup offer_names_;
};

// Appends `field` as one RFC 4180 CSV field (quoted when it holds a comma, quote, CR or LF;
// with the formula guard above). Exposed for tests.
void AppendCsvField(std::string& out, std::string_view field);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_REDEMPTION_EXPORT_H_
