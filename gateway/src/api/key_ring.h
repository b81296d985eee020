// KeyRing: the API keys from --keys FILE, their roles and merchant scopes.
//
// The file is a JSON array of {"key": "...", "role": "...", "merchant_id": "...",
// "rate_limit": N}; "key" is the key itself or "sha256:<hex>" of it. Only SHA-256 digests are
// kept in memory; a presented key is hashed and its digest compared in constant time.
// Immutable after loading, so thread-safe.
#ifndef UUDAI_GATEWAY_API_KEY_RING_H_
#define UUDAI_GATEWAY_API_KEY_RING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/router.h"
#include "uudai/status.h"

namespace uudai::gateway {

struct ApiKey {
  std::string key_id;  // first 12 hex digits of the digest: safe for logs and scoping
  Role role = Role::kAnalyst;
  std::optional<std::string> merchant_id;  // role merchant only
  std::optional<double> rate_limit;        // requests per second; nullopt = unlimited
  std::string digest;                      // 32 raw bytes of SHA-256(key)
};

class KeyRing {
 public:
  // Parses the keys file's content; every problem is reported with its path ("[2].role").
  static Result<KeyRing> Parse(std::string_view json);
  static Result<KeyRing> Load(const std::string& path);

  // The key presented as a bearer token, or nullptr when unknown.
  const ApiKey* Authenticate(std::string_view presented) const;
  std::size_t size() const { return keys_.size(); }

 private:
  std::vector<ApiKey> keys_;
  std::unordered_map<std::string, std::size_t> by_digest_;
};

// SHA-256 of `data` as 32 raw bytes.
std::string Sha256(std::string_view data);
std::string ToHex(std::string_view bytes);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_KEY_RING_H_
