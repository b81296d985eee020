#include "ledger_check.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "fuzz_check.h"
#include "uudai/redemption.h"

namespace uudai::fuzz {
namespace {

// Whether `r` holds quota of the offer it applied as `a`.
bool Holds(const Redemption& r, const RedeemedOffer& a) {
  return IsLive(r.status) || (r.status == RedemptionStatus::kRefunded && !a.restore_on_refund);
}

struct Held {
  std::int64_t redemptions = 0;
  Money budget = 0;
  std::map<std::string, std::int64_t> by_shopper;
  std::map<std::int32_t, std::int64_t> by_day;
};

void RequireWithin(const std::optional<std::int64_t>& limit, std::int64_t used,
                   const std::string& what) {
  FUZZ_CHECK(!limit || used <= *limit,
             what + ": " + std::to_string(used) + " > limit " + std::to_string(*limit));
}

}  // namespace

void RequireLedgerMatchesCounters(const MemoryStore& store, const CampaignZone& zone) {
  const std::vector<Redemption> ledger = store.LedgerSnapshot();
  std::map<std::string, Held> held;  // by offer id
  std::set<std::string> live_codes;
  std::set<std::pair<std::string, std::string>> live_orders;
  for (const Redemption& r : ledger) {
    if (IsLive(r.status)) {
      FUZZ_CHECK(live_orders.insert({r.merchant_id, r.order_id}).second,
                 "two live redemptions of order " + r.order_id);
    }
    for (const RedeemedOffer& a : r.applied) {
      if (IsLive(r.status) && a.code_mode == CodeMode::kUnique && a.code) {
        FUZZ_CHECK(live_codes.insert(*a.code).second, "unique code held twice: " + *a.code);
      }
      if (!Holds(r, a)) continue;
      Held& h = held[a.offer_id];
      ++h.redemptions;
      h.budget += a.discount;
      ++h.by_shopper[r.shopper_id];
      ++h.by_day[zone.DayOf(r.created_at).index];
    }
  }
  for (const auto& offer : store.ListOffers()) {
    const Held& h = held[offer->id];
    const std::string& id = offer->id;
    const OfferUsage total = store.usage().UsageOf(*offer, "", LocalDay{0});
    FUZZ_CHECK(total.redemptions == h.redemptions && total.budget_spent == h.budget,
               id + ": counters " + std::to_string(total.redemptions) + "/" +
                   std::to_string(total.budget_spent) + ", ledger " +
                   std::to_string(h.redemptions) + "/" + std::to_string(h.budget));
    for (const auto& [shopper, n] : h.by_shopper) {
      FUZZ_CHECK(store.usage().UsageOf(*offer, shopper, LocalDay{0}).shopper_redemptions == n,
                 id + " shopper " + shopper);
    }
    for (const auto& [day, n] : h.by_day) {
      FUZZ_CHECK(store.usage().UsageOf(*offer, "", LocalDay{day}).day_redemptions == n,
                 id + " day " + std::to_string(day));
    }
    if (offer->version != 1) continue;  // an edit may lower a limit below past usage
    const OfferLimits& limits = offer->limits;
    RequireWithin(limits.total_redemptions, h.redemptions, id + " total_redemptions");
    RequireWithin(limits.total_budget, h.budget, id + " total_budget");
    for (const auto& [shopper, n] : h.by_shopper) {
      RequireWithin(limits.per_shopper, n, id + " per_shopper " + shopper);
    }
    for (const auto& [day, n] : h.by_day) RequireWithin(limits.per_day, n, id + " per_day");
  }
}

}  // namespace uudai::fuzz
