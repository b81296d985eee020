// Webhooks end to end: registered through /v1/webhooks, delivered by the gateway to a receiver
// on loopback, signed (checked by Python's hmac, not by uudai's code), retried with growing
// delays, logged, redelivered, kept across a restart, and never sent where the operator has
// not allowed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "api_test_support.h"
#include "loopback_receiver.h"
#include "support/shell.h"
#include "test_certificates.h"
#include "test_gateway.h"

namespace uudai::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

TestGatewayOptions AllowingLoopback() {
  TestGatewayOptions options;
  options.webhook_allow = {"127.0.0.1/32"};
  return options;
}

bool WaitFor(const std::function<bool()>& done, milliseconds within = milliseconds(10'000)) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return done();
}

// Registers a webhook; returns its JSON (with the secret).
json::object Register(TestGateway& gateway, const char* key, json::object body) {
  const HttpReply reply = gateway.Call("POST", "/v1/webhooks", key, Json(body));
  EXPECT_EQ(reply.status, 201) << reply.body;
  return reply.status == 201 ? Object(reply) : json::object{};
}

json::object Hook(const std::string& url, json::array events) {
  return json::object{{"url", url}, {"events", std::move(events)}};
}

// HMAC-SHA256(secret, message) in hex by Python's hmac module: an implementation not uudai's.
std::string PythonHmac(const std::string& secret, const std::string& message) {
  char path[] = "/tmp/uudai-hmac-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path, std::ios::binary) << message;
  const std::string command =
      std::string(
          "python3 -c 'import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), "
          "open(sys.argv[2],\"rb\").read(), hashlib.sha256).hexdigest())' ") +
      "'" + secret + "' " + path;
  std::string out = Shell(command);
  unlink(path);
  return out;
}

json::array Deliveries(TestGateway& gateway, const std::string& id, const char* key = kAdminKey) {
  const HttpReply reply = gateway.Call("GET", "/v1/webhooks/" + id + "/deliveries", key);
  EXPECT_EQ(reply.status, 200) << reply.body;
  return reply.status == 200 ? Object(reply).at("items").as_array() : json::array{};
}

TEST(WebhooksApiTest, ACommittedRedemptionIsDeliveredSignedAndLogged) {
  LoopbackReceiver receiver(ReceiverScript::Status(204));
  TestGateway gateway(AllowingLoopback());
  CreateOffer(gateway, kMerchantKey, OfferBody());
  const json::object hook =
      Register(gateway, kMerchantKey, Hook(receiver.Url(), {"redemption.committed"}));
  const std::string id(hook.at("id").as_string());
  const std::string secret(hook.at("secret").as_string());
  EXPECT_EQ(hook.at("merchant_id").as_string(), "shop-1");  // a merchant's own shop
  EXPECT_GE(secret.size(), 32U);

  // A reserved redemption is not wanted; its commit is
  const std::string redemption = RedeemOrThrow(gateway, RedemptionBody("order-1"), "idem-1");
  ASSERT_EQ(gateway.Call("POST", "/v1/redemptions/" + redemption + "/commit", kCheckoutKey).status,
            200);
  ASSERT_TRUE(WaitFor([&] { return !Deliveries(gateway, id, kMerchantKey).empty(); }));
  std::this_thread::sleep_for(milliseconds(200));  // nothing else comes
  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1U);
  const ReceivedRequest& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  EXPECT_EQ(request.Header("Uudai-Webhook-Id"), id);
  EXPECT_EQ(request.Header("Uudai-Event-Type"), "redemption.committed");
  EXPECT_EQ(request.Header("Uudai-Delivery-Attempt"), "1");
  const json::value event = json::parse(request.body);
  EXPECT_EQ(event.at("type").as_string(), "redemption.committed");
  EXPECT_EQ(event.at("data").at("redemption_id").as_string(), redemption);
  EXPECT_EQ(event.at("data").at("redemption").at("status").as_string(), "committed");
  EXPECT_EQ(request.Header("Uudai-Event-Seq"), std::to_string(event.at("seq").as_int64()));
  // Signed t=<unix>,v1=<HMAC-SHA256(secret, t + "." + body)>, as Python computes it
  const std::string signature = request.Header("Uudai-Signature");
  const auto comma = signature.find(",v1=");
  ASSERT_TRUE(signature.starts_with("t=") && comma != std::string::npos) << signature;
  const std::string t = signature.substr(2, comma - 2);
  EXPECT_EQ(signature.substr(comma + 4), PythonHmac(secret, t + "." + request.body));
  EXPECT_NE(signature.substr(comma + 4), PythonHmac(secret + "x", t + "." + request.body));

  // The log says so; the list never shows the secret again
  const json::array log = Deliveries(gateway, id, kMerchantKey);
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].at("result").as_string(), "delivered");
  EXPECT_EQ(log[0].at("status").as_int64(), 204);
  EXPECT_EQ(log[0].at("attempt").as_int64(), 1);
  const HttpReply listed = gateway.Call("GET", "/v1/webhooks", kMerchantKey);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(secret), std::string::npos);
  EXPECT_EQ(Object(listed).at("items").as_array().size(), 1U);
  EXPECT_TRUE(WaitFor([&] {
    return Object(gateway.Call("GET", "/v1/webhooks", kAdminKey))
               .at("items")
               .at(0)
               .at("delivered_through")
               .as_int64() == event.at("seq").as_int64();
  }));
}

