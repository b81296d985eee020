// ParseRedisUrl: redis://[[user]:password@]host[:port][/db].
#include "redis/redis_url.h"

#include <gtest/gtest.h>

namespace uudai::gateway {
namespace {

RedisUrl Parsed(const std::string& text) {
  auto url = ParseRedisUrl(text);
  EXPECT_TRUE(url.ok()) << text << ": " << url.status().message();
  return url.ok() ? url.value() : RedisUrl{};
}

std::string ErrorOf(const std::string& text) {
  const auto url = ParseRedisUrl(text);
  EXPECT_FALSE(url.ok()) << text << " was accepted";
  if (url.ok()) return {};
  EXPECT_EQ(url.status().code(), StatusCode::kValidation);
  return url.status().message();
}

TEST(RedisUrlTest, HostPortAndDatabase) {
  const RedisUrl url = Parsed("redis://redis.internal:6380/3");

  EXPECT_EQ(url.host, "redis.internal");
  EXPECT_EQ(url.port, 6380);
  EXPECT_EQ(url.db, 3);
  EXPECT_FALSE(url.user.has_value());
  EXPECT_FALSE(url.password.has_value());
}

TEST(RedisUrlTest, PortDefaultsTo6379AndDatabaseTo0) {
  EXPECT_EQ(Parsed("redis://10.0.0.7"), (RedisUrl{"10.0.0.7", 6379, 0, {}, {}, {}}));
  EXPECT_EQ(Parsed("redis://10.0.0.7/"), (RedisUrl{"10.0.0.7", 6379, 0, {}, {}, {}}));
}

TEST(RedisUrlTest, PasswordWithoutUser) {
  const RedisUrl url = Parsed("redis://:s3cret@127.0.0.1:6379/0");

  EXPECT_FALSE(url.user.has_value());
  EXPECT_EQ(url.password, "s3cret");
}

TEST(RedisUrlTest, UserAndPassword) {
  const RedisUrl url = Parsed("redis://uudai:s3cret@127.0.0.1:6379");

  EXPECT_EQ(url.user, "uudai");
  EXPECT_EQ(url.password, "s3cret");
}

TEST(RedisUrlTest, PasswordIsPercentDecoded) {
  EXPECT_EQ(Parsed("redis://:p%40ss%3Aw%2Frd@localhost").password, "p@ss:w/rd");
}

TEST(RedisUrlTest, Ipv6HostLosesItsBrackets) {
  const RedisUrl url = Parsed("redis://[::1]:7000/1");

  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 7000);
}

TEST(RedisUrlTest, SchemeIsCaseInsensitive) { EXPECT_EQ(Parsed("REDIS://h:1").host, "h"); }

TEST(RedisUrlTest, HighestPortAndDatabaseAreAccepted) {
  const RedisUrl url = Parsed("redis://h:65535/2147483647");

  EXPECT_EQ(url.port, 65535);
  EXPECT_EQ(url.db, 2147483647);
}

TEST(RedisUrlTest, RedactedMasksThePassword) {
  EXPECT_EQ(Parsed("redis://u:s3cret@h:1/2").Redacted(), "redis://u:***@h:1/2");
  EXPECT_EQ(Parsed("redis://:s3cret@[::1]:1").Redacted(), "redis://:***@[::1]:1/0");
  EXPECT_EQ(Parsed("redis://h").Redacted(), "redis://h:6379/0");
}

TEST(RedisUrlTest, OtherSchemesAreRefused) {
  EXPECT_EQ(ErrorOf("http://h:6379"),
            "invalid Redis URL: scheme must be redis:// or redis+cluster://");
  EXPECT_EQ(ErrorOf("rediss://h:6379"), "invalid Redis URL: TLS (rediss://) is not supported");
}

TEST(RedisUrlTest, NotAUrlIsRefused) {
  const std::string message = "invalid Redis URL: not a URL (expected redis://host:port/db)";
  EXPECT_EQ(ErrorOf(""), message);
  EXPECT_EQ(ErrorOf("127.0.0.1:6379"), message);
  EXPECT_EQ(ErrorOf("redis://h:1/a b"), message);
}

TEST(RedisUrlTest, HostAndPortWithoutSchemeIsRefused) {
  // "localhost" reads as a scheme here.
  EXPECT_EQ(ErrorOf("localhost:6379"),
            "invalid Redis URL: scheme must be redis:// or redis+cluster://");
}

TEST(RedisUrlTest, MissingHostIsRefused) {
  EXPECT_EQ(ErrorOf("redis://:6379"), "invalid Redis URL: missing host");
  EXPECT_EQ(ErrorOf("redis:///0"), "invalid Redis URL: missing host");
}

TEST(RedisUrlTest, PortOutOfRangeIsRefused) {
  const std::string message = "invalid Redis URL: port must be a number from 1 to 65535";
  EXPECT_EQ(ErrorOf("redis://h:0"), message);
  EXPECT_EQ(ErrorOf("redis://h:65536"), message);
  EXPECT_EQ(ErrorOf("redis://h:99999999999"), message);
  EXPECT_EQ(ErrorOf("redis://h:"), message);
}

TEST(RedisUrlTest, DatabaseThatIsNotANumberIsRefused) {
  const std::string message =
      "invalid Redis URL: database must be a number: redis://host:port/<db>";
  EXPECT_EQ(ErrorOf("redis://h:1/x"), message);
  EXPECT_EQ(ErrorOf("redis://h:1/-1"), message);
  EXPECT_EQ(ErrorOf("redis://h:1/3/4"), message);
  EXPECT_EQ(ErrorOf("redis://h:1/2147483648"), message);
}

TEST(RedisUrlTest, UserWithoutPasswordIsRefused) {
  const std::string message =
      "invalid Redis URL: credentials must be :password@ or user:password@ with a non-empty "
      "password";
  EXPECT_EQ(ErrorOf("redis://uudai@h"), message);
  EXPECT_EQ(ErrorOf("redis://uudai:@h"), message);
  EXPECT_EQ(ErrorOf("redis://@h"), message);
}

TEST(RedisUrlTest, QueryAndFragmentAreRefused) {
  EXPECT_EQ(ErrorOf("redis://h:1/0?timeout=5"),
            "invalid Redis URL: query parameters are not supported");
  EXPECT_EQ(ErrorOf("redis://h:1/0#x"), "invalid Redis URL: a fragment is not supported");
}

TEST(RedisUrlTest, ErrorNeverEchoesThePassword) {
  const std::string message = ErrorOf("redis://:hunter2@h:0");

  EXPECT_EQ(message.find("hunter2"), std::string::npos);
}

TEST(RedisUrlTest, ClusterListsItsSeedsInOrder) {
  const RedisUrl url = Parsed("redis+cluster://a:7000,b:7001,[::1]:7002");
  EXPECT_TRUE(url.cluster());
  ASSERT_EQ(url.cluster_seeds.size(), 3u);
  EXPECT_EQ(url.cluster_seeds[0], (RedisAddress{"a", 7000}));
  EXPECT_EQ(url.cluster_seeds[1], (RedisAddress{"b", 7001}));
  EXPECT_EQ(url.cluster_seeds[2], (RedisAddress{"::1", 7002}));
  EXPECT_EQ(url.host, "a");
  EXPECT_EQ(url.port, 7000);
  EXPECT_EQ(url.db, 0);
}

TEST(RedisUrlTest, ClusterSeedPortDefaultsTo6379) {
  const RedisUrl url = Parsed("REDIS+CLUSTER://a,b:7001");
  ASSERT_EQ(url.cluster_seeds.size(), 2u);
  EXPECT_EQ(url.cluster_seeds[0], (RedisAddress{"a", 6379}));
}

TEST(RedisUrlTest, ClusterCredentialsApplyToEveryNode) {
  const RedisUrl url = Parsed("redis+cluster://app:p%40ss@a:7000,b:7001/");
  EXPECT_EQ(url.user, "app");
  EXPECT_EQ(url.password, "p@ss");
  const RedisUrl node = url.AtNode(url.cluster_seeds[1]);
  EXPECT_FALSE(node.cluster());
  EXPECT_EQ(node.host, "b");
  EXPECT_EQ(node.port, 7001);
  EXPECT_EQ(node.password, "p@ss");
  EXPECT_EQ(url.Redacted(), "redis+cluster://app:***@a:7000,b:7001");
}

TEST(RedisUrlTest, SingleServerIsNotACluster) { EXPECT_FALSE(Parsed("redis://a:7000").cluster()); }

TEST(RedisUrlTest, ClusterWithADatabaseOtherThan0IsRefused) {
  EXPECT_EQ(ErrorOf("redis+cluster://a:7000,b:7001/2"),
            "invalid Redis URL: a Redis Cluster has database 0 only");
  EXPECT_TRUE(ParseRedisUrl("redis+cluster://a:7000/0").ok());
}

TEST(RedisUrlTest, ClusterWithAnEmptyOrBadSeedIsRefused) {
  EXPECT_EQ(ErrorOf("redis+cluster://a:7000,,b:7001"),
            "invalid Redis URL: missing host in the list of cluster nodes");
  EXPECT_EQ(ErrorOf("redis+cluster://"),
            "invalid Redis URL: missing host in the list of cluster nodes");
  EXPECT_EQ(ErrorOf("redis+cluster://a:7000,b:99999"),
            "invalid Redis URL: port must be a number from 1 to 65535");
  EXPECT_EQ(ErrorOf("redis+cluster://a:7000?x=1"),
            "invalid Redis URL: query parameters are not supported");
}

}  // namespace
}  // namespace uudai::gateway
