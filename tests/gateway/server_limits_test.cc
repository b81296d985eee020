// The HTTP server's defences and lifecycle (gateway/src/http/http_server.h): body and header
// limits, ambiguous framing, slow clients, idle keep-alive connections, the connection cap,
// keep-alive and pipelining, and a graceful Stop().
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

std::string QuoteRequestHead(std::size_t content_length, const std::string& extra = "") {
  return "POST /v1/checkout/quote HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
         std::string(kCheckoutKey) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(content_length) +
         "\r\n" + extra + "\r\n";
}

bool HasProblemContentType(const std::string& raw) {
  return raw.find("\r\nContent-Type: application/problem+json\r\n") != std::string::npos;
}

// A quote request with these framing headers (Transfer-Encoding, Content-Length) and these
// body bytes, sent as they are.
std::string QuoteRequestFramedBy(const std::string& framing_headers, const std::string& body) {
  return "POST /v1/checkout/quote HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
         std::string(kCheckoutKey) + "\r\nContent-Type: application/json\r\n" + framing_headers +
         "\r\n" + body;
}

// `data` as one chunk and the last chunk (RFC 9112 §7.1).
std::string Chunked(const std::string& data) {
  std::ostringstream size;
  size << std::hex << data.size();
  return size.str() + "\r\n" + data + "\r\n0\r\n\r\n";
}

std::size_t CountOf(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// Sends `request` on a fresh connection and checks that it gets exactly one answer, a 400
// bad_request problem saying Connection: close, and that the server then closes the connection
// (so nothing sent after the refused header is ever read as a request). When `detail` is given,
// the problem's detail must contain it.
::testing::AssertionResult RefusedWith400AndClosed(std::uint16_t port, const std::string& request,
                                                   const std::string& detail = "") {
  RawSocket client(port);
  client.Send(request);
  bool closed = false;
  const std::string raw = client.ReadUntilClosed(milliseconds(3000), &closed);
  if (StatusOf(raw) != 400) return ::testing::AssertionFailure() << "not a 400:\n" << raw;
  if (!HasProblemContentType(raw)) {
    return ::testing::AssertionFailure() << "not problem+json:\n" << raw;
  }
  if (raw.find("\"code\":\"bad_request\"") == std::string::npos) {
    return ::testing::AssertionFailure() << "not bad_request:\n" << raw;
  }
  if (!detail.empty() && raw.find(detail) == std::string::npos) {
    return ::testing::AssertionFailure() << "the detail does not say \"" << detail << "\":\n"
                                         << raw;
  }
  if (raw.find("\r\nConnection: close\r\n") == std::string::npos) {
    return ::testing::AssertionFailure() << "no Connection: close:\n" << raw;
  }
  if (CountOf(raw, "HTTP/1.1 ") != 1) {
    return ::testing::AssertionFailure() << "more than one answer:\n" << raw;
  }
  if (!closed) return ::testing::AssertionFailure() << "the connection stayed open:\n" << raw;
  return ::testing::AssertionSuccess();
}

// --- Size limits ------------------------------------------------------------------------------

TEST(ServerLimitsTest, BodyOverTheLimitIs413) {
  TestGatewayOptions options;
  options.body_limit = 256;
  TestGateway gateway(options);
  auto cart = CartBody();
  cart["shopper_id"] = std::string(400, 's');

  const HttpReply reply = gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey, Json(cart));

  EXPECT_TRUE(IsProblem(reply, 413, "payload_too_large"));
}

TEST(ServerLimitsTest, ChunkedBodyOverTheLimitIs413) {
  TestGatewayOptions options;
  options.body_limit = 256;
  TestGateway gateway(options);
  const std::string chunk(200, ' ');
  const std::string request =
      "POST /v1/checkout/quote HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
      std::string(kCheckoutKey) +
      "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      "c8\r\n" +
      chunk + "\r\nc8\r\n" + chunk + "\r\n0\r\n\r\n";

  const std::string raw = RawExchange(gateway.port(), request);

  EXPECT_EQ(StatusOf(raw), 413) << raw;
  EXPECT_TRUE(HasProblemContentType(raw)) << raw;
}

