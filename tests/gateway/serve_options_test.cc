// `uudai serve`'s connection timeouts are options (--idle-timeout, --header-timeout,
// --body-timeout, --redis-timeout, in seconds): they take effect, and values outside
// [0.1, 3600] stop the start with exit code 2. So are its body limits (--body-limit,
// --bulk-body-limit).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api_test_support.h"
#include "serve_process.h"
#include "support/shell.h"

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
 public:
  const std::string& keys_file() const { return keys_file_; }
  // `extra` after the test's own --data-dir.
  std::vector<std::string> Args(std::vector<std::string> extra) {
    extra.insert(extra.begin(), {"--data-dir", data_dir_.path()});
    return extra;
  }
  // `uudai serve` with `option` set to each of `values` stops at once with exit code 2.
  void ExpectEachStopsTheStart(const std::string& option, std::vector<std::string> values) {
    for (const std::string& value : values) {
      ServeProcess serve(UUDAI_BINARY, keys_file_, Args({option, value}));
      const auto status = serve.WaitForExit(std::chrono::milliseconds(5000));
      ASSERT_TRUE(status.has_value()) << option << " " << value << " was accepted";
      ASSERT_TRUE(WIFEXITED(*status)) << option << " " << value;
      EXPECT_EQ(WEXITSTATUS(*status), 2) << option << " " << value;
    }
  }

 protected:
  void SetUp() override { keys_file_ = WriteTestKeysFile(keys_dir_.path()); }

  TempDir keys_dir_;
  TempDir data_dir_;
  std::string keys_file_;
};

// What the server did with one connection that sent `bytes` and then nothing more.
struct Closed {
  std::string received;  // everything the server sent before it closed
  double after = 0;      // seconds from the send to the close
};

// Starts `uudai serve` with one timeout option set to 0.5 s, sends `bytes` on a raw
// connection, and waits for the server to close it (at most 10 s: nullopt).
std::optional<Closed> CloseAfterHalfASecond(ServeOptionsTest& test, const std::string& option,
                                            const std::string& bytes) {
  ServeProcess serve(UUDAI_BINARY, test.keys_file(), test.Args({option, "0.5"}));
  EXPECT_TRUE(serve.WaitUntilHealthy());
  RawConnection connection(serve.port());
  EXPECT_TRUE(connection.connected());
  const auto start = Clock::now();
  connection.Send(bytes);
  auto received = connection.ReadUntilClosed();
  if (!received) return std::nullopt;
  return Closed{std::move(*received), SecondsSince(start)};
}

