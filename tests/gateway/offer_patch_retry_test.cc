// PATCH without If-Match against a store that keeps losing the race (README "Offer PATCH"):
// the patch is merged again onto the newer version only while another writer moved it, at
// most kMaxPatchAttempts (8) attempts in all, then 409 version_conflict; any other refusal of
// the store is answered as it is, without a retry. The Api runs on a Store wrapper that can
// make every UpdateOffer lose, so the bound is reached deterministically.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>

#include "api/api.h"
#include "api_test_support.h"
#include "engine/forwarding_store.h"
#include "ops/metrics.h"
#include "uudai/memory_store.h"

namespace uudai::testing {
namespace {

constexpr int kBound = 8;  // README "Offer PATCH"

// What RacingStore does to an UpdateOffer.
enum class Race {
  kNone,           // forwards it
  kAnotherWriter,  // first commits another writer's change (priority + 100), then forwards it
  kStaleRefusal,   // answers kVersionMismatch without the version moving
  kUnavailable,    // answers kUnavailable
};

// A MemoryStore whose UpdateOffer loses races on demand: `losses` times (then forwards),
// each time as `race` says. Counts every UpdateOffer.
class RacingStore final : public ForwardingStore {
 public:
  explicit RacingStore(const Clock& clock)
      : ForwardingStore(inner_), inner_(clock, MemoryStoreOptions{}) {}

  void Lose(Race race, int losses) {
    race_ = race;
    losses_ = losses;
  }
  int updates() const { return updates_.load(); }

  void UpdateOffer(Offer offer, std::int64_t base_version, Completion<Offer> done) override {
    ++updates_;
    if (losses_ > 0) {
      --losses_;
      switch (race_) {
        case Race::kNone:
          break;
        case Race::kAnotherWriter: {
          Offer theirs = *inner_.FindOffer(offer.id);
          const std::int64_t their_base = theirs.version;
          theirs.priority += 100;
          inner_.UpdateOffer(std::move(theirs), their_base,
                             [](Result<Offer> r) { ASSERT_TRUE(r.ok()) << r.status().message(); });
          break;
        }
        case Race::kStaleRefusal:
          return done(Status::ForOffer(StatusCode::kVersionMismatch, offer.id, "says moved"));
        case Race::kUnavailable:
          return done(Status(StatusCode::kUnavailable, "the store is down"));
      }
    }
    inner_.UpdateOffer(std::move(offer), base_version, std::move(done));
  }

 private:
  MemoryStore inner_;
  Race race_ = Race::kNone;
  int losses_ = 0;
  std::atomic<int> updates_{0};
};

// Distinct bytes for the Api's ids; nothing here depends on their values.
class CountingRandom final : public RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) b = static_cast<std::uint8_t>(++next_);
  }

 private:
  std::uint8_t next_ = 0;
};

class OfferPatchRetryTest : public ::testing::Test {
 protected:
  OfferPatchRetryTest()
      : clock_(TenTen()), store_(clock_), keys_(gateway::KeyRing::Parse(kTestKeysJson).value()) {
    store_.SetOfferObserver([this](const auto& changes) { catalog_.Apply(changes); });
    api_.emplace(store_, catalog_, keys_, clock_, random_, metrics_, gateway::ApiOptions{});
    const gateway::HttpResponse created = Call("POST", "/v1/offers", SampleOfferJson());
    EXPECT_EQ(created.status, 201) << created.body;
    offer_id_ = std::string(boost::json::parse(created.body).at("id").as_string());
  }

  // One request as the merchant key (header names lower-case); the embedded store answers
  // before Handle returns.
  gateway::HttpResponse Call(const std::string& method, const std::string& path,
                             const std::string& body,
                             std::vector<std::pair<std::string, std::string>> headers = {}) {
    gateway::HttpRequest request;
    request.method = method;
    request.path = path;
    request.headers = std::move(headers);
    request.headers.emplace_back("authorization", std::string("Bearer ") + kMerchantKey);
    request.headers.emplace_back("content-type", "application/json");
    request.body = body;
    std::optional<gateway::HttpResponse> answer;
    api_->Handle(request, [&answer](gateway::HttpResponse response) {
      EXPECT_FALSE(answer.has_value()) << "answered twice";
      answer = std::move(response);
    });
    EXPECT_TRUE(answer.has_value()) << "not answered";
    return answer.value_or(gateway::HttpResponse{});
  }

