#include "memory_store/stored_redemption.h"

#include <utility>

namespace uudai::internal {

StoredRedemption::StoredRedemption(const Redemption& r, const std::vector<Terms>& terms)
    : head_(r), created_as_(r.status) {
  // Copied whole and then emptied, so that a field added to Redemption is kept too.
  head_.id = std::string();
  head_.applied = std::vector<RedeemedOffer>();
  applied_.reserve(r.applied.size());
  for (std::size_t i = 0; i < r.applied.size(); ++i) {
    const RedeemedOffer& a = r.applied[i];
    applied_.push_back(Applied{terms[i], a.code, a.cashback > 0 ? -a.cashback : a.discount});
  }
}

Redemption StoredRedemption::Expand(const std::string& id) const {
  Redemption r = head_;
  r.id = id;
  r.applied.reserve(applied_.size());
  for (const Applied& applied : applied_) {
    RedeemedOffer& offer = r.applied.emplace_back(*applied.terms);
    offer.code = applied.code;
    if (applied.amount < 0) {
      offer.cashback = -applied.amount;
    } else {
      offer.discount = applied.amount;
    }
  }
  return r;
}

void StoredRedemption::TakeStateOf(const Redemption& r) {
  head_.status = r.status;
  head_.committed_at = r.committed_at;
  head_.released_at = r.released_at;
  head_.expired_at = r.expired_at;
  head_.refunded_at = r.refunded_at;
}

}  // namespace uudai::internal
