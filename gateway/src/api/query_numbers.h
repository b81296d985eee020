// Whole numbers in a request's query string (limit=, after=, wait=, ...).
#ifndef UUDAI_GATEWAY_API_QUERY_NUMBERS_H_
#define UUDAI_GATEWAY_API_QUERY_NUMBERS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace uudai::gateway {

// `text` as a decimal whole number of at most `max_digits` digits (no sign, no spaces), or
// nullopt.
std::optional<std::uint64_t> ParseQueryCount(std::string_view text, std::size_t max_digits);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_QUERY_NUMBERS_H_