  gateway::HttpResponse Patch(const std::string& body) {
    return Call("PATCH", "/v1/offers/" + offer_id_, body);
  }

  std::string Code(const gateway::HttpResponse& response) {
    return std::string(boost::json::parse(response.body).at("code").as_string());
  }

  const Offer& Stored() { return *store_.FindOffer(offer_id_); }

  ManualClock clock_;
  RacingStore store_;
  Catalog catalog_;
  gateway::KeyRing keys_;
  CountingRandom random_;
  gateway::Metrics metrics_;
  std::optional<gateway::Api> api_;
  std::string offer_id_;
};

TEST_F(OfferPatchRetryTest, APatchThatLosesEveryRaceStopsAtTheBoundWith409VersionConflict) {
  store_.Lose(Race::kAnotherWriter, 1'000);

  const gateway::HttpResponse reply = Patch(R"({"name":"mine"})");

  EXPECT_EQ(reply.status, 409) << reply.body;
  EXPECT_EQ(reply.content_type, "application/problem+json");
  EXPECT_EQ(Code(reply), "version_conflict");
  EXPECT_EQ(boost::json::parse(reply.body).at("offer_id").as_string(), offer_id_);
  EXPECT_EQ(store_.updates(), kBound);
  // Every other writer's change landed; this patch's did not.
  EXPECT_EQ(Stored().version, 1 + kBound);
  EXPECT_EQ(Stored().priority, 100 * kBound);
  EXPECT_NE(Stored().name, "mine");
}

TEST_F(OfferPatchRetryTest, APatchThatWinsOnItsLastAttemptIsApplied) {
  store_.Lose(Race::kAnotherWriter, kBound - 1);

  const gateway::HttpResponse reply = Patch(R"({"name":"mine"})");

  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(store_.updates(), kBound);
  // Merged onto the newest version: the other writers' changes stay, and this one is added.
  EXPECT_EQ(Stored().version, 1 + kBound);
  EXPECT_EQ(Stored().priority, 100 * (kBound - 1));
  EXPECT_EQ(Stored().name, "mine");
}

TEST_F(OfferPatchRetryTest, AMismatchWithoutANewerVersionIsNotRetried) {
  store_.Lose(Race::kStaleRefusal, 1'000);

  const gateway::HttpResponse reply = Patch(R"({"name":"mine"})");

  EXPECT_EQ(reply.status, 409) << reply.body;
  EXPECT_EQ(Code(reply), "version_conflict");
  EXPECT_EQ(store_.updates(), 1);
  EXPECT_EQ(Stored().version, 1);
}

TEST_F(OfferPatchRetryTest, AnotherRefusalOfTheStoreIsAnsweredWithoutRetry) {
  store_.Lose(Race::kUnavailable, 1'000);

  const gateway::HttpResponse reply = Patch(R"({"name":"mine"})");

  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_EQ(Code(reply), "store_unavailable");
  EXPECT_EQ(store_.updates(), 1);
}

TEST_F(OfferPatchRetryTest, WithIfMatchALostRaceIs412WithoutRetry) {
  store_.Lose(Race::kAnotherWriter, 1'000);

  const gateway::HttpResponse reply =
      Call("PATCH", "/v1/offers/" + offer_id_, R"({"name":"mine"})", {{"if-match", "\"1\""}});

  EXPECT_EQ(reply.status, 412) << reply.body;
  EXPECT_EQ(Code(reply), "version_mismatch");
  EXPECT_EQ(store_.updates(), 1);
  EXPECT_EQ(Stored().version, 2);  // the other writer's
}

}  // namespace
}  // namespace uudai::testing
