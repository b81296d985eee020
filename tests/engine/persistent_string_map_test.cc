// PersistentStringMap: the same answers as std::map under random sets and erases, at sizes
// that make the trie several levels deep; copies unchanged by later changes to the original;
// bulk loading equal to inserting one by one.
#include "uudai/persistent_string_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace uudai {
namespace {

using Map = PersistentStringMap<int>;

void ExpectSame(const Map& map, const std::map<std::string, int>& reference,
                const std::vector<std::string>& universe) {
  ASSERT_EQ(map.size(), reference.size());
  for (const std::string& key : universe) {
    const int* found = map.Find(key);
    auto it = reference.find(key);
    if (it == reference.end()) {
      ASSERT_EQ(found, nullptr) << key;
    } else {
      ASSERT_NE(found, nullptr) << key;
      ASSERT_EQ(*found, it->second) << key;
    }
  }
  std::map<std::string, int> listed;
  map.ForEach([&](const std::string& key, int value) {
    EXPECT_TRUE(listed.emplace(key, value).second) << "listed twice: " << key;
  });
  EXPECT_EQ(listed, reference);
}

std::vector<std::string> Universe(std::size_t n) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < n; ++i) keys.push_back("key-" + std::to_string(i));
  return keys;
}

TEST(PersistentStringMapTest, EmptyMapFindsNothing) {
  Map map;
  EXPECT_EQ(map.Find("a"), nullptr);
  EXPECT_FALSE(map.Erase("a"));
  EXPECT_EQ(map.Mutable("a"), nullptr);
  EXPECT_TRUE(map.empty());
}

TEST(PersistentStringMapTest, RandomSetsAndErasesAnswerAsStdMap) {
  const auto universe = Universe(5'000);
  std::mt19937_64 rng(3);
  Map map;
  std::map<std::string, int> reference;
  for (int step = 0; step < 60'000; ++step) {
    const std::string& key = universe[rng() % universe.size()];
    const int value = static_cast<int>(rng() % 1000);
    switch (rng() % 4) {
      case 0:
        EXPECT_EQ(map.Erase(key), reference.erase(key) == 1);
        break;
      case 1:
        if (int* slot = map.Mutable(key)) {
          *slot = value;
          reference[key] = value;
        } else {
          EXPECT_EQ(reference.count(key), 0u);
        }
        break;
      default:
        map.Set(key, value);
        reference[key] = value;
    }
    if (step % 10'000 == 0) ExpectSame(map, reference, universe);
  }
  ExpectSame(map, reference, universe);
  for (const std::string& key : universe) map.Erase(key);
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.Find(universe[0]), nullptr);
}

TEST(PersistentStringMapTest, ACopyIsUnchangedByLaterChangesToEither) {
  const auto universe = Universe(3'000);
  Map original;
  std::map<std::string, int> before;
  for (std::size_t i = 0; i < universe.size(); i += 2) {
    original.Set(universe[i], static_cast<int>(i));
    before[universe[i]] = static_cast<int>(i);
  }
  Map copy = original;
  std::map<std::string, int> after = before;
  std::mt19937_64 rng(5);
  for (int step = 0; step < 5'000; ++step) {
    const std::string& key = universe[rng() % universe.size()];
    if (rng() % 3 == 0) {
      copy.Erase(key);
      after.erase(key);
    } else if (int* slot = copy.Mutable(key); slot != nullptr && rng() % 2 == 0) {
      *slot = -step;
      after[key] = -step;
    } else {
      copy.Set(key, step);
      after[key] = step;
    }
  }
  ExpectSame(original, before, universe);
  ExpectSame(copy, after, universe);
  // And the other way round: changing the original leaves the copy as it is.
  for (const std::string& key : universe) original.Set(key, 7);
  ExpectSame(copy, after, universe);
}

TEST(PersistentStringMapTest, FromEntriesEqualsOneByOneInsertion) {
  for (std::size_t n : {0, 1, 8, 9, 100, 20'000}) {
    const auto universe = Universe(n + 10);
    std::vector<std::pair<std::string, int>> entries;
    std::map<std::string, int> reference;
    for (std::size_t i = 0; i < n; ++i) {
      entries.emplace_back(universe[i], static_cast<int>(i * 3));
      reference[universe[i]] = static_cast<int>(i * 3);
    }
    Map loaded = Map::FromEntries(entries);
    ExpectSame(loaded, reference, universe);
    // A bulk-loaded map takes later changes as one built by Set does.
    loaded.Set(universe[n], 1);
    reference[universe[n]] = 1;
    if (n > 0) {
      loaded.Erase(universe[0]);
      reference.erase(universe[0]);
    }
    ExpectSame(loaded, reference, universe);
  }
}

// Values that count themselves: every value a map drops is destroyed exactly once, whether
// its node was changed in place, copied from a node another map shares, grown, shrunk or split.
TEST(PersistentStringMapTest, EveryValueIsDestroyedOnceItsLastMapDropsIt) {
  using Counted = std::shared_ptr<int>;
  std::vector<std::weak_ptr<int>> made;
  {
    // Keys past the short-string buffer, so that the entries own heap memory too.
    std::vector<std::string> keys;
    for (int i = 0; i < 2'000; ++i) keys.push_back("a-key-longer-than-sso-" + std::to_string(i));
    PersistentStringMap<Counted> map;
    std::vector<PersistentStringMap<Counted>> copies;
    std::mt19937_64 rng(17);
    for (int step = 0; step < 20'000; ++step) {
      const std::string& key = keys[rng() % keys.size()];
      auto value = std::make_shared<int>(step);
      made.push_back(value);
      switch (rng() % 5) {
        case 0:
          map.Erase(key);
          break;
        case 1:
          if (Counted* slot = map.Mutable(key)) *slot = std::move(value);
          break;
        case 2:
          if (copies.size() < 8)
            copies.push_back(map);
          else
            copies[rng() % copies.size()] = map;
          break;
        default:
          map.Set(key, std::move(value));
      }
    }
    std::size_t held = 0;
    map.ForEach([&](const std::string&, const Counted&) { ++held; });
    EXPECT_EQ(held, map.size());
    const auto live = std::count_if(made.begin(), made.end(),
                                    [](const std::weak_ptr<int>& w) { return !w.expired(); });
    EXPECT_GE(static_cast<std::size_t>(live), map.size());
    copies.clear();
    const auto live_after = std::count_if(made.begin(), made.end(),
                                          [](const std::weak_ptr<int>& w) { return !w.expired(); });
    EXPECT_EQ(static_cast<std::size_t>(live_after), map.size());
  }
  for (const auto& value : made) EXPECT_TRUE(value.expired());
}

}  // namespace
}  // namespace uudai
