// Trickling requests are read in paced batches (gateway/src/trickle_paced_reader.h): after a
// couple of small reads, each further read of that request waits a pause, so a slow-loris
// client costs a few reads a second, not one per byte. Requests sent whole are never paused,
// and a paced request still arrives intact.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

using std::chrono::milliseconds;

std::uint64_t PausedReads(TestGateway& gateway) {
  const std::string metrics = gateway.Call("GET", "/metrics", nullptr).body;
  const std::string name = "\nuudai_http_paused_reads_total ";
  const std::size_t at = metrics.find(name);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no " << name << " in\n" << metrics;
    return 0;
  }
  return std::stoull(metrics.substr(at + name.size()));
}

TestGatewayOptions PacedEvery200Ms() {
  TestGatewayOptions options;
  options.header_timeout = milliseconds(5000);
  options.trickle_pacing.small_reads_before_pause = 2;
  options.trickle_pacing.min_pause = milliseconds(200);
  options.trickle_pacing.max_pause = milliseconds(200);
  return options;
}

TEST(TricklePacingTest, ARequestTrickledAByteAtATimeIsReadInPausedBatchesAndServed) {
  TestGateway gateway(PacedEvery200Ms());
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  RawSocket slow(gateway.port());
  for (char c : request) {  // ~1.3 s: one byte every 25 ms
    slow.Send(std::string(1, c));
    std::this_thread::sleep_for(milliseconds(25));
  }
  const std::string raw = slow.ReadUntilClosed(milliseconds(3000));

  EXPECT_EQ(StatusOf(raw), 200) << raw;
  // Unpaced, each byte would be a read of its own (52 reads). Paced, the first two small
  // reads are not paused, then one read per 200 ms pause gathers ~8 bytes: about 7 pauses.
  const std::uint64_t paused = PausedReads(gateway);
  EXPECT_GE(paused, 3U);
  EXPECT_LE(paused, 12U) << "a pause must gather the bytes that arrived meanwhile";
}

TEST(TricklePacingTest, RequestsSentWholeAreNeverPaused) {
  TestGateway gateway(PacedEvery200Ms());
  for (int i = 0; i < 20; ++i) ASSERT_EQ(gateway.Call("GET", "/healthz", nullptr).status, 200);
  std::string body = Json(CartBody());
  body += std::string(512 * 1024 - body.size(), ' ');  // many reads, none of them small
  EXPECT_EQ(gateway.Call("POST", "/v1/checkout/quote", kCheckoutKey, body).status, 200);

  EXPECT_EQ(PausedReads(gateway), 0U);
}

// A pause never extends the header deadline: the connection closes on time even mid-pause.
TEST(TricklePacingTest, TheHeaderDeadlineEndsAPause) {
  TestGatewayOptions options = PacedEvery200Ms();
  options.header_timeout = milliseconds(500);
  options.trickle_pacing.min_pause = milliseconds(3000);
  options.trickle_pacing.max_pause = milliseconds(3000);
  TestGateway gateway(options);
  RawSocket slow(gateway.port());
  const auto start = std::chrono::steady_clock::now();
  for (char c : std::string("GET /h")) {
    slow.Send(std::string(1, c));
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(slow.ReadUntilClosed(milliseconds(5000)), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
  EXPECT_GE(PausedReads(gateway), 1U);
}

}  // namespace
}  // namespace uudai::testing
