// Idempotency records without their first response: when the response is what the gateway
// renders of the redemption as created (RedisStoreOptions::render_response), the record in
// Redis leaves it out ("") and a replay renders it again from the redemption's record, byte
// for byte. Saves ~500 B of Redis memory a redemption for as long as its record is kept.
#ifndef UUDAI_GATEWAY_STORE_REDIS_RENDERED_RESPONSE_H_
#define UUDAI_GATEWAY_STORE_REDIS_RENDERED_RESPONSE_H_

#include <functional>
#include <string>
#include <string_view>

#include "uudai/redemption.h"
#include "uudai/status.h"

namespace uudai::gateway {

using ResponseRenderer = std::function<std::string(const Redemption&)>;

// What an idempotency record keeps of its first response `response`: "" when `render` (if
// set) makes exactly it of redemption `id` as created, read back from its redemption record
// `record` as a replay will read it; else the response itself.
std::string KeptResponse(const ResponseRenderer& render, const std::string& id,
                         std::string_view record, std::string response);

// The first response of a replayed idempotency record that kept `kept`: `kept` itself, or,
// when it is "", rendered again from redemption `id`'s record `record` (as created, whatever
// happened to it since). kInternal when there is nothing to render with or the record is
// malformed.
Result<std::string> FirstResponse(const ResponseRenderer& render, const std::string& id,
                                  std::string_view record, std::string kept);

// The same, from the redemption `now` its record reads back to and the status it was created
// with (DecodeRedemptionRecord's), for a caller that has decoded the record already.
Result<std::string> FirstResponse(const ResponseRenderer& render, const Redemption& now,
                                  RedemptionStatus created_as, std::string kept);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_RENDERED_RESPONSE_H_
