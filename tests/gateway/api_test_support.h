// What the HTTP-level API tests share: request bodies as JSON objects, one-line
// offer and redemption creation, problem+json checks, a raw socket for byte-level tests.
#ifndef UUDAI_TESTS_GATEWAY_API_TEST_SUPPORT_H_
#define UUDAI_TESTS_GATEWAY_API_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "test_gateway.h"

namespace uudai::testing {

// SampleOfferJson() as an object (shop-1, merchant layer, percent 10 capped at 100.000,
// auto, October 2026), so that a test can override the fields it is about.
boost::json::object OfferBody();

// OfferBody() valid from 2020 to 2100: for a uudai binary, which runs on the system clock.
boost::json::object AlwaysOnOffer();

// A payment partner's cashback offer as an admin posts it (platform, payment layer, MoMo pays
// "hoàn 10% tối đa 50.000 ₫"), valid from 2020 to 2100.
boost::json::object CashbackOfferBody();

// A tiered discount as posted and as rendered: "giảm 20k cho đơn từ 200k, 10% (tối đa 60k) từ
// 500k, 12% từ 1 triệu" (the last tier's max_amount null).
boost::json::object SpendTiersDiscount();

// A cart of shop-1 for `shopper_id`, paid with momo, no shipping fee, one item
// {"sku":"sku-1","category":"electronics","unit_price":unit_price,"quantity":quantity}.
boost::json::object CartBody(std::int64_t unit_price = 100'000, std::int64_t quantity = 1,
                             const std::string& shopper_id = "s-1");
// CartBody plus "order_id".
boost::json::object RedemptionBody(const std::string& order_id, std::int64_t unit_price = 100'000,
                                   const std::string& shopper_id = "s-1");

std::string Json(const boost::json::object& object);

// POST /v1/offers; throws (failing the test) unless the answer is 201. Returns the offer's id.
std::string CreateOffer(TestGateway& gateway, const char* key, const boost::json::object& body);
// POST /v1/redemptions with this Idempotency-Key.
HttpReply Redeem(TestGateway& gateway, const boost::json::object& body,
                 const std::string& idempotency_key, const char* key = kCheckoutKey);
// POST /v1/redemptions on `connection` of RedemptionBody(order_id, 100,000 đồng, shopper_id) with
// "commit": true, its Idempotency-Key the order id, as the checkout key.
HttpReply CommitRedemption(HttpConnection& connection, const std::string& order_id,
                           const std::string& shopper_id);
// What racing clients got (RaceCommittedRedemptions): the 201s, and the other answers, a 409
// by its code, any other as "<status> <body>".
struct RedemptionRace {
  std::map<std::string, int> wins_by_shopper;
  std::vector<std::string> won_ids;
  std::map<std::string, int> refusals;
};
// `clients` clients at once, client c on ports[c % ports.size()] over one connection, each
// making `attempts` CommitRedemption calls, each of an order of its own, by shopper
// "s-<(7c + i) % shoppers>" (i: the attempt's number).
RedemptionRace RaceCommittedRedemptions(const std::vector<std::uint16_t>& ports, int clients,
                                        int attempts, int shoppers);
// Redeem, throwing unless 201; returns the redemption's id.
std::string RedeemOrThrow(TestGateway& gateway, const boost::json::object& body,
                          const std::string& idempotency_key);

// Clears `go` and joins `threads` when called, and on every way out of a test: a failed ASSERT
// returns early, and a joinable thread left behind would end the binary before it reports.
struct StopThreads {
  std::atomic<bool>& go;
  std::vector<std::thread>& threads;
  void operator()() {
    go = false;
    for (auto& thread : threads) {
      if (thread.joinable()) thread.join();
    }
  }
  ~StopThreads() { (*this)(); }
};

// A reply's JSON body as an object (throws when it is not one).
boost::json::object Object(const HttpReply& reply);

// Whether `reply` is an RFC 9457 problem with this status and code: content type
// application/problem+json, members type, title, status, code and detail of the right types.
::testing::AssertionResult IsProblem(const HttpReply& reply, int status, const std::string& code);

// The "path" of every entry of a 422 problem's "errors", in order.
std::vector<std::string> ErrorPaths(const HttpReply& reply);

// A plain blocking TCP connection to 127.0.0.1:port for byte-level tests (partial requests,
// stalls). Closes on destruction.
class RawSocket {
 public:
  explicit RawSocket(std::uint16_t port);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  void Send(const std::string& bytes);
  // Send, but false instead of throwing once the peer has closed (a send after the peer's
  // close may still succeed: the one after it fails).
  bool TrySend(const std::string& bytes);
  // Everything received until the peer closes or `wait` passes; `closed` (when given) tells
  // which: true when the peer closed (end of stream or reset).
  std::string ReadUntilClosed(std::chrono::milliseconds wait, bool* closed = nullptr);

 private:
  int fd_ = -1;
};

// Whether a TCP connection to 127.0.0.1:port is accepted.
bool CanConnect(std::uint16_t port);

// A fresh directory under $TMPDIR (mkdtemp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_GATEWAY_API_TEST_SUPPORT_H_
