#include "api_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace uudai::testing {

boost::json::object OfferBody() { return boost::json::parse(SampleOfferJson()).as_object(); }

boost::json::object AlwaysOnOffer() {
  boost::json::object body = OfferBody();
  body["starts_at"] = "2020-01-01T00:00:00+07:00";
  body["ends_at"] = "2100-01-01T00:00:00+07:00";
  return body;
}

boost::json::object CashbackOfferBody() {
  boost::json::object body = AlwaysOnOffer();
  body["merchant_id"] = "platform";
  body["layer"] = "payment";
  body["funded_by"] = "payment_partner";
  body["funder"] = "momo";
  body["discount"] =
      boost::json::object{{"type", "cashback"}, {"value", 10}, {"max_amount", 50'000}};
  return body;
}

boost::json::object SpendTiersDiscount() {
  using boost::json::array;
  using boost::json::object;
  return object{
      {"type", "tiered"},
      {"basis", "subtotal"},
      {"tiers",
       array{
           object{{"min", 200'000}, {"discount", object{{"type", "fixed"}, {"value", 20'000}}}},
           object{{"min", 500'000},
                  {"discount", object{{"type", "percent"}, {"value", 10}, {"max_amount", 60'000}}}},
           object{{"min", 1'000'000},
                  {"discount",
                   object{{"type", "percent"}, {"value", 12}, {"max_amount", nullptr}}}}}}};
}

boost::json::object CartBody(std::int64_t unit_price, std::int64_t quantity,
                             const std::string& shopper_id) {
  return boost::json::object{
      {"shopper_id", shopper_id},
      {"merchant_id", "shop-1"},
      {"payment_method", "momo"},
      {"items", boost::json::array{boost::json::object{{"sku", "sku-1"},
                                                       {"category", "electronics"},
                                                       {"unit_price", unit_price},
                                                       {"quantity", quantity}}}},
  };
}

boost::json::object RedemptionBody(const std::string& order_id, std::int64_t unit_price,
                                   const std::string& shopper_id) {
  boost::json::object body = CartBody(unit_price, 1, shopper_id);
  body["order_id"] = order_id;
  return body;
}

std::string Json(const boost::json::object& object) { return boost::json::serialize(object); }

std::string CreateOffer(TestGateway& gateway, const char* key, const boost::json::object& body) {
  const HttpReply reply = gateway.Call("POST", "/v1/offers", key, Json(body));
  if (reply.status != 201) {
    throw std::runtime_error("POST /v1/offers answered " + std::to_string(reply.status) + ": " +
                             reply.body);
  }
  return std::string(reply.Json().at("id").as_string());
}

HttpReply Redeem(TestGateway& gateway, const boost::json::object& body,
                 const std::string& idempotency_key, const char* key) {
  return gateway.Call("POST", "/v1/redemptions", key, Json(body),
                      {{"Idempotency-Key", idempotency_key}});
}

HttpReply CommitRedemption(HttpConnection& connection, const std::string& order_id,
                           const std::string& shopper_id) {
  boost::json::object body = RedemptionBody(order_id, 100'000, shopper_id);
  body["commit"] = true;
  return connection.Send(
      "POST", "/v1/redemptions", Json(body),
      {{"Authorization", std::string("Bearer ") + kCheckoutKey}, {"Idempotency-Key", order_id}});
}

RedemptionRace RaceCommittedRedemptions(const std::vector<std::uint16_t>& ports, int clients,
                                        int attempts, int shoppers) {
  RedemptionRace race;
  std::mutex mutex;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      HttpConnection connection(ports[static_cast<std::size_t>(c) % ports.size()]);
      for (int i = 0; i < attempts; ++i) {
        const std::string order = "c" + std::to_string(c) + "-" + std::to_string(i);
        const std::string shopper = "s-" + std::to_string((c * 7 + i) % shoppers);
        const HttpReply reply = CommitRedemption(connection, order, shopper);
        std::lock_guard lock(mutex);
        if (reply.status == 201) {
          ++race.wins_by_shopper[shopper];
          race.won_ids.emplace_back(reply.Json().at("id").as_string());
        } else if (reply.status == 409) {
          ++race.refusals[std::string(reply.Json().at("code").as_string())];
        } else {
          ++race.refusals[std::to_string(reply.status) + " " + reply.body];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return race;
}

std::string RedeemOrThrow(TestGateway& gateway, const boost::json::object& body,
                          const std::string& idempotency_key) {
  const HttpReply reply = Redeem(gateway, body, idempotency_key);
  if (reply.status != 201) {
    throw std::runtime_error("POST /v1/redemptions answered " + std::to_string(reply.status) +
                             ": " + reply.body);
  }
  return std::string(reply.Json().at("id").as_string());
}

boost::json::object Object(const HttpReply& reply) { return reply.Json().as_object(); }

::testing::AssertionResult IsProblem(const HttpReply& reply, int status, const std::string& code) {
  if (reply.status != status) {
    return ::testing::AssertionFailure()
           << "status " << reply.status << ", expected " << status << "; body " << reply.body;
  }
  if (reply.Header("content-type") != "application/problem+json") {
    return ::testing::AssertionFailure() << "content-type '" << reply.Header("content-type")
                                         << "', expected application/problem+json";
  }
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(reply.body, ec);
  if (ec || !parsed.is_object()) {
    return ::testing::AssertionFailure() << "body is not a JSON object: " << reply.body;
  }
  const auto& body = parsed.get_object();
  for (const char* member : {"type", "title", "code", "detail"}) {
    const auto* v = body.if_contains(member);
    if (v == nullptr || !v->is_string() || v->get_string().empty()) {
      return ::testing::AssertionFailure()
             << "member '" << member << "' missing or not a non-empty string: " << reply.body;
    }
  }
  const auto* status_member = body.if_contains("status");
  if (status_member == nullptr || !status_member->is_int64() ||
      status_member->get_int64() != status) {
    return ::testing::AssertionFailure()
           << "member 'status' is not " << status << ": " << reply.body;
  }
  if (body.at("code").get_string() != code) {
    return ::testing::AssertionFailure()
           << "code '" << body.at("code").get_string().c_str() << "', expected " << code;
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> ErrorPaths(const HttpReply& reply) {
  std::vector<std::string> paths;
  const auto parsed = reply.Json();
  const auto* errors = parsed.as_object().if_contains("errors");
  if (errors == nullptr) return paths;
  for (const auto& e : errors->as_array()) {
    paths.emplace_back(e.as_object().at("path").as_string());
  }
  return paths;
}

namespace {

int ConnectTo(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

RawSocket::RawSocket(std::uint16_t port) : fd_(ConnectTo(port)) {
  if (fd_ < 0) throw std::runtime_error("connect to port " + std::to_string(port) + " refused");
}

RawSocket::~RawSocket() {
  if (fd_ >= 0) ::close(fd_);
}

void RawSocket::Send(const std::string& bytes) {
  if (!TrySend(bytes)) throw std::runtime_error("send() failed");
}

bool RawSocket::TrySend(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string RawSocket::ReadUntilClosed(std::chrono::milliseconds wait, bool* closed) {
  std::string out;
  if (closed != nullptr) *closed = false;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  char buffer[65536];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd fd{fd_, POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) break;
    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (closed != nullptr) *closed = true;
      break;
    }
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

bool CanConnect(std::uint16_t port) {
  const int fd = ConnectTo(port);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/uudai-gateway-test-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace uudai::testing
