// How an offer is indexed in a catalog snapshot: shared by the incremental writes
// (catalog.cc) and the bulk build of start-up (catalog_build.cc), which must agree.
#ifndef UUDAI_ENGINE_CATALOG_INDEXING_H_
#define UUDAI_ENGINE_CATALOG_INDEXING_H_

#include <memory>
#include <string>

#include "uudai/catalog.h"

namespace uudai::catalog_indexing {

// The entry a snapshot holds for `offer`: its filters parsed, its hot fields inline.
CatalogEntry Compile(std::shared_ptr<const Offer> offer);

// The auto-applied lists `offer` belongs in, when it is an active auto-applied offer:
// fn(&shop) for each shop whose lists hold it (its own on the merchant layer, else each shop of
// merchant_ids, repeats included), or fn(nullptr) once for the lists open to every shop.
template <typename Fn>
void ForEachAutoHome(const Offer& offer, Fn&& fn) {
  if (offer.code_mode != CodeMode::kAuto || offer.status != OfferStatus::kActive) return;
  if (offer.layer == Layer::kMerchant) {
    fn(&offer.merchant_id);
  } else if (offer.merchant_ids) {
    for (const std::string& merchant : *offer.merchant_ids) fn(&merchant);
  } else {
    fn(nullptr);
  }
}

}  // namespace uudai::catalog_indexing

#endif  // UUDAI_ENGINE_CATALOG_INDEXING_H_
