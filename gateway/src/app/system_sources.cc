#include "app/system_sources.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace uudai::gateway {
namespace {

void FillFromOpenSsl(std::span<std::uint8_t> out) {
  while (!out.empty()) {
    const std::size_t chunk = std::min<std::size_t>(out.size(), std::numeric_limits<int>::max());
    if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      std::fputs("uudai: the system random generator failed\n", stderr);
      std::abort();
    }
    out = out.subspan(chunk);
  }
}

// Each RAND_bytes call costs a system call (OpenSSL's fork check reads the process id) however
// few bytes it returns, and a redemption id takes 10. So each thread draws a block at a time
// and hands it out in order; a byte handed out is wiped from the block. uudai never forks after
// it starts, so no two processes share a block.
struct RandomBlock {
  static constexpr std::size_t kBytes = 512;
  std::array<std::uint8_t, kBytes> bytes{};
  std::size_t next = kBytes;  // bytes[next..] are not handed out yet
};

}  // namespace

void SecureRandom::Fill(std::span<std::uint8_t> out) {
  if (out.size() > RandomBlock::kBytes) {
    FillFromOpenSsl(out);
    return;
  }
  thread_local RandomBlock block;
  if (RandomBlock::kBytes - block.next < out.size()) {
    FillFromOpenSsl(block.bytes);
    block.next = 0;
  }
  const auto first = block.bytes.begin() + static_cast<std::ptrdiff_t>(block.next);
  const auto last = first + static_cast<std::ptrdiff_t>(out.size());
  std::copy(first, last, out.begin());
  std::fill(first, last, std::uint8_t{0});
  block.next += out.size();
}

}  // namespace uudai::gateway
