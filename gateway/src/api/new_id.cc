#include "api/new_id.h"

#include <cstdint>

namespace uudai::gateway {

std::string NewId(RandomSource& random, std::string_view prefix) {
  static constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
  std::uint8_t bytes[10];
  random.Fill(bytes);
  std::string id(prefix);
  id.push_back('_');
  std::uint64_t acc = 0;
  int bits = 0;
  for (std::uint8_t b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      id.push_back(kAlphabet[(acc >> (bits - 5)) & 31U]);
      bits -= 5;
    }
  }
  return id;
}

}  // namespace uudai::gateway
