// RedemptionRecord: a redemption as RedisStore keeps it in Redis — one string, written once at
// creation and rewritten by each transition, that the store function reads without a JSON
// parser and that costs a few hundred bytes (redis_store.lua, key `rec`).
//
// Three sections separated by RS (\x1e), fields by US (\x1f):
//   head   status (RedemptionStatus's number), committed_at, released_at, expired_at,
//          refunded_at (epoch ms; "" when not set). The function rewrites it on transitions.
//   plan   expires_at, shopper, local day, merchant, order, then per applied offer: offer id,
//          amount (its discount or cashback: what its budget counts), held unique code (""
//          when none), restores on refund ("1" | "0"). What the function releases limits by.
//   rest   payment method, subtotal, shipping fee, discount total, created_at, status as
//          created (reserved or committed); per applied
//          offer (as in plan): offer version, offer merchant, layer, code mode, code ("" when
//          none), funded by, funder ("" when none), "c" when the amount is a cashback (""
//          for a discount); then per rejected code: code, offer id
//          ("" when none), reason. Read by the gateway only. Free text (rejected codes) is
//          %-escaped, so that no separator appears in it.
// Identifiers (shopper, merchant, order, offer ids, canonical codes) contain no separator: the
// API admits none (letters, digits and a few marks); EncodeRedemptionRecord refuses any that
// does.
#ifndef UUDAI_GATEWAY_STORE_REDIS_REDEMPTION_RECORD_H_
#define UUDAI_GATEWAY_STORE_REDIS_REDEMPTION_RECORD_H_

#include <string>
#include <string_view>
#include <vector>

#include "uudai/campaign_time.h"
#include "uudai/redemption.h"
#include "uudai/status.h"

namespace uudai::gateway {

inline constexpr char kRecordSection = '\x1e';
inline constexpr char kRecordField = '\x1f';

// The fields of `text` between `separator`s (kRecordField, kRecordSection): views into `text`.
std::vector<std::string_view> SplitFields(std::string_view text, char separator);

// `day`: the local day of r.created_at (per-day limits count by it). kInternal when an
// identifier holds a separator.
Result<std::string> EncodeRedemptionRecord(const Redemption& r, LocalDay day);

// The redemption `id` whose record is `record`; kInternal when it is malformed. `created_as`,
// when given, receives the status the redemption was created with.
Result<Redemption> DecodeRedemptionRecord(const std::string& id, std::string_view record,
                                          RedemptionStatus* created_as = nullptr);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_REDEMPTION_RECORD_H_
