// RedisStore::CreateOffers beyond the Store contract (the conformance suite covers that): the
// largest batch the API takes (10,000 offers) is stored, or refused naming every one of its
// offers, and another gateway's view reads all of it; a batch is told to the views a chunk a
// call, and what a gateway that died left untold is told by the others.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "engine/store_test_support.h"
#include "redis/redis_connection.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "store/codec/mutation_codec.h"
#include "store/redis/redis_store.h"

namespace uudai::store_test {
namespace {

using std::chrono::milliseconds;
using testing::RedisServer;
using testing::WaitUntil;

// POST /v1/offers/batch's most (gateway/src/api/offer_batch_handlers.h).
constexpr int kLargestBatch = 10'000;

// `count` public-code offers "<prefix>-<i>" with codes "<code_prefix><i>".
std::vector<Offer> CodedOffers(const std::string& prefix, const std::string& code_prefix,
                               int count) {
  std::vector<Offer> offers;
  offers.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    offers.push_back(
        MakePublicCodeOffer(prefix + "-" + std::to_string(i), code_prefix + std::to_string(i)));
  }
  return offers;
}

// A connection whose offers_announce calls run but answer as if Redis had not answered in
// time (a reply lost after the call applied): what a gateway must survive once a batch is
// committed.
class AnnouncesAnswerLost : public testing::ForwardingRedisClient {
 public:
  using ForwardingRedisClient::ForwardingRedisClient;
  void Call(const gateway::RedisFunction& function, std::vector<std::string> keys,
            std::vector<std::string> args, Callback done) override {
    const bool lose = !args.empty() && args.front() == "offers_announce";
    if (lose) ++lost;
    inner_->Call(function, std::move(keys), std::move(args),
                 [lose, done = std::move(done)](Result<gateway::RedisReply> reply) {
                   if (!lose) return done(std::move(reply));
                   done(Status(StatusCode::kUnavailable, "no reply within 500 ms"));
                 });
  }
  std::atomic<int> lost{0};
};

// A RedisStore on the fixture's server under `prefix`, on an io thread and a connection of its
// own whose commands may take 5 s (refusing the largest batch reads every staged chunk's
// refusals; on a busy machine a call may pass the default 500 ms). Loaded; stopped before it
// goes.
class PatientStore {
 public:
  PatientStore(const Clock& clock, const std::string& prefix,
               std::size_t offers_per_call = gateway::RedisStoreOptions().offers_per_call,
               bool lose_announce_answers = false) {
    gateway::RedisOptions options = testing::OptionsFor(RedisServer::Shared().url());
    options.command_timeout = std::chrono::seconds(5);
    connection_ = gateway::RedisConnection::Create(io_.io(), options);
    if (lose_announce_answers) {
      losing_ = std::make_shared<AnnouncesAnswerLost>(connection_);
      client_ = losing_;
    } else {
      client_ = connection_;
    }
    client_->Start();
    gateway::RedisStoreOptions store_options;
    store_options.key_prefix = prefix;
    store_options.offers_per_call = offers_per_call;
    store_ = std::make_unique<gateway::RedisStore>(
        clock, store_options, std::vector<std::shared_ptr<gateway::RedisClient>>{client_});
    const Status loaded = store_->Load(std::chrono::seconds(5));
    EXPECT_TRUE(loaded.ok()) << loaded.message();
  }
  ~PatientStore() { client_->Stop(); }
  PatientStore(const PatientStore&) = delete;
  PatientStore& operator=(const PatientStore&) = delete;

  gateway::RedisStore& operator*() { return *store_; }
  gateway::RedisStore* operator->() { return store_.get(); }
  // offers_announce answers lost so far (with lose_announce_answers).
  int announce_answers_lost() const { return losing_ ? losing_->lost.load() : 0; }

 private:
  testing::IoThread io_;
  std::shared_ptr<gateway::RedisConnection> connection_;
  std::shared_ptr<AnnouncesAnswerLost> losing_;
  std::shared_ptr<gateway::RedisClient> client_;
  std::unique_ptr<gateway::RedisStore> store_;
};

class RedisOfferBatchTest : public ::testing::Test {
 protected:
  RedisOfferBatchTest() : clock_(CampaignNow()), prefix_(testing::FreshKeyPrefix()) {}

