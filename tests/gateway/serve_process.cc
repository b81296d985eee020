#include "serve_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <exception>
#include <fstream>
#include <thread>

namespace uudai::testing {

using std::chrono::milliseconds;

std::uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

HttpReply CallPort(std::uint16_t port, const std::string& method, const std::string& target,
                   const char* key, const std::string& body, Headers headers) {
  HttpConnection connection(port);
  if (key != nullptr) headers.emplace_back("Authorization", std::string("Bearer ") + key);
  return connection.Send(method, target, body, headers);
}

namespace {

// Whether some process holds 127.0.0.1:`port` (binding it fails).
bool PortTaken(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool taken = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0;
  ::close(fd);
  return taken;
}

}  // namespace

ServeProcess::ServeProcess(const std::string& binary, const std::string& keys_file,
                           const std::vector<std::string>& extra_args)
    : args_(extra_args), binary_(binary), keys_file_(keys_file), port_(FreePort()) {
  std::string path = "/tmp/uudai-serve-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd >= 0) {
    ::close(fd);
    log_path_ = path;
  }
  Spawn();
}

void ServeProcess::Spawn() {
  exit_status_.reset();
  const std::string listen = "127.0.0.1:" + std::to_string(port_);
  std::vector<std::string> args = {binary_, "serve",     "--keys", keys_file_,    "--listen",
                                   listen,  "--threads", "2",      "--log-level", "warn"};
  args.insert(args.end(), args_.begin(), args_.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const char* log = log_path_.empty() ? "/dev/null" : log_path_.c_str();
  pid_ = ::fork();
  if (pid_ == 0) {  // the child: only async-signal-safe calls until exec
    const int out = ::open(log, O_WRONLY | O_APPEND);
    if (out >= 0) ::dup2(out, STDOUT_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0 && !exit_status_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (!log_path_.empty()) ::unlink(log_path_.c_str());
}

std::string ServeProcess::LogTail(std::size_t lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(std::move(line));
    if (tail.size() > lines) tail.pop_front();
  }
  std::string text;
  for (const std::string& line : tail) text += line + "\n";
  return text;
}

bool ServeProcess::WaitUntilHealthy(milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  int respawns = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (WaitForExit(milliseconds(0))) {
      if (respawns == 2 || !PortTaken(port_)) return false;
      ++respawns;
      port_ = FreePort();
      Spawn();
      continue;
    }
    try {
      if (CallPort(port_, "GET", "/healthz", nullptr).status == 200) return true;
    } catch (const std::exception&) {
      // not listening yet
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

void ServeProcess::Signal(int signal) { ::kill(pid_, signal); }

std::optional<int> ServeProcess::WaitForExit(milliseconds wait) {
  if (exit_status_) return exit_status_;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  do {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ = status;
      return exit_status_;
    }
    std::this_thread::sleep_for(milliseconds(5));
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

}  // namespace uudai::testing
