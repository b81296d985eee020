// A page of offers in id order (Store::ListOffersPage), and the pager that fills one from
// offers fed to it in id order, so that every store pages alike.
#ifndef UUDAI_OFFER_LIST_H_
#define UUDAI_OFFER_LIST_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "uudai/offer.h"

namespace uudai {

struct OfferListQuery {
  std::string after_id;                    // offers with a greater id ("": from the first)
  std::optional<std::string> merchant_id;  // only this shop's offers
  std::optional<OfferStatus> status;       // only offers in this status
  std::size_t limit = 100;                 // most offers in the page (at least 1)
  // Most offers looked at for one page: when a filter lets few offers through, the page ends
  // early (with next_after_id set), so that no page costs more than this, however large the
  // catalog.
  std::size_t max_examined = 10'000;
};

struct OfferListPage {
  std::vector<std::shared_ptr<const Offer>> offers;  // by id, each at its latest version
  // Where the next page starts (its after_id); nullopt when no offer after the page matches.
  // Also set when the page stopped at max_examined, then with fewer than limit offers (maybe
  // none).
  std::optional<std::string> next_after_id;
};

class OfferListPager {
 public:
  explicit OfferListPager(const OfferListQuery& query);

  // Offers after query.after_id, in id order; false once the page is decided (feed no more).
  bool Take(const std::shared_ptr<const Offer>& offer);
  // The page, once Take answered false or the offers ran out.
  OfferListPage Finish() &&;

 private:
  const OfferListQuery& query_;
  std::size_t max_examined_;
  std::size_t examined_ = 0;
  OfferListPage page_;
};

}  // namespace uudai

#endif  // UUDAI_OFFER_LIST_H_
