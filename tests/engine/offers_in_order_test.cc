// OffersInOrder against a std::set of the same ids: after random inserts (many chunk splits),
// every walk from a random point answers the same ids in the same order, and a walk stops
// where its function says.
#include "memory_store/offers_in_order.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace uudai::internal {
namespace {

class OffersInOrderTest : public ::testing::Test {
 protected:
  // Offers stay where they are (a deque never moves its elements when it grows at the end), as
  // the store's table does.
  void Add(const std::string& id) {
    auto& offer = offers_.emplace_back(std::make_shared<Offer>());
    std::const_pointer_cast<Offer>(offer)->id = id;
    order_.Insert(&offer);
    ids_.insert(id);
  }

  std::vector<std::string> WalkAfter(const std::string& after, std::size_t at_most) const {
    std::vector<std::string> out;
    order_.ForEachAfter(after, [&](const std::shared_ptr<const Offer>& offer) {
      out.push_back(offer->id);
      return out.size() < at_most;
    });
    return out;
  }

  std::vector<std::string> ExpectedAfter(const std::string& after, std::size_t at_most) const {
    std::vector<std::string> out;
    for (auto it = ids_.upper_bound(after); it != ids_.end() && out.size() < at_most; ++it) {
      out.push_back(*it);
    }
    return out;
  }

  std::deque<std::shared_ptr<const Offer>> offers_;
  OffersInOrder order_;
  std::set<std::string> ids_;
};

TEST_F(OffersInOrderTest, AnEmptyIndexWalksNothing) {
  EXPECT_TRUE(WalkAfter("", 10).empty());
  EXPECT_EQ(order_.size(), 0U);
}

TEST_F(OffersInOrderTest, WalksFromAnyPointAsASortedSetWouldAfterRandomInserts) {
  std::mt19937 rng(5);
  for (int i = 0; i < 20'000; ++i) {
    std::string id;
    do {
      id = "o-" + std::to_string(rng() % 1'000'000);
    } while (ids_.count(id) != 0);
    Add(id);
    if (i % 997 == 0) {
      ASSERT_EQ(WalkAfter("", ids_.size()), ExpectedAfter("", ids_.size()));
    }
  }
  ASSERT_EQ(order_.size(), ids_.size());
  for (int probe = 0; probe < 2'000; ++probe) {
    // From an id held, one not held, before the first and past the last.
    std::string after = "o-" + std::to_string(rng() % 1'000'000);
    if (probe % 4 == 0) after = *std::next(ids_.begin(), static_cast<long>(rng() % ids_.size()));
    if (probe == 1) after = "";
    if (probe == 2) after = "z";
    const std::size_t at_most = 1 + rng() % 600;
    ASSERT_EQ(WalkAfter(after, at_most), ExpectedAfter(after, at_most)) << "after " << after;
  }
}

TEST_F(OffersInOrderTest, IdsAlikeInTheirFirstSixteenBytesAreOrderedByTheRest) {
  std::mt19937 rng(9);
  // Ids of 16 bytes and more that share their first 16 (compared by the ids themselves), among
  // shorter ones that do not.
  for (int i = 0; i < 3'000; ++i) {
    std::string id;
    do {
      switch (rng() % 3) {
        case 0:
          id = "thang10-platform" + std::to_string(rng() % 100'000);
          break;
        case 1:
          id = "thang10-platform";
          id.resize(1 + rng() % 16);
          id += std::to_string(rng() % 10);
          break;
        default:
          id = "thang10-platforn" + std::to_string(rng() % 1'000);
          break;
      }
    } while (ids_.count(id) != 0);
    Add(id);
  }
  EXPECT_EQ(WalkAfter("", ids_.size()), ExpectedAfter("", ids_.size()));
  for (const char* after : {"thang10-platform", "thang10-platform5", "thang10-platforn",
                            "thang10-platform99999", "thang", "thang10-platform0"}) {
    EXPECT_EQ(WalkAfter(after, 50), ExpectedAfter(after, 50)) << "after " << after;
  }
}

TEST_F(OffersInOrderTest, ReadersAtOnceAfterInsertsAllSeeEveryOfferInOrder) {
  // Inserted without being read: the first of the readers below puts them in order while the
  // others wait for it (as readers under the store's shared lock do).
  for (int i = 0; i < 50'000; ++i) Add("o-" + std::to_string((i * 7919) % 50'000 + 100'000));
  const std::vector<std::string> expected = ExpectedAfter("", ids_.size());
  std::vector<std::vector<std::string>> seen(4);
  std::vector<std::thread> readers;
  for (auto& out : seen) {
    readers.emplace_back([&out, this] { out = WalkAfter("", ids_.size()); });
  }
  for (auto& reader : readers) reader.join();
  for (const auto& out : seen) EXPECT_EQ(out, expected);
}

TEST_F(OffersInOrderTest, IdsArrivingInOrderOrInReverseSplitChunksAlike) {
  for (int i = 0; i < 3'000; ++i) Add("a-" + std::to_string(100'000 + i));
  for (int i = 3'000; i > 0; --i) Add("b-" + std::to_string(100'000 + i));
  EXPECT_EQ(WalkAfter("", ids_.size()), ExpectedAfter("", ids_.size()));
  EXPECT_EQ(WalkAfter("a-102999", 5), ExpectedAfter("a-102999", 5));
}

}  // namespace
}  // namespace uudai::internal