  ManualClock clock_;
  std::string prefix_;
};

TEST_F(RedisOfferBatchTest, TheLargestBatchIsStoredAndReadByAnotherGateway) {
  PatientStore a(clock_, prefix_);
  PatientStore b(clock_, prefix_);
  std::atomic<int> heard{0};
  b->SetOfferObserver([&heard](const auto& offers) { heard += static_cast<int>(offers.size()); });
  const std::vector<Offer> batch = CodedOffers("o", "BULK", kLargestBatch);

  const Result<std::vector<Offer>> created = SyncStore(*a).CreateOffers(batch);

  ASSERT_TRUE(created.ok()) << created.status().message();
  ASSERT_EQ(created->size(), batch.size());
  EXPECT_EQ(a->ListOffers().size(), batch.size());
  // The other gateway reads all of it, and its observer hears of every offer
  b->Poll();
  EXPECT_TRUE(WaitUntil([&] { return b->ListOffers().size() == batch.size(); }, milliseconds(5000)))
      << b->ListOffers().size();
  EXPECT_TRUE(WaitUntil([&] { return heard.load() == kLargestBatch; }, milliseconds(2000)))
      << heard.load();
  const auto last = b->FindOffer("o-9999");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(*last, created->back());
}

TEST_F(RedisOfferBatchTest, TheLargestBatchIsRefusedNamingEveryOffer) {
  PatientStore a(clock_, prefix_);
  PatientStore b(clock_, prefix_);
  ASSERT_TRUE(SyncStore(*a).CreateOffers(CodedOffers("o", "BULK", kLargestBatch)).ok());

  // Sent again through another gateway: every id is taken
  const Result<std::vector<Offer>> ids_taken =
      SyncStore(*b).CreateOffers(CodedOffers("o", "OTHER", kLargestBatch));
  // With new ids: every code is taken
  const Result<std::vector<Offer>> codes_taken =
      SyncStore(*b).CreateOffers(CodedOffers("p", "BULK", kLargestBatch));

  ASSERT_EQ(CodeOf(ids_taken), StatusCode::kAlreadyExists);
  ASSERT_EQ(CodeOf(codes_taken), StatusCode::kCodeConflict);
  const auto& id_errors = ids_taken.status().field_errors();
  const auto& code_errors = codes_taken.status().field_errors();
  ASSERT_EQ(id_errors.size(), static_cast<std::size_t>(kLargestBatch));
  ASSERT_EQ(code_errors.size(), static_cast<std::size_t>(kLargestBatch));
  for (int i = 0; i < kLargestBatch; ++i) {
    const std::string at = "[" + std::to_string(i) + "]";
    EXPECT_EQ(id_errors[static_cast<std::size_t>(i)].path, at + ".id");
    EXPECT_EQ(code_errors[static_cast<std::size_t>(i)].path, at + ".code");
  }
  EXPECT_EQ(code_errors.back().message, "code BULK9999 already belongs to offer o-9999");
  EXPECT_EQ(b->FindOffer("p-0"), nullptr);
  EXPECT_EQ(RedisServer::Shared().Cli("HLEN '" + prefix_ + "offers'"),
            std::to_string(kLargestBatch));
}

// The store function's name (the library's: "uudai_" and 16 hex digits), once a store loaded it.
std::string StoreFunctionName() {
  const std::string listed = RedisServer::Shared().Cli("FUNCTION LIST");
  std::smatch name;
  return std::regex_search(listed, name, std::regex("uudai_[0-9a-f]{16}")) ? name.str() : "";
}

// Runs the redis-cli command `command` makes of the store function's name. Another test on the
// shared Redis may flush every function meanwhile (FUNCTION FLUSH): then a call through `store`
// loads the library again, and the command is retried.
std::string CallStoreFunction(Store& store,
                              const std::function<std::string(const std::string&)>& command) {
  for (int attempt = 0;; ++attempt) {
    const std::string name = StoreFunctionName();
    const std::string reply =
        name.empty() ? "ERR Function not found" : RedisServer::Shared().Cli(command(name));
    if (attempt == 3 || reply.find("Function not found") == std::string::npos) return reply;
    (void)SyncStore(store).CreateOffer(MakeOffer("o-reload-" + std::to_string(attempt)));
  }
}

// offers_stage as a gateway sends it, to the store keyed under `prefix`: batch `token`, the
// offer's position `first` in it, then one offer's 18 arguments (id, merchant m-1, layer 0,
// code mode public, status active, `code`, the journal line `line`, limits, window, first order,
// the code as a unique code, hot). Returns Redis's reply.
std::string StageOffer(Store& store, const std::string& prefix, const std::string& token, int first,
                       const std::string& id, const std::string& code, const std::string& line) {
  return CallStoreFunction(store, [&](const std::string& name) {
    return "FCALL " + name + " 1 '" + prefix + "log' offers_stage " + token + " " +
           std::to_string(first) + " " + id + " m-1 0 1 active " + code + " '" + line +
           "' -1 -1 -1 -1 0 9999999999999 '' '' 0 '' ''";
  });
}

// The offer.created events after seq `after`, as their offers' ids in order.
std::vector<std::string> OffersCreatedAfter(Store& store, std::uint64_t after) {
  const Result<EventPage> page = SyncStore(store).Events(EventQuery{after, 1000, std::nullopt});
  EXPECT_TRUE(page.ok()) << page.status().message();
  std::vector<std::string> ids;
  if (!page.ok()) return ids;
  for (const StoreEvent& event : page->events) {
    if (event.type == EventType::kOfferCreated) ids.push_back(event.offer_id);
  }
  return ids;
}

TEST_F(RedisOfferBatchTest, ABatchIsToldAChunkACallAndAnotherGatewayReadsItWhole) {
  PatientStore a(clock_, prefix_, /*offers_per_call=*/4);
  PatientStore b(clock_, prefix_);
  std::atomic<int> heard{0};
  b->SetOfferObserver([&heard](const auto& offers) { heard += static_cast<int>(offers.size()); });
  const std::vector<Offer> batch = CodedOffers("o", "CHUNK", 10);  // chunks of 4, 4 and 2

  const Result<std::vector<Offer>> created = SyncStore(*a).CreateOffers(batch);

  ASSERT_TRUE(created.ok()) << created.status().message();
  // Read-your-writes: the answer came once this gateway's view held every chunk.
  EXPECT_EQ(a->ListOffers().size(), batch.size());
  std::vector<std::string> ids;
  for (const Offer& offer : batch) ids.push_back(offer.id);
  EXPECT_EQ(OffersCreatedAfter(*a, 0), ids);  // one event an offer, in the batch's order
  // Told whole: nothing of the batch is left to tell or to keep.
  EXPECT_EQ(RedisServer::Shared().Cli("EXISTS '" + prefix_ + "announcing'"), "0");
  EXPECT_EQ(RedisServer::Shared().Cli("EXISTS '" + prefix_ + "bl:o-0'"), "0");
  EXPECT_EQ(RedisServer::Shared().Cli("HEXISTS '" + prefix_ + "batches' o-0"), "0");
  for (const char* told : {"o-0", "o-5", "o-9"}) {  // one of each chunk
    EXPECT_EQ(RedisServer::Shared().Cli("HEXISTS '" + prefix_ + "o:" + told + "' bt"), "0") << told;
    EXPECT_EQ(RedisServer::Shared().Cli("HEXISTS '" + prefix_ + "o:" + told + "' bc"), "0") << told;
  }
  b->Poll();
  EXPECT_TRUE(WaitUntil([&] { return b->ListOffers().size() == batch.size(); }, milliseconds(5000)))
      << b->ListOffers().size();
  EXPECT_TRUE(WaitUntil([&] { return heard.load() == 10; }, milliseconds(2000))) << heard.load();
  const auto last = b->FindOffer("o-9");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(*last, created->back());
}

// Once committed, a batch is stored: when every answer to its offers_announce calls is lost
// (they ran), it is still answered as stored, and every offer is told once.
TEST_F(RedisOfferBatchTest, ACommittedBatchIsAnsweredStoredWhenTellingItsChunksFails) {
  PatientStore a(clock_, prefix_, /*offers_per_call=*/4, /*lose_announce_answers=*/true);
  PatientStore b(clock_, prefix_);
  const std::vector<Offer> batch = CodedOffers("o", "LOST", 10);  // chunks of 4, 4 and 2

  const Result<std::vector<Offer>> created = SyncStore(*a).CreateOffers(batch);

  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(created->size(), batch.size());
  EXPECT_EQ(a.announce_answers_lost(), gateway::RedisStoreOptions().announce_attempts);
  b->Poll();
  EXPECT_TRUE(WaitUntil([&] { return b->ListOffers().size() == batch.size(); }, milliseconds(5000)))
      << b->ListOffers().size();
  std::vector<std::string> ids;
  for (const Offer& offer : batch) ids.push_back(offer.id);
  EXPECT_EQ(OffersCreatedAfter(*b, 0), ids);  // each once, in order, retries notwithstanding
}

// A gateway that dies after committing a batch, having told its views only the first chunk:
// the store holds the whole batch, the offers of the chunk not told are not published (no view
// has them, a late gateway's state leaves them out, their history is empty), and the next
// heartbeat of any gateway tells it, with its events.
TEST_F(RedisOfferBatchTest, ABatchCommittedByAGatewayThatDiedIsToldByTheOthers) {
  PatientStore a(clock_, prefix_);
  const std::string log = "'" + prefix_ + "log'";
  // Staged with the offer's journal line as a view decodes it.
  const auto stage = [&](int first, const std::string& id, const std::string& code) {
    Offer offer = MakePublicCodeOffer(id, code);
    offer.version = 1;
    const std::string line =
        gateway::EncodeMutation(OfferWritten{std::make_shared<const Offer>(offer)});
    return StageOffer(*a, prefix_, "t-dead", first, id, code, line);
  };
  ASSERT_EQ(stage(0, "o-told", "TOLD1").substr(0, 2), "ok");
  ASSERT_EQ(stage(1, "o-untold", "UNTOLD1").substr(0, 2), "ok");
  // The gateway commits (which tells the first chunk), then dies before telling the second.
  const std::string committed = CallStoreFunction(*a, [&](const std::string& name) {
    return "FCALL " + name + " 1 " + log + " offers_commit t-dead 2 2 1000";
  });
  ASSERT_EQ(committed.substr(0, 2), "ok") << committed;
  ASSERT_NE(committed.find("more"), std::string::npos) << committed;
  // Had its answer been lost, the gateway would have taken the batch back: nothing is taken
  // back from a committed batch, whose chunks are still to be told.
  const std::string unstaged = CallStoreFunction(*a, [&](const std::string& name) {
    return "FCALL " + name + " 1 " + log + " offers_unstage t-dead";
  });
  ASSERT_EQ(unstaged.substr(0, 2), "ok") << unstaged;
  EXPECT_EQ(RedisServer::Shared().Cli("LLEN '" + prefix_ + "bl:t-dead'"), "2");
  EXPECT_EQ(RedisServer::Shared().Cli("EXISTS '" + prefix_ + "o:o-untold'"), "1");

  const std::string scanned = CallStoreFunction(*a, [&](const std::string& name) {
    return "FCALL_RO " + name + "_ro 1 " + log + " scan offers 0 1000";
  });
  EXPECT_NE(scanned.find("o-told"), std::string::npos) << scanned;
  EXPECT_EQ(scanned.find("o-untold"), std::string::npos) << scanned;
  const std::string history = CallStoreFunction(*a, [&](const std::string& name) {
    return "FCALL_RO " + name + "_ro 1 " + log + " offer_history o-untold 0 10";
  });
  EXPECT_EQ(history.find("UNTOLD1"), std::string::npos) << history;
  // A write to it is refused as to an offer that does not exist (the view would otherwise get
  // its second version before its first).
  const std::string patched = CallStoreFunction(*a, [&](const std::string& name) {
    return "FCALL " + name + " 1 " + log +
           " offer_put update 1 o-untold m-1 0 1 paused UNTOLD1 "
           "'{}' -1 -1 -1 -1 0 9999999999999 '' '' 0 '' ''";
  });
  EXPECT_EQ(patched.substr(0, 9), "not_found") << patched;

  // The surviving gateway's heartbeat (once a second, from Poll) tells the rest.
  EXPECT_TRUE(WaitUntil(
      [&] {
        a->Poll();
        return a->FindOffer("o-untold") != nullptr;
      },
      milliseconds(5000)));
  EXPECT_NE(a->FindOffer("o-told"), nullptr);
  EXPECT_EQ(OffersCreatedAfter(*a, 0), (std::vector<std::string>{"o-told", "o-untold"}));
  EXPECT_EQ(RedisServer::Shared().Cli("EXISTS '" + prefix_ + "announcing'"), "0");
  EXPECT_EQ(RedisServer::Shared().Cli("EXISTS '" + prefix_ + "bl:t-dead'"), "0");
  EXPECT_EQ(RedisServer::Shared().Cli("HEXISTS '" + prefix_ + "batches' t-dead"), "0");
  EXPECT_EQ(RedisServer::Shared().Cli("HEXISTS '" + prefix_ + "o:o-untold' bt"), "0");
  // Published for good: a write to it now goes through.
  Offer paused = MakePublicCodeOffer("o-untold", "UNTOLD1");
  paused.status = OfferStatus::kPaused;
  paused.version = 2;
  const Result<Offer> written = SyncStore(*a).UpdateOffer(paused, 1);
  EXPECT_TRUE(written.ok()) << written.status().message();
}

// A gateway that dies between staging a batch and committing it leaves claims that lapse with
// the batch's key: while it is staged its code is taken and its offer is not in the state a
// late gateway reads; once lapsed, the code is free and what was staged of the offer is gone.
TEST_F(RedisOfferBatchTest, ABatchStagedByAGatewayThatDiedLapses) {
  PatientStore a(clock_, prefix_);
  const std::string log = "'" + prefix_ + "log'";
  const std::string staged =
      StageOffer(*a, prefix_, "t-died", 0, "o-staged", "LAPSE1", "{\"staged\":1}");
  ASSERT_EQ(staged.substr(0, 2), "ok") << staged;
  EXPECT_EQ(CodeOf(SyncStore(*a).CreateOffer(MakePublicCodeOffer("o-other", "LAPSE1"))),
            StatusCode::kCodeConflict);
  // The state a gateway starting late reads (scan of `offers`) leaves the staged offer out.
  const std::string scanned = CallStoreFunction(*a, [&](const std::string& name) {
    return "FCALL_RO " + name + "_ro 1 " + log + " scan offers 0 1000";
  });
  EXPECT_EQ(scanned.find("staged"), std::string::npos) << scanned;

  // The batch's key expires (60 s after its last chunk): the gateway is not coming back.
  RedisServer::Shared().Cli("DEL '" + prefix_ + "batch:t-died'");

  const Result<Offer> taken = SyncStore(*a).CreateOffer(MakePublicCodeOffer("o-other", "LAPSE1"));
  ASSERT_TRUE(taken.ok()) << taken.status().message();
  EXPECT_EQ(RedisServer::Shared().Cli("EXISTS '" + prefix_ + "o:o-staged'"), "0");
  EXPECT_EQ(RedisServer::Shared().Cli("HEXISTS '" + prefix_ + "offers' o-staged"), "0");
  EXPECT_EQ(a->FindOffer("o-staged"), nullptr);
}

// Ids may be the client's, so a batch or a create may be sent again while its first attempt is
// still being staged, or after its gateway died staging it. While another batch being staged
// holds an id, a create of it answers request_in_progress (that batch may yet be taken back:
// "already exists" could be untrue); once that batch lapsed, the id is free and what it staged
// (its hash, its line, its code's claim) is gone.
TEST_F(RedisOfferBatchTest, AnIdHeldByABatchInProgressIsRequestInProgressAndFreeOnceItLapses) {
  PatientStore a(clock_, prefix_);
  const std::string staged =
      StageOffer(*a, prefix_, "t-slow", 0, "o-mine", "MINE1", "{\"staged\":1}");
  ASSERT_EQ(staged.substr(0, 2), "ok") << staged;

  // While the batch is staged: neither a create nor a batch may take the id, nor say it exists.
  const Result<Offer> single = SyncStore(*a).CreateOffer(MakeOffer("o-mine"));
  const Result<std::vector<Offer>> batch =
      SyncStore(*a).CreateOffers({MakeOffer("o-new"), MakeOffer("o-mine")});
  EXPECT_EQ(CodeOf(single), StatusCode::kRequestInProgress);
  ASSERT_EQ(CodeOf(batch), StatusCode::kRequestInProgress);
  ASSERT_EQ(batch.status().field_errors().size(), 1U);
  EXPECT_EQ(batch.status().field_errors()[0].path, "[1].id");
  EXPECT_EQ(a->FindOffer("o-new"), nullptr);

  // The batch's key expires: its gateway is not coming back.
  RedisServer::Shared().Cli("DEL '" + prefix_ + "batch:t-slow'");

  const Result<Offer> mine = SyncStore(*a).CreateOffer(MakeOffer("o-mine"));
  ASSERT_TRUE(mine.ok()) << mine.status().message();
  EXPECT_EQ(RedisServer::Shared().Cli("HEXISTS '" + prefix_ + "o:o-mine' bt"), "0");
  EXPECT_EQ(RedisServer::Shared().Cli("HGET '" + prefix_ + "pcode:m-1' MINE1"), "")
      << "the lapsed batch's claim of its code went with its offer";
  const Result<Offer> coded = SyncStore(*a).CreateOffer(ShopCodeOffer("o-coded", "m-1", "MINE1"));
  EXPECT_TRUE(coded.ok()) << coded.status().message();
  // And a second create of the id now answers that it exists.
  EXPECT_EQ(CodeOf(SyncStore(*a).CreateOffer(MakeOffer("o-mine"))), StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace uudai::store_test
