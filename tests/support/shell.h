// Shell: a shell command's output, for tests that run a program and read what it printed.
#ifndef UUDAI_TESTS_SUPPORT_SHELL_H_
#define UUDAI_TESTS_SUPPORT_SHELL_H_

#include <string>

namespace uudai::testing {

// Runs a shell command; returns its stdout with the trailing newline removed, and its wait
// status in *status when given.
std::string Shell(const std::string& command, int* status = nullptr);

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_SUPPORT_SHELL_H_
