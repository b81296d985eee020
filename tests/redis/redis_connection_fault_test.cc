// RedisConnection when Redis is slow, down, restarted or never answers: fail fast with
// kUnavailable, never hand a late reply to the wrong command, and recover by itself.
#include <chrono>
#include <future>
#include <iostream>

#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>

#include "redis_test_support.h"

namespace uudai::testing {
namespace {

using gateway::RedisConnection;
using gateway::RedisOptions;
using gateway::RedisReply;
using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Each test has a Redis of its own: it stops or pauses it, and the shared one must stay up for
// the tests after it, whatever this one's teardown manages to restore.
class RedisFaultTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(server_, nullptr); }
  RedisServer& server() { return *server_; }

  // A started connection with a 200 ms command timeout.
  std::shared_ptr<RedisConnection> Connect(std::chrono::milliseconds command_timeout = 200ms) {
    RedisOptions options = OptionsFor(server().url());
    options.command_timeout = command_timeout;
    auto connection = RedisConnection::Create(io_.io(), options);
    connection->Start();
    EXPECT_TRUE(WaitUntil([&] { return connection->connected(); }, 5000ms))
        << connection->last_error();
    return connection;
  }

  void TearDown() override {
    if (connection_) connection_->Stop();
  }

  std::unique_ptr<RedisServer> server_ = RedisServer::StartPrivate({});
  IoThread io_;
  std::shared_ptr<RedisConnection> connection_;
};

TEST_F(RedisFaultTest, CommandWithoutReplyWithinTheTimeoutAnswersUnavailableFast) {
  connection_ = Connect(200ms);
  ASSERT_EQ(server().Cli("client pause 3000 all"), "OK");  // Redis answers nobody for 3 s

  const auto start = Clock::now();
  const auto reply = Call(*connection_, {"PING"});
  const double millis = MillisSince(start);

  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(reply.status().message(), "redis unavailable: no reply within 200 ms");
  EXPECT_GE(millis, 190);
  EXPECT_LT(millis, 1'500);  // by the timeout, long before the pause ends
  std::cout << "command timeout (200 ms) answered after " << millis << " ms\n";
}

TEST_F(RedisFaultTest, AfterATimeoutTheConnectionRecoversAndNoLateReplyIsMisdelivered) {
  connection_ = Connect(200ms);
  ASSERT_TRUE(Call(*connection_, {"SET", "uudai-test:late:a", "A"}).ok());
  ASSERT_TRUE(Call(*connection_, {"SET", "uudai-test:late:b", "B"}).ok());
  ASSERT_EQ(server().Cli("client pause 800 all"), "OK");
  ASSERT_EQ(Call(*connection_, {"GET", "uudai-test:late:a"}).status().code(),
            StatusCode::kUnavailable);  // "A" comes back after the pause, too late

  const auto start = Clock::now();
  Result<RedisReply> reply = Status(StatusCode::kUnavailable, "not tried");
  const bool recovered = WaitUntil(
      [&] {
        reply = Call(*connection_, {"GET", "uudai-test:late:b"});
        return reply.ok();
      },
      5000ms);

  ASSERT_TRUE(recovered) << reply.status().message();
  EXPECT_EQ(reply.value(), RedisReply::String("B"));
  std::cout << "usable again " << MillisSince(start) << " ms after the timeout\n";
}

TEST_F(RedisFaultTest, CommandsAnswerUnavailableFastWhileRedisIsDown) {
  connection_ = Connect(5000ms);
  server().Shutdown();
  ASSERT_TRUE(WaitUntil([&] { return !connection_->connected(); }, 2000ms));

  const auto start = Clock::now();
  const auto reply = Call(*connection_, {"PING"});
  const double millis = MillisSince(start);

  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_LT(millis, 1'000);  // answered at once, not after the 5 s command timeout
}

TEST_F(RedisFaultTest, CommandInFlightAnswersUnavailableWhenRedisGoesAway) {
  connection_ = Connect(5000ms);  // longer than the test waits: the timeout cannot answer it
  std::promise<Result<RedisReply>> answer;
  connection_->Command({"BLPOP", "uudai-test:in-flight:empty", "3"},
                       [&](Result<RedisReply> reply) { answer.set_value(std::move(reply)); });
  ASSERT_TRUE(WaitUntil(
      [&] { return server().Cli("client list").find("cmd=blpop") != std::string::npos; }, 2000ms));

  server().Shutdown();

  auto future = answer.get_future();
  ASSERT_EQ(future.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(future.get().status().code(), StatusCode::kUnavailable);
}

TEST_F(RedisFaultTest, ReconnectsByItselfWhenRedisComesBack) {
  connection_ = Connect();
  server().Shutdown();
  ASSERT_TRUE(WaitUntil([&] { return !connection_->connected(); }, 2000ms));
  std::this_thread::sleep_for(500ms);  // a few refused attempts: the backoff has grown
  EXPECT_EQ(connection_->last_error(), "Connection refused");

  ASSERT_TRUE(server().Restart());
  const auto start = Clock::now();
  const bool reconnected = WaitUntil([&] { return connection_->connected(); }, 5000ms);
  const double millis = MillisSince(start);

  ASSERT_TRUE(reconnected) << connection_->last_error();
  ASSERT_TRUE(Call(*connection_, {"SET", "uudai-test:reconnected", "yes"}).ok());
  EXPECT_EQ(Call(*connection_, {"GET", "uudai-test:reconnected"}).value(),
            RedisReply::String("yes"));
  std::cout << "reconnected " << millis << " ms after redis-server was back\n";
}

TEST_F(RedisFaultTest, ConnectTimeoutBoundsAnAttemptOnAServerThatNeverAnswers) {
  // A listening socket nobody accepts on: the TCP handshake completes, PING never answers.
  boost::asio::io_context silent_io;
  boost::asio::ip::tcp::acceptor silent(
      silent_io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  RedisOptions options =
      OptionsFor("redis://127.0.0.1:" + std::to_string(silent.local_endpoint().port()));
  options.connect_timeout = 300ms;
  connection_ = RedisConnection::Create(io_.io(), options);

  const auto start = Clock::now();
  connection_->Start();
  const bool gave_up =
      WaitUntil([&] { return connection_->last_error() == "not ready within 300 ms"; }, 2000ms);

  EXPECT_TRUE(gave_up) << connection_->last_error();
  EXPECT_GE(MillisSince(start), 290);
  EXPECT_FALSE(connection_->connected());
  EXPECT_EQ(Call(*connection_, {"PING"}).status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace uudai::testing
