// Fuzz target: unique voucher codes (engine/include/uudai/unique_code.h) — reading any text,
// and generating codes from any random bytes.
//
// Invariants:
// - CanonicalUniqueCode never crashes; what it returns is 13 symbols of the alphabet and is
//   its own canonical spelling, also when written in lower case or with hyphens;
// - codes generated from the input's bytes are distinct and each verifies as itself; read with
//   the forgiving spellings (lower case, hyphens, O for 0, I or L for 1) it is still itself;
// - the check symbol rejects every single mistyped symbol (docs/design.md §3: "rejects any single
// mistyped
//   symbol before a lookup"): each of the 13 × 31 one-symbol changes of a code fails.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "uudai/unique_code.h"

namespace uudai::fuzz {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Hands out the fuzz input's bytes, then a splitmix64 stream: GenerateUniqueCodes redraws
// repeated values, which must end, so what follows the input never repeats.
class InputRandomSource final : public RandomSource {
 public:
  InputRandomSource(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  void Fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) {
      if (pos_ < size_) {
        b = data_[pos_++];
        continue;
      }
      if (spare_bits_ == 0) {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        spare_ = z ^ (z >> 31);
        spare_bits_ = 64;
      }
      b = static_cast<std::uint8_t>(spare_);
      spare_ >>= 8;
      spare_bits_ -= 8;
    }
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::uint64_t state_ = 0;
  std::uint64_t spare_ = 0;
  int spare_bits_ = 0;
};

bool IsCanonical(std::string_view code) {
  return code.size() == kUniqueCodeLength && std::all_of(code.begin(), code.end(), [](char c) {
           return kAlphabet.find(c) != std::string_view::npos;
         });
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

void CheckReading(std::string_view text) {
  const auto canonical = CanonicalUniqueCode(text);
  if (!canonical) return;
  FUZZ_CHECK(IsCanonical(*canonical), *canonical);
  FUZZ_CHECK(CanonicalUniqueCode(*canonical) == canonical, *canonical);
  FUZZ_CHECK(CanonicalUniqueCode(Lower(*canonical)) == canonical, *canonical);
  FUZZ_CHECK(CanonicalUniqueCode(canonical->substr(0, 4) + "-" + canonical->substr(4, 4) + "-" +
                                 canonical->substr(8)) == canonical,
             *canonical);
}

void CheckEveryTypoIsCaught(const std::string& code) {
  for (std::size_t i = 0; i < code.size(); ++i) {
    for (char symbol : kAlphabet) {
      if (symbol == code[i]) continue;
      std::string typo = code;
      typo[i] = symbol;
      FUZZ_CHECK(!CanonicalUniqueCode(typo).has_value(), code + " → " + typo + " verifies");
    }
  }
}

void CheckGenerated(const std::string& code) {
  FUZZ_CHECK(IsCanonical(code), code);
  FUZZ_CHECK(CanonicalUniqueCode(code) == code, code);
  // Forgiving spellings of the same code.
  std::string sloppy = Lower(code);
  for (char& c : sloppy) {
    if (c == '0') c = 'o';
    if (c == '1') c = 'l';
  }
  FUZZ_CHECK(CanonicalUniqueCode(" " + sloppy.substr(0, 6) + "-" + sloppy.substr(6)) == code,
             code + " as " + sloppy);
}

}  // namespace
}  // namespace uudai::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace uudai;
  fuzz::CheckReading(std::string_view(reinterpret_cast<const char*>(data), size));
  if (size == 0) return 0;
  // The first byte says how many codes to draw (1..32) from the bytes after it.
  const std::size_t count = 1 + data[0] % 32;
  fuzz::InputRandomSource random(data + 1, size - 1);
  const std::vector<std::string> codes = GenerateUniqueCodes(random, count);
  FUZZ_CHECK(codes.size() == count);
  std::vector<std::string> sorted = codes;
  std::sort(sorted.begin(), sorted.end());
  FUZZ_CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(), "repeated code");
  for (const std::string& code : codes) fuzz::CheckGenerated(code);
  // Every single-symbol change is caught by the check symbol (403 variants: one code is enough
  // per input, and keeps the target fast).
  fuzz::CheckEveryTypoIsCaught(codes.front());
  return 0;
}
