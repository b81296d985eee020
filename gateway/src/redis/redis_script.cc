#include "redis/redis_script.h"

#include <openssl/sha.h>

namespace uudai::gateway {
namespace {

std::string Sha1Hex(const std::string& data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(std::size_t{2} * SHA_DIGEST_LENGTH);
  for (const unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xf];
  }
  return hex;
}

}  // namespace

RedisScript::RedisScript(std::string source) {
  std::string sha1 = Sha1Hex(source);
  body_ = std::make_shared<const Body>(Body{std::move(source), std::move(sha1)});
}

}  // namespace uudai::gateway
