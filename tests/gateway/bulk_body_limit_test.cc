// The body limit of bulk registration (ServerOptions::bulk_paths, bulk_body_limit): a POST to
// /v1/offers/batch may carry a body up to bulk_body_limit, every other request keeps
// body_limit; a body over its limit, announced by Content-Length or sent in chunks, is a 413
// naming the limit that applies.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <sstream>
#include <string>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using std::chrono::milliseconds;

// A JSON array of `count` valid shop-1 offers padded with trailing spaces to exactly `size`
// bytes (JSON allows whitespace after the value).
std::string BatchOfSize(std::size_t size, int count = 2) {
  std::string body = "[";
  for (int i = 0; i < count; ++i) body += (i == 0 ? "" : ",") + SampleOfferJson();
  body += "]";
  EXPECT_LE(body.size(), size);
  body.resize(size, ' ');
  return body;
}

// One offer padded with trailing spaces to exactly `size` bytes.
std::string OfferOfSize(std::size_t size) {
  std::string body = SampleOfferJson();
  body.resize(size, ' ');
  return body;
}

// The head of a request announcing a JSON body of `content_length` bytes.
std::string Head(const std::string& method, const std::string& target, std::size_t content_length) {
  return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
         kAdminKey +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(content_length) +
         "\r\n\r\n";
}

// The head of a chunked request, asking the server to close the connection after its answer.
std::string ChunkedHead(const std::string& target) {
  return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kAdminKey +
         "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
         "Connection: close\r\n\r\n";
}

std::string ChunkSize(std::size_t size) {
  std::ostringstream out;
  out << std::hex << size << "\r\n";
  return out.str();
}

// `body` cut into chunks of at most `chunk` bytes, with the last chunk.
std::string Chunked(const std::string& body, std::size_t chunk) {
  std::string out;
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    const std::string piece = body.substr(at, chunk);
    out += ChunkSize(piece.size()) + piece + "\r\n";
  }
  return out + "0\r\n\r\n";
}

// Sends `bytes` on a fresh connection and returns all the server sends until it closes (the
// body is never sent in full when the server refuses at its head, so none of it is left unread).
std::string Exchange(std::uint16_t port, const std::string& bytes) {
  RawSocket client(port);
  client.Send(bytes);
  bool closed = false;
  std::string raw = client.ReadUntilClosed(milliseconds(3000), &closed);
  EXPECT_TRUE(closed) << "the connection stayed open after:\n" << raw;
  return raw;
}

// Whether `raw` is one 413 payload_too_large problem saying bodies are limited to `limit`.
::testing::AssertionResult Is413Naming(const std::string& raw, std::size_t limit) {
  if (StatusOf(raw) != 413) return ::testing::AssertionFailure() << "not a 413:\n" << raw;
  if (raw.find("\"code\":\"payload_too_large\"") == std::string::npos) {
    return ::testing::AssertionFailure() << "not payload_too_large:\n" << raw;
  }
  const std::string says = "bodies are limited to " + std::to_string(limit) + " bytes";
  if (raw.find(says) == std::string::npos) {
    return ::testing::AssertionFailure() << "does not say \"" << says << "\":\n" << raw;
  }
  if (raw.find("\r\nConnection: close\r\n") == std::string::npos) {
    return ::testing::AssertionFailure() << "no Connection: close:\n" << raw;
  }
  return ::testing::AssertionSuccess();
}

constexpr std::size_t kMiB = 1024 * 1024;

// --- The defaults: 1 MiB, 32 MiB for bulk registration -------------------------------------

TEST(BulkBodyLimitTest, TwoMebibytesAreABatchButNotAnOffer) {
  TestGateway gateway;

  const HttpReply batch =
      gateway.Call("POST", "/v1/offers/batch", kAdminKey, BatchOfSize(2 * kMiB));
  const std::string offer = Exchange(gateway.port(), Head("POST", "/v1/offers", 2 * kMiB));

  ASSERT_EQ(batch.status, 201) << batch.body.substr(0, 300);
  EXPECT_EQ(batch.Json().at("items").as_array().size(), 2U);
  EXPECT_TRUE(Is413Naming(offer, kMiB));
}

TEST(BulkBodyLimitTest, BatchOverThirtyTwoMebibytesIs413NamingThatLimit) {
  TestGateway gateway;

  const std::string raw = Exchange(gateway.port(), Head("POST", "/v1/offers/batch", 32 * kMiB + 1));

  EXPECT_TRUE(Is413Naming(raw, 32 * kMiB));
}

