#include "webhook/webhook_signature.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdlib>
#include <memory>

namespace uudai::gateway {
namespace {

struct MacContextFree {
  void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};

std::string ToLowerHex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

}  // namespace

std::string WebhookSignature(std::string_view secret, std::int64_t unix_seconds,
                             std::string_view body) {
  // Fetched once: looking the algorithm up costs more than signing a small body.
  static EVP_MAC* const kHmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  const std::string timestamp = std::to_string(unix_seconds);

  std::unique_ptr<EVP_MAC_CTX, MacContextFree> context(kHmac == nullptr ? nullptr
                                                                        : EVP_MAC_CTX_new(kHmac));
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  // A null key would mean "keep the previous key", of which there is none: an empty secret
  // is passed as a zero-length key at a valid address.
  static const unsigned char kEmptyKey[1] = {0};
  const auto* key =
      secret.empty() ? kEmptyKey : reinterpret_cast<const unsigned char*>(secret.data());
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t mac_size = 0;
  if (context == nullptr || EVP_MAC_init(context.get(), key, secret.size(), params) != 1 ||
      EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(timestamp.data()),
                     timestamp.size()) != 1 ||
      EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>("."), 1) != 1 ||
      EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(body.data()),
                     body.size()) != 1 ||
      EVP_MAC_final(context.get(), mac, &mac_size, sizeof(mac)) != 1 || mac_size != 32) {
    std::abort();  // no HMAC-SHA256 in this OpenSSL: no webhook could be signed
  }
  return "t=" + timestamp + ",v1=" + ToLowerHex(mac, mac_size);
}

}  // namespace uudai::gateway
