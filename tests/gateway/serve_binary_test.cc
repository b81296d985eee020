// The real `uudai serve` binary as a child process (docs/design.md §1: the journal is fsync'd
// before a write is acknowledged; §5: SIGINT/SIGTERM drain in-flight requests and exit 0): killed
// with SIGKILL it loses no acknowledged write; stopped with SIGTERM it finishes what it was doing.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>

#include "api_test_support.h"
#include "serve_process.h"

namespace uudai::testing {
namespace {

using boost::json::object;
using std::chrono::milliseconds;

#ifndef UUDAI_BINARY
#error "UUDAI_BINARY must name the uudai executable (see tests/CMakeLists.txt)"
#endif

std::string RedemptionPath(const std::string& id) { return "/v1/redemptions/" + id; }

// `uudai serve` with its journal in `data_dir`.
class JournaledServe : public ServeProcess {
 public:
  JournaledServe(const std::string& keys_file, const std::string& data_dir)
      : ServeProcess(UUDAI_BINARY, keys_file, {"--data-dir", data_dir}) {}
};

class ServeBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override { keys_file_ = WriteTestKeysFile(keys_dir_.path()); }

  TempDir keys_dir_;
  TempDir data_dir_;
  std::string keys_file_;
};

TEST_F(ServeBinaryTest, KillNineLosesNoAcknowledgedWrite) {
  std::vector<std::string> offers;
  struct Acked {
    std::string id;
    std::string body;
    std::string idempotency_key;
    std::string request;
  };
  std::vector<Acked> acked;
  {
    JournaledServe serve(keys_file_, data_dir_.path());
    ASSERT_TRUE(serve.WaitUntilHealthy());
    for (int i = 0; i < 3; ++i) {
      const HttpReply created =
          CallPort(serve.port(), "POST", "/v1/offers", kAdminKey, Json(AlwaysOnOffer()));
      ASSERT_EQ(created.status, 201) << created.body;
      offers.emplace_back(created.Json().at("id").as_string());
    }
    // Writers redeem (commit at once) as fast as they can until the process dies under them.
    std::mutex mutex;
    std::atomic<bool> go{true};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        try {
          HttpConnection connection(serve.port());
          for (int i = 0; go.load(); ++i) {
            const std::string order = "w" + std::to_string(w) + "-" + std::to_string(i);
            object body = RedemptionBody(order, 100'000, "s-" + order);
            body["commit"] = true;
            const std::string request = Json(body);
            const HttpReply reply =
                connection.Send("POST", "/v1/redemptions", request,
                                {{"Authorization", std::string("Bearer ") + kCheckoutKey},
                                 {"Idempotency-Key", order}});
            if (reply.status != 201) break;
            std::lock_guard lock(mutex);
            acked.push_back(
                {std::string(reply.Json().at("id").as_string()), reply.body, order, request});
          }
        } catch (const std::exception&) {
          // the connection died with the process
        }
      });
    }
    std::this_thread::sleep_for(milliseconds(300));

    serve.Signal(SIGKILL);
    go = false;
    for (auto& writer : writers) writer.join();
    const auto status = serve.WaitForExit(milliseconds(5000));
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFSIGNALED(*status));
  }
  ASSERT_GE(acked.size(), 5U) << "the writers should have got some writes acknowledged";

  JournaledServe restarted(keys_file_, data_dir_.path());
  ASSERT_TRUE(restarted.WaitUntilHealthy());

  for (const std::string& id : offers) {
    EXPECT_EQ(CallPort(restarted.port(), "GET", "/v1/offers/" + id, kAdminKey).status, 200) << id;
  }
  int missing = 0;
  for (const Acked& a : acked) {
    const HttpReply reply = CallPort(restarted.port(), "GET", RedemptionPath(a.id), kCheckoutKey);
    if (reply.status != 200 || reply.body != a.body) ++missing;
  }
  EXPECT_EQ(missing, 0) << "of " << acked.size() << " acknowledged redemptions";
  // An acknowledged redemption's idempotent replay survives too.
  const Acked& last = acked.back();
  const HttpReply replay = CallPort(restarted.port(), "POST", "/v1/redemptions", kCheckoutKey,
                                    last.request, {{"Idempotency-Key", last.idempotency_key}});
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, last.body);
  std::int64_t committed = 0;
  for (const std::string& id : offers) {
    committed += CallPort(restarted.port(), "GET", "/v1/stats/offers/" + id, kAdminKey)
                     .Json()
                     .at("redemptions")
                     .at("committed")
                     .as_int64();
  }
  // Each redemption applies one of the three merchant-layer offers; a write may be durable
  // without having been acknowledged, never the other way round.
  EXPECT_GE(committed, static_cast<std::int64_t>(acked.size()));
}

TEST_F(ServeBinaryTest, SigtermFinishesTheRequestInProgressAndExitsZero) {
  std::string offer;
  {
    JournaledServe serve(keys_file_, data_dir_.path());
    ASSERT_TRUE(serve.WaitUntilHealthy());
    const std::string body = Json(AlwaysOnOffer());
    RawSocket client(serve.port());
    client.Send("POST /v1/offers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                std::string(kAdminKey) + "\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 40));
    std::this_thread::sleep_for(milliseconds(100));

    serve.Signal(SIGTERM);
    EXPECT_FALSE(serve.WaitForExit(milliseconds(300)).has_value())
        << "the process must wait for the request in progress";
    client.Send(body.substr(40));
    const std::string raw = client.ReadUntilClosed(milliseconds(5000));
    const auto status = serve.WaitForExit(milliseconds(10'000));

    ASSERT_EQ(StatusOf(raw), 201) << raw;
    const auto json = raw.find("\r\n\r\n");
    ASSERT_NE(json, std::string::npos);
    const auto parsed = boost::json::parse(raw.substr(json + 4));
    offer = std::string(parsed.at("id").as_string());
    ASSERT_TRUE(status.has_value()) << "SIGTERM did not stop the process";
    ASSERT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 0);
  }

  JournaledServe restarted(keys_file_, data_dir_.path());
  ASSERT_TRUE(restarted.WaitUntilHealthy());
  EXPECT_EQ(CallPort(restarted.port(), "GET", "/v1/offers/" + offer, kAdminKey).status, 200);
}

TEST_F(ServeBinaryTest, SigtermOfAnIdleServerExitsZeroPromptly) {
  JournaledServe serve(keys_file_, data_dir_.path());
  ASSERT_TRUE(serve.WaitUntilHealthy());
  HttpConnection idle(serve.port());
  ASSERT_EQ(idle.Send("GET", "/healthz", "", {}).status, 200);

  serve.Signal(SIGTERM);
  const auto status = serve.WaitForExit(milliseconds(3000));

  ASSERT_TRUE(status.has_value()) << "an idle keep-alive connection must not hold up the exit";
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

}  // namespace
}  // namespace uudai::testing
