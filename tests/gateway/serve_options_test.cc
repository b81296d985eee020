// `uudai serve`'s connection timeouts are options (--idle-timeout, --header-timeout,
// --body-timeout, --redis-timeout, in seconds): they take effect, and values outside
// [0.1, 3600] stop the start with exit code 2.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "api_test_support.h"
#include "serve_process.h"

namespace uudai::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

#ifndef UUDAI_BINARY
#error "UUDAI_BINARY must name the uudai executable (see tests/CMakeLists.txt)"
#endif

// A raw loopback connection, to send partial requests and see when the server closes.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    timeval wait{10, 0};  // no test waits longer for the server to act
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
  // Reads until the server closes (returns the bytes) or 10 s pass (nullopt).
  std::optional<std::string> ReadUntilClosed() {
    std::string received;
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n == 0) return received;
      if (n < 0) return errno == ECONNRESET ? std::optional(received) : std::nullopt;
      received.append(buffer, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  bool connected_ = false;
};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class ServeOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override { keys_file_ = WriteTestKeysFile(keys_dir_.path()); }

  std::vector<std::string> Args(std::vector<std::string> extra) {
    extra.insert(extra.begin(), {"--data-dir", data_dir_.path()});
    return extra;
  }

  TempDir keys_dir_;
  TempDir data_dir_;
  std::string keys_file_;
};

TEST_F(ServeOptionsTest, HeaderTimeoutClosesASlowLorisConnection) {
  ServeProcess serve(UUDAI_BINARY, keys_file_, Args({"--header-timeout", "0.5"}));
  ASSERT_TRUE(serve.WaitUntilHealthy());
  RawConnection slow(serve.port());
  ASSERT_TRUE(slow.connected());
  const auto start = Clock::now();
  slow.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1");  // never finished
  const auto received = slow.ReadUntilClosed();
  const double after = SecondsSince(start);

  ASSERT_TRUE(received.has_value()) << "still open after 10 s: the 0.5 s timeout was ignored";
  EXPECT_GE(after, 0.45);
  EXPECT_LT(after, 3.0) << "the default header timeout is 10 s";
  EXPECT_EQ(received->find("200 OK"), std::string::npos)
      << "an unfinished request is never answered";
}

TEST_F(ServeOptionsTest, IdleTimeoutClosesAKeepAliveConnectionAfterItsAnswer) {
  ServeProcess serve(UUDAI_BINARY, keys_file_, Args({"--idle-timeout", "0.5"}));
  ASSERT_TRUE(serve.WaitUntilHealthy());
  RawConnection idle(serve.port());
  ASSERT_TRUE(idle.connected());
  const auto start = Clock::now();
  idle.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const auto received = idle.ReadUntilClosed();
  const double after = SecondsSince(start);

  ASSERT_TRUE(received.has_value()) << "still open after 10 s: the 0.5 s timeout was ignored";
  EXPECT_EQ(received->rfind("HTTP/1.1 200 OK", 0), 0u) << *received;
  EXPECT_GE(after, 0.45);
  EXPECT_LT(after, 3.0) << "the default idle timeout is 60 s";
}

TEST_F(ServeOptionsTest, BodyTimeoutClosesAConnectionWhoseBodyStalls) {
  ServeProcess serve(UUDAI_BINARY, keys_file_, Args({"--body-timeout", "0.5"}));
  ASSERT_TRUE(serve.WaitUntilHealthy());
  RawConnection stalled(serve.port());
  ASSERT_TRUE(stalled.connected());
  const auto start = Clock::now();
  stalled.Send(std::string("POST /v1/checkout/quote HTTP/1.1\r\nHost: 127.0.0.1\r\n") +
               "Authorization: Bearer " + kCheckoutKey +
               "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"cart\":");
  const auto received = stalled.ReadUntilClosed();
  const double after = SecondsSince(start);

  ASSERT_TRUE(received.has_value()) << "still open after 10 s: the 0.5 s timeout was ignored";
  EXPECT_GE(after, 0.45);
  EXPECT_LT(after, 3.0) << "the default body timeout is 30 s";
}

TEST_F(ServeOptionsTest, TimeoutsOutsideTheirRangeStopTheStartWithExitCode2) {
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"--idle-timeout", "0"},
                                             {"--header-timeout", "0.01"},
                                             {"--body-timeout", "3601"},
                                             {"--redis-timeout", "-1"},
                                             {"--idle-timeout", "nan"},
                                             {"--idle-timeout", "soon"}}) {
    ServeProcess serve(UUDAI_BINARY, keys_file_, Args(bad));
    const auto status = serve.WaitForExit(milliseconds(5000));
    ASSERT_TRUE(status.has_value()) << bad[0] << " " << bad[1] << " was accepted";
    ASSERT_TRUE(WIFEXITED(*status)) << bad[0] << " " << bad[1];
    EXPECT_EQ(WEXITSTATUS(*status), 2) << bad[0] << " " << bad[1];
  }
}

TEST_F(ServeOptionsTest, TimeoutsAtTheEdgesOfTheirRangeAreAccepted) {
  ServeProcess serve(UUDAI_BINARY, keys_file_,
                     Args({"--idle-timeout", "3600", "--header-timeout", "0.1", "--body-timeout",
                           "3600", "--redis-timeout", "0.1"}));
  EXPECT_TRUE(serve.WaitUntilHealthy());
}

}  // namespace
}  // namespace uudai::testing
