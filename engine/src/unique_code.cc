#include "uudai/unique_code.h"

#include <algorithm>
#include <array>

namespace uudai {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::uint64_t kRandomMask = (std::uint64_t{1} << (5 * kUniqueCodeRandomSymbols)) - 1;

// Symbol value of an (upper-cased) character, with Crockford's forgiving reads; -1 if none.
int SymbolValue(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  switch (c) {
    case 'O':
      return 0;
    case 'I':
    case 'L':
      return 1;
    default:
      break;
  }
  const auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// Weighted sum with odd weights modulo 32: any single changed symbol changes the check.
int CheckValue(const std::array<int, kUniqueCodeRandomSymbols>& values) {
  int sum = 0;
  for (std::size_t i = 0; i < values.size(); ++i) sum += static_cast<int>(2 * i + 1) * values[i];
  return sum % 32;
}

std::string Encode(std::uint64_t bits) {
  std::array<int, kUniqueCodeRandomSymbols> values{};
  std::string code(kUniqueCodeLength, '0');
  for (std::size_t i = 0; i < kUniqueCodeRandomSymbols; ++i) {
    values[i] = static_cast<int>((bits >> (5 * (kUniqueCodeRandomSymbols - 1 - i))) & 31U);
    code[i] = kAlphabet[static_cast<std::size_t>(values[i])];
  }
  code[kUniqueCodeRandomSymbols] = kAlphabet[static_cast<std::size_t>(CheckValue(values))];
  return code;
}

void FillRandomValues(RandomSource& random, std::span<std::uint64_t> out) {
  random.Fill({reinterpret_cast<std::uint8_t*>(out.data()), out.size_bytes()});
  for (auto& v : out) v &= kRandomMask;
}

// True when `values` holds no value twice. O(n log n) on a copy.
bool AllDistinct(const std::vector<std::uint64_t>& values) {
  std::vector<std::uint64_t> sorted(values);
  std::sort(sorted.begin(), sorted.end());
  return std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
}

}  // namespace

std::vector<std::string> GenerateUniqueCodes(RandomSource& random, std::size_t count) {
  // Draw 60-bit values. A repeat is rare (~n²/2^61), so check cheaply and redraw only then;
  // codes keep their draw order, so neighbours in the output say nothing about each other.
  std::vector<std::uint64_t> values(count);
  FillRandomValues(random, values);
  while (!AllDistinct(values)) {
    std::vector<std::uint64_t> sorted(values);
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::uint64_t> kept;
    kept.reserve(count);
    for (std::uint64_t v : values) {
      auto it = std::lower_bound(sorted.begin(), sorted.end(), v);
      if (*it == v && (it + 1 == sorted.end() || *(it + 1) != v)) kept.push_back(v);  // unique
    }
    std::vector<std::uint64_t> more(count - kept.size());
    FillRandomValues(random, more);
    kept.insert(kept.end(), more.begin(), more.end());
    values = std::move(kept);
  }
  std::vector<std::string> codes;
  codes.reserve(count);
  for (std::uint64_t v : values) codes.push_back(Encode(v));
  return codes;
}

std::optional<std::string> CanonicalUniqueCode(std::string_view text) {
  std::array<int, kUniqueCodeRandomSymbols> values{};
  std::string canonical;
  canonical.reserve(kUniqueCodeLength);
  int check = -1;
  for (char c : text) {
    if (c == '-' || c == ' ') continue;
    const int v = SymbolValue(c);
    if (v < 0) return std::nullopt;
    if (canonical.size() < kUniqueCodeRandomSymbols) {
      values[canonical.size()] = v;
    } else if (canonical.size() == kUniqueCodeRandomSymbols) {
      check = v;
    } else {
      return std::nullopt;  // too long
    }
    canonical.push_back(kAlphabet[static_cast<std::size_t>(v)]);
  }
  if (canonical.size() != kUniqueCodeLength || check != CheckValue(values)) return std::nullopt;
  return canonical;
}

}  // namespace uudai
