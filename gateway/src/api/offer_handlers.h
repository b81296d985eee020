// /v1/offers: register, list, read and patch offers, and issue an offer's unique codes.
#ifndef UUDAI_GATEWAY_API_OFFER_HANDLERS_H_
#define UUDAI_GATEWAY_API_OFFER_HANDLERS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "api/handler.h"
#include "uudai/campaign_time.h"
#include "uudai/clock.h"
#include "uudai/store.h"
#include "uudai/unique_code.h"

namespace uudai::gateway {

class OfferHandlers {
 public:
  // `random` (ids and codes) must be thread-safe.
  OfferHandlers(Store& store, const Clock& clock, RandomSource& random, CampaignZone zone,
                std::size_t max_codes_per_request);

  void Create(const HttpRequest& request, const Caller& caller, Respond& respond);  // POST
  void List(const HttpRequest& request, const Caller& caller, Respond& respond);    // GET
  void Get(const HttpRequest& request, const Caller& caller, Respond& respond);     // GET {id}
  void Patch(const HttpRequest& request, const Caller& caller, Respond& respond);   // PATCH {id}
  // GET {id}/history?after_version=&limit=
  void History(const HttpRequest& request, const Caller& caller, Respond& respond);
  // POST /v1/offers/{id}/codes
  void IssueCodes(const HttpRequest& request, const Caller& caller, Respond& respond);

 private:
  // One attempt of a PATCH; without If-Match, merged again onto the newer version while
  // another writer moved it and attempts are left (then 409 version_conflict).
  void PatchWithRetry(std::string id, boost::json::object patch,
                      std::optional<std::int64_t> if_match, Caller caller, int attempts_left,
                      Respond respond);
  // The attempt once the offer it patches, `current`, is found and may be changed.
  void PatchOnto(std::shared_ptr<const Offer> current, std::string id, boost::json::object patch,
                 std::optional<std::int64_t> if_match, Caller caller, int attempts_left,
                 Respond respond);
  // Issues `count` codes for `offer`, which the caller may change.
  void IssueCodesFor(const Offer& offer, std::int64_t count, Respond respond);

  Store& store_;
  const Clock& clock_;
  RandomSource& random_;
  CampaignZone zone_;
  std::size_t max_codes_per_request_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_OFFER_HANDLERS_H_
