// RedisConnection against a real redis-server: replies of every type, pipelining, FCALL and
// loading the library again when Redis lost it, threading and shutdown. Faults (timeouts, Redis
// down, AUTH) are in redis_connection_fault_test.cc.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <iostream>

#include "redis_test_support.h"

namespace uudai::testing {
namespace {

using gateway::RedisConnection;
using gateway::RedisFunction;
using gateway::RedisReply;

class RedisConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    connection_ = RedisConnection::Create(io_.io(), OptionsFor(RedisServer::Shared().url()));
    connection_->Start();
    ASSERT_TRUE(WaitUntil([this] { return connection_->connected(); }, 5000ms))
        << connection_->last_error();
  }
  void TearDown() override { connection_->Stop(); }

  // A key of this test's own, deleted first.
  std::string Key(const std::string& name) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string key = std::string("uudai-test:") + info->name() + ":" + name;
    EXPECT_TRUE(Call(*connection_, {"DEL", key}).ok());
    return key;
  }

  // "calls=N" of one command in INFO commandstats (0 when never called).
  std::int64_t CommandCalls(const std::string& stat) {
    const auto info = Call(*connection_, {"INFO", "commandstats"});
    if (!info.ok()) return -1;
    const std::string needle = "cmdstat_" + stat + ":calls=";
    const auto at = info->str().find(needle);
    if (at == std::string::npos) return 0;
    return std::stoll(info->str().substr(at + needle.size()));
  }

  IoThread io_;
  std::shared_ptr<RedisConnection> connection_;
};

// hiredis writes with write(2): once Redis has gone away, a write would raise SIGPIPE and kill
// the whole gateway, silently (seen as a gateway gone in the Redis crash test). With a
// connection created (SetUp), a write to a closed socket must fail with EPIPE instead.
TEST_F(RedisConnectionTest, WriteToAClosedSocketFailsInsteadOfKillingTheProcess) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  ::close(pair[1]);

  const ssize_t written = ::write(pair[0], "x", 1);
  const int error = errno;
  ::close(pair[0]);

  EXPECT_EQ(written, -1);
  EXPECT_EQ(error, EPIPE);
}

TEST_F(RedisConnectionTest, SetAnswersStatusReplyOk) {
  const auto reply = Call(*connection_, {"SET", Key("k"), "v"});

  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply.value(), RedisReply::StatusReply("OK"));
}

TEST_F(RedisConnectionTest, StringReplyIsBinarySafe) {
  const std::string bytes("a\0b\r\n\xff", 6);
  const std::string key = Key("k");
  ASSERT_TRUE(Call(*connection_, {"SET", key, bytes}).ok());

  const auto reply = Call(*connection_, {"GET", key});

  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value(), RedisReply::String(bytes));
  EXPECT_EQ(reply->str().size(), 6u);
}

TEST_F(RedisConnectionTest, MissingKeyAnswersNil) {
  const auto reply = Call(*connection_, {"GET", Key("absent")});

  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(reply->is_nil());
}

TEST_F(RedisConnectionTest, IncrByAnswersInteger) {
  const std::string key = Key("counter");
  ASSERT_TRUE(Call(*connection_, {"SET", key, "-7"}).ok());

  const auto reply = Call(*connection_, {"INCRBY", key, "49"});

  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value(), RedisReply::Integer(42));
}

TEST_F(RedisConnectionTest, RedisErrorIsAReplyNotAFailure) {
  const std::string key = Key("string");
  ASSERT_TRUE(Call(*connection_, {"SET", key, "x"}).ok());

  const auto reply = Call(*connection_, {"LPUSH", key, "y"});

  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply.value(), RedisReply::Error("WRONGTYPE Operation against a key holding the "
                                             "wrong kind of value"));
  EXPECT_TRUE(reply->IsErrorCode("WRONGTYPE"));
}

TEST_F(RedisConnectionTest, NestedArrayReplyKeepsEveryElement) {
  const auto reply = Call(*connection_, {"EVAL", "return {1, 'two', {3, false}}", "0"});

  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value(),
            RedisReply::Array({RedisReply::Integer(1), RedisReply::String("two"),
                               RedisReply::Array({RedisReply::Integer(3), RedisReply::Nil()})}));
}

