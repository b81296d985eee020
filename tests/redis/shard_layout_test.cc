// ShardLayout: a spread store's data shards sit in equal ranges of Redis Cluster slots, named
// the same in every process, beside a hub; shoppers and shops spread evenly over them.
#include "store/redis/shard_layout.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "redis/redis_slot.h"

namespace uudai::gateway {
namespace {

TEST(ShardLayoutTest, EachDataShardsSlotLiesInItsShareOfTheSlots) {
  for (const std::size_t shards : {2U, 3U, 5U, 6U, 16U, 64U}) {
    const auto layout = ShardLayout::Make("uudai:{main}:", shards);
    ASSERT_TRUE(layout.ok());
    ASSERT_EQ(layout->size(), shards + 1);
    EXPECT_TRUE(layout->spread());
    EXPECT_EQ(layout->prefix(0), "uudai:{main/hub}:");
    std::set<std::string> prefixes = {layout->prefix(0)};
    for (std::size_t k = 1; k <= shards; ++k) {
      const std::string& prefix = layout->prefix(k);
      EXPECT_EQ(prefix.rfind("uudai:{main/" + std::to_string(k) + ".", 0), 0U) << prefix;
      EXPECT_EQ(prefix.substr(prefix.size() - 2), "}:");
      const auto slot = static_cast<std::size_t>(RedisKeySlot(prefix + "log"));
      EXPECT_GE(slot, (k - 1) * kRedisClusterSlots / shards) << prefix;
      EXPECT_LT(slot, k * kRedisClusterSlots / shards) << prefix;
      prefixes.insert(prefix);
    }
    EXPECT_EQ(prefixes.size(), shards + 1);
    // The same in every process: made again, the same names.
    const auto again = ShardLayout::Make("uudai:{main}:", shards);
    for (std::size_t k = 0; k <= shards; ++k) EXPECT_EQ(again->prefix(k), layout->prefix(k));
  }
}

TEST(ShardLayoutTest, OneDataShardIsTheStoreItself) {
  const auto layout = ShardLayout::Make("uudai:{main}:", 1);
  ASSERT_TRUE(layout.ok());
  EXPECT_FALSE(layout->spread());
  ASSERT_EQ(layout->size(), 1U);
  EXPECT_EQ(layout->prefix(0), "uudai:{main}:");
  EXPECT_EQ(layout->OfShopper("s-1"), 0U);
  EXPECT_EQ(layout->OfOffer(Layer::kPlatform, "m-1"), 0U);
}

TEST(ShardLayoutTest, RefusesWhatCannotBeSpread) {
  EXPECT_EQ(ShardLayout::Make("uudai:main:", 3).status().code(), StatusCode::kValidation);
  EXPECT_EQ(ShardLayout::Make("uudai:{}:", 3).status().code(), StatusCode::kValidation);
  EXPECT_EQ(ShardLayout::Make("uudai:{main}:", 0).status().code(), StatusCode::kValidation);
  EXPECT_EQ(ShardLayout::Make("uudai:{main}:", 65).status().code(), StatusCode::kValidation);
}

TEST(ShardLayoutTest, ShoppersAndShopsSpreadEvenlyOverTheDataShards) {
  const auto layout = ShardLayout::Make("uudai:{main}:", 3);
  ASSERT_TRUE(layout.ok());
  constexpr int kShoppers = 30'000;
  std::vector<int> homes(4, 0);
  std::vector<int> shops(4, 0);
  for (int i = 0; i < kShoppers; ++i) {
    ++homes[layout->OfShopper("shopper-" + std::to_string(i))];
    ++shops[layout->OfOffer(Layer::kMerchant, "shop-" + std::to_string(i))];
  }
  EXPECT_EQ(homes[0], 0);  // the hub keeps none
  EXPECT_EQ(shops[0], 0);
  for (std::size_t k = 1; k <= 3; ++k) {
    EXPECT_NEAR(homes[k], kShoppers / 3, kShoppers / 3 / 20) << "shard " << k;
    EXPECT_NEAR(shops[k], kShoppers / 3, kShoppers / 3 / 20) << "shard " << k;
  }
  for (const Layer layer : {Layer::kPlatform, Layer::kPayment, Layer::kShipping}) {
    EXPECT_EQ(layout->OfOffer(layer, "shop-7"), 1U);
  }
}

}  // namespace
}  // namespace uudai::gateway
