// Server-generated identifiers of offers and redemptions.
#ifndef UUDAI_GATEWAY_API_NEW_ID_H_
#define UUDAI_GATEWAY_API_NEW_ID_H_

#include <string>
#include <string_view>

#include "uudai/unique_code.h"

namespace uudai::gateway {

// `prefix` + "_" + 80 random bits in Crockford base32, lower case: unguessable, URL-safe,
// 16 characters after the prefix. `random` must be thread-safe when shared.
std::string NewId(RandomSource& random, std::string_view prefix);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_NEW_ID_H_
