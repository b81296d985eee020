// The access log writes one line per request whatever the request holds (log forging through
// a percent-encoded newline in the path was possible before EscapeForLog).
#include "ops/access_log.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <string>

#include "support/captured_log.h"
#include "test_gateway.h"

namespace uudai::testing {
namespace {

using gateway::AccessLogLine;
using gateway::EscapeForLog;

TEST(AccessLogTest, ControlCharactersAndBackslashAreEscaped) {
  EXPECT_EQ(EscapeForLog(std::string("a\nb\rc\td\x1b[31me\x7f\\f\0g", 18)),
            "a\\x0Ab\\x0Dc\\x09d\\x1B[31me\\x7F\\x5Cf\\x00g");
}

TEST(AccessLogTest, PrintableAsciiAndUtf8AreKeptAsTheyAre) {
  EXPECT_EQ(EscapeForLog("/v1/offers/ưu-đãi-10%?x=1"), "/v1/offers/ưu-đãi-10%?x=1");
  EXPECT_EQ(EscapeForLog(""), "");
}

TEST(AccessLogTest, EscapingIsReversibleBecauseTheBackslashIsEscapedToo) {
  // "\x0A" typed literally by a client must not read like an escaped newline in the log.
  EXPECT_EQ(EscapeForLog("\\x0A"), "\\x5Cx0A");
  EXPECT_NE(EscapeForLog("\\x0A"), EscapeForLog("\n"));
}

TEST(AccessLogTest, LineHoldsIdMethodPathStatusAndMillis) {
  EXPECT_EQ(AccessLogLine("req-1", "POST", "/v1/checkout/quote", 200, 0.4567),
            "req-1 POST /v1/checkout/quote 200 0.457ms");
  EXPECT_EQ(AccessLogLine("req-2", "GET", "/v1/offers/x\ny 201 0.1ms", 404, 1),
            "req-2 GET /v1/offers/x\\x0Ay 201 0.1ms 404 1.000ms");
}

TEST(AccessLogTest, EncodedNewlineInThePathCannotForgeALogLine) {
  CapturedLog log;
  {
    TestGateway gateway;
    spdlog::set_level(spdlog::level::info);  // TestGateway quiets the log to warn
    const auto reply = gateway.Call(
        "GET", "/v1/offers/x%0D%0Aforged-id%20GET%20/v1/admin%20200%200.1ms", kAdminKey);
    EXPECT_EQ(reply.status, 404) << reply.body;
  }
  const std::string text = log.text();
  std::istringstream lines(text);
  std::string line;
  int access_lines = 0;
  while (std::getline(lines, line)) {
    EXPECT_NE(line.rfind("forged-id", 0), 0u) << "a forged line: " << line;
    if (line.find(" GET /v1/offers/") != std::string::npos) {
      ++access_lines;
      EXPECT_NE(line.find("/v1/offers/x\\x0D\\x0Aforged-id GET /v1/admin 200 0.1ms 404 "),
                std::string::npos)
          << line;
    }
  }
  EXPECT_EQ(access_lines, 1) << "captured:\n" << text;
}

}  // namespace
}  // namespace uudai::testing
