// An offer as the store's lines hold it: inside a mutation line (mutation_codec.h) and inside
// an event carried with it. Short keys, times in epoch milliseconds; a key added later is
// written only when it says something ("tags", "fo", "hot", "dx", "by"), so that older lines
// read the same.
#ifndef UUDAI_GATEWAY_STORE_CODEC_OFFER_CODEC_H_
#define UUDAI_GATEWAY_STORE_CODEC_OFFER_CODEC_H_

#include <boost/json/fwd.hpp>

#include "uudai/offer.h"

namespace uudai::gateway {

boost::json::object EncodeOffer(const Offer& offer);
// Throws std::exception on any shape problem (the caller turns it into a Status).
Offer DecodeOffer(const boost::json::object& fields);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_CODEC_OFFER_CODEC_H_
