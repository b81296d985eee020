// The Store conformance suite (see store_conformance.h) for webhooks (webhook.h): registered
// from the events' present on, their progress moved only by settled attempts of the current
// rewind, their delivery log newest first and bounded, and their lease.
#include <string>
#include <vector>

#include "engine/store_conformance.h"

namespace uudai::store_test {
namespace {

Webhook MakeWebhook(std::string id, std::optional<std::string> merchant = "m-1") {
  Webhook webhook;
  webhook.id = std::move(id);
  webhook.merchant_id = std::move(merchant);
  webhook.url = "https://erp.example.vn/uudai";
  webhook.events = {EventType::kRedemptionCommitted, EventType::kRedemptionRefunded};
  webhook.secret = "whsec_0123456789abcdef";
  webhook.created_at = Timestamp{1'000};
  webhook.created_by = OfferAuthor{"a1b2c3d4e5f6", "merchant"};
  return webhook;
}

DeliveryAttempt Attempt(std::uint64_t seq, DeliveryResult result, int number = 1) {
  DeliveryAttempt attempt;
  attempt.event_seq = seq;
  attempt.event_type = EventType::kRedemptionCommitted;
  attempt.attempt = number;
  attempt.at = Timestamp{2'000 + static_cast<std::int64_t>(seq)};
  attempt.result = result;
  attempt.status = result == DeliveryResult::kDelivered ? 204 : 503;
  attempt.error = result == DeliveryResult::kDelivered ? "" : "timeout";
  attempt.latency_millis = 12;
  return attempt;
}

}  // namespace

TEST_P(StoreConformanceTest, AWebhookHearsOfWhatHappensFromItsRegistrationOn) {
  auto& store = this->store_;
  // Given three events already written (three offers)
  store.GivenOffer(MakeOffer("o-1"));
  store.GivenOffer(MakeOffer("o-2"));
  store.GivenOffer(MakeOffer("o-3"));
  const std::uint64_t last = store.Events(EventQuery{}).value().last_seq;
  ASSERT_EQ(last, 3U);
  // When webhooks are registered
  Result<Webhook> created = store.CreateWebhook(MakeWebhook("wh-1"));
  ASSERT_TRUE(created.ok()) << created.status().message();
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-2", std::nullopt)).ok());
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-3", "m-2")).ok());
  // Then each starts after the last event, and is listed as registered, secret included
  EXPECT_EQ(created->delivered_through, last);
  EXPECT_EQ(created->rewinds, 0U);
  Result<std::vector<Webhook>> all = store.ListWebhooks();
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 3U);
  Webhook expected = MakeWebhook("wh-1");
  expected.delivered_through = last;
  EXPECT_EQ(all->at(0), expected);
  EXPECT_EQ(all->at(1).id, "wh-2");
  EXPECT_FALSE(all->at(1).merchant_id.has_value());
  EXPECT_EQ(all->at(2).id, "wh-3");
  // A shop's list holds its own only
  Result<std::vector<Webhook>> mine = store.ListWebhooks("m-2");
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1U);
  EXPECT_EQ(mine->at(0).id, "wh-3");
  // A taken id is refused
  EXPECT_EQ(CodeOf(store.CreateWebhook(MakeWebhook("wh-1"))), StatusCode::kAlreadyExists);
}

TEST_P(StoreConformanceTest, OnlySettledAttemptsMoveAWebhooksProgressAndNeverBack) {
  auto& store = this->store_;
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-1")).ok());
  // A failed attempt that will be retried moves nothing
  Result<Webhook> after =
      store.RecordWebhookAttempt("wh-1", 0, Attempt(5, DeliveryResult::kRetrying));
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(after->delivered_through, 0U);
  // Delivered moves it to the event
  after = store.RecordWebhookAttempt("wh-1", 0, Attempt(5, DeliveryResult::kDelivered, 2));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->delivered_through, 5U);
  // Given up moves it too
  after = store.RecordWebhookAttempt("wh-1", 0, Attempt(9, DeliveryResult::kGivenUp, 30));
  EXPECT_EQ(after->delivered_through, 9U);
  // An older event's late attempt does not move it back
  after = store.RecordWebhookAttempt("wh-1", 0, Attempt(7, DeliveryResult::kDelivered));
  EXPECT_EQ(after->delivered_through, 9U);
  EXPECT_EQ(store.ListWebhooks().value().at(0).delivered_through, 9U);
  // The log holds every attempt, newest first
  Result<std::vector<DeliveryAttempt>> log = store.WebhookDeliveries("wh-1");
  ASSERT_TRUE(log.ok()) << log.status().message();
  ASSERT_EQ(log->size(), 4U);
  EXPECT_EQ(log->at(0), Attempt(7, DeliveryResult::kDelivered));
  EXPECT_EQ(log->at(1), Attempt(9, DeliveryResult::kGivenUp, 30));
  EXPECT_EQ(log->at(3), Attempt(5, DeliveryResult::kRetrying));
  EXPECT_EQ(store.WebhookDeliveries("wh-1", 2).value().size(), 2U);
}

