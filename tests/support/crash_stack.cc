// Linked into every test binary: a test that crashes (SIGSEGV, SIGBUS, SIGFPE, SIGILL) prints
// its stack to stderr before the signal's default action ends it, so that a crash seen once in
// a CI log can be read there. The binaries link with -rdynamic, so the frames carry function
// names. Left out under AddressSanitizer, whose own report is better.
#include <execinfo.h>
#include <unistd.h>

#include <csignal>
#include <initializer_list>

namespace {

#if !defined(__SANITIZE_ADDRESS__)

void PrintStackAndDie(int signal_number) {
  // Only async-signal-safe calls: backtrace (its first call may allocate; a crash before the
  // first test runs is rare enough to accept that), write, signal, raise.
  void* frames[64];
  const int count = backtrace(frames, 64);
  constexpr char kHeader[] = "\n*** the test crashed; its stack, innermost frame first:\n";
  (void)!write(STDERR_FILENO, kHeader, sizeof kHeader - 1);
  backtrace_symbols_fd(frames, count, STDERR_FILENO);
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

const bool kInstalled = [] {
  void* warm_up[1];
  backtrace(warm_up, 1);  // loads libgcc's unwinder now, not inside the handler
  for (int signal_number : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) {
    std::signal(signal_number, PrintStackAndDie);
  }
  return true;
}();

#endif

}  // namespace
