// The compact per-shopper state of MemoryStore's counters (engine/src/memory_store/shopper_ids.h,
// engine/src/memory_store/shopper_tables.h), against std containers doing the same work.
#include "memory_store/shopper_tables.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "memory_store/shopper_ids.h"

namespace uudai::internal {
namespace {

TEST(ShopperSetTest, HoldsWhatAStdSetHoldsThroughManyGrowths) {
  std::mt19937 random(7);
  std::uniform_int_distribution<ShopperId> pick(0, 30'000);
  ShopperSet set;
  std::set<ShopperId> expected;
  for (int i = 0; i < 20'000; ++i) {
    const ShopperId id = pick(random);
    EXPECT_EQ(set.Insert(id), expected.insert(id).second) << id;
  }
  EXPECT_EQ(set.size(), expected.size());
  for (ShopperId id = 0; id <= 30'000; ++id) {
    ASSERT_EQ(set.Contains(id), expected.count(id) == 1) << id;
  }
}

TEST(ShopperSetTest, InsertAllIsTheUnion) {
  ShopperSet evens;
  ShopperSet threes;
  for (ShopperId id = 0; id < 3'000; id += 2) evens.Insert(id);
  for (ShopperId id = 0; id < 3'000; id += 3) threes.Insert(id);
  ShopperSet both;
  both.InsertAll(evens);
  both.InsertAll(threes);
  EXPECT_EQ(both.size(), 1'500U + 1'000U - 500U);
  EXPECT_TRUE(both.Contains(2'998));
  EXPECT_TRUE(both.Contains(2'997));
  EXPECT_FALSE(both.Contains(2'999));
  EXPECT_FALSE(ShopperSet().Contains(0));
}

TEST(ShopperCountsTest, CountsAsAStdMapAndKeepsShoppersBackAtZero) {
  std::mt19937 random(11);
  std::uniform_int_distribution<ShopperId> pick(0, 5'000);
  ShopperCounts counts;
  std::map<ShopperId, std::int64_t> expected;
  for (int i = 0; i < 40'000; ++i) {
    const ShopperId id = pick(random);
    // Up, or down when the shopper holds something: counts never go negative in the store.
    const int delta = expected[id] > 0 && random() % 2 == 0 ? -1 : +1;
    counts.Add(id, delta);
    expected[id] += delta;
  }
  for (ShopperId id = 0; id <= 5'000; ++id) {
    const auto it = expected.find(id);
    ASSERT_EQ(counts.Get(id), it == expected.end() ? 0 : it->second) << id;
  }
  EXPECT_EQ(counts.size(), expected.size());
  EXPECT_EQ(ShopperCounts().Get(42), 0);
}

TEST(ShopperIdsTest, NumbersEachShopperOnceDenselyFromEveryThread) {
  ShopperIds ids;
  EXPECT_EQ(ids.Find("s-1"), std::nullopt);
  constexpr int kThreads = 8;
  constexpr int kShoppers = 5'000;
  std::vector<std::vector<ShopperId>> seen(kThreads, std::vector<ShopperId>(kShoppers));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, &seen, t] {
      for (int i = 0; i < kShoppers; ++i) {
        const int shopper = (i * 7 + t * 613) % kShoppers;  // each thread in its own order
        seen[t][shopper] = ids.Intern("s-" + std::to_string(shopper));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<ShopperId> distinct;
  for (int i = 0; i < kShoppers; ++i) {
    for (int t = 1; t < kThreads; ++t) ASSERT_EQ(seen[t][i], seen[0][i]) << "shopper " << i;
    distinct.insert(seen[0][i]);
    EXPECT_EQ(ids.Find("s-" + std::to_string(i)), seen[0][i]);
  }
  ASSERT_EQ(distinct.size(), static_cast<std::size_t>(kShoppers));
  EXPECT_EQ(*distinct.begin(), 0U);
  EXPECT_EQ(*distinct.rbegin(), static_cast<ShopperId>(kShoppers - 1));
}

}  // namespace
}  // namespace uudai::internal
