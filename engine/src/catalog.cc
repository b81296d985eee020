#include "uudai/catalog.h"

#include <algorithm>

#include "catalog_indexing.h"

namespace uudai {

namespace catalog_indexing {

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
  entry.has_categories = offer->categories.has_value();
  if (entry.has_categories) entry.categories = *offer->categories;
  entry.has_skus = offer->skus.has_value();
  entry.has_shopper_tags = offer->shopper_tags.has_value();
  entry.first_order = offer->first_order;
  entry.id = offer->id;
  entry.starts_at = offer->starts_at;
  entry.ends_at = offer->ends_at;
  entry.min_order_amount = offer->min_order_amount;
  entry.discount = &offer->discount;
  entry.daily_window = offer->daily_window;
  entry.priority = offer->priority;
  entry.layer = offer->layer;
  entry.status = offer->status;
  entry.has_limits = offer->limits.any();
  entry.exclusive = offer->exclusive;
  entry.offer = std::move(offer);
  return entry;
}

}  // namespace catalog_indexing

namespace {

using catalog_indexing::Compile;
using catalog_indexing::ForEachAutoHome;

}  // namespace

const AutoOfferLists CatalogSnapshot::kNoOffers{};

CatalogSnapshot::CatalogSnapshot() = default;

std::shared_ptr<const CatalogSnapshot> CatalogSnapshot::With(
    const std::vector<std::shared_ptr<const Offer>>& changes) const {
  // A copy shares every index with this snapshot; the first change to a part copies it (and
  // only the path to it), later changes in the same call find it theirs and change it in place.
  std::shared_ptr<CatalogSnapshot> next(new CatalogSnapshot(*this));
  for (const auto& change : changes) next->Put(change);
  return next;
}

void CatalogSnapshot::Put(std::shared_ptr<const Offer> offer) {
  const std::string id = offer->id;
  EntryPtr current;
  if (const EntryPtr* found = by_id_.Find(id)) current = *found;
  if (current != nullptr && offer->version < current->offer->version) return;  // late, older
  const std::int64_t* tombstone = archived_versions_.Find(id);
  if (tombstone != nullptr) {
    if (offer->version < *tombstone) return;  // an older change must not revive an archive
    archived_versions_.Erase(id);
  }
  if (current != nullptr) {
    UnindexCodeAndAuto(*current);
    by_id_.Erase(id);
  }
  if (offer->status == OfferStatus::kArchived) {
    archived_versions_.Set(id, offer->version);
    return;
  }
  auto entry = std::make_shared<const CatalogEntry>(Compile(std::move(offer)));
  by_id_.Set(id, entry);
  IndexCodeAndAuto(entry);
}

template <typename Fn>
void CatalogSnapshot::ForEachAutoListOf(const CatalogEntry& entry, bool create, Fn&& fn) {
  // A shop listed twice gets the offer once: With replaces an entry of the same id.
  ForEachAutoHome(*entry.offer, [&](const std::string* shop) {
    if (shop == nullptr) return fn(open_auto_);
    const std::string& merchant = *shop;
    AutoOfferLists* lists = auto_by_merchant_.Mutable(merchant);
    if (lists == nullptr) {
      if (!create) return;
      auto_by_merchant_.Set(merchant, AutoOfferLists());
      lists = auto_by_merchant_.Mutable(merchant);
    }
    fn(*lists);
    if (lists->empty()) auto_by_merchant_.Erase(merchant);
  });
}

void CatalogSnapshot::IndexCodeAndAuto(const EntryPtr& entry) {
  const Offer& offer = *entry->offer;
  if (offer.code_mode == CodeMode::kPublic && offer.code) {
    const std::string_view scope = CodeScopeOf(offer);
    if (by_public_code_.Find(scope) == nullptr) by_public_code_.Set(scope, {});
    auto& codes = *by_public_code_.Mutable(scope);
    if (codes.Find(*offer.code) == nullptr) codes.Set(*offer.code, {});
    CodeHolders& holders = *codes.Mutable(*offer.code);
    auto at = std::lower_bound(holders.begin(), holders.end(), entry->id,
                               [](const EntryPtr& e, std::string_view id) { return e->id < id; });
    holders.insert(at, entry);
  }
  ForEachAutoListOf(*entry, true, [&](AutoOfferLists& lists) { lists = lists.With(*entry); });
}

void CatalogSnapshot::UnindexCodeAndAuto(const CatalogEntry& entry) {
  const Offer& offer = *entry.offer;
  if (offer.code_mode == CodeMode::kPublic && offer.code) {
    const std::string_view scope = CodeScopeOf(offer);
    if (auto* codes = by_public_code_.Mutable(scope)) {
      if (CodeHolders* holders = codes->Mutable(*offer.code)) {
        std::erase_if(*holders, [&](const EntryPtr& e) { return e->id == entry.id; });
        if (holders->empty()) codes->Erase(*offer.code);
      }
      if (codes->empty()) by_public_code_.Erase(scope);
    }
  }
  ForEachAutoListOf(entry, false,
                    [&](AutoOfferLists& lists) { lists = lists.Without(entry.layer, entry.id); });
}

const CatalogEntry* CatalogSnapshot::FindById(std::string_view id) const {
  const EntryPtr* found = by_id_.Find(id);
  return found == nullptr ? nullptr : found->get();
}

const CatalogEntry* CatalogSnapshot::FindByPublicCode(std::string_view scope,
                                                      std::string_view upper_code) const {
  const auto* codes = by_public_code_.Find(scope);
  if (codes == nullptr) return nullptr;
  const CodeHolders* holders = codes->Find(upper_code);
  return holders == nullptr || holders->empty() ? nullptr : holders->front().get();
}

const AutoOfferLists& CatalogSnapshot::AutoOffersFor(std::string_view merchant_id) const {
  const AutoOfferLists* lists = auto_by_merchant_.Find(merchant_id);
  return lists == nullptr ? kNoOffers : *lists;
}

Catalog::Catalog() : current_(CatalogSnapshot::Build({})) {}

void Catalog::Reset(std::vector<std::shared_ptr<const Offer>> offers,
                    const CatalogSnapshot::RunTasks& run_tasks) {
  std::lock_guard lock(writer_mutex_);
  current_.store(CatalogSnapshot::Build(std::move(offers), run_tasks));
}

void Catalog::Apply(const std::vector<std::shared_ptr<const Offer>>& changes) {
  std::lock_guard lock(writer_mutex_);
  current_.store(current_.load()->With(changes));
}

}  // namespace uudai
