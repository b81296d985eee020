// MultiGatewayTest: several `uudai serve --redis` processes sharing the fixture's redis-server
// (or one of the test's own, UsePrivateRedis), each test under keys of its own (--redis-prefix).
#ifndef UUDAI_TESTS_REDIS_MULTI_GATEWAY_FIXTURE_H_
#define UUDAI_TESTS_REDIS_MULTI_GATEWAY_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "api_test_support.h"
#include "redis_store_test_support.h"
#include "redis_test_support.h"
#include "serve_process.h"
#include "test_gateway.h"

#ifndef UUDAI_BINARY
#error "UUDAI_BINARY must name the uudai executable (see tests/CMakeLists.txt)"
#endif

namespace uudai::testing {

class MultiGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_file_ = WriteTestKeysFile(dir_.path());
    prefix_ = FreshKeyPrefix();
  }

  // From here on the test's gateways use a Redis of the test's own: for a test that stops or
  // pauses Redis, which must not touch the shared one the tests after it use.
  void UsePrivateRedis() {
    own_redis_ = RedisServer::StartPrivate({});
    ASSERT_NE(own_redis_, nullptr);
  }
  RedisServer& redis_server() { return own_redis_ ? *own_redis_ : RedisServer::Shared(); }

  // `count` gateways on the test's Redis, each healthy.
  void StartGateways(int count, const std::vector<std::string>& extra = {}) {
    for (int i = 0; i < count; ++i) {
      std::vector<std::string> args = {"--redis", redis_server().url(), "--redis-prefix", prefix_};
      args.insert(args.end(), extra.begin(), extra.end());
      gateways_.push_back(std::make_unique<ServeProcess>(UUDAI_BINARY, keys_file_, args));
    }
    for (auto& gateway : gateways_) ASSERT_TRUE(gateway->WaitUntilHealthy());
  }

  std::uint16_t port(int i) const { return gateways_[static_cast<std::size_t>(i)]->port(); }

  std::string CreateOfferOn(int gateway, const boost::json::object& body) {
    const HttpReply created = CallPort(port(gateway), "POST", "/v1/offers", kAdminKey, Json(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return std::string(created.Json().at("id").as_string());
  }

  // How many offers a quote of `cart` on `gateway` applies.
  std::size_t AppliedOn(int gateway, const boost::json::object& cart) {
    const HttpReply quote =
        CallPort(port(gateway), "POST", "/v1/checkout/quote", kCheckoutKey, Json(cart));
    EXPECT_EQ(quote.status, 200) << quote.body;
    return quote.Json().at("applied").as_array().size();
  }

  std::string Redis(const std::string& args) { return redis_server().Cli(args); }

  std::unique_ptr<RedisServer> own_redis_;  // UsePrivateRedis; stopped after the gateways
  TempDir dir_;
  std::string keys_file_;
  std::string prefix_;
  std::vector<std::unique_ptr<ServeProcess>> gateways_;
};

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_REDIS_MULTI_GATEWAY_FIXTURE_H_
