// What every API handler takes: the request, who is calling, and where to answer.
#ifndef UUDAI_GATEWAY_API_HANDLER_H_
#define UUDAI_GATEWAY_API_HANDLER_H_

#include <functional>
#include <string>
#include <vector>

#include "api/key_ring.h"
#include "api/router.h"
#include "http/http_message.h"

namespace uudai::gateway {

// What a handler knows about the caller. `key` is nullptr on routes that need no key.
struct Caller {
  const ApiKey* key = nullptr;
  std::vector<std::string> params;  // {param} path segments
  const Route* route = nullptr;

  bool is_merchant() const { return key != nullptr && key->role == Role::kMerchant; }
};

// A route's handler. It answers through `respond` exactly once, on any thread (often the one
// the store completes on); it may move `respond` out.
using Handler = std::function<void(const HttpRequest&, const Caller&, Respond&)>;

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_HANDLER_H_
