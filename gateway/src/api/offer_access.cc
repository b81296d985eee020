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

void WithVisibleOffer(const Store& store, const std::string& id, const Caller& caller,
                      const Respond& respond, WithOffer then) {
  std::optional<std::string> merchant;
  if (caller.is_merchant()) merchant = caller.key->merchant_id;
  store.FindOfferCaughtUp(id, [id, merchant = std::move(merchant), respond,
                               then = std::move(then)](Result<std::shared_ptr<const Offer>> found) {
    if (!found.ok()) return respond(StatusResponse(found.status()));
    const std::shared_ptr<const Offer>& offer = found.value();
    if (offer == nullptr) {
      return respond(ProblemResponse(NotFoundProblem("offer " + id + " does not exist")));
    }
    if (merchant && offer->merchant_id != *merchant) {
      return respond(ProblemResponse(Forbidden("offer " + id + " belongs to another merchant")));
    }
    then(offer);
  });
}

void WithChangeableOffer(const Store& store, const std::string& id, const Caller& caller,
                         const Respond& respond, WithOffer then) {
  WithVisibleOffer(store, id, caller, respond,
                   [caller, respond, then = std::move(then)](std::shared_ptr<const Offer> offer) {
                     if (auto why = MerchantMayNotChange(*offer, caller); !why.empty()) {
                       return respond(ProblemResponse(Forbidden(why)));
                     }
                     then(std::move(offer));
                   });
}

OfferAuthor AuthorOf(const Caller& caller) {
  if (caller.key == nullptr) return {};
  return OfferAuthor{caller.key->key_id, std::string(RoleName(caller.key->role))};
}

}  // namespace uudai::gateway
