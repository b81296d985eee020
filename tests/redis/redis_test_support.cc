#include "redis_test_support.h"

#include <signal.h>

#include <stdio.h>
#include <stdlib.h>

#include <fstream>
#include <future>

#include <gtest/gtest.h>
#include <boost/asio/post.hpp>

namespace uudai::gateway {
void PrintTo(const RedisReply& reply, std::ostream* os) { *os << reply.DebugString(); }
}  // namespace uudai::gateway

namespace uudai::testing {
namespace {

using gateway::RedisConnection;
using gateway::RedisReply;

std::string FixtureCommand(const std::string& verb, const std::string& dir,
                           const std::vector<std::string>& args) {
  std::string command = Quote(UUDAI_REDIS_FIXTURE) + " " + verb + " " + Quote(dir);
  for (const auto& arg : args) command += " " + Quote(arg);
  return command + " 2>&1";
}

std::string MakeTempDir() {
  std::string pattern = "/tmp/uudai-redis-test-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

int ReadPid(const std::string& dir) {
  std::ifstream in(dir + "/redis.pid");
  int pid = 0;
  in >> pid;
  return pid;
}

std::uint16_t ReadPort(const std::string& dir) {
  std::ifstream in(dir + "/port");
  int port = 0;
  in >> port;
  return static_cast<std::uint16_t>(port);
}

}  // namespace

std::string Quote(const std::string& word) {
  std::string out = "'";
  for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool ProcessAlive(int pid) {
  if (pid <= 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

RedisServer& RedisServer::Shared() {
  static RedisServer* const server = [] {
    if (const char* dir = std::getenv("UUDAI_TEST_REDIS_DIR"); dir != nullptr && *dir != '\0') {
      return new RedisServer(dir, /*owned=*/false);
    }
    static std::unique_ptr<RedisServer> own = StartPrivate({});
    return own.get();
  }();
  if (server == nullptr) std::abort();  // could not start redis-server at all
  return *server;
}

std::unique_ptr<RedisServer> RedisServer::StartPrivate(const std::vector<std::string>& args) {
  const std::string dir = MakeTempDir();
  int status = 0;
  const std::string output = Shell(FixtureCommand("start", dir, args), &status);
  if (dir.empty() || status != 0) {
    ADD_FAILURE() << "redis-server did not start in " << dir << ": " << output;
    return nullptr;
  }
  auto server = std::make_unique<RedisServer>(dir, /*owned=*/true);
  server->args_ = args;
  return server;
}

RedisServer::RedisServer(std::string dir, bool owned)
    : dir_(std::move(dir)), owned_(owned), port_(ReadPort(dir_)) {}

RedisServer::~RedisServer() {
  if (owned_) Shell(FixtureCommand("stop", dir_, {}) + "; rm -rf " + Quote(dir_));
}

std::string RedisServer::url(const std::string& userinfo, int db) const {
  return "redis://" + (userinfo.empty() ? std::string() : userinfo + "@") +
         "127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

std::string RedisServer::Cli(const std::string& args) const {
  return Shell("redis-cli --no-auth-warning -h 127.0.0.1 -p " + std::to_string(port_) + " " + args +
               " 2>&1");
}

bool RedisServer::running() const { return ProcessAlive(ReadPid(dir_)); }

void RedisServer::Shutdown() {
  const int pid = ReadPid(dir_);
  Cli("shutdown nosave");
  WaitUntil([pid] { return !ProcessAlive(pid); }, 5000ms);
}

void RedisServer::Kill() {
  const int pid = ReadPid(dir_);
  ::kill(pid, SIGKILL);
  WaitUntil([pid] { return !ProcessAlive(pid); }, 5000ms);
}

bool RedisServer::Restart() {
  int status = 0;
  const std::string output = Shell(FixtureCommand("restart", dir_, args_), &status);
  if (status != 0) {
    // The directory goes with the server: say now why it did not come back.
    ADD_FAILURE() << "redis-server did not restart: " << output << "\nthe end of its log:\n"
                  << Shell("tail -n 20 " + Quote(dir_ + "/redis.log") + " 2>&1");
  }
  return status == 0;
}

IoThread::IoThread() : guard_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}

IoThread::~IoThread() {
  guard_.reset();
  io_.stop();
  thread_.join();
}

void IoThread::Run(const std::function<void()>& task) {
  std::promise<void> done;
  boost::asio::post(io_, [&] {
    task();
    done.set_value();
  });
  done.get_future().wait();
}

namespace {

Result<RedisReply> Await(const std::function<void(RedisConnection::Callback)>& send,
                         std::chrono::milliseconds wait) {
  auto promise = std::make_shared<std::promise<Result<RedisReply>>>();
  auto future = promise->get_future();
  send([promise](Result<RedisReply> reply) { promise->set_value(std::move(reply)); });
  if (future.wait_for(wait) != std::future_status::ready) {
    return Status(StatusCode::kInternal, "test: no answer within the wait");
  }
  return future.get();
}

}  // namespace

Result<RedisReply> Call(gateway::RedisClient& connection, std::vector<std::string> argv,
                        std::chrono::milliseconds wait) {
  return Await(
      [&](RedisConnection::Callback done) { connection.Command(std::move(argv), std::move(done)); },
      wait);
}

Result<RedisReply> CallFunction(gateway::RedisClient& connection,
                                const gateway::RedisFunction& function,
                                std::vector<std::string> keys, std::vector<std::string> args) {
  return Await(
      [&](RedisConnection::Callback done) {
        connection.Call(function, std::move(keys), std::move(args), std::move(done));
      },
      5000ms);
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

gateway::RedisOptions OptionsFor(const std::string& url) {
  gateway::RedisOptions options;
  auto parsed = gateway::ParseRedisUrl(url);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  if (parsed.ok()) options.url = std::move(parsed).value();
  return options;
}

}  // namespace uudai::testing
