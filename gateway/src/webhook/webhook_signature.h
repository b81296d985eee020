// WebhookSignature: the header that lets a receiver check that a webhook came from uudai and
// was not replayed later. Thread-safe: a pure function.
//
// The value is `t=<unix seconds>,v1=<hex>`, where hex is the lowercase hexadecimal
// HMAC-SHA256 of `<unix seconds>.<body>` under the endpoint's secret. A receiver recomputes
// it over the raw body it read (before any JSON parsing), compares in constant time, and
// refuses a timestamp too far from its own clock (a few minutes), which defeats replays.
#ifndef UUDAI_GATEWAY_WEBHOOK_WEBHOOK_SIGNATURE_H_
#define UUDAI_GATEWAY_WEBHOOK_WEBHOOK_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace uudai::gateway {

// The request header carrying WebhookSignature's value.
inline constexpr std::string_view kWebhookSignatureHeader = "Uudai-Signature";

// `t=<unix_seconds>,v1=<lowercase hex of HMAC-SHA256(secret, "<unix_seconds>.<body>")>`.
// unix_seconds is written in decimal, with a '-' when negative. Any secret is accepted,
// the empty one included (refusing weak secrets is the caller's business). Aborts only when
// this OpenSSL has no HMAC-SHA256 at all, since nothing could then be signed.
std::string WebhookSignature(std::string_view secret, std::int64_t unix_seconds,
                             std::string_view body);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_WEBHOOK_WEBHOOK_SIGNATURE_H_
