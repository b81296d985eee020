#include "uudai/offer_list.h"

#include <algorithm>
#include <utility>

namespace uudai {

OfferListPager::OfferListPager(const OfferListQuery& query)
    : query_(query),
      // A full page still looks at one offer more, to tell whether another one follows.
      max_examined_(std::max(query.max_examined, std::max<std::size_t>(query.limit, 1) + 1)) {}

bool OfferListPager::Take(const std::shared_ptr<const Offer>& offer) {
  ++examined_;
  const bool passes = (!query_.merchant_id || offer->merchant_id == *query_.merchant_id) &&
                      (!query_.status || offer->status == *query_.status);
  if (passes) {
    if (page_.offers.size() == std::max<std::size_t>(query_.limit, 1)) {
      page_.next_after_id = page_.offers.back()->id;  // another one follows the full page
      return false;
    }
    page_.offers.push_back(offer);
  }
  if (examined_ == max_examined_) {
    page_.next_after_id = offer->id;  // what lies beyond was not looked at
    return false;
  }
  return true;
}

OfferListPage OfferListPager::Finish() && { return std::move(page_); }

}  // namespace uudai
