// Rules for the text the API accepts: names, identifiers and public codes.
#ifndef UUDAI_TEXT_RULES_H_
#define UUDAI_TEXT_RULES_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace uudai {

// Valid UTF-8 (no overlong forms, no surrogates, ≤ U+10FFFF), no control characters, and
// 1..max_chars code points.
bool IsValidText(std::string_view text, std::size_t max_chars);

// Identifiers (merchant, shopper, order, offer ids, skus, categories, funders): 1..128 bytes
// of [A-Za-z0-9] and "-_.:@/".
bool IsValidIdentifier(std::string_view id);
inline constexpr std::size_t kMaxIdentifierLength = 128;

// An offer id a client chooses: 1..64 bytes of [A-Za-z0-9] and "-_.:", the first a letter or a
// digit. It names the offer in a URL path segment (/v1/offers/{id}) and in Redis keys, so it
// holds no "/", no "@", no braces, and is never "." or "..".
bool IsValidOfferId(std::string_view id);
inline constexpr std::size_t kMaxOfferIdLength = 64;

// Public codes: 3..32 symbols of [A-Z0-9_-] once upper-cased. Returns the upper-case form.
std::optional<std::string> CanonicalPublicCode(std::string_view code);

}  // namespace uudai

#endif  // UUDAI_TEXT_RULES_H_
