// Unique voucher codes: generation in bulk, canonical spelling and verification.
//
// A code is 12 random symbols (60 bits) plus one check symbol, written in Crockford's base32
// alphabet "0123456789ABCDEFGHJKMNPQRSTVWXYZ" (no I, L, O, U: nothing to confuse). Reading is
// forgiving: case-insensitive, hyphens and spaces ignored, O read as 0, I and L read as 1. The
// check symbol catches every single-symbol typo before any lookup.
#ifndef UUDAI_UNIQUE_CODE_H_
#define UUDAI_UNIQUE_CODE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uudai {

inline constexpr std::size_t kUniqueCodeRandomSymbols = 12;
inline constexpr std::size_t kUniqueCodeLength = kUniqueCodeRandomSymbols + 1;

// Source of unpredictable bytes. The engine has none of its own: the gateway supplies a
// CSPRNG, tests a seeded generator. Need not be thread-safe; callers serialize.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(std::span<std::uint8_t> out) = 0;
};

// Generates `count` distinct codes. ≈ 100 ns per code.
std::vector<std::string> GenerateUniqueCodes(RandomSource& random, std::size_t count);

// The canonical spelling of a unique code, or nullopt when `text` is not one (wrong length,
// foreign symbol, bad check symbol).
std::optional<std::string> CanonicalUniqueCode(std::string_view text);

}  // namespace uudai

#endif  // UUDAI_UNIQUE_CODE_H_
