// ServeProcess: the real `uudai serve` binary as a child process on a free loopback port, for
// tests that need separate processes (kill -9, several gateways sharing one Redis).
#ifndef UUDAI_TESTS_GATEWAY_SERVE_PROCESS_H_
#define UUDAI_TESTS_GATEWAY_SERVE_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http_client.h"

namespace uudai::testing {

// A loopback port nobody listens on right now.
std::uint16_t FreePort();

// One request on a fresh connection to 127.0.0.1:port; `key` nullptr sends no Authorization.
HttpReply CallPort(std::uint16_t port, const std::string& method, const std::string& target,
                   const char* key, const std::string& body = "", Headers headers = {});

class ServeProcess {
 public:
  // Runs `binary serve --keys keys_file --listen 127.0.0.1:<free port> --threads 2
  // --log-level warn` plus `extra_args` (e.g. {"--data-dir", dir}). Its log (stdout) goes to a
  // file of its own, removed with it: LogTail.
  ServeProcess(const std::string& binary, const std::string& keys_file,
               const std::vector<std::string>& extra_args);
  // SIGKILLs the child if it still runs.
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  // Waits until GET /healthz answers 200 (false if the child exits first or `wait` passes).
  // A child that exited because another process took its port between FreePort and its
  // listen (an outgoing connection of another test, say) is started again on a new port, at
  // most twice: port() may change.
  bool WaitUntilHealthy(std::chrono::milliseconds wait = std::chrono::milliseconds(10'000));
  void Signal(int signal);
  // The last `lines` lines the child (and any child before it on a respawn) logged: warnings and
  // errors, for a failing test's message.
  std::string LogTail(std::size_t lines = 30) const;
  // The child's wait status once it has exited within `wait`; nullopt while it runs.
  std::optional<int> WaitForExit(std::chrono::milliseconds wait);

 private:
  // Starts the child on port_.
  void Spawn();

  std::vector<std::string> args_;  // after --listen's value
  std::string binary_;
  std::string keys_file_;
  std::uint16_t port_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_GATEWAY_SERVE_PROCESS_H_
