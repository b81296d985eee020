#include "api/query_numbers.h"

#include <charconv>

namespace uudai::gateway {

std::optional<std::uint64_t> ParseQueryCount(std::string_view text, std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace uudai::gateway
