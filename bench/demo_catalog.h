// A synthetic October campaign of any size, for benchmarks: offers spread over shops the way
// a real marketplace has them (about ten per shop), plus a fixed set of platform, payment and
// shipping offers open to every shop, and random 5-item carts.
#ifndef UUDAI_BENCH_DEMO_CATALOG_H_
#define UUDAI_BENCH_DEMO_CATALOG_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "uudai/cart.h"
#include "uudai/offer.h"

namespace uudai::bench {

inline constexpr std::size_t kOffersPerMerchant = 10;
inline constexpr std::size_t kOpenOffers = 24;  // platform, payment and shipping, all shops

struct DemoCampaign {
  std::vector<std::shared_ptr<const Offer>> offers;
  std::size_t merchants = 0;
};

// `offer_count` offers in total; deterministic for a given seed.
DemoCampaign MakeDemoCampaign(std::size_t offer_count, std::uint64_t seed = 42);

// A random cart of `items` items at one of the campaign's shops, paying with a random method.
Cart MakeRandomCart(const DemoCampaign& campaign, std::mt19937_64& rng, std::size_t items = 5);

// 2026-10-10T12:00:00+07:00, inside every offer's window.
Timestamp DemoNow();

}  // namespace uudai::bench

#endif  // UUDAI_BENCH_DEMO_CATALOG_H_
