#include "api/offer_access.h"

#include "api/responses.h"
#include "api/router.h"

namespace uudai::gateway {
namespace {

// ForbiddenForMerchant read on a stored offer, worded for a change to it.
std::string MerchantMayNotChange(const Offer& offer, const Caller& caller) {
  if (ForbiddenForMerchant(offer, caller).empty()) return {};
  if (offer.layer != Layer::kMerchant) {
    return "offer " + offer.id + " is on the " + std::string(LayerName(offer.layer)) +
           " layer: only admin keys may change it";
  }
  return "offer " + offer.id + " is funded by " + std::string(FundedByName(offer.funded_by)) +
         ": only admin keys may change it";
}

}  // namespace

std::string ForbiddenForMerchant(const Offer& offer, const Caller& caller) {
  if (!caller.is_merchant()) return {};
  if (offer.layer != Layer::kMerchant) {
    return "layer " + std::string(LayerName(offer.layer)) + " is for admin keys only";
  }
  if (offer.funded_by != FundedBy::kMerchant) return "merchant offers are funded by the merchant";
  return {};
}

std::shared_ptr<const Offer> VisibleOffer(const Store& store, const std::string& id,
                                          const Caller& caller, Respond& respond) {
  auto offer = store.FindOffer(id);
  if (offer == nullptr) {
    respond(ProblemResponse(NotFoundProblem("offer " + id + " does not exist")));
    return nullptr;
  }
  if (caller.is_merchant() && offer->merchant_id != *caller.key->merchant_id) {
    respond(ProblemResponse(Forbidden("offer " + id + " belongs to another merchant")));
    return nullptr;
  }
  return offer;
}

std::shared_ptr<const Offer> ChangeableOffer(const Store& store, const std::string& id,
                                             const Caller& caller, Respond& respond) {
  auto offer = VisibleOffer(store, id, caller, respond);
  if (offer == nullptr) return nullptr;
  if (auto why = MerchantMayNotChange(*offer, caller); !why.empty()) {
    respond(ProblemResponse(Forbidden(why)));
    return nullptr;
  }
  return offer;
}

OfferAuthor AuthorOf(const Caller& caller) {
  if (caller.key == nullptr) return {};
  return OfferAuthor{caller.key->key_id, std::string(RoleName(caller.key->role))};
}

}  // namespace uudai::gateway