TEST_P(StoreConformanceTest, ARedeliverIsNotUndoneByADeliveryThatWasUnderWay) {
  auto& store = this->store_;
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-1")).ok());
  ASSERT_TRUE(store.RecordWebhookAttempt("wh-1", 0, Attempt(20, DeliveryResult::kDelivered)).ok());
  // When an operator asks for the events after 10 again
  Result<Webhook> rewound = store.RewindWebhook("wh-1", 10);
  ASSERT_TRUE(rewound.ok()) << rewound.status().message();
  EXPECT_EQ(rewound->delivered_through, 10U);
  EXPECT_EQ(rewound->rewinds, 1U);
  // Then a delivery that read the webhook before the rewind is logged but moves nothing
  Result<Webhook> late =
      store.RecordWebhookAttempt("wh-1", 0, Attempt(21, DeliveryResult::kDelivered));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->delivered_through, 10U);
  // And one after it moves on from there
  Result<Webhook> next =
      store.RecordWebhookAttempt("wh-1", 1, Attempt(11, DeliveryResult::kDelivered));
  EXPECT_EQ(next->delivered_through, 11U);
  EXPECT_EQ(store.WebhookDeliveries("wh-1").value().size(), 3U);
}

TEST_P(StoreConformanceTest, AWebhooksDeliveryLogKeepsItsLatestAttempts) {
  auto& store = this->store_;
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-1")).ok());
  const std::uint64_t attempts = kDeliveryLogLength + 5;
  for (std::uint64_t seq = 1; seq <= attempts; ++seq) {
    ASSERT_TRUE(
        store.RecordWebhookAttempt("wh-1", 0, Attempt(seq, DeliveryResult::kRetrying)).ok());
  }
  Result<std::vector<DeliveryAttempt>> log =
      store.WebhookDeliveries("wh-1", 2 * kDeliveryLogLength);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), kDeliveryLogLength);
  EXPECT_EQ(log->front().event_seq, attempts);
  EXPECT_EQ(log->back().event_seq, 6U);
}

TEST_P(StoreConformanceTest, ADeletedWebhookIsGoneWithItsLog) {
  auto& store = this->store_;
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-1")).ok());
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-2")).ok());
  ASSERT_TRUE(store.RecordWebhookAttempt("wh-1", 0, Attempt(3, DeliveryResult::kDelivered)).ok());
  Result<Webhook> deleted = store.DeleteWebhook("wh-1");
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  EXPECT_EQ(deleted->id, "wh-1");
  EXPECT_EQ(deleted->delivered_through, 3U);
  ASSERT_EQ(store.ListWebhooks().value().size(), 1U);
  EXPECT_EQ(CodeOf(store.WebhookDeliveries("wh-1")), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store.RecordWebhookAttempt("wh-1", 0, Attempt(4, DeliveryResult::kDelivered))),
            StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store.RewindWebhook("wh-1", 0)), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store.LeaseWebhook("wh-1", "gateway-a", 1'000)), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store.DeleteWebhook("wh-1")), StatusCode::kNotFound);
  // The id may be registered again, from scratch
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-1")).ok());
  EXPECT_TRUE(store.WebhookDeliveries("wh-1").value().empty());
}

TEST_P(StoreConformanceTest, ALeaseIsHeldAndRenewedByItsOwner) {
  auto& store = this->store_;
  ASSERT_TRUE(store.CreateWebhook(MakeWebhook("wh-1")).ok());
  EXPECT_EQ(store.LeaseWebhook("wh-1", "gateway-a", 10'000).value(), true);
  EXPECT_EQ(store.LeaseWebhook("wh-1", "gateway-a", 10'000).value(), true);
}

}  // namespace uudai::store_test
