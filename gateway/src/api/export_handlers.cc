#include "api/export_handlers.h"

#include "api/responses.h"
#include "json/redemption_export.h"
#include "json/time_range_query.h"

namespace uudai::gateway {
namespace {

constexpr std::size_t kExportPageRows = 1000;

class LedgerExportStream final : public BodyStream,
                                 public std::enable_shared_from_this<LedgerExportStream> {
 public:
  LedgerExportStream(Store& store, RedemptionExportWriter writer, LedgerPageQuery query)
      : store_(store), writer_(std::move(writer)), next_(query) {}

  // Takes the first page, read before the response began: the first chunk is the preamble
  // (CSV header) and its rows.
  void Begin(const LedgerPage& page) {
    writer_.AppendPreamble(pending_);
    TakePage(page, pending_);
  }

  void Next(ChunkSink sink) override {
    if (!pending_.empty()) {
      std::string chunk = std::move(pending_);
      pending_.clear();
      return sink(std::move(chunk));
    }
    if (done_) return sink(std::string());
    ReadPage(std::move(sink));
  }

 private:
  // Appends the page's rows to `out` and moves the cursor past it.
  void TakePage(const LedgerPage& page, std::string& out) {
    for (const Redemption& r : page.rows) writer_.AppendRow(out, r);
    next_.start = page.next;
    next_.end = page.end;
    done_ = page.done();
  }

  void ReadPage(ChunkSink sink) {
    store_.ReadLedger(next_, [self = shared_from_this(),
                              sink = std::move(sink)](Result<LedgerPage> page) mutable {
      if (!page.ok()) return sink(std::nullopt);
      std::string chunk;
      self->TakePage(page.value(), chunk);
      // A page may hold no row without being the last (a narrow time range): read on.
      if (chunk.empty() && !self->done_) return self->ReadPage(std::move(sink));
      sink(std::move(chunk));  // empty only at the end
    });
  }

  Store& store_;
  RedemptionExportWriter writer_;
  LedgerPageQuery next_;
  std::string pending_;  // the first chunk, until sent
  bool done_ = false;
};

}  // namespace

ExportHandlers::ExportHandlers(Store& store, CampaignZone zone) : store_(store), zone_(zone) {}

void ExportHandlers::Redemptions(const HttpRequest& request, const Caller&, Respond& respond) {
  std::vector<FieldError> errors;
  const TimeRange range = ReadTimeRange(request, zone_, errors);
  ExportFormat format = ExportFormat::kNdjson;
  if (auto text = request.Query("format")) {
    if (auto parsed = ParseExportFormat(*text)) {
      format = *parsed;
    } else {
      errors.push_back({"format", "must be ndjson or csv"});
    }
  }
  if (!errors.empty()) return respond(ProblemResponse(InvalidFields(std::move(errors))));

  LedgerPageQuery first;
  first.from = range.from;
  first.to = range.to;
  first.limit = kExportPageRows;
  store_.ReadLedger(first, [this, first, format, respond](Result<LedgerPage> page) {
    if (!page.ok()) return respond(StatusResponse(page.status()));
    RedemptionExportWriter writer(format, zone_, [this](const std::string& offer_id) {
      auto offer = store_.FindOffer(offer_id);
      return offer ? offer->name : std::string();
    });
    auto stream = std::make_shared<LedgerExportStream>(store_, std::move(writer), first);
    stream->Begin(page.value());
    HttpResponse response;
    response.content_type = std::string(ExportContentType(format));
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"uudai-redemptions." +
                                      std::string(ExportFileExtension(format)) + "\"");
    response.headers.emplace_back("Cache-Control", "no-store");
    response.stream = std::move(stream);
    respond(std::move(response));
  });
}

}  // namespace uudai::gateway
