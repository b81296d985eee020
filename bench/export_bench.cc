// GET /v1/redemptions/export over a large ledger: rows per second, and how much the process
// grows while it streams (the export must hold one ledger page, never the whole ledger).
// Usage: export_bench [redemptions] [format]   (defaults: 1000000 and csv)
// Fills an embedded-store gateway (in this process, no journal) with N committed redemptions
// straight through the Store port, then reads the whole export over a loopback socket,
// discarding it, while a sampler thread records the peak resident set size (VmRSS).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "app/gateway_app.h"
#include "uudai/clock.h"

using namespace uudai;

namespace {

constexpr const char* kAnalystKey = "bench-analyst-key-000001";

long ResidentKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

Offer BenchOffer() {
  Offer offer;
  offer.id = "o-export-bench";
  offer.merchant_id = "shop-1";
  offer.name = "Giảm 10.000đ, Tháng tiêu dùng số";
  offer.discount = Discount::Fixed(10'000);
  offer.starts_at = *ParseRfc3339("2026-10-01T00:00:00+07:00");
  offer.ends_at = *ParseRfc3339("2026-11-01T00:00:00+07:00");
  offer.created_at = offer.starts_at;
  offer.updated_at = offer.starts_at;
  return offer;
}

Redemption BenchRedemption(const Offer& offer, std::size_t i, Timestamp at) {
  Redemption r;
  r.id = "r-" + std::to_string(i);
  r.status = RedemptionStatus::kCommitted;
  r.shopper_id = "s-" + std::to_string(i % 50'000);
  r.merchant_id = offer.merchant_id;
  r.order_id = "order-" + std::to_string(i);
  r.payment_method = static_cast<PaymentMethod>(i % kPaymentMethodCount);
  r.subtotal = 500'000;
  r.discount_total = 10'000;
  RedeemedOffer applied;
  applied.offer_id = offer.id;
  applied.offer_merchant_id = offer.merchant_id;
  applied.discount = 10'000;
  r.applied.push_back(applied);
  r.created_at = Timestamp{at.millis + static_cast<std::int64_t>(i)};
  r.expires_at = Timestamp{r.created_at.millis + 15 * kMillisPerMinute};
  r.committed_at = r.created_at;
  return r;
}

// Sends the export request and reads the whole response; returns the bytes received.
std::size_t ReadExport(std::uint16_t port, const std::string& format) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) std::abort();
  const std::string request = "GET /v1/redemptions/export?format=" + format +
                              " HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " + kAnalystKey +
                              "\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
    std::abort();
  }
  std::size_t total = 0;
  char buffer[1 << 16];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) total += n;
  ::close(fd);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1'000'000;
  const std::string format = argc > 2 ? argv[2] : "csv";
  auto keys = gateway::KeyRing::Parse(std::string(R"([{"key":")") + kAnalystKey +
                                      R"(","role":"analyst"}])");
  gateway::AppOptions options;
  options.server.port = 0;
  options.server.threads = 1;
  auto started = gateway::GatewayApp::Start(options, std::move(keys).value());
  if (!started.ok()) return 1;
  gateway::GatewayApp& app = *started.value();

  const Offer offer = BenchOffer();
  app.store().CreateOffer(offer, [](Result<Offer> r) {
    if (!r.ok()) std::abort();
  });
  const Timestamp at = *ParseRfc3339("2026-10-10T12:00:00+07:00");
  for (std::size_t i = 0; i < count; ++i) {
    app.store().CreateRedemption(CreateRedemptionRequest{BenchRedemption(offer, i, at), {}},
                                 [](Result<CreateRedemptionOutcome> r) {
                                   if (!r.ok()) std::abort();
                                 });
  }

  const long before_kib = ResidentKiB();
  std::atomic<bool> exporting{true};
  std::atomic<long> peak_kib{before_kib};
  std::thread sampler([&] {
    while (exporting.load()) {
      peak_kib.store(std::max(peak_kib.load(), ResidentKiB()));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  const auto begin = std::chrono::steady_clock::now();
  const std::size_t bytes = ReadExport(app.port(), format);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  exporting.store(false);
  sampler.join();

  std::printf(
      "redemptions=%zu format=%s bytes=%zu seconds=%.2f rows_per_s=%.0f MiB_per_s=%.1f "
      "rss_before_MiB=%.1f rss_peak_during_export_MiB=%.1f growth_MiB=%.1f "
      "export_size_MiB=%.1f\n",
      count, format.c_str(), bytes, seconds, static_cast<double>(count) / seconds,
      static_cast<double>(bytes) / seconds / (1 << 20), before_kib / 1024.0,
      peak_kib.load() / 1024.0, (peak_kib.load() - before_kib) / 1024.0,
      static_cast<double>(bytes) / (1 << 20));
  (void)app.Stop();
  return 0;
}