TEST_F(RedisConnectionTest, TenThousandPipelinedIncrsCompleteInOrder) {
  constexpr int kCommands = 10'000;
  const std::string key = Key("pipelined");
  std::vector<std::int64_t> seen;  // io thread only until `all` is ready
  seen.reserve(kCommands);
  std::promise<void> all;
  std::atomic<int> failures{0};

  const auto start = std::chrono::steady_clock::now();
  // All sent from the io thread in one go, before any reply is read: one pipeline.
  io_.Run([&] {
    for (int i = 0; i < kCommands; ++i) {
      connection_->Command({"INCR", key}, [&](Result<RedisReply> reply) {
        if (!reply.ok() || !reply->is_integer()) ++failures;
        seen.push_back(reply.ok() ? reply->integer() : -1);
        if (seen.size() == kCommands) all.set_value();
      });
    }
  });
  ASSERT_EQ(all.get_future().wait_for(10s), std::future_status::ready);
  const auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(failures.load(), 0);
  std::vector<std::int64_t> expected(kCommands);
  for (int i = 0; i < kCommands; ++i) expected[i] = i + 1;
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(Call(*connection_, {"GET", key}).value(), RedisReply::String("10000"));
  const double millis = std::chrono::duration<double, std::milli>(elapsed).count();
  std::cout << "10,000 pipelined INCRs: " << millis << " ms\n";
  RecordProperty("pipelined_incr_10000_ms", std::to_string(millis));
}

// A library whose function returns what `expression` (Lua, of keys and args) is.
RedisFunction FunctionOf(const std::string& expression) {
  return RedisFunction("uudai_test", "redis.register_function(NAME, function(keys, args) return " +
                                         expression + " end)");
}

TEST_F(RedisConnectionTest, CallOfALoadedFunctionIsOneFcall) {
  const RedisFunction function = FunctionOf("redis.call('INCRBY', keys[1], args[1])");
  const auto loaded = Call(*connection_, {"FUNCTION", "LOAD", "REPLACE", function.source()});
  ASSERT_EQ(loaded.value(), RedisReply::String(function.name()));
  const std::string key = Key("counter");
  const auto fcall_before = CommandCalls("fcall");
  const auto load_before = CommandCalls("function|load");

  const auto reply = CallFunction(*connection_, function, {key}, {"5"});

  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply.value(), RedisReply::Integer(5));
  EXPECT_EQ(CommandCalls("fcall"), fcall_before + 1);
  EXPECT_EQ(CommandCalls("function|load"), load_before);
}

TEST_F(RedisConnectionTest, CallLoadsTheLibraryAgainAfterFunctionFlush) {
  const RedisFunction function = FunctionOf("redis.call('INCRBY', keys[1], args[1]) * 10");
  const std::string key = Key("counter");
  ASSERT_EQ(CallFunction(*connection_, function, {key}, {"2"}).value(), RedisReply::Integer(20));
  ASSERT_EQ(Call(*connection_, {"FUNCTION", "FLUSH"}).value(), RedisReply::StatusReply("OK"));

  const auto reply = CallFunction(*connection_, function, {key}, {"3"});

  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply.value(), RedisReply::Integer(50));  // ran exactly once more: 2 + 3 = 5
  const auto listed = Call(*connection_, {"FUNCTION", "LIST", "LIBRARYNAME", function.name()});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->elements().size(), 1u) << listed->DebugString();
}

TEST_F(RedisConnectionTest, ReadOnlyFunctionOfALibraryRunsWithFcallRoAndCannotWrite) {
  const RedisFunction function(
      "uudai_test",
      "redis.register_function(NAME, function(keys, args) "
      "return redis.call('SET', keys[1], args[1]) end)\n"
      "redis.register_function{function_name = NAME .. '_ro', flags = {'no-writes'}, "
      "callback = function(keys, args) return redis.call(args[1], keys[1], unpack(args, 2)) end}");
  const RedisFunction read_only = function.ReadOnly();
  EXPECT_EQ(read_only.name(), function.name() + "_ro");
  EXPECT_EQ(read_only.source(), function.source()) << "one library holds both";
  const std::string key = Key("value");

  // Called first, on a Redis that lacks the library: loaded, then run.
  ASSERT_EQ(CallFunction(*connection_, read_only, {key}, {"GET"}).value(), RedisReply::Nil());
  ASSERT_EQ(CallFunction(*connection_, function, {key}, {"v"}).value(),
            RedisReply::StatusReply("OK"));
  const auto fcall_ro_before = CommandCalls("fcall_ro");
  EXPECT_EQ(CallFunction(*connection_, read_only, {key}, {"GET"}).value(), RedisReply::String("v"));
  EXPECT_EQ(CommandCalls("fcall_ro"), fcall_ro_before + 1);
  const auto write = CallFunction(*connection_, read_only, {key}, {"SET", "w"});
  ASSERT_TRUE(write.ok());
  EXPECT_TRUE(write->is_error()) << write->DebugString();
}

TEST_F(RedisConnectionTest, CallOfALibraryThatDoesNotCompileAnswersTheLoadError) {
  const RedisFunction function("uudai_test", "this is not lua");

  const auto reply = CallFunction(*connection_, function, {}, {});

  ASSERT_TRUE(reply.ok()) << reply.status().message();
  ASSERT_TRUE(reply->is_error()) << reply->DebugString();
  EXPECT_NE(reply->str().find("compil"), std::string::npos) << reply->str();
}

