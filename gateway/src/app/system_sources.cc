#include "app/system_sources.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <limits>

namespace uudai::gateway {

void SecureRandom::Fill(std::span<std::uint8_t> out) {
  while (!out.empty()) {
    const std::size_t chunk = std::min<std::size_t>(out.size(), std::numeric_limits<int>::max());
    if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      std::fputs("uudai: the system random generator failed\n", stderr);
      std::abort();
    }
    out = out.subspan(chunk);
  }
}

}  // namespace uudai::gateway
