// UsageView: the read side of the store that quoting needs, answered from memory.
//
// Quotes never wait on I/O: they read counters and unique-code states from the process's own
// view (exact for MemoryStore; the last known values for a remote store). The store re-checks
// every limit atomically when a redemption is created, so a stale view can only cause a 409,
// never an over-grant. Implementations must be safe to call from many threads at once.
#ifndef UUDAI_USAGE_VIEW_H_
#define UUDAI_USAGE_VIEW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "uudai/campaign_time.h"
#include "uudai/money.h"
#include "uudai/offer.h"

namespace uudai {

// Live usage of one offer: reserved + committed redemptions (plus refunded ones that did not
// restore quota) and the sum of their discounts.
struct OfferUsage {
  std::int64_t redemptions = 0;
  Money budget_spent = 0;
  std::int64_t shopper_redemptions = 0;  // of the shopper asked about
  std::int64_t day_redemptions = 0;      // on the local day asked about

  friend bool operator==(const OfferUsage&, const OfferUsage&) = default;
};

struct UniqueCodeInfo {
  std::string offer_id;
  bool available = true;  // false while the code is in a live redemption
};

class UsageView {
 public:
  virtual ~UsageView() = default;

  // Usage of `offer` for `shopper_id` on local `day`. Unknown offers have zero usage.
  virtual OfferUsage UsageOf(const Offer& offer, std::string_view shopper_id,
                             LocalDay day) const = 0;

  // Live (reserved or committed) redemptions of `shopper_id` at merchant `scope`, or at every
  // merchant when `scope` is kPlatformCodeScope (""): what a first_order offer asks about.
  virtual std::int64_t ShopperOrders(std::string_view shopper_id, std::string_view scope) const = 0;

  // The issued unique code with this canonical spelling (see CanonicalUniqueCode), if any.
  virtual std::optional<UniqueCodeInfo> FindUniqueCode(std::string_view canonical_code) const = 0;
};

}  // namespace uudai

#endif  // UUDAI_USAGE_VIEW_H_
