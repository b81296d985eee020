// TestGateway: a real uudai (HTTP server, API, MemoryStore, optional journal) on an
// ephemeral loopback port, with a ManualClock, for HTTP-level tests.
#ifndef UUDAI_TESTS_GATEWAY_TEST_GATEWAY_H_
#define UUDAI_TESTS_GATEWAY_TEST_GATEWAY_H_

#include <memory>
#include <string>

#include "app/gateway_app.h"
#include "http_client.h"
#include "uudai/clock.h"

namespace uudai::testing {

// Keys the test gateway accepts (kTestKeysJson below).
inline constexpr const char* kAdminKey = "test-admin-key-0000000001";
inline constexpr const char* kMerchantKey = "test-merchant-key-shop1-01";       // merchant shop-1
inline constexpr const char* kOtherMerchantKey = "test-merchant-key-shop2-01";  // shop-2
inline constexpr const char* kCheckoutKey = "test-checkout-key-00000001";
inline constexpr const char* kAnalystKey = "test-analyst-key-000000001";
inline constexpr const char* kLimitedKey = "test-limited-checkout-0001";  // checkout, 5 req/s

// The keys file holding every key above.
inline constexpr const char* kTestKeysJson = R"([
  {"key": "test-admin-key-0000000001", "role": "admin"},
  {"key": "test-merchant-key-shop1-01", "role": "merchant", "merchant_id": "shop-1"},
  {"key": "test-merchant-key-shop2-01", "role": "merchant", "merchant_id": "shop-2"},
  {"key": "test-checkout-key-00000001", "role": "checkout"},
  {"key": "test-analyst-key-000000001", "role": "analyst"},
  {"key": "test-limited-checkout-0001", "role": "checkout", "rate_limit": 5}
])";
// Writes kTestKeysJson to DIR/keys.json (for `uudai serve` children); returns its path.
std::string WriteTestKeysFile(const std::string& dir);

struct TestGatewayOptions {
  std::string data_dir;  // empty: no journal
  int threads = 2;
  std::size_t body_limit = 1024 * 1024;
  // The body limit of POST /v1/offers/batch (ServerOptions::bulk_body_limit).
  std::size_t bulk_body_limit = gateway::ServerOptions{}.bulk_body_limit;
  std::chrono::milliseconds idle_timeout{5000};
  std::chrono::milliseconds header_timeout{1000};
  std::size_t max_connections = 10'000;
  std::int64_t reservation_ttl_millis = kDefaultReservationTtlMillis;
  // How often the background sweeper expires due reservations (real time).
  std::chrono::milliseconds expiry_interval{50};
  bool demo = false;
  // When the journal is compacted at start (default: as `uudai serve` does).
  gateway::JournalCompactionPolicy journal_compaction;
  std::size_t event_retention = kDefaultEventRetention;
  // Webhook deliveries (AppOptions): quick retries and polls, so that tests see them soon.
  std::vector<std::string> webhook_allow;
  std::string webhook_ca_file;
  std::chrono::milliseconds webhook_first_backoff{100};
  std::chrono::milliseconds webhook_retry_period{24 * 3'600'000};
  std::chrono::milliseconds webhook_poll_interval{50};
  std::chrono::milliseconds webhook_timeout{2'000};
  // Where the journal's file-system calls go (nullptr: the system's); must outlive the gateway.
  gateway::FileSystem* journal_files = nullptr;
  // The zeroed space the journal keeps ahead of its records (default: as `uudai serve` does).
  gateway::JournalPreallocation journal_preallocation;
  // The ManualClock starts here: 2026-10-10T12:00:00+07:00 unless set.
  std::optional<Timestamp> start;
};

class TestGateway {
 public:
  explicit TestGateway(TestGatewayOptions options = {});
  ~TestGateway();

  std::uint16_t port() const { return app_->port(); }
  ManualClock& clock() { return *clock_; }
  gateway::GatewayApp& app() { return *app_; }

  // One request on a fresh connection; `key` nullptr sends no Authorization header.
  HttpReply Call(const std::string& method, const std::string& target, const char* key,
                 const std::string& body = "", const Headers& headers = {});

 private:
  std::unique_ptr<ManualClock> clock_;
  std::unique_ptr<gateway::GatewayApp> app_;
};

// 2026-10-10T12:00:00+07:00.
Timestamp TenTen();

// A valid merchant offer body for shop-1 (percent 10, max 100.000), October 2026.
std::string SampleOfferJson(const std::string& extra_fields = "");

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_GATEWAY_TEST_GATEWAY_H_
