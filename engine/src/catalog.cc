#include "uudai/catalog.h"

#include <algorithm>
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

const std::string& IdOf(const CatalogEntry& entry) { return entry.id; }
const std::string& IdOf(const std::shared_ptr<const CatalogEntry>& entry) { return entry->id; }

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

// Keeps `list` sorted by id: inserts `entry` (replacing one of the same id) or erases `id`.
void InsertSorted(CatalogSnapshot::EntryList& list, const CatalogEntry& entry) {
  auto it =
      std::lower_bound(list.begin(), list.end(), entry.id,
                       [](const CatalogEntry& e, const std::string& id) { return e.id < id; });
  if (it != list.end() && it->id == entry.id) {
    *it = entry;
  } else {
    list.insert(it, entry);
  }
}

void EraseSorted(CatalogSnapshot::EntryList& list, const std::string& id) {
  auto it = std::lower_bound(list.begin(), list.end(), id,
                             [](const CatalogEntry& e, const std::string& v) { return e.id < v; });
  if (it != list.end() && it->id == id) list.erase(it);
}

}  // namespace

const CatalogSnapshot::LayerLists CatalogSnapshot::kNoOffers{};

CatalogSnapshot::CatalogSnapshot() : open_auto_(std::make_shared<const LayerLists>()) {}

