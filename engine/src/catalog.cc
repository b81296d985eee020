#include "uudai/catalog.h"

#include <unordered_map>

namespace uudai {
namespace {

CatalogEntry Compile(std::shared_ptr<const Offer> offer) {
  CatalogEntry entry;
  if (offer->payment_methods) {
    entry.any_payment_method = false;
    for (const std::string& id : *offer->payment_methods) {
      if (id == "digital") {
        entry.payment_methods.AddAll(PaymentMethodSet::Digital());
      } else if (auto method = ParsePaymentMethod(id)) {
        entry.payment_methods.Add(*method);
      }
    }
  }
  entry.has_item_filter = offer->categories.has_value() || offer->skus.has_value();
  entry.id = offer->id;
  entry.starts_at = offer->starts_at;
  entry.ends_at = offer->ends_at;
  entry.min_order_amount = offer->min_order_amount;
  entry.discount = offer->discount;
  entry.daily_window = offer->daily_window;
  entry.priority = offer->priority;
  entry.layer = offer->layer;
  entry.status = offer->status;
  entry.has_limits = offer->limits.any();
  entry.exclusive = offer->exclusive;
  entry.offer = std::move(offer);
  return entry;
}

}  // namespace

const CatalogSnapshot::LayerLists CatalogSnapshot::kNoOffers{};

std::shared_ptr<const CatalogSnapshot> CatalogSnapshot::Build(
    std::vector<std::shared_ptr<const Offer>> offers) {
  std::shared_ptr<CatalogSnapshot> snapshot(new CatalogSnapshot());
  snapshot->entries_.reserve(offers.size());
  for (auto& offer : offers) {
    if (offer->status == OfferStatus::kArchived) {
      snapshot->archived_versions_[offer->id] = offer->version;  // tombstone, see With()
      continue;
    }
    snapshot->entries_.push_back(Compile(std::move(offer)));
  }
  snapshot->Index();
  return snapshot;
}

std::shared_ptr<const CatalogSnapshot> CatalogSnapshot::With(
    const std::vector<std::shared_ptr<const Offer>>& changes) const {
  // Newest version per id among the changes; then keep ours unless a change is newer.
  std::unordered_map<std::string_view, const std::shared_ptr<const Offer>*> newest;
  for (const auto& change : changes) {
    auto [it, inserted] = newest.try_emplace(change->id, &change);
    if (!inserted && (*it->second)->version < change->version) it->second = &change;
  }
  std::vector<std::shared_ptr<const Offer>> offers;
  offers.reserve(entries_.size() + changes.size());
  for (const CatalogEntry& entry : entries_) {
    auto it = newest.find(entry.offer->id);
    if (it == newest.end()) {
      offers.push_back(entry.offer);
    } else if ((*it->second)->version < entry.offer->version) {
      offers.push_back(entry.offer);  // a late, older change: keep what we have
      newest.erase(it);
    }
  }
  for (const auto& [id, tombstone_version] : archived_versions_) {
    auto it = newest.find(id);
    if (it == newest.end() || (*it->second)->version < tombstone_version) {
      // Re-create the tombstone: an older change must not revive an archived offer.
      auto tombstone = std::make_shared<Offer>();
      tombstone->id = id;
      tombstone->version = tombstone_version;
      tombstone->status = OfferStatus::kArchived;
      offers.push_back(std::move(tombstone));
      if (it != newest.end()) newest.erase(it);
    }
  }
  for (const auto& [id, change] : newest) offers.push_back(*change);
  return Build(std::move(offers));
}

void CatalogSnapshot::Index() {
  by_id_.reserve(entries_.size());
  for (const CatalogEntry& entry : entries_) {
    const Offer& offer = *entry.offer;
    by_id_.emplace(offer.id, &entry);
    if (offer.code_mode == CodeMode::kPublic && offer.code) {
      by_public_code_[std::string(CodeScopeOf(offer))].emplace(*offer.code, &entry);
    }
    if (offer.code_mode != CodeMode::kAuto || offer.status != OfferStatus::kActive) continue;
    const auto layer = static_cast<std::size_t>(offer.layer);
    if (offer.layer == Layer::kMerchant) {
      auto_by_merchant_[offer.merchant_id][layer].push_back(entry);
    } else if (offer.merchant_ids) {
      for (const std::string& merchant : *offer.merchant_ids) {
        EntryList& list = auto_by_merchant_[merchant][layer];
        if (list.empty() || list.back().offer != entry.offer)
          list.push_back(entry);  // ids may repeat
      }
    } else {
      open_auto_[layer].push_back(entry);
    }
  }
}

const CatalogEntry* CatalogSnapshot::FindById(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

const CatalogEntry* CatalogSnapshot::FindByPublicCode(std::string_view scope,
                                                      std::string_view upper_code) const {
  auto codes = by_public_code_.find(scope);
  if (codes == by_public_code_.end()) return nullptr;
  auto it = codes->second.find(upper_code);
  return it == codes->second.end() ? nullptr : it->second;
}

const CatalogSnapshot::LayerLists& CatalogSnapshot::AutoOffersFor(
    std::string_view merchant_id) const {
  auto it = auto_by_merchant_.find(merchant_id);
  return it == auto_by_merchant_.end() ? kNoOffers : it->second;
}

Catalog::Catalog() : current_(CatalogSnapshot::Build({})) {}

void Catalog::Reset(std::vector<std::shared_ptr<const Offer>> offers) {
  std::lock_guard lock(writer_mutex_);
  current_.store(CatalogSnapshot::Build(std::move(offers)));
}

void Catalog::Apply(const std::vector<std::shared_ptr<const Offer>>& changes) {
  std::lock_guard lock(writer_mutex_);
  current_.store(current_.load()->With(changes));
}

}  // namespace uudai
