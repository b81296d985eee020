// Metrics: Prometheus counters and histograms for /metrics. Thread-safe.
#ifndef UUDAI_GATEWAY_OPS_METRICS_H_
#define UUDAI_GATEWAY_OPS_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace uudai::gateway {

class Metrics {
 public:
  // One finished HTTP request: route pattern, status, latency.
  void ObserveRequest(const std::string& route, int status, double seconds);
  // One redemption create/commit/cancel/refund outcome ("created", "committed",
  // "quota_exhausted", ...).
  void CountRedemption(const std::string& outcome);
  void ConnectionOpened() { open_connections_.fetch_add(1); }
  void ConnectionClosed() { open_connections_.fetch_sub(1); }
  std::int64_t open_connections() const { return open_connections_.load(); }

  // Adds `render`'s text (whole lines of the exposition format) to every Render: metrics other
  // parts keep themselves (the webhook deliveries). Call before serving.
  void AddSource(std::function<std::string()> render) { sources_.push_back(std::move(render)); }

  // The text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  // 2 ms: the refusal goal (docs/design.md §6) reads straight off the histogram.
  static constexpr std::array<double, 13> kBuckets = {
      0.0005, 0.001, 0.002, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
    void Observe(double seconds);
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, Histogram> requests_;  // (route, status)
  std::map<std::string, std::uint64_t> redemptions_;
  std::atomic<std::int64_t> open_connections_{0};
  std::vector<std::function<std::string()>> sources_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_OPS_METRICS_H_
