#include "redis/redis_function.h"

#include <openssl/sha.h>

namespace uudai::gateway {
namespace {

std::string Sha1Hex(std::string_view data) {
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

RedisFunction::RedisFunction(std::string_view name_prefix, std::string_view body) {
  std::string name = std::string(name_prefix) + "_" + Sha1Hex(body).substr(0, 16);
  std::string source = "#!lua name=" + name + "\nlocal NAME = '" + name + "'\n";
  source.append(body);
  std::string read_only_name = name + "_ro";
  library_ = std::make_shared<const Library>(
      Library{std::move(name), std::move(read_only_name), std::move(source)});
}

RedisFunction RedisFunction::ReadOnly() const {
  RedisFunction sibling = *this;
  sibling.read_only_ = true;
  return sibling;
}

}  // namespace uudai::gateway
