// ParseClusterSlots and ParseClusterRedirect: the shapes Redis 7.0 answers (CLUSTER SLOTS with
// its node metadata, MOVED and ASK with IPv4, IPv6, empty and unknown endpoints).
#include "redis/cluster_reply.h"

#include <gtest/gtest.h>

namespace uudai::gateway {
namespace {

using R = RedisReply;

const RedisAddress kAsked{"10.0.0.9", 7000};

R Node(const std::string& endpoint, int port, std::vector<R> metadata = {}) {
  std::vector<R> parts{R::String(endpoint), R::Integer(port), R::String("node-id")};
  if (!metadata.empty()) parts.push_back(R::Array(std::move(metadata)));
  return R::Array(std::move(parts));
}

R Range(int first, int last, R primary) {
  return R::Array({R::Integer(first), R::Integer(last), std::move(primary),
                   Node("10.0.0.99", 7005)});  // a replica, not routed to
}

TEST(ClusterReplyTest, SlotRangesNameTheirPrimaries) {
  const auto ranges = ParseClusterSlots(R::Array({Range(0, 5460, Node("10.0.0.1", 7000)),
                                                  Range(5461, 16383, Node("10.0.0.2", 7001))}),
                                        kAsked);
  ASSERT_TRUE(ranges.ok()) << ranges.status().message();
  ASSERT_EQ(ranges->size(), 2U);
  EXPECT_EQ(ranges.value()[0].first, 0);
  EXPECT_EQ(ranges.value()[0].last, 5460);
  EXPECT_EQ(ranges.value()[0].primary, (RedisAddress{"10.0.0.1", 7000}));
  EXPECT_EQ(ranges.value()[1].primary, (RedisAddress{"10.0.0.2", 7001}));
}

TEST(ClusterReplyTest, AnEmptyEndpointIsTheNodeAskedAndAnUnknownHostnameItsIp) {
  const auto ranges = ParseClusterSlots(
      R::Array({Range(0, 1, Node("", 7002)),
                Range(2, 3, Node("?", 7003, {R::String("ip"), R::String("10.0.0.3")})),
                Range(4, 5, Node("?", 7004))}),
      kAsked);
  ASSERT_TRUE(ranges.ok()) << ranges.status().message();
  EXPECT_EQ(ranges.value()[0].primary, (RedisAddress{"10.0.0.9", 7002}));
  EXPECT_EQ(ranges.value()[1].primary, (RedisAddress{"10.0.0.3", 7003}));
  EXPECT_EQ(ranges.value()[2].primary, (RedisAddress{"10.0.0.9", 7004}));
}

TEST(ClusterReplyTest, AHostnameEndpointIsKept) {
  const auto ranges = ParseClusterSlots(
      R::Array(
          {Range(0, 16383, Node("redis-1", 6379, {R::String("ip"), R::String("172.18.0.2")}))}),
      kAsked);
  ASSERT_TRUE(ranges.ok());
  EXPECT_EQ(ranges.value()[0].primary, (RedisAddress{"redis-1", 6379}));
}

TEST(ClusterReplyTest, UnreadableMapsAreRefused) {
  for (const R& bad :
       {R::Error("ERR This instance has cluster support disabled"), R::Array({}),  // serves no slot
        R::Array({R::Array(
            {R::Integer(0), R::Integer(16384), Node("10.0.0.1", 7000)})}),  // past the last slot
        R::Array({R::Array({R::Integer(9), R::Integer(3), Node("a", 1)})}),
        R::Array({R::Array({R::Integer(0), R::Integer(3), Node("a", 0)})}),
        R::Array({R::Array({R::Integer(0), R::Integer(3)})})}) {
    const auto ranges = ParseClusterSlots(bad, kAsked);
    EXPECT_FALSE(ranges.ok()) << bad.DebugString();
    if (!ranges.ok()) {
      EXPECT_EQ(ranges.status().code(), StatusCode::kUnavailable);
    }
  }
}

TEST(ClusterReplyTest, MovedAndAskNameTheSlotAndTheNode) {
  const auto moved = ParseClusterRedirect("MOVED 3999 127.0.0.1:6381", kAsked);
  ASSERT_TRUE(moved.has_value());
  EXPECT_FALSE(moved->ask);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->address, (RedisAddress{"127.0.0.1", 6381}));
  const auto ask = ParseClusterRedirect("ASK 12 redis-2:6379", kAsked);
  ASSERT_TRUE(ask.has_value());
  EXPECT_TRUE(ask->ask);
  EXPECT_EQ(ask->slot, 12);
  EXPECT_EQ(ask->address, (RedisAddress{"redis-2", 6379}));
  EXPECT_TRUE(IsClusterRedirect("MOVED 1 a:1"));
  EXPECT_TRUE(IsClusterRedirect("ASK 1 a:1"));
  EXPECT_FALSE(IsClusterRedirect("TRYAGAIN Multiple keys request during rehashing of slot"));
}

TEST(ClusterReplyTest, RedirectHostsMayBeIpv6EmptyOrUnknown) {
  EXPECT_EQ(ParseClusterRedirect("MOVED 1 ::1:7000", kAsked)->address, (RedisAddress{"::1", 7000}));
  EXPECT_EQ(ParseClusterRedirect("MOVED 1 [::1]:7000", kAsked)->address,
            (RedisAddress{"::1", 7000}));
  EXPECT_EQ(ParseClusterRedirect("MOVED 1 :7001", kAsked)->address,
            (RedisAddress{"10.0.0.9", 7001}));
  EXPECT_EQ(ParseClusterRedirect("ASK 1 ?:7002", kAsked)->address,
            (RedisAddress{"10.0.0.9", 7002}));
}

TEST(ClusterReplyTest, UnreadableRedirectsAreNone) {
  for (const char* bad :
       {"MOVED", "MOVED 3999", "MOVED x 1.2.3.4:5", "MOVED 16384 a:1", "MOVED -1 a:1", "MOVED 1 a",
        "MOVED 1 a:0", "MOVED 1 a:65536", "ASK 1 a:b", "MOVE 1 a:1", "ERR something else"}) {
    EXPECT_FALSE(ParseClusterRedirect(bad, kAsked).has_value()) << bad;
  }
}

}  // namespace
}  // namespace uudai::gateway