TEST_F(ServeOptionsTest, HeaderTimeoutClosesASlowLorisConnection) {
  const auto closed = CloseAfterHalfASecond(
      *this, "--header-timeout", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1");
  ASSERT_TRUE(closed) << "still open after 10 s: the 0.5 s timeout was ignored";
  EXPECT_GE(closed->after, 0.45);
  EXPECT_LT(closed->after, 3.0) << "the default header timeout is 10 s";
  EXPECT_EQ(closed->received.find("200 OK"), std::string::npos)
      << "an unfinished request is never answered";
}

TEST_F(ServeOptionsTest, IdleTimeoutClosesAKeepAliveConnectionAfterItsAnswer) {
  const auto closed = CloseAfterHalfASecond(*this, "--idle-timeout",
                                            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  ASSERT_TRUE(closed) << "still open after 10 s: the 0.5 s timeout was ignored";
  EXPECT_EQ(closed->received.rfind("HTTP/1.1 200 OK", 0), 0u) << closed->received;
  EXPECT_GE(closed->after, 0.45);
  EXPECT_LT(closed->after, 3.0) << "the default idle timeout is 60 s";
}

TEST_F(ServeOptionsTest, BodyTimeoutClosesAConnectionWhoseBodyStalls) {
  const auto closed = CloseAfterHalfASecond(
      *this, "--body-timeout",
      std::string("POST /v1/checkout/quote HTTP/1.1\r\nHost: 127.0.0.1\r\n") +
          "Authorization: Bearer " + kCheckoutKey +
          "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"cart\":");
  ASSERT_TRUE(closed) << "still open after 10 s: the 0.5 s timeout was ignored";
  EXPECT_GE(closed->after, 0.45);
  EXPECT_LT(closed->after, 3.0) << "the default body timeout is 30 s";
}

TEST_F(ServeOptionsTest, TimeoutsOutsideTheirRangeStopTheStartWithExitCode2) {
  ExpectEachStopsTheStart("--idle-timeout", {"0", "nan", "soon"});
  ExpectEachStopsTheStart("--header-timeout", {"0.01"});
  ExpectEachStopsTheStart("--body-timeout", {"3601"});
  ExpectEachStopsTheStart("--redis-timeout", {"-1"});
}

TEST_F(ServeOptionsTest, ARedisWaitForReplicasOutOfRangeStopsTheStartWithExitCode2) {
  ExpectEachStopsTheStart("--redis-wait-replicas", {"-1", "17", "two"});
}

TEST_F(ServeOptionsTest, ARedisBucketCountOtherThanTheThreeStopsTheStartWithExitCode2) {
  ExpectEachStopsTheStart("--redis-buckets", {"-1", "1000", "4095", "65535", "2097152", "lots"});
  ServeProcess refused(UUDAI_BINARY, keys_file_, Args({"--redis-buckets", "1000"}));
  ASSERT_TRUE(refused.WaitForExit(std::chrono::milliseconds(5000)).has_value());
  EXPECT_NE(refused.LogTail().find("--redis-buckets must be 4096, 65536 or 1048576, got 1000"),
            std::string::npos)
      << refused.LogTail();
  for (const char* good : {"0", "4096", "65536", "1048576"}) {  // the embedded store ignores it
    ServeProcess serve(UUDAI_BINARY, keys_file_, Args({"--redis-buckets", good}));
    EXPECT_TRUE(serve.WaitUntilHealthy()) << good;
  }
}

TEST_F(ServeOptionsTest, AReservationTtlOutOfRangeStopsTheStartWithExitCode2) {
  ExpectEachStopsTheStart("--reservation-ttl", {"0", "-5", "604801"});
  ServeProcess longest_ttl(UUDAI_BINARY, keys_file_, Args({"--reservation-ttl", "604800"}));
  EXPECT_TRUE(longest_ttl.WaitUntilHealthy()) << "a week is the longest TTL";
}

TEST_F(ServeOptionsTest, AnIdempotencyRetentionOutOfRangeStopsTheStartWithExitCode2) {
  ExpectEachStopsTheStart("--idempotency-retention", {"0", "-1", "2592001"});
  // Shorter than the 24 h default is allowed (with a warning): a bench shows memory after expiry.
  ServeProcess shortest(UUDAI_BINARY, keys_file_, Args({"--idempotency-retention", "1"}));
  EXPECT_TRUE(shortest.WaitUntilHealthy());
}

TEST_F(ServeOptionsTest, ARedisLogBlockOutOfRangeStopsTheStartWithExitCode2) {
  ExpectEachStopsTheStart("--redis-log-block", {"-1", "0.05", "61", "nan"});
  // 0 (no blocking read) and the range's ends are accepted (the embedded store ignores them).
  for (const char* good : {"0", "0.1", "60"}) {
    ServeProcess serve(UUDAI_BINARY, keys_file_, Args({"--redis-log-block", good}));
    EXPECT_TRUE(serve.WaitUntilHealthy()) << good;
  }
}

TEST_F(ServeOptionsTest, JournalZeroedAheadSetsTheZeroedSpaceAndOutOfRangeStopsTheStart) {
  ExpectEachStopsTheStart("--journal-zeroed-ahead", {"-1", "1025", "eight"});
  const std::string journal = data_dir_.path() + "/journal.log";
  // The size of the journal once one offer is written, after `wait`.
  auto size_after_a_write = [&](const char* mib, milliseconds wait) {
    ServeProcess serve(UUDAI_BINARY, keys_file(), Args({"--journal-zeroed-ahead", mib}));
    EXPECT_TRUE(serve.WaitUntilHealthy()) << mib;
    EXPECT_EQ(CallPort(serve.port(), "POST", "/v1/offers", kAdminKey, Json(AlwaysOnOffer())).status,
              201);
    const auto deadline = Clock::now() + wait;
    while (Clock::now() < deadline && std::filesystem::file_size(journal) < (2U << 20)) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    return std::filesystem::file_size(journal);
  };
  // 0: the file is its records alone.
  EXPECT_LT(size_after_a_write("0", milliseconds(300)), 64U << 10);
  // 2 MiB kept ahead (topped up while a whole 1 MiB piece fits): 1 to 2 MiB of zeroes.
  const auto zeroed = size_after_a_write("2", milliseconds(10'000));
  EXPECT_GE(zeroed, 1U << 20);
  EXPECT_LE(zeroed, 3U << 20);
}

// A build with tcmalloc asks the kernel for huge pages for its heap, unless told not to.
TEST_F(ServeOptionsTest, HeapHugePagesOffLeavesNoMappingAdvisedForThem) {
  const std::string version = Shell(std::string(UUDAI_BINARY) + " version");
  if (version.find("malloc: tcmalloc") == std::string::npos) {
    GTEST_SKIP() << "built with the C library's malloc: " << version;
  }
  ExpectEachStopsTheStart("--heap-huge-pages", {"maybe"});
  // The mappings of the process whose VmFlags say MADV_HUGEPAGE ("hg").
  auto advised_mappings = [&](const char* setting) {
    ServeProcess serve(UUDAI_BINARY, keys_file_, Args({"--heap-huge-pages", setting}));
    EXPECT_TRUE(serve.WaitUntilHealthy()) << setting;
    std::ifstream smaps("/proc/" + std::to_string(serve.pid()) + "/smaps");
    int advised = 0;
    for (std::string line; std::getline(smaps, line);) {
      if (line.rfind("VmFlags:", 0) == 0 && (line + " ").find(" hg ") != std::string::npos) {
        ++advised;
      }
    }
    return advised;
  };
  EXPECT_GE(advised_mappings("on"), 1);
  EXPECT_EQ(advised_mappings("off"), 0);
}

// ServeProcess sets --log-level itself, so these run the binary directly.
TEST_F(ServeOptionsTest, AnUnknownLogLevelStopsTheStartWithExitCode2AndOffIsALevel) {
  const std::string serve = std::string(UUDAI_BINARY) + " serve --keys " + keys_file_ +
                            " --listen 127.0.0.1:0 --data-dir " + data_dir_.path();
  const int typo =
      std::system(("timeout 5 " + serve + " --log-level warnig >/dev/null 2>&1").c_str());
  ASSERT_TRUE(WIFEXITED(typo));
  EXPECT_EQ(WEXITSTATUS(typo), 2) << "a misspelt level must not silence the log";
  // "off" runs (silently) until `timeout` stops it: exit 124.
  const int off = std::system(("timeout 1 " + serve + " --log-level off >/dev/null 2>&1").c_str());
  ASSERT_TRUE(WIFEXITED(off));
  EXPECT_EQ(WEXITSTATUS(off), 124) << "--log-level off must be accepted";
}

TEST_F(ServeOptionsTest, TimeoutsAtTheEdgesOfTheirRangeAreAccepted) {
  ServeProcess serve(UUDAI_BINARY, keys_file_,
                     Args({"--idle-timeout", "3600", "--header-timeout", "0.1", "--body-timeout",
                           "3600", "--redis-timeout", "0.1"}));
  EXPECT_TRUE(serve.WaitUntilHealthy());
}

// --body-limit and --bulk-body-limit: a POST to /v1/offers/batch may carry a body up to the
// bulk limit, every other request up to the body limit; by default 32 MiB and 1 MiB.

// A JSON array of one offer padded with trailing spaces to `size` bytes.
std::string PaddedBatch(std::size_t size) {
  std::string body = "[" + SampleOfferJson() + "]";
  body.resize(size, ' ');
  return body;
}

// `body` sent chunked (1,000-byte chunks) to `target`, closing after the answer.
std::string ChunkedPost(const std::string& target, const std::string& body) {
  std::string request = "POST " + target +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kAdminKey +
                        "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                        "Connection: close\r\n\r\n";
  for (std::size_t at = 0; at < body.size(); at += 1000) {
    const std::string piece = body.substr(at, 1000);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    request += size + piece + "\r\n";
  }
  return request + "0\r\n\r\n";
}

TEST_F(ServeOptionsTest, BulkBodyLimitIsAnOption) {
  ServeProcess serve(UUDAI_BINARY, keys_file_,
                     Args({"--body-limit", "1024", "--bulk-body-limit", "4096"}));
  ASSERT_TRUE(serve.WaitUntilHealthy());
  // A batch over the body limit is read, an offer that large is not
  const HttpReply batch =
      CallPort(serve.port(), "POST", "/v1/offers/batch", kAdminKey, PaddedBatch(3000));
  EXPECT_EQ(batch.status, 201) << batch.body;
  std::string offer = SampleOfferJson();
  offer.resize(3000, ' ');
  const HttpReply single = CallPort(serve.port(), "POST", "/v1/offers", kAdminKey, offer);
  EXPECT_EQ(single.status, 413) << single.body;
  EXPECT_NE(single.body.find("bodies are limited to 1024 bytes"), std::string::npos) << single.body;
  // And a batch over 4,096 bytes is not
  RawConnection connection(serve.port());
  ASSERT_TRUE(connection.connected());
  connection.Send(ChunkedPost("/v1/offers/batch", PaddedBatch(5000)));
  const auto received = connection.ReadUntilClosed();
  ASSERT_TRUE(received.has_value()) << "still open after 10 s";
  EXPECT_EQ(received->rfind("HTTP/1.1 413 ", 0), 0U) << *received;
  EXPECT_NE(received->find("bodies are limited to 4096 bytes"), std::string::npos) << *received;
}

TEST_F(ServeOptionsTest, ByDefaultABatchMayBeLargerThanAnOffer) {
  ServeProcess serve(UUDAI_BINARY, keys_file_, Args({}));
  ASSERT_TRUE(serve.WaitUntilHealthy());
  const HttpReply batch =
      CallPort(serve.port(), "POST", "/v1/offers/batch", kAdminKey, PaddedBatch(2 * 1024 * 1024));
  EXPECT_EQ(batch.status, 201) << batch.body.substr(0, 300);
}

}  // namespace
}  // namespace uudai::testing
