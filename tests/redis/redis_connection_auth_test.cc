// RedisConnection sets up its session from the URL: AUTH (password, or ACL user and password)
// and SELECT of the database.
#include <gtest/gtest.h>

#include "redis_test_support.h"

namespace uudai::testing {
namespace {

using gateway::RedisConnection;
using gateway::RedisReply;

// A private redis-server that requires a password, with two ACL users.
class RedisAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = RedisServer::StartPrivate({"--requirepass", "secret",                          //
                                         "--user", "alice", "on", ">wonder", "~*", "+@all",  //
                                         "--user", "bob", "on", ">p@ss:w/rd", "~*", "+@all"});
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override { ASSERT_NE(server_, nullptr); }
  void TearDown() override {
    if (connection_) connection_->Stop();
  }

  void Start(const std::string& userinfo) {
    connection_ = RedisConnection::Create(io_.io(), OptionsFor(server_->url(userinfo)));
    connection_->Start();
  }
  bool Connected() {
    return WaitUntil([this] { return connection_->connected(); }, 5000ms);
  }
  bool FailedWith(const std::string& prefix) {
    return WaitUntil([&] { return connection_->last_error().rfind(prefix, 0) == 0; }, 5000ms);
  }

  static std::unique_ptr<RedisServer> server_;
  IoThread io_;
  std::shared_ptr<RedisConnection> connection_;
};

std::unique_ptr<RedisServer> RedisAuthTest::server_;

TEST_F(RedisAuthTest, PasswordFromTheUrlAuthenticatesTheDefaultUser) {
  Start(":secret");

  ASSERT_TRUE(Connected()) << connection_->last_error();
  EXPECT_EQ(Call(*connection_, {"ACL", "WHOAMI"}).value(), RedisReply::String("default"));
}

TEST_F(RedisAuthTest, UserAndPasswordFromTheUrlAuthenticateThatUser) {
  Start("alice:wonder");

  ASSERT_TRUE(Connected()) << connection_->last_error();
  EXPECT_EQ(Call(*connection_, {"ACL", "WHOAMI"}).value(), RedisReply::String("alice"));
}

TEST_F(RedisAuthTest, PercentEncodedPasswordIsDecoded) {
  Start("bob:p%40ss%3Aw%2Frd");  // p@ss:w/rd

  ASSERT_TRUE(Connected()) << connection_->last_error();
  EXPECT_EQ(Call(*connection_, {"ACL", "WHOAMI"}).value(), RedisReply::String("bob"));
}

TEST_F(RedisAuthTest, WrongPasswordIsRefused) {
  Start(":not-the-secret");

  EXPECT_TRUE(FailedWith("AUTH failed: WRONGPASS")) << connection_->last_error();
  EXPECT_FALSE(connection_->connected());
  EXPECT_EQ(Call(*connection_, {"PING"}).status().code(), StatusCode::kUnavailable);
}

TEST_F(RedisAuthTest, NoPasswordIsRefusedByAServerThatRequiresOne) {
  Start("");

  EXPECT_TRUE(FailedWith("PING failed: NOAUTH")) << connection_->last_error();
  EXPECT_FALSE(connection_->connected());
}

class RedisSelectTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (connection_) connection_->Stop();
  }
  IoThread io_;
  std::shared_ptr<RedisConnection> connection_;
};

TEST_F(RedisSelectTest, DatabaseFromTheUrlIsSelected) {
  RedisServer& server = RedisServer::Shared();
  server.Cli("-n 3 del uudai-test:select");
  server.Cli("-n 0 del uudai-test:select");
  connection_ = RedisConnection::Create(io_.io(), OptionsFor(server.url("", 3)));
  connection_->Start();
  ASSERT_TRUE(WaitUntil([this] { return connection_->connected(); }, 5000ms));

  ASSERT_TRUE(Call(*connection_, {"SET", "uudai-test:select", "in-db-3"}).ok());

  EXPECT_EQ(server.Cli("-n 3 get uudai-test:select"), "in-db-3");
  EXPECT_EQ(server.Cli("-n 0 exists uudai-test:select"), "0");
}

TEST_F(RedisSelectTest, DatabaseThatDoesNotExistIsRefused) {
  connection_ = RedisConnection::Create(io_.io(), OptionsFor(RedisServer::Shared().url("", 99)));
  connection_->Start();

  EXPECT_TRUE(WaitUntil(
      [this] { return connection_->last_error() == "SELECT failed: ERR DB index is out of range"; },
      5000ms))
      << connection_->last_error();
  EXPECT_FALSE(connection_->connected());
}

}  // namespace
}  // namespace uudai::testing
