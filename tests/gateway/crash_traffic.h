// CrashTraffic: mixed checkout traffic against a `uudai serve` that the test kills (SIGKILL)
// and restarts at random moments, and the reconciliation that must hold afterwards:
// every acknowledged write is in the ledger, the stats counters equal the ledger, and no limit
// is exceeded. Used with the embedded store (journal) and with Redis.
#ifndef UUDAI_TESTS_GATEWAY_CRASH_TRAFFIC_H_
#define UUDAI_TESTS_GATEWAY_CRASH_TRAFFIC_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

namespace uudai::testing {

// The limited offer the traffic redeems: AlwaysOnOffer() with these limits.
inline constexpr std::int64_t kCrashQuota = 60;
inline constexpr std::int64_t kCrashPerShopper = 2;
inline constexpr int kCrashShoppers = 40;
boost::json::object CrashTrafficOffer();

class CrashTraffic {
 public:
  // Writers create redemptions (reserved, or committed at once) for random shoppers of a pool
  // of kCrashShoppers, then commit, cancel or refund some. They send to `port()`, which the
  // test changes when it restarts the gateway; refused connections are retried.
  CrashTraffic(const char* checkout_key, std::uint16_t port, int writers, std::uint64_t seed);
  ~CrashTraffic();  // Stop()s

  void SetPort(std::uint16_t port) { port_.store(port); }
  void Stop();

  // Acknowledged writes: redemption id → the last status a 2xx answer reported.
  std::map<std::string, std::string> acknowledged() const;
  std::size_t acknowledged_count() const;

 private:
  void Write(int writer, std::uint64_t seed);
  void Ack(const std::string& id, const std::string& status);

  const char* key_;
  std::atomic<std::uint16_t> port_;
  std::atomic<bool> go_{true};
  mutable std::mutex mutex_;
  std::map<std::string, std::string> acknowledged_;
  std::vector<std::thread> writers_;
};

// Reconciles the gateway on `port` against `acknowledged` (read with `analyst_key`), with
// GoogleTest expectations: every acknowledged redemption is in the export with its status or
// one reachable from it; the offer's stats (counts by status, discount committed, remaining)
// equal the ledger; live redemptions ≤ kCrashQuota and ≤ kCrashPerShopper per shopper.
void ExpectLedgerReconciles(std::uint16_t port, const char* analyst_key,
                            const std::string& offer_id,
                            const std::map<std::string, std::string>& acknowledged);

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_GATEWAY_CRASH_TRAFFIC_H_
