// JSON mapping of checkout: quote and redemption requests, quotes and redemptions.
#ifndef UUDAI_GATEWAY_JSON_CHECKOUT_JSON_H_
#define UUDAI_GATEWAY_JSON_CHECKOUT_JSON_H_

#include <optional>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "json/field_reader.h"
#include "uudai/cart.h"
#include "uudai/quote.h"
#include "uudai/redemption.h"

namespace uudai::gateway {

struct QuoteRequest {
  Cart cart;
  std::optional<Timestamp> at;  // preview at another instant
};

struct RedemptionRequest {
  Cart cart;
  std::string order_id;
  bool commit = false;
  std::optional<Money> expected_discount_total;
};

// Read strictly; nullopt with `problems` filled otherwise. ValidateCart still has to run.
std::optional<QuoteRequest> QuoteRequestFromJson(const boost::json::object& body,
                                                 BodyProblems& problems);
std::optional<RedemptionRequest> RedemptionRequestFromJson(const boost::json::object& body,
                                                           BodyProblems& problems);

boost::json::object QuoteToJson(const Quote& quote, const boost::json::storage_ptr& sp = {});
// QuoteToJson serialized (the response body of POST /v1/checkout/quote).
std::string QuoteJsonText(const Quote& quote);
// [{"code","offer_id","reason"}]
boost::json::array RejectedToJson(const std::vector<CodeRejection>& rejected,
                                  const boost::json::storage_ptr& sp = {});
boost::json::object RedemptionToJson(const Redemption& redemption, const CampaignZone& zone,
                                     const boost::json::storage_ptr& sp = {});
// RedemptionToJson serialized (the response body of every redemption endpoint).
std::string RedemptionJsonText(const Redemption& redemption, const CampaignZone& zone);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_CHECKOUT_JSON_H_
