// WebhookClient over plain HTTP against a LoopbackReceiver: what is sent, what the policy
// stops before any connection, and how each kind of answer (or its absence) is reported.
#include "webhook/webhook_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "loopback_receiver.h"
#include "webhook/webhook_signature.h"
#include "webhook_test_support.h"

namespace uudai::testing {
namespace {

using namespace std::chrono_literals;
using gateway::WebhookClient;
using gateway::WebhookClientOptions;
using gateway::WebhookOutcome;
using gateway::WebhookPost;

constexpr char kBody[] = R"({"type":"redemption.created","redemption":"r_42"})";

// Options allowing the receivers on 127.0.0.1 (refused by default: loopback).
WebhookClientOptions LoopbackAllowed() {
  WebhookClientOptions options;
  options.policy = Allowing({"127.0.0.1/32"});
  return options;
}

WebhookPost PostTo(const std::string& url) { return WebhookPost{url, kBody, {}}; }

TEST(WebhookClientTest, DeliversTheBodyAndHeadersToAnAllowedReceiver) {
  LoopbackReceiver receiver;
  const std::string signature = gateway::WebhookSignature("whsec_1", 1718000000, kBody);
  WebhookPost post = PostTo(receiver.Url("/hooks/uudai?shop=7"));
  post.headers = {{std::string(gateway::kWebhookSignatureHeader), signature},
                  {"Uudai-Event", "redemption.created"}};

  const WebhookOutcome outcome = PostAndWait(LoopbackAllowed(), post);

  EXPECT_TRUE(outcome.delivered()) << outcome.error;
  EXPECT_EQ(outcome.status, 200);
  EXPECT_EQ(outcome.error, "");
  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const ReceivedRequest& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/hooks/uudai?shop=7");
  EXPECT_EQ(request.body, kBody);
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  EXPECT_EQ(request.Header("Uudai-Signature"), signature);
  EXPECT_EQ(request.Header("Uudai-Event"), "redemption.created");
  EXPECT_EQ(request.Header("User-Agent"), "uudai-webhooks/1");
  EXPECT_EQ(request.Header("Host"), "127.0.0.1:" + std::to_string(receiver.port()));
  EXPECT_EQ(request.Header("Connection"), "close");
  EXPECT_EQ(request.Header("Content-Length"), std::to_string(std::string(kBody).size()));
}

TEST(WebhookClientTest, RefusesALoopbackAddressWithoutConnecting) {
  LoopbackReceiver receiver;

  const WebhookOutcome outcome = PostAndWait({}, PostTo(receiver.Url()));

  EXPECT_EQ(outcome.error, "refused: 127.0.0.1 is a loopback address");
  EXPECT_EQ(outcome.status, 0);
  EXPECT_FALSE(outcome.delivered());
  EXPECT_EQ(receiver.Connections(), 0);
}

TEST(WebhookClientTest, RefusesANameResolvingToLoopbackWithoutConnecting) {
  LoopbackReceiver receiver;
  const std::string url = "http://localhost:" + std::to_string(receiver.port()) + "/hook";

  const WebhookOutcome outcome = PostAndWait({}, PostTo(url));

  EXPECT_EQ(outcome.error.rfind("refused: localhost resolves to ", 0), 0u) << outcome.error;
  EXPECT_NE(outcome.error.find("a loopback address"), std::string::npos) << outcome.error;
  EXPECT_EQ(receiver.Connections(), 0);
}

TEST(WebhookClientTest, AListedNameReachesTheAddressesItResolvesTo) {
  LoopbackReceiver receiver;  // on 127.0.0.1 only: a ::1 first in the answer is refused
  WebhookClientOptions options;
  options.policy = Allowing({"localhost"});
  const std::string url = "http://localhost:" + std::to_string(receiver.port()) + "/hook";

  const WebhookOutcome outcome = PostAndWait(options, PostTo(url));

  EXPECT_TRUE(outcome.delivered()) << outcome.error;
  ASSERT_EQ(receiver.Requests().size(), 1u);
  EXPECT_EQ(receiver.Requests()[0].Header("Host"), "localhost:" + std::to_string(receiver.port()));
}

TEST(WebhookClientTest, RefusesAnInvalidUrlWithoutConnecting) {
  LoopbackReceiver receiver;
  const std::string url = "ftp://127.0.0.1:" + std::to_string(receiver.port()) + "/hook";

  const WebhookOutcome outcome = PostAndWait(LoopbackAllowed(), PostTo(url));

  EXPECT_EQ(outcome.error, "refused: the scheme must be http or https");
  EXPECT_EQ(receiver.Connections(), 0);
}

TEST(WebhookClientTest, RefusesHeadersThatCouldInjectOthers) {
  LoopbackReceiver receiver;
  WebhookPost injected = PostTo(receiver.Url());
  injected.headers = {{"Uudai-Event", "x\r\nX-Injected: 1"}};
  WebhookPost host = PostTo(receiver.Url());
  host.headers = {{"Host", "internal.example"}};
  WebhookPost name = PostTo(receiver.Url());
  name.headers = {{"Bad Name", "1"}};

  EXPECT_EQ(PostAndWait(LoopbackAllowed(), injected).error,
            "refused: invalid value for header Uudai-Event");
  EXPECT_EQ(PostAndWait(LoopbackAllowed(), host).error,
            "refused: header Host is set by the client");
  EXPECT_EQ(PostAndWait(LoopbackAllowed(), name).error, "refused: invalid header name");
  EXPECT_EQ(receiver.Connections(), 0);
}

TEST(WebhookClientTest, ReportsAServerErrorAsItsStatus) {
  LoopbackReceiver receiver(ReceiverScript::Status(500));

  const WebhookOutcome outcome = PostAndWait(LoopbackAllowed(), PostTo(receiver.Url()));

  EXPECT_EQ(outcome.status, 500);
  EXPECT_EQ(outcome.error, "");
  EXPECT_FALSE(outcome.delivered());
}

TEST(WebhookClientTest, DoesNotFollowARedirect) {
  LoopbackReceiver elsewhere;
  LoopbackReceiver receiver(ReceiverScript::Redirect(302, elsewhere.Url()));

  const WebhookOutcome outcome = PostAndWait(LoopbackAllowed(), PostTo(receiver.Url()));

  EXPECT_EQ(outcome.status, 302);
  EXPECT_EQ(outcome.error, "");
  EXPECT_FALSE(outcome.delivered());
  EXPECT_EQ(receiver.Requests().size(), 1u);
  EXPECT_EQ(elsewhere.Connections(), 0);
}

TEST(WebhookClientTest, GivesUpOnASlowReceiverAtTheTotalTimeout) {
  LoopbackReceiver receiver(ReceiverScript::Delayed(2000ms));
  WebhookClientOptions options = LoopbackAllowed();
  options.total_timeout = 300ms;

  const WebhookOutcome outcome = PostAndWait(options, PostTo(receiver.Url()));

  EXPECT_EQ(outcome.error, "timeout");
  EXPECT_EQ(outcome.status, 0);
  EXPECT_GE(outcome.latency, 300ms);
  EXPECT_LT(outcome.latency, 1500ms);  // well before the receiver's answer
}

TEST(WebhookClientTest, ReportsAConnectionClosedWithoutAnswerAsClosed) {
  LoopbackReceiver receiver(ReceiverScript::CloseWithoutAnswer());

  const WebhookOutcome outcome = PostAndWait(LoopbackAllowed(), PostTo(receiver.Url()));

  EXPECT_EQ(outcome.error, "closed");
  EXPECT_EQ(outcome.status, 0);
  EXPECT_EQ(receiver.Requests().size(), 1u);
}

TEST(WebhookClientTest, ReportsAnAnswerThatIsNotHttpAsBadResponse) {
  LoopbackReceiver receiver(ReceiverScript::Raw("SSH-2.0-OpenSSH_9.2\r\n\r\n"));

  const WebhookOutcome outcome = PostAndWait(LoopbackAllowed(), PostTo(receiver.Url()));

  EXPECT_EQ(outcome.error, "bad_response");
  EXPECT_EQ(outcome.status, 0);
}

TEST(WebhookClientTest, ReportsConnectWhenNothingListens) {
  std::uint16_t port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(
        io, {boost::asio::ip::make_address("127.0.0.1"), 0});  // a port free a moment ago
    port = probe.local_endpoint().port();
  }
  const WebhookOutcome outcome =
      PostAndWait(LoopbackAllowed(), PostTo("http://127.0.0.1:" + std::to_string(port) + "/hook"));

