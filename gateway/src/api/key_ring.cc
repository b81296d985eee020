#include "api/key_ring.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdlib>

#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>

#include "json/field_reader.h"
#include "uudai/text_rules.h"

namespace uudai::gateway {
namespace {

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role r : {Role::kAdmin, Role::kMerchant, Role::kCheckout, Role::kAnalyst}) {
    if (RoleName(r) == text) return r;
  }
  return std::nullopt;
}

}  // namespace

std::string Sha256(std::string_view data) {
  // Fetched once: OpenSSL 3's one-shot SHA256() looks the algorithm up on every call, which
  // costs more than hashing a short key (every request hashes its key and, for redemptions,
  // its body).
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (kSha256 == nullptr ||
      EVP_Digest(data.data(), data.size(), digest, &size, kSha256, nullptr) != 1 ||
      size != SHA256_DIGEST_LENGTH) {
    std::abort();  // no SHA-256 in this OpenSSL: keys could not be checked at all
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

Result<KeyRing> KeyRing::Parse(std::string_view json) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(json, ec);
  if (ec || !value.is_array()) {
    return Status(StatusCode::kValidation, "the keys file must be a JSON array of keys");
  }
  KeyRing ring;
  BodyProblems problems;
  const auto& array = value.get_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string path = "[" + std::to_string(i) + "]";
    if (!array[i].is_object()) {
      problems.invalid.push_back({path, "must be an object"});
      continue;
    }
    FieldReader r(array[i].get_object(), path, problems);
    ApiKey key;
    const auto secret = r.String("key", true);
    if (secret && secret->starts_with("sha256:")) {
      const auto digest = FromHex(secret->substr(7));
      if (!digest || digest->size() != SHA256_DIGEST_LENGTH) {
        r.Invalid("key", "sha256: must be followed by 64 hex digits");
      } else {
        key.digest = *digest;
      }
    } else if (secret) {
      if (secret->size() < 16) r.Invalid("key", "must be at least 16 characters");
      key.digest = Sha256(*secret);
    }
    if (const auto role = r.String("role", true)) {
      if (auto parsed = ParseRole(*role)) {
        key.role = *parsed;
      } else {
        r.Invalid("role", "must be one of admin, merchant, checkout, analyst");
      }
    }
    key.merchant_id = r.String("merchant_id");
    if (key.role == Role::kMerchant && !key.merchant_id) {
      r.Invalid("merchant_id", "is required for role merchant");
    }
    if (key.merchant_id && !IsValidIdentifier(*key.merchant_id)) {
      r.Invalid("merchant_id", "must be a valid identifier");
    }
    if (const auto* limit = array[i].get_object().if_contains("rate_limit");
        limit != nullptr && !limit->is_null()) {
      r.Allow("rate_limit");
      const double rate = limit->is_number() ? limit->to_number<double>() : -1;
      if (!(rate > 0 && rate <= 1e6)) {
        r.Invalid("rate_limit", "must be a number of requests per second above 0");
      } else {
        key.rate_limit = rate;
      }
    }
    r.Finish();
    if (key.digest.empty()) continue;
    key.key_id = ToHex(key.digest).substr(0, 12);
    if (!ring.by_digest_.emplace(key.digest, ring.keys_.size()).second) {
      problems.invalid.push_back({path + ".key", "is listed twice"});
      continue;
    }
    ring.keys_.push_back(std::move(key));
  }
  problems.invalid.insert(problems.invalid.end(), problems.unknown.begin(), problems.unknown.end());
  if (!problems.invalid.empty()) return Status::Invalid(std::move(problems.invalid));
  return ring;
}

Result<KeyRing> KeyRing::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status(StatusCode::kNotFound, "cannot read keys file " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return Parse(content.str());
}

const ApiKey* KeyRing::Authenticate(std::string_view presented) const {
  const std::string digest = Sha256(presented);
  const auto it = by_digest_.find(digest);
  if (it == by_digest_.end()) return nullptr;
  const ApiKey& key = keys_[it->second];
  // The map found it by digest; compare again in constant time so that no early exit of a
  // string comparison can ever depend on secret bytes.
  if (CRYPTO_memcmp(key.digest.data(), digest.data(), digest.size()) != 0) return nullptr;
  return &key;
}

}  // namespace uudai::gateway
