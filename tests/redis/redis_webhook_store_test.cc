// What only RedisStore has of webhooks (the conformance suite covers the Store contract): how
// Redis keeps them (wh, whp, wha:<id>, whl:<id>), several gateways sharing them and their
// leases, reading them while Redis refuses writes, and the decoding of the function's replies.
#include "store/redis/redis_webhook_codec.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/store_test_support.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/codec/webhook_codec.h"
#include "store/redis/redis_store.h"

namespace uudai::store_test {
namespace {

using gateway::RedisReply;
using std::chrono::milliseconds;
using testing::MakeRedisStore;
using testing::OwnThreadStore;
using testing::RedisServer;
using testing::WaitUntil;

Webhook MakeWebhook(std::string id, std::optional<std::string> merchant = "m-1") {
  Webhook webhook;
  webhook.id = std::move(id);
  webhook.merchant_id = std::move(merchant);
  webhook.url = "https://erp.example.vn/uudai";
  webhook.events = {EventType::kRedemptionCommitted};
  webhook.secret = "whsec_0123456789abcdef";
  webhook.created_at = Timestamp{1'000};
  webhook.created_by = OfferAuthor{"a1b2c3d4e5f6", "merchant"};
  return webhook;
}

DeliveryAttempt Attempt(std::uint64_t seq, DeliveryResult result) {
  DeliveryAttempt attempt;
  attempt.event_seq = seq;
  attempt.event_type = EventType::kRedemptionCommitted;
  attempt.at = Timestamp{2'000};
  attempt.result = result;
  attempt.status = result == DeliveryResult::kDelivered ? 204 : 503;
  return attempt;
}

// delivered_through US rewinds, as `whp` keeps it.
std::string Progress(std::uint64_t through, std::uint64_t rewinds) {
  return std::to_string(through) + '\x1f' + std::to_string(rewinds);
}

class RedisWebhookStoreTest : public ::testing::Test {
 protected:
  RedisWebhookStoreTest() : clock_(CampaignNow()), prefix_(testing::FreshKeyPrefix()) {}

  std::unique_ptr<gateway::RedisStore> NewGateway() { return MakeRedisStore(clock_, prefix_); }
  std::string Redis(const std::string& args) { return RedisServer::Shared().Cli(args); }
  // The store's key `name`, quoted for the shell.
  std::string Key(const std::string& name) { return "'" + prefix_ + name + "'"; }

  ManualClock clock_;
  std::string prefix_;
};

TEST_F(RedisWebhookStoreTest, AWebhookIsKeptAsItsLineAndItsProgress) {
  auto gateway = NewGateway();
  SyncStore store(*gateway);
  // Given two events written (two offers)
  store.GivenOffer(MakeOffer("o-1"));
  store.GivenOffer(MakeOffer("o-2"));
  // When a webhook is registered
  Result<Webhook> created = store.CreateWebhook(MakeWebhook("wh-1"));
  ASSERT_TRUE(created.ok()) << created.status().message();
  // Then `wh` keeps its line without progress, and `whp` its progress from the last event
  EXPECT_EQ(created->delivered_through, 2U);
  EXPECT_EQ(gateway::DecodeWebhookLine(Redis("HGET " + Key("wh") + " wh-1")).value(),
            MakeWebhook("wh-1"));
  EXPECT_EQ(Redis("HGET " + Key("whp") + " wh-1"), Progress(2, 0));
  // Attempts and rewinds rewrite the progress only
  ASSERT_TRUE(store.RecordWebhookAttempt("wh-1", 0, Attempt(5, DeliveryResult::kDelivered)).ok());
  EXPECT_EQ(Redis("HGET " + Key("whp") + " wh-1"), Progress(5, 0));
  ASSERT_TRUE(store.RewindWebhook("wh-1", 3).ok());
  EXPECT_EQ(Redis("HGET " + Key("whp") + " wh-1"), Progress(3, 1));
  EXPECT_EQ(gateway::DecodeWebhookLine(Redis("HGET " + Key("wh") + " wh-1")).value(),
            MakeWebhook("wh-1"));
  EXPECT_EQ(Redis("LLEN " + Key("wha:wh-1")), "1");
}

// The API never reads more than kDeliveryLogLength attempts: the list itself must be trimmed,
// or Redis would grow with every delivery.
TEST_F(RedisWebhookStoreTest, RedisKeepsOnlyTheLatestAttempts) {
  auto gateway = NewGateway();
  SyncStore store(*gateway);
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-1")).ok());
  const std::uint64_t attempts = kDeliveryLogLength + 5;
  for (std::uint64_t seq = 1; seq <= attempts; ++seq) {
    ASSERT_TRUE(
        store.RecordWebhookAttempt("wh-1", 0, Attempt(seq, DeliveryResult::kRetrying)).ok());
  }
  EXPECT_EQ(Redis("LLEN " + Key("wha:wh-1")), std::to_string(kDeliveryLogLength));
  EXPECT_EQ(gateway::DecodeDeliveryAttemptLine(Redis("LINDEX " + Key("wha:wh-1") + " 0"))
                .value()
                .event_seq,
            attempts);
  EXPECT_EQ(gateway::DecodeDeliveryAttemptLine(Redis("LINDEX " + Key("wha:wh-1") + " -1"))
                .value()
                .event_seq,
            6U);
}

TEST_F(RedisWebhookStoreTest, DeletingAWebhookRemovesEveryKeyOfIt) {
  auto gateway = NewGateway();
  SyncStore store(*gateway);
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-1")).ok());
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-2")).ok());
  ASSERT_TRUE(store.RecordWebhookAttempt("wh-1", 0, Attempt(1, DeliveryResult::kDelivered)).ok());
  ASSERT_TRUE(store.LeaseWebhook("wh-1", "gateway-a", 60'000).value());
  ASSERT_EQ(Redis("EXISTS " + Key("wha:wh-1") + " " + Key("whl:wh-1")), "2");

  ASSERT_TRUE(store.DeleteWebhook("wh-1").ok());

  EXPECT_EQ(Redis("HEXISTS " + Key("wh") + " wh-1"), "0");
  EXPECT_EQ(Redis("HEXISTS " + Key("whp") + " wh-1"), "0");
  EXPECT_EQ(Redis("EXISTS " + Key("wha:wh-1") + " " + Key("whl:wh-1")), "0");
  EXPECT_EQ(Redis("HEXISTS " + Key("wh") + " wh-2"), "1") << "the other webhook stays";
}

TEST_F(RedisWebhookStoreTest, ALeaseIsRefusedToAnotherGatewayUntilItExpires) {
  auto a = NewGateway();
  auto b = NewGateway();
  SyncStore store_a(*a);
  SyncStore store_b(*b);
  ASSERT_TRUE(store_a.CreateWebhook(MakeWebhook("wh-1")).ok());
  constexpr std::int64_t kLeaseMillis = 200;
  // Gateway a takes it; b is refused while it lasts; a renews it
  EXPECT_EQ(store_a.LeaseWebhook("wh-1", "gateway-a", 30'000).value(), true);
  EXPECT_EQ(store_b.LeaseWebhook("wh-1", "gateway-b", kLeaseMillis).value(), false);
  EXPECT_EQ(store_a.LeaseWebhook("wh-1", "gateway-a", 60'000).value(), true);
  EXPECT_GT(std::stoll(Redis("PTTL " + Key("whl:wh-1"))), 30'000) << "renewed for longer";
  EXPECT_EQ(store_b.LeaseWebhook("wh-1", "gateway-b", kLeaseMillis).value(), false);
  // a stops renewing (a short lease, as a gateway that died leaves it): b takes over
  EXPECT_EQ(store_a.LeaseWebhook("wh-1", "gateway-a", kLeaseMillis).value(), true);
  EXPECT_TRUE(WaitUntil(
      [&] {
        const Result<bool> taken = store_b.LeaseWebhook("wh-1", "gateway-b", 60'000);
        return taken.ok() && taken.value();
      },
      milliseconds(3000)));
  EXPECT_EQ(store_a.LeaseWebhook("wh-1", "gateway-a", kLeaseMillis).value(), false);
  EXPECT_EQ(Redis("GET " + Key("whl:wh-1")), "gateway-b");
}

TEST_F(RedisWebhookStoreTest, AnotherGatewaySeesTheSameWebhooksAndTheirProgress) {
  auto a = NewGateway();
  auto b = NewGateway();
  SyncStore store_a(*a);
  SyncStore store_b(*b);
  const Webhook created = store_a.CreateWebhook(MakeWebhook("wh-1")).value();
  // b lists what a registered, and delivers it
  Result<std::vector<Webhook>> on_b = store_b.ListWebhooks("m-1");
  ASSERT_TRUE(on_b.ok()) << on_b.status().message();
  ASSERT_EQ(on_b.value(), std::vector<Webhook>{created});
  ASSERT_TRUE(store_b.RecordWebhookAttempt("wh-1", 0, Attempt(4, DeliveryResult::kDelivered)).ok());
  // a sees b's progress and attempt at once (no view to catch up)
  EXPECT_EQ(store_a.ListWebhooks().value().at(0).delivered_through, 4U);
  EXPECT_EQ(store_a.WebhookDeliveries("wh-1").value(),
            std::vector<DeliveryAttempt>{Attempt(4, DeliveryResult::kDelivered)});
  // A rewind on a stops b's delivery under way from undoing it
  ASSERT_TRUE(store_a.RewindWebhook("wh-1", 1).ok());
  EXPECT_EQ(store_b.RecordWebhookAttempt("wh-1", 0, Attempt(5, DeliveryResult::kDelivered))
                .value()
                .delivered_through,
            1U);
  ASSERT_TRUE(store_b.DeleteWebhook("wh-1").ok());
  EXPECT_TRUE(store_a.ListWebhooks().value().empty());
}

// Listing webhooks and reading their deliveries are read-only calls (FCALL_RO), which Redis
// serves over maxmemory too; recording an attempt is a write, refused as any other.
TEST_F(RedisWebhookStoreTest, WebhooksAreReadWhileRedisRefusesWrites) {
  std::unique_ptr<RedisServer> server = RedisServer::StartPrivate({});
  ASSERT_NE(server, nullptr);
  auto own = std::make_unique<OwnThreadStore>(server->url(), clock_, prefix_);
  SyncStore store(own->store());
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-1")).ok());
  ASSERT_TRUE(store.RecordWebhookAttempt("wh-1", 0, Attempt(1, DeliveryResult::kDelivered)).ok());

  ASSERT_EQ(server->Cli("CONFIG SET maxmemory 1"), "OK");
  Result<std::vector<Webhook>> listed = store.ListWebhooks();
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  EXPECT_EQ(listed->size(), 1U);
  Result<std::vector<DeliveryAttempt>> deliveries = store.WebhookDeliveries("wh-1");
  ASSERT_TRUE(deliveries.ok()) << deliveries.status().message();
  EXPECT_EQ(deliveries->size(), 1U);
  EXPECT_EQ(CodeOf(store.RecordWebhookAttempt("wh-1", 0, Attempt(2, DeliveryResult::kDelivered))),
            StatusCode::kUnavailable);
  ASSERT_EQ(server->Cli("CONFIG SET maxmemory 0"), "OK");
}

TEST(RedisWebhookCodecTest, ReadsAWebhookAtItsProgress) {
  const std::string line = gateway::StoredWebhookLine(MakeWebhook("wh-1"));
  Result<Webhook> read =
      gateway::WebhookFromPayload({RedisReply::String(line), RedisReply::String(Progress(12, 3))});
  ASSERT_TRUE(read.ok()) << read.status().message();
  Webhook expected = MakeWebhook("wh-1");
  expected.delivered_through = 12;
  expected.rewinds = 3;
  EXPECT_EQ(read.value(), expected);
}

TEST(RedisWebhookCodecTest, MalformedRepliesAreInternalErrors) {
  const std::string line = gateway::StoredWebhookLine(MakeWebhook("wh-1"));
  for (const std::string& progress : {std::string("12"),
                                      std::string("x\x1f"
                                                  "0"),
                                      Progress(1, 2) + "\x1f"
                                                       "3",
                                      std::string()}) {
    EXPECT_EQ(CodeOf(gateway::WebhookOfStored(line, progress)), StatusCode::kInternal) << progress;
  }
  EXPECT_EQ(CodeOf(gateway::WebhookOfStored("{", Progress(1, 0))), StatusCode::kInternal);
  EXPECT_EQ(CodeOf(gateway::WebhookFromPayload({RedisReply::String(line)})), StatusCode::kInternal);
  EXPECT_EQ(CodeOf(gateway::WebhookListFromPayload({RedisReply::String(line)}, std::nullopt)),
            StatusCode::kInternal);
  EXPECT_EQ(CodeOf(gateway::DeliveriesFromPayload({RedisReply::String("{}")})),
            StatusCode::kInternal);
  EXPECT_EQ(CodeOf(gateway::LeaseFromPayload({RedisReply::String("yes")})), StatusCode::kInternal);
  EXPECT_EQ(CodeOf(gateway::CreatedWebhookFromPayload({}, MakeWebhook("wh-1"))),
            StatusCode::kInternal);
}

TEST(RedisWebhookCodecTest, AListIsSortedByIdAndFilteredByMerchant) {
  std::vector<RedisReply> payload;
  for (const Webhook& webhook : {MakeWebhook("wh-b"), MakeWebhook("wh-c", std::nullopt),
                                 MakeWebhook("wh-a"), MakeWebhook("wh-d", "m-2")}) {
    payload.push_back(RedisReply::String(gateway::StoredWebhookLine(webhook)));
    payload.push_back(RedisReply::String(Progress(0, 0)));
  }
  auto ids = [](const std::vector<Webhook>& webhooks) {
    std::vector<std::string> out;
    for (const Webhook& webhook : webhooks) out.push_back(webhook.id);
    return out;
  };
  EXPECT_EQ(ids(gateway::WebhookListFromPayload(payload, std::nullopt).value()),
            (std::vector<std::string>{"wh-a", "wh-b", "wh-c", "wh-d"}));
  EXPECT_EQ(ids(gateway::WebhookListFromPayload(payload, "m-1").value()),
            (std::vector<std::string>{"wh-a", "wh-b"}));
}

}  // namespace
}  // namespace uudai::store_test
