#include "api/event_handlers.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "api/query_numbers.h"
#include "api/responses.h"
#include "json/event_json.h"
#include "uudai/text_rules.h"

namespace uudai::gateway {

EventHandlers::EventHandlers(Store& store, CampaignZone zone, RunAfter run_after)
    : store_(store), zone_(zone), run_after_(std::move(run_after)) {}

void EventHandlers::List(const HttpRequest& request, const Caller& caller, Respond& respond) {
  EventQuery query;
  std::vector<FieldError> errors;
  if (auto text = request.Query("after")) {
    if (auto after = ParseQueryCount(*text, 19)) {
      query.after = *after;
    } else {
      errors.push_back({"after", "must be a seq: a whole number from 0"});
    }
  }
  if (auto text = request.Query("limit")) {
    const auto limit = ParseQueryCount(*text, 4);
    if (!limit || *limit < 1 || *limit > 1000) {
      errors.push_back({"limit", "must be from 1 to 1000"});
    } else {
      query.limit = static_cast<std::size_t>(*limit);
    }
  }
  std::uint64_t wait_seconds = 0;
  if (auto text = request.Query("wait")) {
    const auto wait = ParseQueryCount(*text, 2);
    if (!wait || *wait > kMaxWaitSeconds) {
      errors.push_back({"wait", "must be a whole number of seconds from 0 to 30"});
    } else {
      wait_seconds = *wait;
    }
  }
  if (auto merchant = request.Query("merchant_id")) {
    if (!IsValidIdentifier(*merchant)) {
      errors.push_back({"merchant_id", "must be a valid identifier"});
    } else {
      query.merchant_id = std::string(*merchant);
    }
  }
  if (!errors.empty()) return respond(ProblemResponse(InvalidFields(std::move(errors))));
  if (caller.is_merchant()) {
    if (query.merchant_id && *query.merchant_id != *caller.key->merchant_id) {
      return respond(ProblemResponse(Forbidden("a merchant key reads only its own shop's events")));
    }
    query.merchant_id = caller.key->merchant_id;
  }
  Read(std::move(query), std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds),
       std::move(respond));
}

void EventHandlers::Read(EventQuery query, std::chrono::steady_clock::time_point deadline,
                         Respond respond) {
  const std::uint64_t after = query.after;
  store_.ReadEvents(query, [this, query, deadline, after,
                            respond = std::move(respond)](Result<EventPage> result) mutable {
    if (!result.ok()) return respond(StatusResponse(result.status()));
    EventPage& page = result.value();
    if (MissedEvents(query, page) && after > 0) {
      return respond(ProblemResponse(EventsExpired(after, page.oldest_seq)));
    }
    if (page.events.empty() && run_after_ && std::chrono::steady_clock::now() < deadline) {
      // Nothing new yet (or only other shops'): look again from where this read stopped.
      query.after = page.next_after;
      run_after_(kPollInterval, [this, query = std::move(query), deadline,
                                 respond = std::move(respond)]() mutable {
        Read(std::move(query), deadline, std::move(respond));
      });
      return;
    }
    respond(JsonResponse(200, EventPageJsonText(page, zone_)));
  });
}

}  // namespace uudai::gateway
