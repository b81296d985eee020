#include "ops/metrics.h"

#include <sstream>

#include "ops/process_memory.h"

namespace uudai::gateway {
namespace {

void WriteHistogram(std::ostringstream& out, const std::string& name, const std::string& labels,
                    const auto& buckets, const auto& h) {
  const std::string sep = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    cumulative += h.buckets[i];
    out << name << "_bucket{" << labels << sep << "le=\"" << buckets[i] << "\"} " << cumulative
        << "\n";
  }
  out << name << "_bucket{" << labels << sep << "le=\"+Inf\"} " << h.count << "\n";
  out << name << "_sum{" << labels << "} " << h.sum << "\n";
  out << name << "_count{" << labels << "} " << h.count << "\n";
}

}  // namespace

void Metrics::Histogram::Observe(double seconds) {
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++buckets[i];
      break;
    }
  }
  ++count;
  sum += seconds;
}

void Metrics::ObserveRequest(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  requests_[{route, status}].Observe(seconds);
}

void Metrics::CountRedemption(const std::string& outcome) {
  std::lock_guard lock(mutex_);
  ++redemptions_[outcome];
}

std::string Metrics::Render() const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);
  out << "# HELP uudai_http_requests_total HTTP requests by route and status.\n"
         "# TYPE uudai_http_requests_total counter\n";
  for (const auto& [key, h] : requests_) {
    out << "uudai_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << h.count << "\n";
  }
  out << "# HELP uudai_http_request_duration_seconds HTTP request latency.\n"
         "# TYPE uudai_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : requests_) {
    WriteHistogram(out, "uudai_http_request_duration_seconds",
                   "route=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"",
                   kBuckets, h);
  }
  out << "# HELP uudai_redemptions_total Redemption operations by outcome.\n"
         "# TYPE uudai_redemptions_total counter\n";
  for (const auto& [outcome, n] : redemptions_) {
    out << "uudai_redemptions_total{outcome=\"" << outcome << "\"} " << n << "\n";
  }
  out << "# HELP uudai_open_connections Open HTTP connections.\n"
         "# TYPE uudai_open_connections gauge\n"
      << "uudai_open_connections " << open_connections_.load() << "\n";
  const ProcessMemory memory = ReadProcessMemory();
  out << "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
         "# TYPE process_resident_memory_bytes gauge\n"
      << "process_resident_memory_bytes " << memory.resident_bytes << "\n"
      << "# HELP uudai_heap_in_use_bytes Heap blocks in use (malloc, all arenas): the live "
         "objects, without the freed memory the allocator keeps.\n"
         "# TYPE uudai_heap_in_use_bytes gauge\n"
      << "uudai_heap_in_use_bytes " << memory.heap_in_use_bytes << "\n";
  for (const auto& source : sources_) out << source();
  return out.str();
}

}  // namespace uudai::gateway