TEST_F(RedisConnectionTest, FunctionErrorReplyReachesTheCaller) {
  const RedisFunction function = FunctionOf("redis.error_reply('quota_exhausted o-1')");

  const auto reply = CallFunction(*connection_, function, {}, {});

  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value(), RedisReply::Error("quota_exhausted o-1"));
}

TEST(RedisFunctionTest, IsNamedAfterTheDigestOfItsBody) {
  const RedisFunction function("uudai", "return 1");

  // SHA1("return 1") = e0e1f9fabfc9d4800c877a703b823ac0578ff8db
  EXPECT_EQ(function.name(), "uudai_e0e1f9fabfc9d480");
  EXPECT_EQ(function.source(),
            "#!lua name=uudai_e0e1f9fabfc9d480\nlocal NAME = 'uudai_e0e1f9fabfc9d480'\nreturn 1");
  EXPECT_NE(RedisFunction("uudai", "return 2").name(), function.name());
}

TEST_F(RedisConnectionTest, CallbackRunsOnTheIoThreadForACommandFromAnotherThread) {
  std::promise<std::thread::id> ran_on;

  connection_->Command(
      {"PING"}, [&](const Result<RedisReply>&) { ran_on.set_value(std::this_thread::get_id()); });

  auto future = ran_on.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(future.get(), io_.id());
  EXPECT_NE(io_.id(), std::this_thread::get_id());
}

TEST_F(RedisConnectionTest, PubSubCommandIsRefused) {
  const auto reply = Call(*connection_, {"subscribe", "news"});

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kInternal);
  // The connection still pairs replies with commands.
  EXPECT_EQ(Call(*connection_, {"PING"}).value(), RedisReply::StatusReply("PONG"));
}

TEST_F(RedisConnectionTest, StopAnswersACommandInFlightUnavailable) {
  const std::string key = Key("empty");
  std::promise<Result<RedisReply>> answer;
  std::atomic<int> calls{0};

  io_.Run([&] {
    // Blocks in Redis for up to 2 s: still in flight when Stop() runs.
    connection_->Command({"BLPOP", key, "2"}, [&](Result<RedisReply> reply) {
      if (++calls == 1) answer.set_value(std::move(reply));
    });
    connection_->Stop();
  });

  auto future = answer.get_future();
  // Well before the 500 ms command timeout: answered by Stop() itself.
  ASSERT_EQ(future.wait_for(250ms), std::future_status::ready);
  const auto reply = future.get();
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(RedisConnectionTest, CommandAfterStopAnswersUnavailable) {
  connection_->Stop();

  const auto reply = Call(*connection_, {"PING"});

  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(connection_->connected());
}

TEST_F(RedisConnectionTest, CommandBeforeStartAnswersUnavailableAfterCommandReturns) {
  auto idle = RedisConnection::Create(io_.io(), OptionsFor(RedisServer::Shared().url()));
  std::promise<Result<RedisReply>> answer;
  bool answered_inside_command = false;
  bool returned = false;  // both io thread only until `answer` is ready

  io_.Run([&] {
    idle->Command({"PING"}, [&](Result<RedisReply> reply) {
      answered_inside_command = !returned;
      answer.set_value(std::move(reply));
    });
    returned = true;
  });

  auto future = answer.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(future.get().status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(answered_inside_command);
}

TEST_F(RedisConnectionTest, DestroyingTheLastHandleClosesTheConnection) {
  const std::string name = "uudai-test-destroyed-handle";
  ASSERT_EQ(Call(*connection_, {"CLIENT", "SETNAME", name}).value(), RedisReply::StatusReply("OK"));
  ASSERT_NE(RedisServer::Shared().Cli("client list").find("name=" + name), std::string::npos);

  connection_.reset();

  EXPECT_TRUE(WaitUntil(
      [&] {
        return RedisServer::Shared().Cli("client list").find("name=" + name) == std::string::npos;
      },
      2000ms));
  connection_ = RedisConnection::Create(io_.io(), OptionsFor(RedisServer::Shared().url()));
}

// No Stop(), no running io_context at the end: destroying the io_context destroys the pending
// handlers, and with them the connection and its live hiredis context (ASan checks the rest).
TEST(RedisConnectionLifetimeTest, IoContextDestroyedUnderALiveConnectionFreesEverything) {
  auto io = std::make_unique<boost::asio::io_context>(1);
  auto connection = RedisConnection::Create(*io, OptionsFor(RedisServer::Shared().url()));
  connection->Start();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!connection->connected() && std::chrono::steady_clock::now() < deadline) {
    io->run_for(10ms);
  }
  ASSERT_TRUE(connection->connected()) << connection->last_error();
  bool answered = false;
  connection->Command({"BLPOP", "uudai-test:lifetime:empty", "1"},
                      [&answered](const Result<RedisReply>&) { answered = true; });
  io->run_for(20ms);  // sent, now pending

  connection.reset();
  io.reset();

  EXPECT_FALSE(answered);  // destroyed uncalled: there is no io_context left to call it on
}

}  // namespace
}  // namespace uudai::testing