TEST(WebhooksApiTest, AFailingReceiverGetsRetriesFurtherApartThenTheEventsInOrder) {
  LoopbackReceiver receiver(ReceiverScript::Status(500));
  TestGateway gateway(AllowingLoopback());
  const json::object hook =
      Register(gateway, kAdminKey, Hook(receiver.Url(), {"offer.created", "offer.updated"}));
  const std::string id(hook.at("id").as_string());
  const std::string offer = CreateOffer(gateway, kMerchantKey, OfferBody());
  ASSERT_EQ(gateway.Call("PATCH", "/v1/offers/" + offer, kAdminKey, R"({"priority":5})").status,
            200);
  // Five failed attempts of the first event, further apart each time (backoff 100 ms doubled
  // per attempt, with jitter in its upper half: 50-100, 100-200, 200-400, 400-800 ms)
  std::vector<std::chrono::steady_clock::time_point> arrivals;
  ASSERT_TRUE(WaitFor([&] {
    while (arrivals.size() < receiver.Requests().size()) {
      arrivals.push_back(std::chrono::steady_clock::now());
    }
    std::this_thread::sleep_for(milliseconds(5));
    return arrivals.size() >= 5;
  }));
  // 400-800 ms against 50-100 ms (plus a poll of 50 ms and the machine's delays)
  EXPECT_GT(arrivals[4] - arrivals[3], arrivals[1] - arrivals[0]);
  ASSERT_TRUE(WaitFor([&] { return Deliveries(gateway, id).size() >= 5; }));
  const json::array failing = Deliveries(gateway, id);
  for (std::size_t i = 0; i < failing.size(); ++i) {
    EXPECT_EQ(failing[i].at("result").as_string(), "retrying");
    EXPECT_EQ(failing[i].at("status").as_int64(), 500);
    EXPECT_EQ(failing[i].at("event_type").as_string(), "offer.created");
    EXPECT_EQ(failing[i].at("attempt").as_int64(),
              static_cast<std::int64_t>(failing.size() - i));  // newest first
  }
  // When the receiver recovers, the first event is delivered, then the second
  receiver.SetScript(ReceiverScript::Status(200));
  ASSERT_TRUE(WaitFor([&] {
    const json::array log = Deliveries(gateway, id);
    return !log.empty() && log[0].at("event_type").as_string() == "offer.updated" &&
           log[0].at("result").as_string() == "delivered";
  }));
  const auto requests = receiver.Requests();
  std::vector<std::string> types;
  for (const auto& r : requests) types.push_back(r.Header("Uudai-Event-Type"));
  ASSERT_GE(types.size(), 6U);
  EXPECT_EQ(types.back(), "offer.updated");
  EXPECT_EQ(types[types.size() - 2], "offer.created");
  EXPECT_EQ(std::count(types.begin(), types.end(), "offer.updated"), 1);
}