// A client that asks before sending a large body (Expect: 100-continue, as curl does) is told
// to go on for a batch, and refused at once for an offer.
TEST(BulkBodyLimitTest, ExpectContinueIsAnsweredByTheLimitOfThePath) {
  TestGateway gateway;
  const std::string batch = BatchOfSize(2 * kMiB);
  auto head = [&](const std::string& target) {
    return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kAdminKey +
           "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
           "Connection: close\r\nContent-Length: " +
           std::to_string(batch.size()) + "\r\n\r\n";
  };

  RawSocket to_batch(gateway.port());
  to_batch.Send(head("/v1/offers/batch"));
  const std::string go_ahead = to_batch.ReadUntilClosed(milliseconds(500));
  to_batch.Send(batch);
  bool closed = false;
  const std::string answer = to_batch.ReadUntilClosed(milliseconds(3000), &closed);
  const std::string refused = Exchange(gateway.port(), head("/v1/offers"));

  EXPECT_EQ(go_ahead, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_EQ(StatusOf(answer), 201) << answer.substr(0, 300);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(Is413Naming(refused, kMiB));
  EXPECT_EQ(refused.find("100 Continue"), std::string::npos) << refused;
}

// --- Limits of the test's own ---------------------------------------------------------------

class SmallBulkLimitTest : public ::testing::Test {
 protected:
  static TestGatewayOptions Options() {
    TestGatewayOptions options;
    options.body_limit = 1024;
    options.bulk_body_limit = 8192;
    return options;
  }
  TestGateway gateway_{Options()};
};

TEST_F(SmallBulkLimitTest, BatchAtTheBulkLimitIsRegistered) {
  const HttpReply reply = gateway_.Call("POST", "/v1/offers/batch", kAdminKey, BatchOfSize(8192));

  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Json().at("items").as_array().size(), 2U);
}

TEST_F(SmallBulkLimitTest, BatchOneByteOverTheBulkLimitIs413NamingIt) {
  const std::string raw = Exchange(gateway_.port(), Head("POST", "/v1/offers/batch", 8193));

  EXPECT_TRUE(Is413Naming(raw, 8192));
  EXPECT_TRUE(gateway_.Call("GET", "/v1/offers", kAdminKey).Json().at("items").as_array().empty());
}

TEST_F(SmallBulkLimitTest, AQueryStringKeepsTheBatchPathsLimit) {
  const HttpReply reply =
      gateway_.Call("POST", "/v1/offers/batch?source=feed", kAdminKey, BatchOfSize(4096));

  EXPECT_EQ(reply.status, 201) << reply.body;
}

TEST_F(SmallBulkLimitTest, EveryOtherRequestKeepsTheBodyLimit) {
  // An offer, another method on the batch path, and paths that are not the batch path
  for (const auto& [method, target] : {std::pair<std::string, std::string>{"POST", "/v1/offers"},
                                       {"PATCH", "/v1/offers/batch"},
                                       {"POST", "/v1/offers/batch/"},
                                       {"POST", "/v1/offers/batch2"},
                                       {"POST", "/v1/checkout/quote"}}) {
    SCOPED_TRACE(method + " " + target);
    EXPECT_TRUE(Is413Naming(Exchange(gateway_.port(), Head(method, target, 1025)), 1024));
  }
  // And at its limit a body is read as usual
  EXPECT_EQ(gateway_.Call("POST", "/v1/offers", kAdminKey, OfferOfSize(1024)).status, 201);
}

TEST_F(SmallBulkLimitTest, ChunkedBatchWithinTheBulkLimitIsRegistered) {
  const std::string request = ChunkedHead("/v1/offers/batch") + Chunked(BatchOfSize(6000, 3), 1000);

  const std::string raw = RawExchange(gateway_.port(), request, milliseconds(3000));

  EXPECT_EQ(StatusOf(raw), 201) << raw.substr(0, 500);
  EXPECT_EQ(gateway_.Call("GET", "/v1/offers", kAdminKey).Json().at("items").as_array().size(), 3U);
}

TEST_F(SmallBulkLimitTest, ChunkedBatchOverTheBulkLimitIs413NamingIt) {
  // Two chunks of 3,000 bytes, then the head of a third that would pass 8,192 (its data is
  // never sent: the server answers first)
  const std::string body = BatchOfSize(9000);
  const std::string request = ChunkedHead("/v1/offers/batch") + ChunkSize(3000) +
                              body.substr(0, 3000) + "\r\n" + ChunkSize(3000) +
                              body.substr(3000, 3000) + "\r\n" + ChunkSize(3000);

  const std::string raw = Exchange(gateway_.port(), request);

  EXPECT_TRUE(Is413Naming(raw, 8192));
  EXPECT_TRUE(gateway_.Call("GET", "/v1/offers", kAdminKey).Json().at("items").as_array().empty());
}

TEST_F(SmallBulkLimitTest, ChunkedOfferOverTheBodyLimitIs413NamingIt) {
  const std::string body = OfferOfSize(1500);
  const std::string request =
      ChunkedHead("/v1/offers") + ChunkSize(600) + body.substr(0, 600) + "\r\n" + ChunkSize(600);

  const std::string raw = Exchange(gateway_.port(), request);

  EXPECT_TRUE(Is413Naming(raw, 1024));
}

}  // namespace
}  // namespace uudai::testing