std::shared_ptr<const CatalogSnapshot> CatalogSnapshot::Build(
    std::vector<std::shared_ptr<const Offer>> offers) {
  // The same snapshot as Put of each offer in turn onto an empty one, built in one pass per
  // index instead (start-up loads every offer at once): the newest version of each id first
  // (an equal one later in the list replaces an earlier one, as Put does), then each index
  // bulk-loaded.
  // Offers ordered by id (by the id's hash first: cheaper than comparing text, and the order
  // the id index is loaded in), then by position; the last of each id's run with the highest
  // version is the one kept.
  struct Ranked {
    std::uint64_t hash;
    std::size_t index;
  };
  std::vector<Ranked> ranked(offers.size());
  for (std::size_t i = 0; i < offers.size(); ++i) {
    ranked[i] = {PersistentStringMap<EntryPtr>::Hash(offers[i]->id), i};
  }
  std::sort(ranked.begin(), ranked.end(), [&](const Ranked& a, const Ranked& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (const int order = offers[a.index]->id.compare(offers[b.index]->id); order != 0) {
      return order < 0;
    }
    return a.index < b.index;
  });
  std::vector<bool> kept(offers.size(), false);
  for (std::size_t r = 0; r < ranked.size();) {
    std::size_t winner = ranked[r].index;
    std::size_t next = r + 1;
    for (; next < ranked.size() && ranked[next].hash == ranked[r].hash &&
           offers[ranked[next].index]->id == offers[winner]->id;
         ++next) {
      if (offers[winner]->version <= offers[ranked[next].index]->version) {
        winner = ranked[next].index;
      }
    }
    kept[winner] = true;
    r = next;
  }
  std::vector<std::pair<std::string, EntryPtr>> by_id;
  std::vector<std::pair<std::string, std::int64_t>> archived;
  std::unordered_map<std::string, std::unordered_map<std::string, CodeHolders>> codes;
  std::unordered_map<std::string, LayerLists> auto_lists;
  LayerLists open;
  by_id.reserve(offers.size());
  for (std::size_t i = 0; i < offers.size(); ++i) {
    if (!kept[i]) continue;
    const Offer& offer = *offers[i];
    if (offer.status == OfferStatus::kArchived) {
      archived.emplace_back(offer.id, offer.version);
      continue;
    }
    auto entry = std::make_shared<const CatalogEntry>(Compile(offers[i]));
    by_id.emplace_back(offer.id, entry);
    if (offer.code_mode == CodeMode::kPublic && offer.code) {
      codes[std::string(CodeScopeOf(offer))][*offer.code].push_back(entry);
    }
    const auto layer = static_cast<std::size_t>(offer.layer);
    ForEachAutoHome(offer, [&](const std::string* merchant) {
      (merchant != nullptr ? auto_lists[*merchant] : open)[layer].push_back(*entry);
    });  // a shop listed twice gets two copies: dropped below
  }
  auto by_entry_id = [](const auto& a, const auto& b) { return IdOf(a) < IdOf(b); };
  auto same_id = [](const auto& a, const auto& b) { return IdOf(a) == IdOf(b); };
  auto sort_lists = [&](LayerLists& lists) {
    for (EntryList& list : lists) {
      std::sort(list.begin(), list.end(), by_entry_id);
      list.erase(std::unique(list.begin(), list.end(), same_id), list.end());
    }
  };
  std::shared_ptr<CatalogSnapshot> snapshot(new CatalogSnapshot());
  snapshot->by_id_ = PersistentStringMap<EntryPtr>::FromEntries(std::move(by_id));
  snapshot->archived_versions_ =
      PersistentStringMap<std::int64_t>::FromEntries(std::move(archived));
  std::vector<std::pair<std::string, PersistentStringMap<CodeHolders>>> scopes;
  for (auto& [scope, by_code] : codes) {
    std::vector<std::pair<std::string, CodeHolders>> scope_codes;
    for (auto& [code, holders] : by_code) {
      std::sort(holders.begin(), holders.end(), by_entry_id);
      scope_codes.emplace_back(code, std::move(holders));
    }
    scopes.emplace_back(scope,
                        PersistentStringMap<CodeHolders>::FromEntries(std::move(scope_codes)));
  }
  snapshot->by_public_code_ =
      PersistentStringMap<PersistentStringMap<CodeHolders>>::FromEntries(std::move(scopes));
  std::vector<std::pair<std::string, std::shared_ptr<const LayerLists>>> merchants;
  merchants.reserve(auto_lists.size());
  for (auto& [merchant, lists] : auto_lists) {
    sort_lists(lists);
    merchants.emplace_back(merchant, std::make_shared<const LayerLists>(std::move(lists)));
  }
  snapshot->auto_by_merchant_ =
      PersistentStringMap<std::shared_ptr<const LayerLists>>::FromEntries(std::move(merchants));
  sort_lists(open);
  snapshot->open_auto_ = std::make_shared<const LayerLists>(std::move(open));
  return snapshot;
}

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
  // A shop listed twice gets the offer once: InsertSorted replaces an entry of the same id.
  ForEachAutoHome(*entry.offer, [&](const std::string* shop) {
    if (shop == nullptr) return fn(UniqueOrCopy(open_auto_));
    const std::string& merchant = *shop;
    auto* lists = auto_by_merchant_.Mutable(merchant);
    if (lists == nullptr) {
      if (!create) return;
      auto_by_merchant_.Set(merchant, std::make_shared<const LayerLists>());
      lists = auto_by_merchant_.Mutable(merchant);
    }
    LayerLists& writable = UniqueOrCopy(*lists);
    fn(writable);
    const bool empty = std::all_of(writable.begin(), writable.end(),
                                   [](const EntryList& list) { return list.empty(); });
    if (empty) auto_by_merchant_.Erase(merchant);
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
                               [](const EntryPtr& e, const std::string& id) { return e->id < id; });
    holders.insert(at, entry);
  }
  const auto layer = static_cast<std::size_t>(entry->layer);
  ForEachAutoListOf(*entry, true, [&](LayerLists& lists) { InsertSorted(lists[layer], *entry); });
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
  const auto layer = static_cast<std::size_t>(entry.layer);
  ForEachAutoListOf(entry, false, [&](LayerLists& lists) { EraseSorted(lists[layer], entry.id); });
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

const CatalogSnapshot::LayerLists& CatalogSnapshot::AutoOffersFor(
    std::string_view merchant_id) const {
  const auto* lists = auto_by_merchant_.Find(merchant_id);
  return lists == nullptr ? kNoOffers : **lists;
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
