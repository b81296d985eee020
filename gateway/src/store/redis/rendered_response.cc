#include "store/redis/rendered_response.h"

#include "store/redis/redemption_record.h"
#include "uudai/store_mutation.h"

namespace uudai::gateway {
namespace {

// Redemption `id` as created, from its record now.
Result<Redemption> AsCreated(const std::string& id, std::string_view record) {
  RedemptionStatus created_as{};
  Result<Redemption> stored = DecodeRedemptionRecord(id, record, &created_as);
  if (!stored.ok()) return stored.status();
  return RedemptionAsCreated(stored.value(), created_as);
}

}  // namespace

std::string KeptResponse(const ResponseRenderer& render, const std::string& id,
                         std::string_view record, std::string response) {
  if (!render || response.empty()) return response;
  Result<Redemption> created = AsCreated(id, record);
  if (!created.ok() || render(created.value()) != response) return response;
  return std::string();
}

Result<std::string> FirstResponse(const ResponseRenderer& render, const std::string& id,
                                  std::string_view record, std::string kept) {
  if (!kept.empty()) return kept;
  RedemptionStatus created_as{};
  Result<Redemption> now = DecodeRedemptionRecord(id, record, &created_as);
  if (!now.ok()) return now.status();
  return FirstResponse(render, now.value(), created_as, std::move(kept));
}

Result<std::string> FirstResponse(const ResponseRenderer& render, const Redemption& now,
                                  RedemptionStatus created_as, std::string kept) {
  if (!kept.empty()) return kept;
  if (!render) {
    return Status(StatusCode::kInternal,
                  "an idempotency record keeps no response and this store renders none");
  }
  return render(RedemptionAsCreated(now, created_as));
}

}  // namespace uudai::gateway
