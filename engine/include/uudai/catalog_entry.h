// CatalogEntry: one offer as a catalog snapshot indexes it for quoting.
#ifndef UUDAI_CATALOG_ENTRY_H_
#define UUDAI_CATALOG_ENTRY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "uudai/offer.h"
#include "uudai/payment_method.h"

namespace uudai {

// One offer compiled for quoting: filters pre-parsed so the hot path never parses text, and
// the fields every eligibility check reads copied inline, so that scanning a shop's candidates
// walks one contiguous array instead of chasing a pointer per offer.
// Kept small: a quote walks its shop's entries one after the other, and in a large catalog
// each cache line of them is a miss. What only some checks read stays in the Offer.
struct CatalogEntry {
  std::shared_ptr<const Offer> offer;
  std::string_view id;  // offer->id (which `offer` keeps alive), inline: compared on the hot path
  Timestamp starts_at;
  Timestamp ends_at;
  Money min_order_amount = 0;
  const Discount* discount = nullptr;  // &offer->discount
  // *offer->categories when has_categories: a view of the offer's list, so that a quote asks for
  // the list itself while the offer is still on its way.
  std::span<const std::string> categories;
  std::optional<DailyWindow> daily_window;
  std::int32_t priority = 0;
  Layer layer = Layer::kMerchant;
  OfferStatus status = OfferStatus::kActive;
  PaymentMethodSet payment_methods;  // meaningful only when !any_payment_method
  bool any_payment_method = true;
  bool has_categories = false;
  bool has_skus = false;
  bool has_shopper_tags = false;
  bool first_order = false;
  bool has_limits = false;
  bool exclusive = false;

  bool has_item_filter() const { return has_categories || has_skus; }
};

}  // namespace uudai

#endif  // UUDAI_CATALOG_ENTRY_H_