TEST(ServerLimitsTest, BodyAtTheLimitIsRead) {
  TestGatewayOptions options;
  options.body_limit = 256;
  TestGateway gateway(options);
  std::string body = Json(CartBody());
  body += std::string(256 - body.size(), ' ');  // JSON allows trailing whitespace

  const HttpReply reply = gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey, body);

  EXPECT_EQ(reply.status, 200) << reply.body;
}

TEST(ServerLimitsTest, HeaderOver8KiBIs431) {
  TestGateway gateway;
  const std::string request =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(9000, 'a') + "\r\n\r\n";

  const std::string raw = RawExchange(gateway.port(), request);

  EXPECT_EQ(StatusOf(raw), 431) << raw.substr(0, 200);
  EXPECT_TRUE(HasProblemContentType(raw)) << raw;
  EXPECT_NE(raw.find("\"code\":\"headers_too_large\""), std::string::npos) << raw;
}

TEST(ServerLimitsTest, HeadersJustUnder8KiBAreServed) {
  TestGateway gateway;

  const HttpReply reply =
      gateway.Call("GET", "/healthz", nullptr, "", {{"X-Filler", std::string(7000, 'a')}});

  EXPECT_EQ(reply.status, 200);
}

// --- Ambiguous framing --------------------------------------------------------------------------

TEST(ServerLimitsTest, ContentLengthWithChunkedTransferEncodingIs400) {
  TestGateway gateway;
  const std::string request = QuoteRequestHead(5, "Transfer-Encoding: chunked\r\n") + "0\r\n\r\n";

  const std::string raw = RawExchange(gateway.port(), request);

  EXPECT_EQ(StatusOf(raw), 400) << raw;
  EXPECT_TRUE(HasProblemContentType(raw)) << raw;
}

TEST(ServerLimitsTest, TwoDifferentContentLengthsAre400) {
  TestGateway gateway;
  const std::string request = QuoteRequestHead(2, "Content-Length: 3\r\n") + "{} ";

  const std::string raw = RawExchange(gateway.port(), request);

  EXPECT_EQ(StatusOf(raw), 400) << raw;
  EXPECT_TRUE(HasProblemContentType(raw)) << raw;
}

TEST(ServerLimitsTest, UnparsableContentLengthIs400) {
  TestGateway gateway;
  const std::string request =
      "POST /v1/checkout/quote HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n{}";

  const std::string raw = RawExchange(gateway.port(), request);

  EXPECT_EQ(StatusOf(raw), 400) << raw;
}

TEST(ServerLimitsTest, FramingErrorClosesTheConnection) {
  TestGateway gateway;
  const auto start = Clock::now();

  const std::string raw = RawExchange(gateway.port(),
                                      QuoteRequestHead(2, "Content-Length: 3\r\n") + "{} " +
                                          "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                                      milliseconds(3000));

  EXPECT_LT(Since(start), milliseconds(1500)) << "the server should close, not wait";
  EXPECT_EQ(StatusOf(raw), 400);
  EXPECT_EQ(raw.find("HTTP/1.1 200"), std::string::npos) << "nothing after the bad request is read";
}

// Transfer-Encoding must be exactly `chunked` (RFC 9112 §6.1): any other coding, or chunked not
// alone, leaves the body's length to interpretation, so the request is refused and the
// connection closed whatever Beast would make of it.

TEST(ServerLimitsTest, GzipTransferEncodingIs400AndCloses) {
  TestGateway gateway;

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(),
      QuoteRequestFramedBy("Transfer-Encoding: gzip\r\n", Chunked(Json(CartBody())))));
}

TEST(ServerLimitsTest, ChunkedThenGzipTransferEncodingIs400AndCloses) {
  TestGateway gateway;

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(),
      QuoteRequestFramedBy("Transfer-Encoding: chunked, gzip\r\n", Chunked(Json(CartBody())))));
}

