// FUZZ_CHECK: an invariant of a fuzz target. A failure prints what failed and aborts, which
// libFuzzer and the replay driver (replay_main.cc) both report as a crash of that input. Unlike
// assert(), it is never compiled out.
#ifndef UUDAI_TESTS_FUZZ_FUZZ_CHECK_H_
#define UUDAI_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string>

namespace uudai::fuzz {

[[noreturn]] inline void FailCheck(const char* file, int line, const char* condition,
                                   const std::string& detail) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, condition);
  if (!detail.empty()) std::fprintf(stderr, "  %s\n", detail.c_str());
  std::abort();
}

}  // namespace uudai::fuzz

// FUZZ_CHECK(condition) or FUZZ_CHECK(condition, detail string).
#define FUZZ_CHECK(condition, ...)                                                        \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      ::uudai::fuzz::FailCheck(__FILE__, __LINE__, #condition, std::string{__VA_ARGS__}); \
    }                                                                                     \
  } while (false)

#endif  // UUDAI_TESTS_FUZZ_FUZZ_CHECK_H_
