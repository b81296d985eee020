// ForwardingStore: a Store that hands every call to another one, for test doubles that change
// one or two operations (a store losing races, a store owning its journal) and keep the rest.
// Derive, pass the store to forward to, override what differs.
#ifndef UUDAI_TESTS_ENGINE_FORWARDING_STORE_H_
#define UUDAI_TESTS_ENGINE_FORWARDING_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "uudai/store.h"

namespace uudai {

class ForwardingStore : public Store {
 public:
  // `inner` must outlive this store.
  explicit ForwardingStore(Store& inner) : inner_(inner) {}

  void CreateOffer(Offer offer, Completion<Offer> done) override {
    inner_.CreateOffer(std::move(offer), std::move(done));
  }
  void CreateOffers(std::vector<Offer> offers, Completion<std::vector<Offer>> done) override {
    inner_.CreateOffers(std::move(offers), std::move(done));
  }
  void UpdateOffer(Offer offer, std::int64_t base_version, Completion<Offer> done) override {
    inner_.UpdateOffer(std::move(offer), base_version, std::move(done));
  }
  std::shared_ptr<const Offer> FindOffer(const std::string& id) const override {
    return inner_.FindOffer(id);
  }
  void FindOfferCaughtUp(const std::string& id,
                         Completion<std::shared_ptr<const Offer>> done) const override {
    inner_.FindOfferCaughtUp(id, std::move(done));
  }
  std::vector<std::shared_ptr<const Offer>> AllOffers() const override {
    return inner_.AllOffers();
  }
  std::vector<std::shared_ptr<const Offer>> ListOffers() const override {
    return inner_.ListOffers();
  }
  OfferListPage ListOffersPage(const OfferListQuery& query) const override {
    return inner_.ListOffersPage(query);
  }
  void ReadOfferHistory(OfferHistoryQuery query, Completion<OfferHistoryPage> done) override {
    inner_.ReadOfferHistory(std::move(query), std::move(done));
  }
  void SetOfferObserver(OfferObserver observer) override {
    inner_.SetOfferObserver(std::move(observer));
  }
  void IssueCodes(std::string offer_id, std::vector<std::string> codes,
                  Completion<IssuedCodes> done) override {
    inner_.IssueCodes(std::move(offer_id), std::move(codes), std::move(done));
  }
  void CreateRedemption(CreateRedemptionRequest request,
                        Completion<CreateRedemptionOutcome> done) override {
    inner_.CreateRedemption(std::move(request), std::move(done));
  }
  void FindIdempotentResponse(std::string scope_key, std::string fingerprint,
                              Completion<std::optional<std::string>> done) override {
    inner_.FindIdempotentResponse(std::move(scope_key), std::move(fingerprint), std::move(done));
  }
  void SettleRefusal(RefusalCheck check, Completion<SettledRefusal> done) override {
    inner_.SettleRefusal(std::move(check), std::move(done));
  }
  void TransitionRedemption(std::string id, RedemptionAction action,
                            Completion<Redemption> done) override {
    inner_.TransitionRedemption(std::move(id), action, std::move(done));
  }
  void GetRedemption(std::string id, Completion<Redemption> done) override {
    inner_.GetRedemption(std::move(id), std::move(done));
  }
  void FindLiveOrder(std::string merchant_id, std::string order_id,
                     Completion<std::optional<std::string>> done) override {
    inner_.FindLiveOrder(std::move(merchant_id), std::move(order_id), std::move(done));
  }
  void ExpireDue(std::size_t max_count, Completion<std::size_t> done) override {
    inner_.ExpireDue(max_count, std::move(done));
  }
  void ReadLedger(LedgerPageQuery query, Completion<LedgerPage> done) override {
    inner_.ReadLedger(std::move(query), std::move(done));
  }
  void GetOfferStats(std::string offer_id, Completion<OfferStats> done) override {
    inner_.GetOfferStats(std::move(offer_id), std::move(done));
  }
  void GetCampaignStats(CampaignQuery query, Completion<CampaignStats> done) override {
    inner_.GetCampaignStats(std::move(query), std::move(done));
  }
  void ReadEvents(EventQuery query, Completion<EventPage> done) override {
    inner_.ReadEvents(std::move(query), std::move(done));
  }
  void CreateWebhook(Webhook webhook, Completion<Webhook> done) override {
    inner_.CreateWebhook(std::move(webhook), std::move(done));
  }
  void ListWebhooks(std::optional<std::string> merchant_id,
                    Completion<std::vector<Webhook>> done) override {
    inner_.ListWebhooks(std::move(merchant_id), std::move(done));
  }
  void DeleteWebhook(std::string id, Completion<Webhook> done) override {
    inner_.DeleteWebhook(std::move(id), std::move(done));
  }
  void RecordWebhookAttempt(std::string id, std::uint64_t rewinds, DeliveryAttempt attempt,
                            Completion<Webhook> done) override {
    inner_.RecordWebhookAttempt(std::move(id), rewinds, std::move(attempt), std::move(done));
  }
  void ReadWebhookDeliveries(std::string id, std::size_t limit,
                             Completion<std::vector<DeliveryAttempt>> done) override {
    inner_.ReadWebhookDeliveries(std::move(id), limit, std::move(done));
  }
  void RewindWebhook(std::string id, std::uint64_t through, Completion<Webhook> done) override {
    inner_.RewindWebhook(std::move(id), through, std::move(done));
  }
  void LeaseWebhook(std::string id, std::string owner, std::int64_t lease_millis,
                    Completion<bool> done) override {
    inner_.LeaseWebhook(std::move(id), std::move(owner), lease_millis, std::move(done));
  }
  const UsageView& usage() const override { return inner_.usage(); }
  bool ready() const override { return inner_.ready(); }

 private:
  Store& inner_;
};

}  // namespace uudai

#endif  // UUDAI_TESTS_ENGINE_FORWARDING_STORE_H_