TEST(ServerLimitsTest, GzipThenChunkedTransferEncodingIs400AndCloses) {
  TestGateway gateway;

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(),
      QuoteRequestFramedBy("Transfer-Encoding: gzip, chunked\r\n", Chunked(Json(CartBody())))));
}

TEST(ServerLimitsTest, IdentityTransferEncodingIs400AndCloses) {
  TestGateway gateway;

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(),
      QuoteRequestFramedBy("Transfer-Encoding: identity\r\n", Chunked(Json(CartBody())))));
}

TEST(ServerLimitsTest, ChunkedTwiceInOneTransferEncodingIs400AndCloses) {
  TestGateway gateway;

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(),
      QuoteRequestFramedBy("Transfer-Encoding: chunked, chunked\r\n", Chunked(Json(CartBody())))));
}

TEST(ServerLimitsTest, EmptyTransferEncodingIs400AndCloses) {
  TestGateway gateway;

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(), QuoteRequestFramedBy("Transfer-Encoding: \r\n", Chunked(Json(CartBody())))));
}

TEST(ServerLimitsTest, GzipLineThenChunkedLineIs400AndCloses) {
  TestGateway gateway;

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(),
      QuoteRequestFramedBy("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
                           Chunked(Json(CartBody())))));
}

TEST(ServerLimitsTest, ChunkedLineTwiceIs400AndCloses) {
  TestGateway gateway;

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(),
      QuoteRequestFramedBy("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                           Chunked(Json(CartBody())))));
}

// Transfer-Encoding and Content-Length together (RFC 9112 §6.3): refused even when the coding
// is exactly chunked, in either order, since one reader may go by one and the next by the other.

TEST(ServerLimitsTest, ChunkedThenContentLengthIs400AndCloses) {
  TestGateway gateway;
  const std::string body = Chunked(Json(CartBody()));

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(), QuoteRequestFramedBy("Transfer-Encoding: chunked\r\nContent-Length: " +
                                               std::to_string(body.size()) + "\r\n",
                                           body)));
}

TEST(ServerLimitsTest, ContentLengthThenChunkedIs400AndCloses) {
  TestGateway gateway;
  const std::string body = Chunked(Json(CartBody()));

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(), QuoteRequestFramedBy("Content-Length: " + std::to_string(body.size()) +
                                               "\r\nTransfer-Encoding: chunked\r\n",
                                           body)));
}

TEST(ServerLimitsTest, GzipWithContentLengthIs400AndCloses) {
  TestGateway gateway;
  const std::string body = Json(CartBody());

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(),
      QuoteRequestFramedBy(
          "Transfer-Encoding: gzip\r\nContent-Length: " + std::to_string(body.size()) + "\r\n",
          body),
      "both Transfer-Encoding and Content-Length"));
}

// A request hidden in the body of a refused one is never answered: one answer, then EOF.

TEST(ServerLimitsTest, RequestHiddenInAGzipChunkedBodyIsNeverAnswered) {
  TestGateway gateway;
  const std::string hidden = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(),
      QuoteRequestFramedBy("Transfer-Encoding: gzip, chunked\r\n", Chunked(hidden)) + hidden));
}

TEST(ServerLimitsTest, RequestSentAsTheBodyOfChunkedGzipIsNeverAnswered) {
  TestGateway gateway;

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(), QuoteRequestFramedBy("Transfer-Encoding: chunked, gzip\r\n",
                                           "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")));
}

TEST(ServerLimitsTest, RequestBehindAContentLengthThatTransferEncodingContradictsIsNeverAnswered) {
  TestGateway gateway;

  EXPECT_TRUE(RefusedWith400AndClosed(
      gateway.port(), QuoteRequestFramedBy("Transfer-Encoding: gzip\r\nContent-Length: 0\r\n",
                                           "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")));
}

