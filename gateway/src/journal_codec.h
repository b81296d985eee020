// JournalCodec: StoreMutation ⇄ one line of JSON, lossless, for the embedded store's journal.
//
// This is a storage format, not the API: short keys, times in epoch milliseconds, every field
// MemoryStore needs to replay. Changing it needs a new "v" and a reader for the old one.
#ifndef UUDAI_GATEWAY_JOURNAL_CODEC_H_
#define UUDAI_GATEWAY_JOURNAL_CODEC_H_

#include <string>
#include <string_view>

#include "uudai/status.h"
#include "uudai/store_mutation.h"

namespace uudai::gateway {

inline constexpr int kJournalFormatVersion = 1;

// One line, without the trailing newline.
std::string EncodeMutation(const StoreMutation& mutation);
Result<StoreMutation> DecodeMutation(std::string_view line);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JOURNAL_CODEC_H_
