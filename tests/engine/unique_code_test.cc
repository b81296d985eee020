// Unique voucher codes: bulk generation, canonical spelling and the check symbol.
#include "uudai/unique_code.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace uudai {
namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Seeded, reproducible bytes: the tests' stand-in for the gateway's CSPRNG.
class SeededRandomSource : public RandomSource {
 public:
  explicit SeededRandomSource(std::uint64_t seed) : engine_(seed) {}

  void Fill(std::span<std::uint8_t> out) override {
    ++fill_calls_;
    std::size_t i = 0;
    while (i < out.size()) {
      const std::uint64_t word = engine_();
      const std::size_t n = std::min<std::size_t>(sizeof word, out.size() - i);
      std::memcpy(out.data() + i, &word, n);
      i += n;
    }
  }

  int fill_calls() const { return fill_calls_; }

 private:
  std::mt19937_64 engine_;
  int fill_calls_ = 0;
};

// Returns the same 8 bytes over and over: every draw collides with every other.
class RepeatingRandomSource : public RandomSource {
 public:
  explicit RepeatingRandomSource(std::uint64_t word) : word_(word) {}
  void Fill(std::span<std::uint8_t> out) override {
    for (std::size_t i = 0; i < out.size(); i += sizeof word_) {
      std::memcpy(out.data() + i, &word_, std::min(sizeof word_, out.size() - i));
    }
  }

 private:
  std::uint64_t word_;
};

// Repeats one word on its first fill, then behaves like a seeded source.
class RepeatsFirstRandomSource : public RandomSource {
 public:
  RepeatsFirstRandomSource() : repeating_(42), seeded_(7) {}
  void Fill(std::span<std::uint8_t> out) override {
    if (fills_++ == 0) {
      repeating_.Fill(out);
    } else {
      seeded_.Fill(out);
    }
  }
  int fills() const { return fills_; }

 private:
  RepeatingRandomSource repeating_;
  SeededRandomSource seeded_;
  int fills_ = 0;
};

// The 60-bit value whose symbols are 0,1,2,...,9,A,B; its check symbol is P.
constexpr std::uint64_t kSequenceValue = 0x443214c74254b;
constexpr std::string_view kSequenceCode = "0123456789ABP";

