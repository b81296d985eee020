// WebhookSignature: `t=<seconds>,v1=<hex HMAC-SHA256 of "<seconds>.<body>">`, checked against
// Python's hmac module (written apart from this code: the message layout, the key handling and
// the hex are what is compared; the oracle is itself checked on an RFC 4231 vector) and a
// fixed known answer.
#include "webhook/webhook_signature.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/shell.h"
#include "test_certificates.h"

namespace uudai::testing {
namespace {

using gateway::kWebhookSignatureHeader;
using gateway::WebhookSignature;

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// HMAC-SHA256(key, message) in lowercase hex for each (key, message), computed by one python3
// process (Debian's when present: it starts faster than a shim on PATH); nullopt when python3
// cannot be run. The inputs go through a file, hex-encoded: a command line is too short.
std::optional<std::vector<std::string>> PythonHmacSha256(
    const std::vector<std::pair<std::string, std::string>>& inputs) {
  std::string lines;
  for (const auto& [key, message] : inputs) lines += Hex(key) + " " + Hex(message) + "\n";
  const TempFile input(lines);
  const std::string python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
  const std::string command =
      python +
      " -c 'import hashlib, hmac, sys\n"
      "for line in open(sys.argv[1]):\n"
      "    key, message = (bytes.fromhex(part) for part in line.split(\" \"))\n"
      "    print(hmac.new(key, message, hashlib.sha256).hexdigest())' '" +
      input.path() + "' 2>/dev/null";
  int status = -1;  // stays so when the command cannot be started
  const std::string printed = Shell(command, &status);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < printed.size()) {
    const std::size_t end = std::min(printed.find('\n', start), printed.size());
    out.push_back(printed.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

TEST(WebhookSignatureTest, HeaderNameIsUudaiSignature) {
  EXPECT_EQ(kWebhookSignatureHeader, "Uudai-Signature");
}

TEST(WebhookSignatureTest, MatchesAKnownAnswer) {
  EXPECT_EQ(
      WebhookSignature("whsec_test", 1700000000, R"({"event":"redemption.created","id":"r_1"})"),
      "t=1700000000,v1=bc232225109ab2b59077708882741da6ddc1dfb4a0d21dfaa574bddeded09c2b");
}

TEST(WebhookSignatureTest, IsTimestampThenLowercaseHexOfSha256) {
  const std::string signature = WebhookSignature("secret", 42, "{}");

  ASSERT_EQ(signature.rfind("t=42,v1=", 0), 0u) << signature;
  const std::string hex = signature.substr(8);
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << hex;
}

TEST(WebhookSignatureTest, AgreesWithPythonHmac) {
  struct Case {
    std::string secret;
    std::int64_t seconds;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"whsec_5f2a9c", 1718000000, R"({"type":"offer.exhausted","offer":"summer"})"},
      {"", 1700000000, "{}"},                                               // empty secret
      {"k", 0, ""},                                                         // empty body
      {"k", -1, "before the epoch"},                                        // negative
      {std::string("\0\xff\x01key", 5), 1, std::string("\0bin\xfe\n", 6)},  // any bytes
      {std::string(200, 's'), 1718000000, "a secret longer than SHA-256's block"},
      {"k", 4102444800, std::string(std::size_t{300} * 1024, 'b')},  // a large body
  };
  // The oracle is checked on RFC 4231's test case 2 first.
  std::vector<std::pair<std::string, std::string>> inputs = {
      {"Jefe", "what do ya want for nothing?"}};
  for (const Case& c : cases)
    inputs.emplace_back(c.secret, std::to_string(c.seconds) + "." + c.body);

  const auto expected = PythonHmacSha256(inputs);

  if (!expected) GTEST_SKIP() << "python3 cannot be run";
  ASSERT_EQ(expected->size(), inputs.size());
  ASSERT_EQ(expected->front(), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    EXPECT_EQ(WebhookSignature(c.secret, c.seconds, c.body),
              "t=" + std::to_string(c.seconds) + ",v1=" + (*expected)[i + 1])
        << "secret of " << c.secret.size() << " bytes, body of " << c.body.size() << " bytes";
  }
}

TEST(WebhookSignatureTest, ChangesWithTheSecretTheTimeAndTheBody) {
  const std::string base = WebhookSignature("secret", 1700000000, "{}");

  EXPECT_NE(WebhookSignature("secreT", 1700000000, "{}"), base);
  EXPECT_NE(WebhookSignature("secret", 1700000001, "{}"), base);
  EXPECT_NE(WebhookSignature("secret", 1700000000, "{ }"), base);
}

}  // namespace
}  // namespace uudai::testing
