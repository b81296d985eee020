// Quote evaluation: the best combination of offers for a cart at a given instant.
//
// Pure function of (catalog snapshot, cart, instant, usage view): no side effects, no locks of
// its own, safe to call from any number of threads. Rules: docs/design.md §3.
#ifndef UUDAI_QUOTE_H_
#define UUDAI_QUOTE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uudai/campaign_time.h"
#include "uudai/cart.h"
#include "uudai/catalog.h"
#include "uudai/money.h"
#include "uudai/offer.h"
#include "uudai/status.h"
#include "uudai/usage_view.h"

namespace uudai {

// Why a supplied code did not end up applied. Checked in this order; the first that holds is
// reported.
enum class RejectionReason : std::uint8_t {
  kUnknownCode,
  kCodeUsed,
  kPaused,
  kNotStarted,
  kEnded,
  kOutsideWindow,
  kMerchant,
  kPaymentMethod,
  kNoEligibleItems,  // no item matches the filters, or they yield a zero discount
  kMinOrderAmount,
  kQuotaExhausted,
  kBudgetExhausted,
  kPerShopperLimit,
  kDailyLimit,
  kSuperseded,     // eligible, but the best combination chose other offers
  kMinQuantity,    // too few eligible units for the lowest tier, or for one buy_x_get_y set
  kShopperTags,    // the cart's shopper_tags hold none of the offer's
  kNotFirstOrder,  // a first_order offer, and the shopper already has a live redemption
  // New reasons go last: journals and Redis records store a reason by its number.
};
inline constexpr std::size_t kRejectionReasonCount =
    static_cast<std::size_t>(RejectionReason::kNotFirstOrder) + 1;

std::string_view RejectionReasonName(RejectionReason reason);

// The 409 status a redemption fails with when one of its offers hits this limit reason.
StatusCode LimitStatusFor(RejectionReason reason);

// What an applied offer gives: a discount off the total, or (a cashback offer) as much back to
// the shopper after payment. Exactly one is > 0, after trimming.
struct AppliedOffer {
  std::shared_ptr<const Offer> offer;
  std::optional<std::string> code;  // canonical spelling; nullopt for auto offers
  Money discount = 0;
  Money cashback = 0;

  Money reward() const { return discount + cashback; }  // what the offer's budget counts
};

struct CodeRejection {
  std::string code;                     // as supplied
  std::optional<std::string> offer_id;  // nullopt for unknown_code
  RejectionReason reason = RejectionReason::kUnknownCode;

  friend bool operator==(const CodeRejection&, const CodeRejection&) = default;
};

struct Quote {
  Money subtotal = 0;
  Money shipping_fee = 0;
  Money discount_total = 0;
  Money cashback_total = 0;           // paid back after payment: not part of total()
  std::vector<AppliedOffer> applied;  // in layer order
  std::vector<CodeRejection> rejected;

  Money total() const { return subtotal + shipping_fee - discount_total; }
};

class QuoteEvaluator {
 public:
  explicit QuoteEvaluator(CampaignZone zone = CampaignZone()) : zone_(zone) {}

  // REQUIRES: ValidateCart(cart) is empty.
  Quote Evaluate(const CatalogSnapshot& catalog, const Cart& cart, Timestamp at,
                 const UsageView& usage) const;

  const CampaignZone& zone() const { return zone_; }

 private:
  CampaignZone zone_;
};

}  // namespace uudai

#endif  // UUDAI_QUOTE_H_
