// Mutation codec: StoreMutation ⇄ one line of JSON, lossless: a journal record of the embedded
// store, and the `m` field of a Redis change-log entry.
//
// This is a storage format, not the API: short keys, times in epoch milliseconds, every field
// MemoryStore needs to replay. Changing it needs a new "v" and a reader for the old one.
// Version 2 differs in one case only: a created redemption's idempotency record without
// "body", whose response is rendered (IdempotencyRecord); every other line is version 1, so
// that a build that reads version 1 only refuses just the lines it would misread.
#ifndef UUDAI_GATEWAY_STORE_CODEC_MUTATION_CODEC_H_
#define UUDAI_GATEWAY_STORE_CODEC_MUTATION_CODEC_H_

#include <string>
#include <string_view>

#include "uudai/status.h"
#include "uudai/store_mutation.h"

namespace uudai::gateway {

inline constexpr int kMutationFormatVersion = 1;
inline constexpr int kRenderedResponseFormatVersion = 2;

// One line, without the trailing newline.
std::string EncodeMutation(const StoreMutation& mutation);
Result<StoreMutation> DecodeMutation(std::string_view line);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_STORE_CODEC_MUTATION_CODEC_H_
