// Webhooks with several gateways on one Redis: one gateway delivers each webhook at a time
// (its lease), and a gateway killed in the middle of a delivery leaves the event to another,
// which delivers it again (at least once) and the events after it in order.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "api_test_support.h"
#include "loopback_receiver.h"
#include "multi_gateway_fixture.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "serve_process.h"

namespace uudai::testing {
namespace {

using boost::json::object;
using std::chrono::milliseconds;

// Loopback allowed; one delivery may take 1 s (so a lease lasts 7 s); quick retries.
const std::vector<std::string> kWebhookArgs = {
    "--webhook-allow", "127.0.0.1/32", "--webhook-timeout", "1", "--webhook-retry-backoff", "0.1"};

std::vector<std::string> WithWebhooks(std::vector<std::string> args) {
  args.insert(args.end(), kWebhookArgs.begin(), kWebhookArgs.end());
  return args;
}

std::vector<std::int64_t> SeqsOf(const std::vector<ReceivedRequest>& requests) {
  std::vector<std::int64_t> seqs;
  for (const auto& r : requests) seqs.push_back(std::stoll(r.Header("Uudai-Event-Seq")));
  return seqs;
}

TEST_F(MultiGatewayTest, AGatewayKilledMidDeliveryLeavesTheEventToAnother) {
  // A receiver that holds every request past the delivery timeout: deliveries stay in flight
  LoopbackReceiver receiver(ReceiverScript::Delayed(milliseconds(5'000)));
  StartGateways(1, kWebhookArgs);
  const HttpReply registered = CallPort(
      port(0), "POST", "/v1/webhooks", kAdminKey,
      Json(object{{"url", receiver.Url()}, {"events", boost::json::array{"offer.created"}}}));
  ASSERT_EQ(registered.status, 201) << registered.body;
  const std::string id(registered.Json().at("id").as_string());
  for (int i = 0; i < 3; ++i) CreateOfferOn(0, AlwaysOnOffer());
  ASSERT_TRUE(WaitUntil([&] { return receiver.Requests().size() >= 1; }, milliseconds(5'000)));

  // When the delivering gateway is killed mid-delivery and another starts
  gateways_[0]->Signal(SIGKILL);
  ASSERT_TRUE(gateways_[0]->WaitForExit(milliseconds(5'000)).has_value());
  receiver.SetScript(ReceiverScript::Status(200));
  gateways_.push_back(std::make_unique<ServeProcess>(
      UUDAI_BINARY, keys_file_,
      WithWebhooks({"--redis", RedisServer::Shared().url(), "--redis-prefix", prefix_})));
  ASSERT_TRUE(gateways_[1]->WaitUntilHealthy());

  // Then, once the dead gateway's lease has expired, the new one delivers all three, in order
  ASSERT_TRUE(WaitUntil(
      [&] {
        const HttpReply log =
            CallPort(port(1), "GET", "/v1/webhooks/" + id + "/deliveries", kAdminKey);
        if (log.status != 200) return false;
        int delivered = 0;
        const boost::json::value body = log.Json();
        for (const auto& a : body.at("items").as_array()) {
          delivered += a.at("result").as_string() == "delivered" ? 1 : 0;
        }
        return delivered == 3;
      },
      milliseconds(20'000)));
  const std::vector<std::int64_t> seqs = SeqsOf(receiver.Requests());
  ASSERT_GE(seqs.size(), 4U);  // the first event at least twice
  EXPECT_EQ(seqs[0], seqs[1]) << "the event in flight when the gateway died is sent again";
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
  EXPECT_EQ(std::set<std::int64_t>(seqs.begin(), seqs.end()).size(), 3U);
  const HttpReply listed = CallPort(port(1), "GET", "/v1/webhooks", kAdminKey);
  EXPECT_EQ(listed.Json().at("items").at(0).at("delivered_through").as_int64(), seqs.back());
}

TEST_F(MultiGatewayTest, OneGatewayDeliversEachEventOfAWebhookOnce) {
  LoopbackReceiver receiver;
  StartGateways(3, kWebhookArgs);
  const HttpReply registered = CallPort(
      port(1), "POST", "/v1/webhooks", kAdminKey,
      Json(object{{"url", receiver.Url()}, {"events", boost::json::array{"offer.created"}}}));
  ASSERT_EQ(registered.status, 201) << registered.body;
  for (int i = 0; i < 20; ++i) CreateOfferOn(i % 3, AlwaysOnOffer());
  ASSERT_TRUE(WaitUntil([&] { return receiver.Requests().size() >= 20; }, milliseconds(10'000)));
  std::this_thread::sleep_for(milliseconds(500));  // nothing more comes
  const std::vector<std::int64_t> seqs = SeqsOf(receiver.Requests());
  EXPECT_EQ(seqs.size(), 20U);
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
  EXPECT_EQ(std::set<std::int64_t>(seqs.begin(), seqs.end()).size(), 20U);
}

}  // namespace
}  // namespace uudai::testing
