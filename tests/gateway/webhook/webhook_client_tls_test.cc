// WebhookClient over HTTPS against a LoopbackReceiver with a certificate from a CA made at
// run time: the certificate must chain to a trusted CA and name the host, and names go out
// as SNI.
#include "webhook/webhook_client.h"

#include <gtest/gtest.h>

#include <memory>

#include <boost/asio/io_context.hpp>

#include "loopback_receiver.h"
#include "test_certificates.h"
#include "webhook_test_support.h"

namespace uudai::testing {
namespace {

using gateway::WebhookClient;
using gateway::WebhookClientOptions;
using gateway::WebhookOutcome;
using gateway::WebhookPost;

class WebhookClientTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    authority_ = new TestCertificateAuthority();
    authority_file_ = new TempFile(authority_->certificate_pem());
  }
  static void TearDownTestSuite() {
    delete authority_file_;
    delete authority_;
  }

  // Trusts the test CA; allows 127.0.0.1 and the name localhost.
  static WebhookClientOptions TrustingOptions() {
    WebhookClientOptions options;
    options.policy = Allowing({"127.0.0.1/32", "localhost"});
    options.extra_ca_file = authority_file_->path();
    return options;
  }

  static TestCertificate LoopbackCertificate() {
    return authority_->SignServerCertificate({"localhost"}, {"127.0.0.1"});
  }

  static WebhookPost PostTo(const std::string& url) { return WebhookPost{url, "{}", {}}; }

  static std::string LocalhostUrl(const LoopbackReceiver& receiver) {
    return "https://localhost:" + std::to_string(receiver.port()) + "/hook";
  }

  static inline TestCertificateAuthority* authority_ = nullptr;
  static inline TempFile* authority_file_ = nullptr;
};

TEST_F(WebhookClientTlsTest, DeliversToACertificateForTheAddress) {
  LoopbackReceiver receiver({}, LoopbackCertificate());

  const WebhookOutcome outcome = PostAndWait(TrustingOptions(), PostTo(receiver.Url()));

  EXPECT_TRUE(outcome.delivered()) << outcome.error;
  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body, "{}");
  EXPECT_EQ(requests[0].server_name, "");  // no SNI for an address (RFC 6066)
}

TEST_F(WebhookClientTlsTest, DeliversToACertificateForTheNameAndSendsItAsSni) {
  LoopbackReceiver receiver({}, LoopbackCertificate());

  const WebhookOutcome outcome = PostAndWait(TrustingOptions(), PostTo(LocalhostUrl(receiver)));

  EXPECT_TRUE(outcome.delivered()) << outcome.error;
  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].server_name, "localhost");
}

TEST_F(WebhookClientTlsTest, RefusesACertificateFromAnUntrustedAuthority) {
  LoopbackReceiver receiver({}, LoopbackCertificate());
  WebhookClientOptions options = TrustingOptions();
  options.extra_ca_file.clear();  // the system's trust store only

  const WebhookOutcome outcome = PostAndWait(options, PostTo(receiver.Url()));

  EXPECT_EQ(outcome.error, "tls");
  EXPECT_EQ(outcome.status, 0);
  EXPECT_TRUE(receiver.Requests().empty());
}

TEST_F(WebhookClientTlsTest, RefusesACertificateForAnotherName) {
  LoopbackReceiver receiver({},
                            authority_->SignServerCertificate({"hooks.example.com"}, {"10.9.9.9"}));

  const WebhookOutcome by_address = PostAndWait(TrustingOptions(), PostTo(receiver.Url()));
  const WebhookOutcome by_name = PostAndWait(TrustingOptions(), PostTo(LocalhostUrl(receiver)));

  EXPECT_EQ(by_address.error, "tls");
  EXPECT_EQ(by_name.error, "tls");
  EXPECT_TRUE(receiver.Requests().empty());
}

TEST_F(WebhookClientTlsTest, ReportsAServerThatDoesNotSpeakTlsAsTls) {
  LoopbackReceiver plain;
  const std::string url = "https://127.0.0.1:" + std::to_string(plain.port()) + "/hook";

  EXPECT_EQ(PostAndWait(TrustingOptions(), PostTo(url)).error, "tls");
}

TEST_F(WebhookClientTlsTest, AnUnreadableCaFileFailsHttpsPostsOnly) {
  LoopbackReceiver secure({}, LoopbackCertificate());
  LoopbackReceiver plain;
  WebhookClientOptions options = TrustingOptions();
  options.extra_ca_file = ::testing::TempDir() + "no-such-ca.pem";
  boost::asio::io_context io;

  const WebhookClient client(io.get_executor(), options);
  EXPECT_NE(client.TlsSetupError(), std::nullopt);
  EXPECT_NE(client.TlsSetupError()->find("no-such-ca.pem"), std::string::npos);

  EXPECT_EQ(PostAndWait(options, PostTo(secure.Url())).error, "tls");
  EXPECT_TRUE(PostAndWait(options, PostTo(plain.Url())).delivered());
  EXPECT_EQ(secure.Connections(), 0);
}

}  // namespace
}  // namespace uudai::testing
