#include "test_gateway.h"

#include <fstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace uudai::testing {
std::string WriteTestKeysFile(const std::string& dir) {
  const std::string path = dir + "/keys.json";
  std::ofstream(path) << kTestKeysJson;
  return path;
}

Timestamp TenTen() { return *ParseRfc3339("2026-10-10T12:00:00+07:00"); }

TestGateway::TestGateway(TestGatewayOptions options)
    : clock_(std::make_unique<ManualClock>(options.start.value_or(TenTen()))) {
  spdlog::set_level(spdlog::level::warn);  // no access log lines between test results
  auto keys = gateway::KeyRing::Parse(kTestKeysJson);
  if (!keys.ok()) throw std::runtime_error("test keys: " + keys.status().message());
  gateway::AppOptions app_options;
  app_options.server.port = 0;
  app_options.server.threads = options.threads;
  app_options.server.body_limit = options.body_limit;
  app_options.server.bulk_body_limit = options.bulk_body_limit;
  app_options.server.idle_timeout = options.idle_timeout;
  app_options.server.header_timeout = options.header_timeout;
  app_options.server.body_timeout = options.header_timeout;
  app_options.server.max_connections = options.max_connections;
  app_options.reservation_ttl_millis = options.reservation_ttl_millis;
  app_options.expiry_interval = options.expiry_interval;
  app_options.data_dir = options.data_dir;
  app_options.demo = options.demo;
  app_options.journal_compaction = options.journal_compaction;
  app_options.journal_preallocation = options.journal_preallocation;
  app_options.event_retention = options.event_retention;
  app_options.webhook_allow = options.webhook_allow;
  app_options.webhook_ca_file = options.webhook_ca_file;
  app_options.webhook_first_backoff = options.webhook_first_backoff;
  app_options.webhook_retry_period = options.webhook_retry_period;
  app_options.webhook_poll_interval = options.webhook_poll_interval;
  app_options.webhook_timeout = options.webhook_timeout;
  app_options.journal_files = options.journal_files;
  app_options.clock = clock_.get();
  auto app = gateway::GatewayApp::Start(app_options, std::move(keys).value());
  if (!app.ok()) throw std::runtime_error("test gateway: " + app.status().message());
  app_ = std::move(app).value();
}

TestGateway::~TestGateway() { (void)app_->Stop(); }

HttpReply TestGateway::Call(const std::string& method, const std::string& target, const char* key,
                            const std::string& body, const Headers& headers) {
  HttpConnection connection(port());
  Headers all = headers;
  if (key != nullptr) all.emplace_back("Authorization", std::string("Bearer ") + key);
  return connection.Send(method, target, body, all);
}

std::string SampleOfferJson(const std::string& extra_fields) {
  std::string body =
      R"({"merchant_id":"shop-1","name":"Giảm 10% Tháng tiêu dùng số",)"
      R"("discount":{"type":"percent","value":10,"max_amount":100000},)"
      R"("starts_at":"2026-10-01T00:00:00+07:00","ends_at":"2026-11-01T00:00:00+07:00")";
  if (!extra_fields.empty()) body += "," + extra_fields;
  return body + "}";
}

}  // namespace uudai::testing