TEST(UniqueCodeTest, GeneratesTheRequestedNumberOfDistinctCodes) {
  SeededRandomSource random(20261010);
  const std::vector<std::string> codes = GenerateUniqueCodes(random, 10'000);
  ASSERT_EQ(codes.size(), 10'000u);
  const std::set<std::string> distinct(codes.begin(), codes.end());
  EXPECT_EQ(distinct.size(), 10'000u);
}

TEST(UniqueCodeTest, GeneratedCodesHaveThirteenSymbols) {
  SeededRandomSource random(1);
  for (const std::string& code : GenerateUniqueCodes(random, 10'000)) {
    ASSERT_EQ(code.size(), kUniqueCodeLength) << code;
  }
  EXPECT_EQ(kUniqueCodeLength, 13u);
}

TEST(UniqueCodeTest, GeneratedCodesUseOnlyCrockfordSymbols) {
  SeededRandomSource random(2);
  for (const std::string& code : GenerateUniqueCodes(random, 10'000)) {
    for (char c : code) {
      ASSERT_NE(kCrockford.find(c), std::string_view::npos) << code;
      ASSERT_TRUE(c != 'I' && c != 'L' && c != 'O' && c != 'U') << code;
    }
  }
}

TEST(UniqueCodeTest, GeneratedCodesAreTheirOwnCanonicalForm) {
  SeededRandomSource random(3);
  for (const std::string& code : GenerateUniqueCodes(random, 1'000)) {
    ASSERT_EQ(CanonicalUniqueCode(code), code);
  }
}

TEST(UniqueCodeTest, GeneratingZeroCodesGivesNone) {
  SeededRandomSource random(4);
  EXPECT_TRUE(GenerateUniqueCodes(random, 0).empty());
}

TEST(UniqueCodeTest, EncodesSixtyRandomBitsAndAppendsTheCheckSymbol) {
  // The top four bits of the drawn word are not used.
  RepeatingRandomSource random(kSequenceValue | (std::uint64_t{0xF} << 60));
  EXPECT_EQ(GenerateUniqueCodes(random, 1), std::vector<std::string>{std::string(kSequenceCode)});
}

TEST(UniqueCodeTest, DifferentSeedsGiveDifferentCodes) {
  SeededRandomSource a(5);
  SeededRandomSource b(6);
  EXPECT_NE(GenerateUniqueCodes(a, 10), GenerateUniqueCodes(b, 10));
}

TEST(UniqueCodeTest, RepeatedRandomBytesAreRedrawnUntilDistinct) {
  // Given a source whose whole first fill is one repeated word
  RepeatsFirstRandomSource random;
  // When generating
  const std::vector<std::string> codes = GenerateUniqueCodes(random, 1'000);
  // Then every collision was redrawn from later fills
  EXPECT_GE(random.fills(), 2);
  ASSERT_EQ(codes.size(), 1'000u);
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), 1'000u);
  for (const std::string& code : codes) ASSERT_EQ(CanonicalUniqueCode(code), code);
}

TEST(UniqueCodeTest, CanonicalFormAcceptsAValidCode) {
  EXPECT_EQ(CanonicalUniqueCode(kSequenceCode), std::string(kSequenceCode));
}

TEST(UniqueCodeTest, CanonicalFormUpperCases) {
  EXPECT_EQ(CanonicalUniqueCode("0123456789abp"), std::string(kSequenceCode));
}

TEST(UniqueCodeTest, CanonicalFormIgnoresHyphensAndSpaces) {
  EXPECT_EQ(CanonicalUniqueCode("0123-4567-89AB-P"), std::string(kSequenceCode));
  EXPECT_EQ(CanonicalUniqueCode("0123 4567 89AB P"), std::string(kSequenceCode));
}

TEST(UniqueCodeTest, CanonicalFormReadsOAsZero) {
  EXPECT_EQ(CanonicalUniqueCode("O123456789ABP"), std::string(kSequenceCode));
  EXPECT_EQ(CanonicalUniqueCode("o123456789ABP"), std::string(kSequenceCode));
}

TEST(UniqueCodeTest, CanonicalFormReadsIAndLAsOne) {
  EXPECT_EQ(CanonicalUniqueCode("0I23456789ABP"), std::string(kSequenceCode));
  EXPECT_EQ(CanonicalUniqueCode("0L23456789ABP"), std::string(kSequenceCode));
  EXPECT_EQ(CanonicalUniqueCode("0i23456789ABP"), std::string(kSequenceCode));
  EXPECT_EQ(CanonicalUniqueCode("0l23456789ABP"), std::string(kSequenceCode));
}

TEST(UniqueCodeTest, CanonicalFormRejectsU) {
  EXPECT_FALSE(CanonicalUniqueCode("U123456789ABP").has_value());
}

TEST(UniqueCodeTest, CanonicalFormRejectsForeignCharacters) {
  EXPECT_FALSE(CanonicalUniqueCode("0123456789AB*").has_value());
  EXPECT_FALSE(CanonicalUniqueCode("0123_456789ABP").has_value());
}

TEST(UniqueCodeTest, CanonicalFormRejectsWrongLength) {
  EXPECT_FALSE(CanonicalUniqueCode("0123456789AB").has_value());
  EXPECT_FALSE(CanonicalUniqueCode("0123456789ABP0").has_value());
  EXPECT_FALSE(CanonicalUniqueCode("").has_value());
  EXPECT_FALSE(CanonicalUniqueCode("----").has_value());
}

TEST(UniqueCodeTest, CheckSymbolRejectsEverySingleSymbolSubstitution) {
  // Given valid codes, including the check symbol position
  SeededRandomSource random(8);
  std::vector<std::string> codes = GenerateUniqueCodes(random, 200);
  codes.emplace_back(kSequenceCode);
  for (const std::string& code : codes) {
    for (std::size_t pos = 0; pos < code.size(); ++pos) {
      for (char symbol : kCrockford) {
        if (symbol == code[pos]) continue;
        // When one symbol is changed, then the code is no longer valid
        std::string typo = code;
        typo[pos] = symbol;
        ASSERT_FALSE(CanonicalUniqueCode(typo).has_value()) << code << " -> " << typo;
      }
    }
  }
}

}  // namespace
}  // namespace uudai
