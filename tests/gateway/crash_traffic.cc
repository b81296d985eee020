#include "crash_traffic.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <set>

#include <boost/json/parse.hpp>

#include "api_test_support.h"
#include "serve_process.h"

namespace uudai::testing {
namespace {

// Statuses a redemption may have reached after one acknowledged as `acked`: a later write
// may be durable without its answer having arrived (the process died in between).
bool Reachable(const std::string& acked, const std::string& now) {
  if (acked == now) return true;
  if (acked == "reserved") return true;  // anything follows a reservation
  if (acked == "committed") return now == "refunded";
  return false;  // released, expired and refunded are final
}

}  // namespace

boost::json::object CrashTrafficOffer() {
  boost::json::object offer = AlwaysOnOffer();
  offer["limits"] = {{"total_redemptions", kCrashQuota}, {"per_shopper", kCrashPerShopper}};
  return offer;
}

CrashTraffic::CrashTraffic(const char* checkout_key, std::uint16_t port, int writers,
                           std::uint64_t seed)
    : key_(checkout_key), port_(port) {
  for (int w = 0; w < writers; ++w) {
    writers_.emplace_back([this, w, seed] { Write(w, seed + static_cast<std::uint64_t>(w)); });
  }
}

CrashTraffic::~CrashTraffic() { Stop(); }

void CrashTraffic::Stop() {
  go_.store(false);
  for (auto& writer : writers_) writer.join();
  writers_.clear();
}

std::map<std::string, std::string> CrashTraffic::acknowledged() const {
  std::lock_guard lock(mutex_);
  return acknowledged_;
}

std::size_t CrashTraffic::acknowledged_count() const {
  std::lock_guard lock(mutex_);
  return acknowledged_.size();
}

void CrashTraffic::Ack(const std::string& id, const std::string& status) {
  std::lock_guard lock(mutex_);
  acknowledged_[id] = status;
}

void CrashTraffic::Write(int writer, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::string> reserved, committed;  // this writer's acknowledged, by status
  auto call = [this](const std::string& method, const std::string& target, const std::string& body,
                     Headers headers) -> HttpReply {
    try {
      return CallPort(port_.load(), method, target, key_, body, std::move(headers));
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the gateway is down
      return HttpReply{};
    }
  };
  for (int i = 0; go_.load(); ++i) {
    const auto pick = random() % 10;
    if (pick < 5 || reserved.empty()) {
      const std::string order = "w" + std::to_string(writer) + "-" + std::to_string(i);
      boost::json::object body =
          RedemptionBody(order, 100'000, "s-" + std::to_string(random() % kCrashShoppers));
      if (random() % 2 == 0) body["commit"] = true;
      const HttpReply reply =
          call("POST", "/v1/redemptions", Json(body), {{"Idempotency-Key", order}});
      if (reply.status != 201) continue;
      const auto json = reply.Json();
      const std::string id(json.at("id").as_string());
      const std::string status(json.at("status").as_string());
      Ack(id, status);
      (status == "reserved" ? reserved : committed).push_back(id);
      continue;
    }
    // A transition of one of this writer's redemptions.
    const bool refund = pick == 9 && !committed.empty();
    auto& from = refund ? committed : reserved;
    const std::size_t at = random() % from.size();
    const std::string id = from[at];
    const std::string action = refund ? "refund" : (pick < 8 ? "commit" : "cancel");
    const HttpReply reply = call("POST", "/v1/redemptions/" + id + "/" + action, "", {});
    if (reply.status == 0) continue;  // unknown outcome: the ledger may have either
    from.erase(from.begin() + static_cast<std::ptrdiff_t>(at));
    if (reply.status != 200) continue;  // e.g. reservation_expired: no longer ours to move
    const std::string status(reply.Json().at("status").as_string());
    Ack(id, status);
    if (status == "committed") committed.push_back(id);
  }
}

void ExpectLedgerReconciles(std::uint16_t port, const char* analyst_key,
                            const std::string& offer_id,
                            const std::map<std::string, std::string>& acknowledged) {
  const HttpReply exported = CallPort(port, "GET", "/v1/redemptions/export", analyst_key);
  ASSERT_EQ(exported.status, 200) << exported.body;
  std::map<std::string, std::string> ledger;  // id → status
  std::map<std::string, std::int64_t> count_by_status;
  std::map<std::string, std::int64_t> live_by_shopper;
  std::int64_t live = 0, discount_committed = 0;
  for (std::size_t at = 0; at < exported.body.size();) {
    const std::size_t end = exported.body.find('\n', at);
    const auto row = boost::json::parse(exported.body.substr(at, end - at)).as_object();
    at = end + 1;
    const std::string id(row.at("id").as_string());
    const std::string status(row.at("status").as_string());
    EXPECT_TRUE(ledger.emplace(id, status).second) << "twice in the export: " << id;
    ++count_by_status[status];
    if (status == "reserved" || status == "committed") {
      ++live;
      ++live_by_shopper[std::string(row.at("shopper_id").as_string())];
    }
    if (status == "committed") discount_committed += row.at("discount_total").as_int64();
  }
  // Every acknowledged write is there.
  int missing = 0, regressed = 0;
  for (const auto& [id, status] : acknowledged) {
    auto it = ledger.find(id);
    if (it == ledger.end()) {
      ++missing;
    } else if (!Reachable(status, it->second)) {
      ++regressed;
      ADD_FAILURE() << id << " was acknowledged " << status << ", the ledger says " << it->second;
    }
  }
  EXPECT_EQ(missing, 0) << "of " << acknowledged.size() << " acknowledged redemptions";
  EXPECT_EQ(regressed, 0);
  // No limit exceeded.
  EXPECT_LE(live, kCrashQuota);
  for (const auto& [shopper, count] : live_by_shopper) {
    EXPECT_LE(count, kCrashPerShopper) << shopper;
  }
  // The counters equal the ledger.
  const HttpReply stats = CallPort(port, "GET", "/v1/stats/offers/" + offer_id, analyst_key);
  ASSERT_EQ(stats.status, 200) << stats.body;
  const auto json = stats.Json();
  for (const char* status : {"reserved", "committed", "released", "expired", "refunded"}) {
    EXPECT_EQ(json.at("redemptions").at(status).as_int64(), count_by_status[status]) << status;
  }
  EXPECT_EQ(json.at("discount_committed").as_int64(), discount_committed);
  EXPECT_EQ(json.at("remaining").at("redemptions").as_int64(), kCrashQuota - live);
}

}  // namespace uudai::testing