  EXPECT_EQ(outcome.error, "connect");
  EXPECT_EQ(outcome.status, 0);
}

TEST(WebhookClientTest, ReadsAtMostMaxResponseBodyOfALargeBody) {
  LoopbackReceiver receiver(ReceiverScript::Status(200, std::size_t{1024} * 1024));
  WebhookClientOptions options = LoopbackAllowed();
  options.max_response_body = std::size_t{16} * 1024;

  const WebhookOutcome outcome = PostAndWait(options, PostTo(receiver.Url()));

  EXPECT_TRUE(outcome.delivered()) << outcome.error;
  EXPECT_EQ(outcome.body_excerpt.size(), std::size_t{16} * 1024);
  EXPECT_EQ(outcome.body_excerpt, std::string(std::size_t{16} * 1024, 'x'));
}

TEST(WebhookClientTest, KeepsASmallBodyWhole) {
  LoopbackReceiver receiver(ReceiverScript::Status(400, 300));

  const WebhookOutcome outcome = PostAndWait(LoopbackAllowed(), PostTo(receiver.Url()));

  EXPECT_EQ(outcome.status, 400);
  EXPECT_EQ(outcome.body_excerpt, std::string(300, 'x'));
}

TEST(WebhookClientTest, KeepsTheStatusWhenTheBodyIsCutShort) {
  LoopbackReceiver receiver(
      ReceiverScript::Raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"));

  const WebhookOutcome outcome = PostAndWait(LoopbackAllowed(), PostTo(receiver.Url()));

  EXPECT_TRUE(outcome.delivered()) << outcome.error;
  EXPECT_EQ(outcome.body_excerpt, "short");
}

TEST(WebhookClientTest, SkipsInterimResponses) {
  LoopbackReceiver receiver(
      ReceiverScript::Raw("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"));

  const WebhookOutcome outcome = PostAndWait(LoopbackAllowed(), PostTo(receiver.Url()));

  EXPECT_EQ(outcome.status, 204);
  EXPECT_TRUE(outcome.delivered()) << outcome.error;
}

TEST(WebhookClientTest, CompletesPostsInFlightWhenTheClientIsDestroyed) {
  LoopbackReceiver receiver;
  boost::asio::io_context io;
  std::promise<WebhookOutcome> outcome;
  {
    WebhookClient client(io.get_executor(), LoopbackAllowed());
    client.Post(PostTo(receiver.Url()), [&](const WebhookOutcome& o) { outcome.set_value(o); });
  }
  std::thread runner([&io] { io.run(); });
  auto future = outcome.get_future();
  ASSERT_EQ(future.wait_for(30s), std::future_status::ready);
  runner.join();

  EXPECT_TRUE(future.get().delivered());
}

TEST(WebhookClientTest, DeliversConcurrentPostsOnAMultiThreadedContext) {
  LoopbackReceiver receiver;
  boost::asio::io_context io(2);
  WebhookClient client(io.get_executor(), LoopbackAllowed());
  constexpr int kPosts = 8;
  std::atomic<int> delivered{0};
  std::atomic<int> calls{0};
  for (int i = 0; i < kPosts; ++i) {
    client.Post(PostTo(receiver.Url("/hook/" + std::to_string(i))), [&](const WebhookOutcome& o) {
      if (o.delivered()) delivered.fetch_add(1);
      calls.fetch_add(1);
    });
  }
  std::thread second([&io] { io.run(); });
  io.run();
  second.join();

  EXPECT_EQ(calls.load(), kPosts);
  EXPECT_EQ(delivered.load(), kPosts);
  EXPECT_EQ(receiver.Requests().size(), static_cast<std::size_t>(kPosts));
}

}  // namespace
}  // namespace uudai::testing
