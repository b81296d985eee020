// RedisKeySlot and RoutingKey: the slots are the ones CLUSTER KEYSLOT of Redis 7 answers.
#include "redis/redis_slot.h"

#include <gtest/gtest.h>

namespace uudai::gateway {
namespace {

TEST(RedisSlotTest, SlotsAreTheOnesRedisComputes) {
  EXPECT_EQ(RedisKeySlot("123456789"), 12739);
  EXPECT_EQ(RedisKeySlot("foo"), 12182);
  EXPECT_EQ(RedisKeySlot(""), 0);
}

TEST(RedisSlotTest, OnlyTheFirstNonEmptyHashTagCounts) {
  EXPECT_EQ(RedisKeySlot("uudai:{main}:log"), 12501);
  EXPECT_EQ(RedisKeySlot("uudai:{main}:rec"), 12501);
  EXPECT_EQ(RedisKeySlot("{user1000}.following"), 3443);
  EXPECT_EQ(RedisKeySlot("foo{bar}{zap}"), 5061);
  EXPECT_EQ(RedisKeySlot("foo{{bar}}zap"), 4015);  // the tag is "{bar"
  EXPECT_EQ(RedisKeySlot("foo{}{bar}"), 8363);     // an empty tag: the whole key
  EXPECT_EQ(RedisKeySlot("{}"), 15257);
}

TEST(RedisSlotTest, SameSlotKeyKeepsTheSlot) {
  for (const char* key : {"uudai:{main}:log", "plain", "a{b}c"}) {
    const std::string other = SameSlotKey(key, ":mark");
    EXPECT_NE(other, key);
    EXPECT_EQ(RedisKeySlot(other), RedisKeySlot(key)) << key << " → " << other;
  }
  EXPECT_EQ(SameSlotKey("uudai:{main}:log", ":mark"), "uudai:{main}:log:mark");
  EXPECT_EQ(SameSlotKey("plain", ":mark"), "{plain}:mark");
  EXPECT_EQ(SameSlotKey("foo{}{bar}", ":mark"), "");  // no tag, and a '}' inside
}

std::optional<std::string> KeyOf(std::vector<std::string> argv) {
  const auto key = RoutingKey(argv);
  return key ? std::optional<std::string>(std::string(*key)) : std::nullopt;
}

TEST(RedisSlotTest, RoutingKeyOfKeyedCommandsIsTheirFirstKey) {
  EXPECT_EQ(KeyOf({"HGET", "h", "f"}), "h");
  EXPECT_EQ(KeyOf({"set", "k", "v"}), "k");
  EXPECT_EQ(KeyOf({"XRANGE", "log", "-", "+"}), "log");
  EXPECT_EQ(KeyOf({"XREAD", "COUNT", "10", "STREAMS", "log", "0-0"}), "log");
  EXPECT_EQ(KeyOf({"XINFO", "STREAM", "log"}), "log");
  EXPECT_EQ(KeyOf({"MEMORY", "USAGE", "k"}), "k");
}

TEST(RedisSlotTest, RoutingKeyOfAScriptIsItsFirstDeclaredKey) {
  EXPECT_EQ(KeyOf({"FCALL", "f", "2", "a", "b", "arg"}), "a");
  EXPECT_EQ(KeyOf({"fcall_ro", "f", "1", "a"}), "a");
  EXPECT_EQ(KeyOf({"EVALSHA", "sha", "1", "a"}), "a");
  EXPECT_EQ(KeyOf({"FCALL", "f", "0", "arg"}), std::nullopt);
  EXPECT_EQ(KeyOf({"FCALL", "f", "x", "a"}), std::nullopt);
  EXPECT_EQ(KeyOf({"FCALL", "f"}), std::nullopt);
}

TEST(RedisSlotTest, CommandsWithoutKeysHaveNoRoutingKey) {
  EXPECT_EQ(KeyOf({"PING"}), std::nullopt);
  EXPECT_EQ(KeyOf({"INFO", "commandstats"}), std::nullopt);
  EXPECT_EQ(KeyOf({"WAIT", "1", "100"}), std::nullopt);
  EXPECT_EQ(KeyOf({"FUNCTION", "LOAD", "src"}), std::nullopt);
  EXPECT_EQ(KeyOf({"cluster", "slots"}), std::nullopt);
  EXPECT_EQ(KeyOf({"XREAD", "COUNT", "10"}), std::nullopt);
}

}  // namespace
}  // namespace uudai::gateway
