// Operational endpoints (docs/design.md §4): /healthz, /readyz, /metrics, /openapi.yaml.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <regex>
#include <string>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

TEST(OpsApiTest, HealthzAnswers200StatusOk) {
  TestGateway gateway;

  const HttpReply reply = gateway.Call("GET", "/healthz", nullptr);

  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Header("content-type"), "application/json");
  EXPECT_EQ(reply.body, R"({"status":"ok"})");
}

TEST(OpsApiTest, ReadyzAnswers200WhenTheStoreTakesWrites) {
  TestGateway gateway;

  const HttpReply reply = gateway.Call("GET", "/readyz", nullptr);

  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"({"status":"ready"})");
}

TEST(OpsApiTest, MetricsCountRequestsByRoutePatternAndStatus) {
  TestGateway gateway;
  ASSERT_EQ(gateway.Call("GET", "/healthz", nullptr).status, 200);
  ASSERT_EQ(gateway.Call("GET", "/healthz", nullptr).status, 200);
  ASSERT_EQ(gateway.Call("GET", "/v1/offers/o_one", kAdminKey).status, 404);
  ASSERT_EQ(gateway.Call("GET", "/nowhere", nullptr).status, 404);

  const HttpReply reply = gateway.Call("GET", "/metrics", nullptr);

  ASSERT_EQ(reply.status, 200);
  EXPECT_TRUE(reply.Header("content-type").starts_with("text/plain"))
      << reply.Header("content-type");
  EXPECT_NE(reply.body.find("# TYPE uudai_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(reply.body.find("uudai_http_requests_total{route=\"/healthz\",status=\"200\"} 2\n"),
            std::string::npos)
      << reply.body;
  // Labelled by the route pattern, never by the concrete id (bounded cardinality).
  EXPECT_NE(
      reply.body.find("uudai_http_requests_total{route=\"/v1/offers/{id}\",status=\"404\"} 1\n"),
      std::string::npos)
      << reply.body;
  EXPECT_EQ(reply.body.find("o_one"), std::string::npos);
  EXPECT_NE(reply.body.find("uudai_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"),
            std::string::npos)
      << reply.body;
}

// The value of the unlabelled gauge `name` in a /metrics text, or -1 when it is not there.
double GaugeValue(const std::string& metrics, const std::string& name) {
  std::smatch match;
  const std::regex line("(^|\n)" + name + " ([0-9.e+]+)\n");
  return std::regex_search(metrics, match, line) ? std::stod(match[2].str()) : -1;
}

TEST(OpsApiTest, MetricsReportTheProcessMemory) {
  TestGateway gateway;  // in this process: the gauges see this test's allocations
  constexpr std::size_t kBlock = 64 << 20;
  const std::string before = gateway.Call("GET", "/metrics", nullptr).body;
  ASSERT_NE(before.find("# TYPE process_resident_memory_bytes gauge\n"), std::string::npos);
  ASSERT_NE(before.find("# TYPE uudai_heap_in_use_bytes gauge\n"), std::string::npos);

  auto block = std::make_unique<char[]>(kBlock);
  std::memset(block.get(), 1, kBlock);  // touched, so resident
  const std::string during = gateway.Call("GET", "/metrics", nullptr).body;
  block.reset();
  const std::string after = gateway.Call("GET", "/metrics", nullptr).body;

  const double resident_before = GaugeValue(before, "process_resident_memory_bytes");
  EXPECT_GT(resident_before, 1 << 20) << before;
  EXPECT_GE(GaugeValue(during, "process_resident_memory_bytes"), resident_before + kBlock * 0.9);
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan's allocator replaces malloc: glibc's mallinfo2 does not see its heap";
#else
  const double heap_before = GaugeValue(before, "uudai_heap_in_use_bytes");
  EXPECT_GT(heap_before, 0) << before;
  EXPECT_GE(GaugeValue(during, "uudai_heap_in_use_bytes"), heap_before + kBlock);
  EXPECT_LT(GaugeValue(after, "uudai_heap_in_use_bytes"), heap_before + kBlock / 2);
#endif
}

TEST(OpsApiTest, MetricsCountRedemptionOutcomes) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  const std::string id = RedeemOrThrow(gateway, RedemptionBody("o-1"), "k-1");
  ASSERT_EQ(gateway.Call("POST", "/v1/redemptions/" + id + "/commit", kCheckoutKey).status, 200);
  ASSERT_EQ(gateway.Call("POST", "/v1/redemptions/" + id + "/commit", kCheckoutKey).status, 409);

  const std::string metrics = gateway.Call("GET", "/metrics", nullptr).body;

  EXPECT_NE(metrics.find("uudai_redemptions_total{outcome=\"created_reserved\"} 1\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("uudai_redemptions_total{outcome=\"commit\"} 1\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("uudai_redemptions_total{outcome=\"invalid_transition\"} 1\n"),
            std::string::npos)
      << metrics;
}

TEST(OpsApiTest, OpenApiIsServedAsYaml) {
  TestGateway gateway;

  const HttpReply reply = gateway.Call("GET", "/openapi.yaml", nullptr);

  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Header("content-type"), "application/yaml");
  EXPECT_TRUE(reply.body.starts_with("openapi:")) << reply.body.substr(0, 40);
}

TEST(OpsApiTest, EveryResponseCarriesARequestIdAndEchoesASaneOne) {
  TestGateway gateway;

  const HttpReply given =
      gateway.Call("GET", "/healthz", nullptr, "", {{"X-Request-Id", "abc-123"}});
  const HttpReply hostile =
      gateway.Call("GET", "/healthz", nullptr, "", {{"X-Request-Id", "has space\"quote"}});

  EXPECT_EQ(given.Header("x-request-id"), "abc-123");
  EXPECT_FALSE(hostile.Header("x-request-id").empty());
  EXPECT_NE(hostile.Header("x-request-id"), "has space\"quote");
}

// A generated id is the process's boot stamp and a counter, each at least 8 hex digits, so
// two requests never share one.
TEST(OpsApiTest, GeneratedRequestIdsAreHexStampAndCounter) {
  TestGateway gateway;

  const std::string first = gateway.Call("GET", "/healthz", nullptr).Header("x-request-id");
  const std::string second = gateway.Call("GET", "/healthz", nullptr).Header("x-request-id");

  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{8,16}");
  EXPECT_TRUE(std::regex_match(first, shape)) << first;
  EXPECT_TRUE(std::regex_match(second, shape)) << second;
  EXPECT_EQ(first.substr(0, 9), second.substr(0, 9)) << "the same boot stamp";
  EXPECT_NE(first, second);
}

}  // namespace
}  // namespace uudai::testing