TEST(ServerLimitsTest, ChunkedBodyAloneIsRead) {
  TestGateway gateway;
  const std::string request =
      QuoteRequestFramedBy("Transfer-Encoding: CHUNKED\r\n", Chunked(Json(CartBody()))) +
      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  const std::string raw = RawExchange(gateway.port(), request);

  EXPECT_EQ(StatusOf(raw), 200) << raw;
  EXPECT_NE(raw.find("\"discount_total\""), std::string::npos) << raw;
  EXPECT_EQ(CountOf(raw, "HTTP/1.1 200"), 2U) << "the connection stays usable: " << raw;
}

// --- Keep-alive and pipelining ----------------------------------------------------------------

TEST(ServerLimitsTest, KeepAliveConnectionServesManyRequests) {
  TestGateway gateway;
  HttpConnection connection(gateway.port());

  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(connection.Send("GET", "/healthz", "", {}).status, 200);
  }
  EXPECT_FALSE(connection.ClosedByPeer(milliseconds(50)));
}

TEST(ServerLimitsTest, PipelinedRequestsAreAnsweredInOrder) {
  TestGateway gateway;
  const std::string request =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  const std::string raw = RawExchange(gateway.port(), request);

  const auto first = raw.find("HTTP/1.1 200");
  const auto second = raw.find("HTTP/1.1 404");
  const auto third = raw.find("HTTP/1.1 200", second);
  ASSERT_NE(first, std::string::npos) << raw;
  ASSERT_NE(second, std::string::npos) << raw;
  ASSERT_NE(third, std::string::npos) << raw;
  EXPECT_LT(first, second);
  EXPECT_NE(raw.find(R"({"status":"ready"})"), std::string::npos);
}

TEST(ServerLimitsTest, ConnectionCloseIsHonoured) {
  TestGateway gateway;
  const auto start = Clock::now();

  const std::string raw =
      RawExchange(gateway.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                  milliseconds(3000));

  EXPECT_EQ(StatusOf(raw), 200) << raw;
  EXPECT_LT(Since(start), milliseconds(1000)) << "closed after the response";
}

TEST(ServerLimitsTest, Http10RequestIsAnsweredAndClosed) {
  TestGateway gateway;
  const auto start = Clock::now();

  const std::string raw =
      RawExchange(gateway.port(), "GET /healthz HTTP/1.0\r\n\r\n", milliseconds(3000));

  EXPECT_TRUE(raw.starts_with("HTTP/1.0 200")) << raw;
  EXPECT_NE(raw.find(R"({"status":"ok"})"), std::string::npos) << raw;
  EXPECT_LT(Since(start), milliseconds(1000)) << "closed after the response";
}

TEST(ServerLimitsTest, HeadIsAnsweredLikeGetWithoutABody) {
  TestGateway gateway;
  const std::string request =
      "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  const std::string raw = RawExchange(gateway.port(), request);

  ASSERT_EQ(StatusOf(raw), 200) << raw;
  const auto end_of_head = raw.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos);
  EXPECT_NE(raw.substr(0, end_of_head).find("\r\nContent-Length: 15"), std::string::npos) << raw;
  // No body after the HEAD response's header: the next bytes are the GET response.
  EXPECT_EQ(StatusOf(raw.substr(end_of_head + 4)), 200) << raw;
  EXPECT_TRUE(raw.ends_with(R"({"status":"ok"})")) << raw;
}

