// ViewBootstrap: builds a StoreMirror's view from the store's state in Redis, for a gateway
// that starts after the change log was trimmed (RedisStore keeps only the entries some live
// gateway has not read yet).
//
// The state is read in pages (the store function's `scan`: redemption records in ledger
// order, then offers, then issued codes), each page stamped with the log entry it reflects.
// Pages are read while other gateways write, so the view must not take them as they are: it
// is built as of `start`, the log's end when this gateway registered as a reader (which keeps
// every entry after it from being trimmed). The log between `start` and the last page says
// what changed meanwhile: a redemption created there is left to the log; one transitioned
// there is applied without the transitions that came after `start` (a redemption moves
// through its statuses in one fixed order, so the current record and the number of later
// transitions tell where it stood at `start`). Offers and codes are taken as read: the log
// then replays any later version of an offer over it (an offer is never removed), and issuing
// a code the view already has changes nothing. The mirror then reads the log from `start` as
// usual.
#ifndef UUDAI_GATEWAY_STORE_REDIS_VIEW_BOOTSTRAP_H_
#define UUDAI_GATEWAY_STORE_REDIS_VIEW_BOOTSTRAP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/redis/redis_store_codec.h"
#include "store/redis/store_mirror.h"

namespace uudai::gateway {

struct ViewBootstrapSource {
  // Calls the store function with `args` and returns its reply (blocking).
  std::function<Result<ScriptReply>(std::vector<std::string> args)> call;
  // The log's entries after `after` up to and including `last`, at most `count` (blocking).
  std::function<Result<LogRead>(LogPosition after, LogPosition last, std::size_t count)> read;
};

struct ViewBootstrapResult {
  std::size_t offers = 0;
  std::size_t codes = 0;
  std::size_t redemptions = 0;  // applied from their records
  std::size_t log_entries = 0;  // read between `start` and the last page
};

// Applies the state as of log entry `start` to `mirror` (which must be fresh) and starts it at
// `start`. `page`: items per scan call.
Result<ViewBootstrapResult> BootstrapView(StoreMirror& mirror, std::uint64_t start,
                                          const ViewBootstrapSource& source, std::size_t page);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_REDIS_VIEW_BOOTSTRAP_H_