TEST(WebhooksApiTest, AnEventFailingPastTheRetryPeriodIsGivenUpAndTheNextOneSent) {
  LoopbackReceiver receiver(ReceiverScript::Status(503));
  TestGatewayOptions options = AllowingLoopback();
  options.webhook_retry_period = milliseconds(60'000);
  TestGateway gateway(options);
  const std::string id(
      Register(gateway, kAdminKey, Hook(receiver.Url(), {"offer.created"})).at("id").as_string());
  CreateOffer(gateway, kMerchantKey, OfferBody());
  ASSERT_TRUE(WaitFor([&] { return receiver.Requests().size() >= 2; }));
  // A minute after its first attempt, the first event's next failure gives it up
  gateway.clock().Advance(61'000);
  ASSERT_TRUE(WaitFor([&] {
    const json::array log = Deliveries(gateway, id);
    return !log.empty() && log[0].at("result").as_string() == "given_up";
  }));
  // And the next event is tried (and delivered once the receiver answers)
  receiver.SetScript(ReceiverScript::Status(200));
  CreateOffer(gateway, kMerchantKey, OfferBody());
  ASSERT_TRUE(WaitFor([&] {
    const json::array log = Deliveries(gateway, id);
    return !log.empty() && log[0].at("result").as_string() == "delivered";
  }));
  const std::string metrics = gateway.Call("GET", "/metrics", nullptr).body;
  EXPECT_NE(metrics.find("uudai_webhook_given_up_total 1"), std::string::npos) << metrics;
}

TEST(WebhooksApiTest, AnHttpsReceiverIsReachedOnlyWithItsCertificateTrusted) {
  TestCertificateAuthority authority;
  LoopbackReceiver receiver(ReceiverScript::Status(200),
                            authority.SignServerCertificate({"localhost"}, {"127.0.0.1"}));
  TempFile ca_file(authority.certificate_pem());
  // Trusting the test's CA (--webhook-ca-file): delivered over TLS
  {
    TestGatewayOptions options = AllowingLoopback();
    options.webhook_ca_file = ca_file.path();
    TestGateway gateway(options);
    const std::string id(
        Register(gateway, kAdminKey, Hook(receiver.Url(), {"offer.created"})).at("id").as_string());
    EXPECT_TRUE(receiver.Url().starts_with("https://"));
    CreateOffer(gateway, kMerchantKey, OfferBody());
    ASSERT_TRUE(WaitFor([&] {
      const json::array log = Deliveries(gateway, id);
      return !log.empty() && log[0].at("result").as_string() == "delivered";
    }));
    EXPECT_EQ(receiver.Requests().size(), 1U);
  }
  // Without it: every attempt fails the handshake, and the receiver reads no request
  TestGateway gateway(AllowingLoopback());
  const std::string id(
      Register(gateway, kAdminKey, Hook(receiver.Url(), {"offer.created"})).at("id").as_string());
  CreateOffer(gateway, kMerchantKey, OfferBody());
  ASSERT_TRUE(WaitFor([&] { return Deliveries(gateway, id).size() >= 2; }));
  const json::array log = Deliveries(gateway, id);
  EXPECT_EQ(log[0].at("error").as_string(), "tls");
  EXPECT_EQ(log[0].at("result").as_string(), "retrying");
  EXPECT_EQ(receiver.Requests().size(), 1U);
}

TEST(WebhooksApiTest, AReceiverThatTimesOutOrClosesEarlyIsRetried) {
  LoopbackReceiver receiver(ReceiverScript::Delayed(milliseconds(3'000)));
  TestGatewayOptions options = AllowingLoopback();
  options.webhook_timeout = milliseconds(300);
  TestGateway gateway(options);
  const std::string id(
      Register(gateway, kAdminKey, Hook(receiver.Url(), {"offer.created"})).at("id").as_string());
  CreateOffer(gateway, kMerchantKey, OfferBody());
  ASSERT_TRUE(WaitFor([&] { return !Deliveries(gateway, id).empty(); }));
  json::object first = Deliveries(gateway, id).back().as_object();
  EXPECT_EQ(first.at("error").as_string(), "timeout");
  EXPECT_GE(first.at("latency_ms").as_int64(), 250);
  receiver.SetScript(ReceiverScript::CloseWithoutAnswer());
  ASSERT_TRUE(WaitFor([&] {
    const json::array log = Deliveries(gateway, id);
    return !log.empty() && log[0].at("error") == "closed";
  }));
  receiver.SetScript(ReceiverScript::Status(202));
  ASSERT_TRUE(WaitFor([&] {
    const json::array log = Deliveries(gateway, id);
    return !log.empty() && log[0].at("result").as_string() == "delivered";
  }));
  const json::array log = Deliveries(gateway, id);
  EXPECT_EQ(log[0].at("status").as_int64(), 202);
  EXPECT_GE(log[0].at("attempt").as_int64(), 3);
}

TEST(WebhooksApiTest, TargetsTheOperatorHasNotAllowedAreRefused) {
  TestGateway gateway;  // no --webhook-allow
  for (const char* url : {"http://127.0.0.1:9/hook", "http://169.254.169.254/latest/meta-data",
                          "http://10.0.0.7/hook", "http://[::1]/hook", "ftp://example.com/x",
                          "http://user:pass@example.com/hook"}) {
    EXPECT_TRUE(IsProblem(
        gateway.Call("POST", "/v1/webhooks", kAdminKey, Json(Hook(url, {"offer.created"}))), 422,
        "validation_failed"))
        << url;
  }
  // A name that resolves to loopback is registered, and refused at every delivery
  const json::object hook =
      Register(gateway, kAdminKey, Hook("http://localhost:9/hook", {"offer.created"}));
  CreateOffer(gateway, kMerchantKey, OfferBody());
  const std::string id(hook.at("id").as_string());
  ASSERT_TRUE(WaitFor([&] { return !Deliveries(gateway, id).empty(); }));
  const json::object attempt = Deliveries(gateway, id)[0].as_object();
  EXPECT_EQ(attempt.at("result").as_string(), "retrying");
  EXPECT_TRUE(attempt.at("status").is_null());
  EXPECT_TRUE(std::string(attempt.at("error").as_string()).starts_with("refused"))
      << attempt.at("error");
}

TEST(WebhooksApiTest, BadRegistrationsAndOtherShopsAreRefused) {
  TestGateway gateway(AllowingLoopback());
  const std::string url = "http://127.0.0.1:9/hook";
  EXPECT_TRUE(IsProblem(gateway.Call("POST", "/v1/webhooks", kAdminKey, R"({"url":"x"})"), 422,
                        "validation_failed"));
  EXPECT_TRUE(
      IsProblem(gateway.Call("POST", "/v1/webhooks", kAdminKey, Json(Hook(url, {"offer.deleted"}))),
                422, "validation_failed"));
  EXPECT_TRUE(IsProblem(gateway.Call("POST", "/v1/webhooks", kAdminKey, Json(Hook(url, {}))), 422,
                        "validation_failed"));
  json::object short_secret = Hook(url, {"offer.created"});
  short_secret["secret"] = "short";
  EXPECT_TRUE(IsProblem(gateway.Call("POST", "/v1/webhooks", kAdminKey, Json(short_secret)), 422,
                        "validation_failed"));
  json::object typo = Hook(url, {"offer.created"});
  typo["evnts"] = json::array{};
  EXPECT_TRUE(
      IsProblem(gateway.Call("POST", "/v1/webhooks", kAdminKey, Json(typo)), 422, "unknown_field"));
  json::object theirs = Hook(url, {"offer.created"});
  theirs["merchant_id"] = "shop-2";
  EXPECT_TRUE(IsProblem(gateway.Call("POST", "/v1/webhooks", kMerchantKey, Json(theirs)), 403,
                        "forbidden"));
  EXPECT_TRUE(IsProblem(
      gateway.Call("POST", "/v1/webhooks", kCheckoutKey, Json(Hook(url, {"offer.created"}))), 403,
      "forbidden"));
  // Another shop's webhook is not found by a merchant, and is not in its list
  const json::object mine = Register(gateway, kMerchantKey, Hook(url, {"offer.created"}));
  const std::string id(mine.at("id").as_string());
  EXPECT_TRUE(
      IsProblem(gateway.Call("GET", "/v1/webhooks/" + id + "/deliveries", kOtherMerchantKey), 404,
                "not_found"));
  EXPECT_TRUE(
      IsProblem(gateway.Call("DELETE", "/v1/webhooks/" + id, kOtherMerchantKey), 404, "not_found"));
  EXPECT_TRUE(Object(gateway.Call("GET", "/v1/webhooks", kOtherMerchantKey))
                  .at("items")
                  .as_array()
                  .empty());
  // A redeliver past the last event is refused (it would silence the webhook)
  EXPECT_TRUE(IsProblem(gateway.Call("POST", "/v1/webhooks/" + id + "/redeliver", kMerchantKey,
                                     R"({"after_seq":999999})"),
                        422, "validation_failed"));
  // Deleted by its shop: gone
  EXPECT_EQ(gateway.Call("DELETE", "/v1/webhooks/" + id, kMerchantKey).status, 204);
  EXPECT_TRUE(IsProblem(gateway.Call("GET", "/v1/webhooks/" + id + "/deliveries", kAdminKey), 404,
                        "not_found"));
}

TEST(WebhooksApiTest, ARedeliverSendsTheEventsAfterTheGivenSeqAgain) {
  LoopbackReceiver receiver;
  TestGateway gateway(AllowingLoopback());
  const json::object hook = Register(gateway, kAdminKey, Hook(receiver.Url(), {"offer.created"}));
  const std::string id(hook.at("id").as_string());
  const std::int64_t from = hook.at("delivered_through").as_int64();
  CreateOffer(gateway, kMerchantKey, OfferBody());
  CreateOffer(gateway, kMerchantKey, OfferBody());
  ASSERT_TRUE(WaitFor([&] { return receiver.Requests().size() == 2; }));
  const HttpReply rewound = gateway.Call("POST", "/v1/webhooks/" + id + "/redeliver", kAdminKey,
                                         "{\"after_seq\":" + std::to_string(from) + "}");
  ASSERT_EQ(rewound.status, 200) << rewound.body;
  EXPECT_EQ(Object(rewound).at("delivered_through").as_int64(), from);
  ASSERT_TRUE(WaitFor([&] { return receiver.Requests().size() == 4; }));
  const auto requests = receiver.Requests();
  EXPECT_EQ(requests[2].body, requests[0].body);
  EXPECT_EQ(requests[3].body, requests[1].body);
}

TEST(WebhooksApiTest, AWebhookAndItsProgressAreKeptAcrossARestart) {
  TempDir dir;
  LoopbackReceiver receiver;
  TestGatewayOptions options = AllowingLoopback();
  options.data_dir = dir.path();
  std::string id;
  {
    TestGateway gateway(options);
    id = std::string(
        Register(gateway, kAdminKey, Hook(receiver.Url(), {"offer.created"})).at("id").as_string());
    CreateOffer(gateway, kMerchantKey, OfferBody());
    ASSERT_TRUE(WaitFor([&] {
      const json::array log = Deliveries(gateway, id);
      return !log.empty() && log[0].at("result").as_string() == "delivered";
    }));
  }
  TestGateway restarted(options);
  CreateOffer(restarted, kMerchantKey, OfferBody());
  ASSERT_TRUE(WaitFor([&] { return Deliveries(restarted, id).size() >= 2; }));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(receiver.Requests().size(), 2U);  // the first event is not sent again
  EXPECT_EQ(Deliveries(restarted, id).size(), 2U);
  const std::string metrics = restarted.Call("GET", "/metrics", nullptr).body;
  EXPECT_NE(metrics.find("uudai_webhook_attempts_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("uudai_webhook_pending_events"), std::string::npos);
}

}  // namespace
}  // namespace uudai::testing
