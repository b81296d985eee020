// GET /v1/redemptions/export: the ledger as NDJSON or CSV, streamed.
//
// The first page is read before answering, so a store that cannot be read gets a proper 503
// problem. The rest streams one ledger page per chunk, each read only once the previous chunk
// is written: memory stays at one page whatever the export's size. The export holds the
// redemptions created before it began (the first page fixes the end of the ledger), each in
// its state when its page is read. If a later page cannot be read, the connection is cut
// before the last chunk, so a client never takes a partial export for a whole one.
#ifndef UUDAI_GATEWAY_API_EXPORT_HANDLERS_H_
#define UUDAI_GATEWAY_API_EXPORT_HANDLERS_H_

#include "api/handler.h"
#include "uudai/campaign_time.h"
#include "uudai/store.h"

namespace uudai::gateway {

class ExportHandlers {
 public:
  ExportHandlers(Store& store, CampaignZone zone);

  void Redemptions(const HttpRequest& request, const Caller& caller, Respond& respond);

 private:
  Store& store_;
  CampaignZone zone_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_EXPORT_HANDLERS_H_
