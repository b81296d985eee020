// /v1/events: the store's events in seq order, long-polled.
#ifndef UUDAI_GATEWAY_API_EVENT_HANDLERS_H_
#define UUDAI_GATEWAY_API_EVENT_HANDLERS_H_

#include <chrono>
#include <functional>

#include "api/handler.h"
#include "uudai/campaign_time.h"
#include "uudai/store.h"

namespace uudai::gateway {

// Runs a function once, after a delay, on any thread (the gateway: an Asio timer).
using RunAfter = std::function<void(std::chrono::milliseconds, std::function<void()>)>;

class EventHandlers {
 public:
  // The longest `wait` a request may ask for, and how often a waiting request reads again.
  static constexpr int kMaxWaitSeconds = 30;
  static constexpr std::chrono::milliseconds kPollInterval{100};

  // Without `run_after`, `wait` is accepted and not waited for.
  EventHandlers(Store& store, CampaignZone zone, RunAfter run_after);

  // GET /v1/events?after=&limit=&wait=&merchant_id=
  void List(const HttpRequest& request, const Caller& caller, Respond& respond);

 private:
  // Reads a page; while it is empty and `deadline` is ahead, reads again every kPollInterval.
  void Read(EventQuery query, std::chrono::steady_clock::time_point deadline, Respond respond);

  Store& store_;
  CampaignZone zone_;
  RunAfter run_after_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_EVENT_HANDLERS_H_
