// Test support for the Redis client: real redis-server processes on loopback (started with
// tests/redis/redis_fixture.sh), an io_context on its own thread, and blocking wrappers
// around RedisConnection's callbacks.
#ifndef UUDAI_TESTS_REDIS_REDIS_TEST_SUPPORT_H_
#define UUDAI_TESTS_REDIS_REDIS_TEST_SUPPORT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "redis/redis_connection.h"
#include "support/shell.h"

namespace uudai::gateway {
// So that gtest prints replies readably in failures.
void PrintTo(const RedisReply& reply, std::ostream* os);
}  // namespace uudai::gateway

namespace uudai::testing {

using namespace std::chrono_literals;

// A redis-server on 127.0.0.1 whose directory holds `port` and `redis.pid`.
class RedisServer {
 public:
  // The CTest fixture's server (UUDAI_TEST_REDIS_DIR); when the variable is unset (the binary
  // run by hand), a private server started on first use and stopped at exit.
  static RedisServer& Shared();
  // A private server with extra redis-server arguments (e.g. --requirepass), stopped by the
  // destructor. Fails the test (ADD_FAILURE) and returns nullptr if it does not start.
  static std::unique_ptr<RedisServer> StartPrivate(const std::vector<std::string>& args);

  RedisServer(std::string dir, bool owned);
  ~RedisServer();

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& userinfo = "", int db = 0) const;

  // redis-cli against this server with `args` (shell words); its stdout, trailing newline
  // removed.
  std::string Cli(const std::string& args) const;
  // SHUTDOWN NOSAVE, waiting until the process has exited.
  void Shutdown();
  // SIGKILL (a crash: nothing is flushed that was not already), waiting until it has exited.
  void Kill();
  // Starts it again on the same port after Shutdown(). Returns false if it did not start.
  bool Restart();
  bool running() const;

 private:
  std::string dir_;
  bool owned_;
  std::uint16_t port_ = 0;
  std::vector<std::string> args_;
};

// A client that sends everything to `inner`: tests derive from it to change one kind of call
// (lose an answer, fail the first commands, ...).
class ForwardingRedisClient : public gateway::RedisClient {
 public:
  explicit ForwardingRedisClient(std::shared_ptr<gateway::RedisClient> inner)
      : inner_(std::move(inner)) {}
  void Start() override { inner_->Start(); }
  void Stop() override { inner_->Stop(); }
  bool connected() const override { return inner_->connected(); }
  std::string last_error() const override { return inner_->last_error(); }
  void Command(std::vector<std::string> argv, Callback done) override {
    inner_->Command(std::move(argv), std::move(done));
  }
  void Call(const gateway::RedisFunction& function, std::vector<std::string> keys,
            std::vector<std::string> args, Callback done) override {
    inner_->Call(function, std::move(keys), std::move(args), std::move(done));
  }

 protected:
  const std::shared_ptr<gateway::RedisClient> inner_;
};

// An io_context run by one thread of its own, stopped and joined by the destructor.
class IoThread {
 public:
  IoThread();
  ~IoThread();
  boost::asio::io_context& io() { return io_; }
  std::thread::id id() const { return thread_.get_id(); }
  // Runs `task` on the io thread and waits for it.
  void Run(const std::function<void()>& task);

 private:
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// Sends `argv` and waits for the callback (at most `wait`; then a kInternal "no answer").
Result<gateway::RedisReply> Call(gateway::RedisClient& connection, std::vector<std::string> argv,
                                 std::chrono::milliseconds wait = 5000ms);
Result<gateway::RedisReply> CallFunction(gateway::RedisClient& connection,
                                         const gateway::RedisFunction& function,
                                         std::vector<std::string> keys,
                                         std::vector<std::string> args);

// `word` single-quoted for the shell.
std::string Quote(const std::string& word);

// Whether process `pid` is alive and not a zombie (a daemonized server's parent is init, which
// may reap it late).
bool ProcessAlive(int pid);

// Polls `condition` every 10 ms until it holds (true) or `timeout` passes (false).
bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// Options for a connection to `url` with test-friendly backoff.
gateway::RedisOptions OptionsFor(const std::string& url);

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_REDIS_REDIS_TEST_SUPPORT_H_