TEST(ServerLimitsTest, ConnectionOverTheCapIsClosed) {
  TestGatewayOptions options;
  options.max_connections = 2;
  TestGateway gateway(options);
  HttpConnection first(gateway.port());
  HttpConnection second(gateway.port());
  ASSERT_EQ(first.Send("GET", "/healthz", "", {}).status, 200);
  ASSERT_EQ(second.Send("GET", "/healthz", "", {}).status, 200);

  const std::string refused =
      RawExchange(gateway.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", milliseconds(1000));

  EXPECT_EQ(refused, "");
  EXPECT_EQ(first.Send("GET", "/healthz", "", {}).status, 200) << "the open ones are served";
}

// --- Slow and idle clients ----------------------------------------------------------------------

TEST(ServerLimitsTest, HalfAHeaderIsDisconnectedAfterTheHeaderTimeout) {
  TestGatewayOptions options;
  options.header_timeout = milliseconds(500);
  TestGateway gateway(options);
  RawSocket slow(gateway.port());
  const auto start = Clock::now();

  slow.Send("GET /healthz HTTP/1.1\r\nHost: 127.");
  const std::string raw = slow.ReadUntilClosed(milliseconds(5000));

  EXPECT_EQ(raw, "");
  EXPECT_GE(Since(start), milliseconds(450));
  EXPECT_LT(Since(start), milliseconds(2500));
}

// The header timeout runs from the first byte: a client that keeps trickling bytes does not
// push it back (the deadline is one per header, not one per read).
TEST(ServerLimitsTest, TricklingHeaderIsDisconnectedAfterTheHeaderTimeout) {
  TestGatewayOptions options;
  options.header_timeout = milliseconds(500);
  TestGateway gateway(options);
  RawSocket slow(gateway.port());
  const auto start = Clock::now();
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";

  slow.Send(head);
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {  // a byte every 50 ms for up to 2 s
    std::this_thread::sleep_for(milliseconds(50));
    closed = !slow.TrySend("a");
  }
  const std::string raw = slow.ReadUntilClosed(milliseconds(3000));

  EXPECT_EQ(raw, "");
  EXPECT_GE(Since(start), milliseconds(450));
  EXPECT_LT(Since(start), milliseconds(1500)) << "each byte must not extend the deadline";
}

TEST(ServerLimitsTest, OtherClientsAreServedPromptlyWhileSlowClientsStall) {
  // Served well before the stalled clients' header timeout: not after they were closed. The
  // timeout is long enough that a busy machine's slow answer is not mistaken for a wait.
  TestGatewayOptions options;
  options.header_timeout = milliseconds(3000);
  TestGateway gateway(options);
  std::vector<std::unique_ptr<RawSocket>> stalled;
  for (int i = 0; i < 8; ++i) {
    stalled.push_back(std::make_unique<RawSocket>(gateway.port()));
    stalled.back()->Send("POST /v1/checkout/quote HTTP/1.1\r\nHost: x\r\nContent-Le");
  }

  std::vector<milliseconds> latencies;
  for (int i = 0; i < 5; ++i) {
    const auto start = Clock::now();
    const HttpReply reply = gateway.Call("GET", "/healthz", nullptr);
    latencies.push_back(Since(start));
    ASSERT_EQ(reply.status, 200);
  }

  for (const milliseconds latency : latencies) EXPECT_LT(latency, milliseconds(1500));
  for (auto& socket : stalled) EXPECT_EQ(socket->ReadUntilClosed(milliseconds(6000)), "");
}

TEST(ServerLimitsTest, StalledBodyIsDisconnectedAfterTheBodyTimeout) {
  TestGatewayOptions options;
  options.header_timeout = milliseconds(500);  // the harness uses it for the body too
  TestGateway gateway(options);
  RawSocket slow(gateway.port());
  const auto start = Clock::now();

  slow.Send(QuoteRequestHead(100) + R"({"shopper_id":)");
  const std::string raw = slow.ReadUntilClosed(milliseconds(5000));

  EXPECT_EQ(raw, "");
  EXPECT_GE(Since(start), milliseconds(450));
  EXPECT_LT(Since(start), milliseconds(2500));
}

TEST(ServerLimitsTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  TestGatewayOptions options;
  options.idle_timeout = milliseconds(400);
  TestGateway gateway(options);
  HttpConnection connection(gateway.port());
  ASSERT_EQ(connection.Send("GET", "/healthz", "", {}).status, 200);
  const auto start = Clock::now();

  EXPECT_FALSE(connection.ClosedByPeer(milliseconds(200)));
  EXPECT_TRUE(connection.ClosedByPeer(milliseconds(3000)));
  EXPECT_GE(Since(start), milliseconds(350));
}

// --- Graceful stop --------------------------------------------------------------------------

// Sends a POST /v1/offers whose body is only half there, calls Stop(), then sends the rest:
// the response must arrive in full, and Stop() must wait for it.
void ExpectStopToFinishAHalfSentRequest(TestGateway& gateway) {
  const std::string body = SampleOfferJson();
  RawSocket client(gateway.port());
  client.Send("POST /v1/offers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
              std::string(kMerchantKey) + "\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, body.size() / 2));
  std::this_thread::sleep_for(milliseconds(100));  // the header is read; the body is pending

  auto stopped = std::async(std::launch::async, [&gateway] { return gateway.app().Stop(); });
  EXPECT_EQ(stopped.wait_for(milliseconds(300)), std::future_status::timeout)
      << "Stop() must wait for the request in progress";
  client.Send(body.substr(body.size() / 2));
  const std::string raw = client.ReadUntilClosed(milliseconds(5000));

  EXPECT_EQ(StatusOf(raw), 201) << raw;
  EXPECT_NE(raw.find("\r\nConnection: close\r\n"), std::string::npos) << raw;
  const auto json = raw.find("\r\n\r\n");
  ASSERT_NE(json, std::string::npos);
  EXPECT_NE(raw.find(R"("merchant_id":"shop-1")", json), std::string::npos) << raw;
  EXPECT_EQ(raw.back(), '}') << "the whole body arrived";
  ASSERT_EQ(stopped.wait_for(milliseconds(5000)), std::future_status::ready);
  EXPECT_TRUE(stopped.get().ok());
  EXPECT_FALSE(CanConnect(gateway.port())) << "a stopped server accepts no new connection";
}

TEST(ServerLimitsTest, StopLetsARequestInProgressFinishWithAFullResponse) {
  TestGatewayOptions options;
  options.header_timeout = milliseconds(3000);
  TestGateway gateway(options);

  ExpectStopToFinishAHalfSentRequest(gateway);
}

// With a journal the store answers later, from its writer thread: the server must not run dry
// and stop while that answer is still to come.
TEST(ServerLimitsTest, StopWaitsForAnAnswerThatComesFromTheJournalThread) {
  TempDir dir;
  TestGatewayOptions options;
  options.header_timeout = milliseconds(3000);
  options.data_dir = dir.path();
  TestGateway gateway(options);

  ExpectStopToFinishAHalfSentRequest(gateway);
}

TEST(ServerLimitsTest, StopLetsARunningHandlerFinish) {
  TestGateway gateway;
  auto offer = OfferBody();
  offer["code_mode"] = "unique";
  const std::string id = CreateOffer(gateway, kMerchantKey, offer);
  // Issuing 200.000 codes keeps the handler busy for a while.
  auto reply = std::async(std::launch::async, [&gateway, &id] {
    return gateway.Call("POST", "/v1/offers/" + id + "/codes", kMerchantKey, R"({"count":200000})");
  });
  std::this_thread::sleep_for(milliseconds(30));

  const Status stopped = gateway.app().Stop();
  const HttpReply issued = reply.get();

  EXPECT_TRUE(stopped.ok());
  EXPECT_FALSE(CanConnect(gateway.port()));
  ASSERT_EQ(issued.status, 201);
  EXPECT_EQ(issued.Json().at("codes").as_array().size(), 200'000U);
}

TEST(ServerLimitsTest, StopClosesIdleConnectionsAndRefusesNewOnes) {
  TestGateway gateway;
  HttpConnection idle(gateway.port());
  ASSERT_EQ(idle.Send("GET", "/healthz", "", {}).status, 200);
  ASSERT_TRUE(CanConnect(gateway.port()));

  const auto start = Clock::now();
  ASSERT_TRUE(gateway.app().Stop().ok());

  EXPECT_LT(Since(start), milliseconds(1000)) << "nothing in flight: Stop() is quick";
  EXPECT_TRUE(idle.ClosedByPeer(milliseconds(1000)));
  EXPECT_FALSE(CanConnect(gateway.port()));
}

}  // namespace
}  // namespace uudai::testing
