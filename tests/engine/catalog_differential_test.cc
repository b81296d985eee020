// Catalog snapshots under random change streams: With() step by step and Catalog::Apply,
// compared after every step with a brute-force reference model and with snapshots built from
// scratch from the same history; earlier snapshots compared again at the end (later changes
// must not alter a snapshot whose structure theirs shares); and readers taking Current() while
// a writer applies changes.
//
// The universe is small (40 ids, 6 shops, 4 codes) so that codes collide, platform offers
// overlap on shops and every id changes many times. Versions increase per id as offers are
// changed, but are delivered out of order: some late (stale on arrival), some twice (the same
// version with the same content), several of one id in one batch, and archived ids come back
// with newer versions. Runs are deterministic per seed; a failure names its seed and step.
#include "uudai/catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "engine/quote_test_support.h"
#include "uudai/offer.h"

namespace uudai {
namespace {

using testing::CampaignEnd;
using testing::CampaignStart;
using testing::FixedOffer;
using testing::PercentOffer;
using Ids = std::vector<std::string>;
using LayerIds = std::array<Ids, kLayerCount>;
using OfferPtr = std::shared_ptr<const Offer>;
using Offers = std::vector<OfferPtr>;

// --- The universe ---------------------------------------------------------------------------

constexpr int kIdCount = 40;
constexpr std::array<std::string_view, 6> kShops = {"m-1", "m-2", "m-3", "m-4", "m-5", "m-6"};
// Listed in some platform offers' merchant_ids, never the shop of a merchant-layer offer.
constexpr std::string_view kOutsideShop = "m-ext";
// Named by no offer at all.
constexpr std::string_view kUnknownShop = "m-none";
constexpr std::array<std::string_view, 4> kCodes = {"SALE10", "THANG10", "FREESHIP", "MOMO50"};

// What the comparisons ask about: every shop, code scope and code of the universe, plus ones
// no offer has.
constexpr std::array<std::string_view, 8> kQueriedShops = {
    "m-1", "m-2", "m-3", "m-4", "m-5", "m-6", kOutsideShop, kUnknownShop};
constexpr std::array<std::string_view, 8> kQueriedScopes = {
    kPlatformCodeScope, "m-1", "m-2", "m-3", "m-4", "m-5", "m-6", kUnknownShop};
constexpr std::array<std::string_view, 5> kQueriedCodes = {"SALE10", "THANG10", "FREESHIP",
                                                           "MOMO50", "KHONGCO"};
constexpr std::array<Layer, kLayerCount> kLayers = {Layer::kMerchant, Layer::kPlatform,
                                                    Layer::kPayment, Layer::kShipping};

// "o-1" .. "o-40": ascending ids are string order, so "o-10" comes before "o-2".
std::string IdOf(int n) { return "o-" + std::to_string(n); }

std::size_t LayerIndex(Layer layer) { return static_cast<std::size_t>(layer); }

std::string ScopeName(std::string_view scope) {
  return scope.empty() ? std::string("(platform)") : std::string(scope);
}

std::string Join(const Ids& ids) {
  std::string text = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) text += (i ? ", " : "") + ids[i];
  return text + "}";
}

std::string VersionText(const OfferPtr& offer) {
  return offer ? offer->id + " v" + std::to_string(offer->version) : std::string("nullptr");
}

// --- The contract, stated once for the model and the checks ---------------------------------

// Active or paused: what FindById and FindByPublicCode may return.
bool Live(const Offer& offer) { return offer.status != OfferStatus::kArchived; }

// Whether `offer` is a live public-code offer with `code` in code scope `scope`.
bool ClaimsCode(const Offer& offer, std::string_view scope, std::string_view code) {
  return Live(offer) && offer.code_mode == CodeMode::kPublic && offer.code && *offer.code == code &&
         CodeScopeOf(offer) == scope;
}

// Whether an active auto offer belongs in the auto lists of `shop` (nullopt: the lists for all
// merchants): a merchant-layer offer under its own shop, another layer's under each shop of its
// merchant_ids, or with no merchant_ids under all merchants.
bool ListedFor(const Offer& offer, std::optional<std::string_view> shop) {
  if (offer.layer == Layer::kMerchant) return shop && offer.merchant_id == *shop;
  if (!offer.merchant_ids) return !shop;
  return shop && std::find(offer.merchant_ids->begin(), offer.merchant_ids->end(), *shop) !=
                     offer.merchant_ids->end();
}

bool InAutoLists(const Offer& offer) {
  return offer.code_mode == CodeMode::kAuto && offer.status == OfferStatus::kActive;
}

// --- What a catalog answers -----------------------------------------------------------------

// The answers to every query of the universe. Lists keep the order they were given in: the
// contract is ascending ids, no duplicates.
struct View {
  std::size_t size = 0;
  std::map<std::string, OfferPtr> by_id;  // universe id → offer found; absent: nullptr
  std::map<std::pair<std::string, std::string>, OfferPtr> by_code;  // (scope, code) → offer
  std::map<std::string, LayerIds> auto_for;                         // queried shop → ids
  LayerIds auto_for_all;
};

template <typename Key>
OfferPtr Found(const std::map<Key, OfferPtr>& map, const Key& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : it->second;
}

// The brute-force model: the newest version delivered per id, archived ones included (the
// tombstones that keep a late older version from reviving an id), every query a scan.
class Reference {
 public:
  void Apply(const Offers& changes) {
    for (const OfferPtr& change : changes) {
      OfferPtr& held = newest_[change->id];
      // An older version arriving late is ignored; an equal one replaces (same content here).
      if (!held || held->version <= change->version) held = change;
    }
  }

  // The newest version of every id delivered, archived ones included.
  Offers Newest() const {
    Offers offers;
    for (const auto& [id, offer] : newest_) offers.push_back(offer);
    return offers;
  }

  std::size_t size() const {
    return static_cast<std::size_t>(std::count_if(
        newest_.begin(), newest_.end(), [](const auto& held) { return Live(*held.second); }));
  }

  OfferPtr FindById(const std::string& id) const {
    const OfferPtr offer = Found(newest_, id);
    return offer && Live(*offer) ? offer : nullptr;
  }

  OfferPtr FindByPublicCode(std::string_view scope, std::string_view code) const {
    for (const auto& [id, offer] : newest_) {  // ascending ids: the first claimant wins
      if (ClaimsCode(*offer, scope, code)) return offer;
    }
    return nullptr;
  }

  // Ids of the auto lists of `shop` (nullopt: for all merchants), per layer, ascending.
  LayerIds AutoOffers(std::optional<std::string_view> shop) const {
    LayerIds ids;
    for (const auto& [id, offer] : newest_) {
      if (InAutoLists(*offer) && ListedFor(*offer, shop)) {
        ids[LayerIndex(offer->layer)].push_back(id);
      }
    }
    return ids;
  }

  View Expected() const {
    View view;
    view.size = size();
    for (int n = 1; n <= kIdCount; ++n) {
      if (OfferPtr offer = FindById(IdOf(n))) view.by_id[IdOf(n)] = offer;
    }
    for (std::string_view scope : kQueriedScopes) {
      for (std::string_view code : kQueriedCodes) {
        if (OfferPtr offer = FindByPublicCode(scope, code)) {
          view.by_code[{std::string(scope), std::string(code)}] = offer;
        }
      }
    }
    for (std::string_view shop : kQueriedShops) view.auto_for[std::string(shop)] = AutoOffers(shop);
    view.auto_for_all = AutoOffers(std::nullopt);
    return view;
  }

 private:
  std::map<std::string, OfferPtr> newest_;  // by id, ascending
};

LayerIds IdsOf(const AutoOfferLists& lists) {
  LayerIds ids;
  for (std::size_t layer = 0; layer < kLayerCount; ++layer) {
    for (const CatalogEntry& entry : lists[layer]) ids[layer].emplace_back(entry.id);
  }
  return ids;
}

View Observe(const CatalogSnapshot& snapshot) {
  View view;
  view.size = snapshot.size();
  for (int n = 1; n <= kIdCount; ++n) {
    std::string id = IdOf(n);
    if (const CatalogEntry* entry = snapshot.FindById(id)) view.by_id[std::move(id)] = entry->offer;
  }
  for (std::string_view scope : kQueriedScopes) {
    for (std::string_view code : kQueriedCodes) {
      if (const CatalogEntry* entry = snapshot.FindByPublicCode(scope, code)) {
        view.by_code[{std::string(scope), std::string(code)}] = entry->offer;
      }
    }
  }
  for (std::string_view shop : kQueriedShops) {
    view.auto_for[std::string(shop)] = IdsOf(snapshot.AutoOffersFor(shop));
  }
  view.auto_for_all = IdsOf(snapshot.AutoOffersForAllMerchants());
  return view;
}

// --- Reporting ------------------------------------------------------------------------------

// Mismatches of one run, by kind. The first few of each kind become test failures (under the
// SCOPED_TRACE in force when Report is called: seed and step); the rest are only counted, so
// that a systematic defect reads as a handful of failures and a tally, not thousands of lines.
// Not thread-safe: each reader thread keeps its own.
class Findings {
 public:
  void Add(const std::string& kind, const std::string& detail) {
    if (++counts_[kind] <= kShownPerKind) unreported_.push_back(kind + ": " + detail);
  }

  // Fails the current test with what Add kept since the last call.
  void Report() {
    for (const std::string& finding : unreported_) ADD_FAILURE() << finding;
    unreported_.clear();
  }

  // Fails the current test with the number of mismatches of each kind, if there were any.
  void Summarize() const {
    if (counts_.empty()) return;
    std::string tally;
    for (const auto& [kind, count] : counts_) {
      tally += "\n  " + kind + ": " + std::to_string(count);
    }
    ADD_FAILURE() << "mismatches by kind (the first " << kShownPerKind
                  << " of each reported above):" << tally;
  }

 private:
  static constexpr int kShownPerKind = 3;
  std::map<std::string, int> counts_;
  std::vector<std::string> unreported_;
};

// `shop`: the lists of AutoOffersFor(shop); nullopt: of AutoOffersForAllMerchants().
std::string ListName(std::optional<std::string_view> shop, Layer layer) {
  const std::string query = shop ? "AutoOffersFor(" + std::string(*shop) + ")"
                                 : std::string("AutoOffersForAllMerchants()");
  return query + "[" + std::string(LayerName(layer)) + "]";
}

void CompareLists(const std::string& prefix, std::optional<std::string_view> shop,
                  const LayerIds& got, const LayerIds& want, Findings& findings) {
  for (Layer layer : kLayers) {
    const Ids& g = got[LayerIndex(layer)];
    const Ids& w = want[LayerIndex(layer)];
    if (g == w) continue;
    Ids sorted_got = g;
    Ids sorted_want = w;
    std::sort(sorted_got.begin(), sorted_got.end());
    std::sort(sorted_want.begin(), sorted_want.end());
    findings.Add(prefix + (sorted_got == sorted_want ? "auto list order" : "auto list contents"),
                 ListName(shop, layer) + ": got " + Join(g) + ", want " + Join(w));
  }
}

// Compares every answer of `got` with `want`'s. `label` says what is compared with what.
void Compare(const View& got, const View& want, const std::string& label, Findings& findings) {
  const std::string prefix = label + ": ";
  if (got.size != want.size) {
    findings.Add(prefix + "size",
                 "got " + std::to_string(got.size) + ", want " + std::to_string(want.size));
  }
  for (int n = 1; n <= kIdCount; ++n) {
    const std::string id = IdOf(n);
    const OfferPtr g = Found(got.by_id, id);
    const OfferPtr w = Found(want.by_id, id);
    if (g == w) continue;  // the same offer object, or both nullptr
    const char* kind = !g != !w                   ? "FindById presence"
                       : g->version != w->version ? "FindById version"
                       : *g != *w                 ? "FindById content"
                                                  : nullptr;
    if (kind) {
      findings.Add(prefix + kind,
                   "FindById(" + id + "): got " + VersionText(g) + ", want " + VersionText(w));
    }
  }
  for (std::string_view scope : kQueriedScopes) {
    for (std::string_view code : kQueriedCodes) {
      const std::pair<std::string, std::string> key(scope, code);
      const OfferPtr g = Found(got.by_code, key);
      const OfferPtr w = Found(want.by_code, key);
      if (g == w || (g && w && g->id == w->id && g->version == w->version)) continue;
      const std::string detail = "FindByPublicCode(" + ScopeName(scope) + ", " + std::string(code) +
                                 "): got " + VersionText(g) + ", want " + VersionText(w);
      if (g && w && g->id == w->id) {
        findings.Add(prefix + "FindByPublicCode version", detail);
        continue;
      }
      // Both found a live claimant of the code, each the current version of its id: only the
      // choice among claimants differs.
      const OfferPtr got_current = g ? Found(want.by_id, g->id) : nullptr;
      const bool tie_break = g && w && ClaimsCode(*g, scope, code) && ClaimsCode(*w, scope, code) &&
                             got_current && got_current->version == g->version;
      findings.Add(
          prefix + (tie_break ? "FindByPublicCode tie-break (smallest id)" : "FindByPublicCode"),
          detail);
    }
  }
  for (std::string_view shop : kQueriedShops) {
    const std::string name(shop);
    CompareLists(prefix, shop, got.auto_for.at(name), want.auto_for.at(name), findings);
  }
  CompareLists(prefix, std::nullopt, got.auto_for_all, want.auto_for_all, findings);
}

// The first of the entry's inline copies that differs from its offer's field, if any.
std::optional<std::string> InlineMismatch(const CatalogEntry& entry) {
  if (!entry.offer) return "offer (null)";
  const Offer& offer = *entry.offer;
  if (entry.id != offer.id) return "id";
  if (entry.layer != offer.layer) return "layer";
  if (entry.status != offer.status) return "status";
  if (entry.priority != offer.priority) return "priority";
  if (entry.min_order_amount != offer.min_order_amount) return "min_order_amount";
  if (entry.starts_at != offer.starts_at) return "starts_at";
  if (entry.ends_at != offer.ends_at) return "ends_at";
  if (entry.discount != &offer.discount) return "discount";
  if (entry.has_categories != offer.categories.has_value()) return "has_categories";
  if (offer.categories && (entry.categories.data() != offer.categories->data() ||
                           entry.categories.size() != offer.categories->size())) {
    return "categories";
  }
  if (entry.has_skus != offer.skus.has_value()) return "has_skus";
  if (entry.exclusive != offer.exclusive) return "exclusive";
  if (entry.has_limits != offer.limits.any()) return "has_limits";
  return std::nullopt;
}

// Checks what holds within one snapshot, whatever the history: every entry reached by a query
// has its offer's fields inline and is the entry FindById gives (same version); a code lookup
// finds a live claimant of that code; every auto list is strictly ascending by id (sorted, no
// duplicates) and holds only active auto offers of its layer that belong in it.
void CheckInternal(const CatalogSnapshot& snapshot, const std::string& label, Findings& findings) {
  const std::string prefix = label + ": ";
  // `where()` names the query that gave `entry`; it is only called on a mismatch.
  auto check_entry = [&](const CatalogEntry& entry, const auto& where) {
    if (const auto field = InlineMismatch(entry)) {
      findings.Add(prefix + "entry inline copy", where() + ": entry " + std::string(entry.id) +
                                                     " differs from its offer in " + *field);
    }
  };
  auto check_current = [&](const CatalogEntry& entry, const auto& where) {
    const CatalogEntry* by_id = snapshot.FindById(entry.id);
    if (!by_id || !by_id->offer || !entry.offer || by_id->offer->version != entry.offer->version) {
      findings.Add(prefix + "entry is not FindById's",
                   where() + ": entry " + VersionText(entry.offer) + ", FindById gives " +
                       (by_id ? VersionText(by_id->offer) : std::string("nullptr")));
    }
  };

  for (int n = 1; n <= kIdCount; ++n) {
    const std::string id = IdOf(n);
    const CatalogEntry* entry = snapshot.FindById(id);
    if (!entry) continue;
    auto where = [&] { return "FindById(" + id + ")"; };
    check_entry(*entry, where);
    if (entry->id != id || (entry->offer && !Live(*entry->offer))) {
      findings.Add(prefix + "FindById entry", where() + " gave " + VersionText(entry->offer));
    }
  }
  for (std::string_view scope : kQueriedScopes) {
    for (std::string_view code : kQueriedCodes) {
      const CatalogEntry* entry = snapshot.FindByPublicCode(scope, code);
      if (!entry) continue;
      auto where = [&] {
        return "FindByPublicCode(" + ScopeName(scope) + ", " + std::string(code) + ")";
      };
      check_entry(*entry, where);
      check_current(*entry, where);
      if (entry->offer && !ClaimsCode(*entry->offer, scope, code)) {
        findings.Add(prefix + "FindByPublicCode entry",
                     where() + " gave " + VersionText(entry->offer) + ", which does not claim it");
      }
    }
  }
  auto check_lists = [&](const AutoOfferLists& lists, std::optional<std::string_view> shop) {
    for (Layer layer : kLayers) {
      const std::span<const CatalogEntry> list = lists[LayerIndex(layer)];
      auto where = [&] { return ListName(shop, layer); };
      for (std::size_t i = 0; i < list.size(); ++i) {
        const CatalogEntry& entry = list[i];
        check_entry(entry, where);
        check_current(entry, where);
        if (i > 0 && !(list[i - 1].id < entry.id)) {
          findings.Add(
              prefix + "auto list not strictly ascending by id",
              where() + ": " + std::string(list[i - 1].id) + " before " + std::string(entry.id));
        }
        if (entry.offer && (!InAutoLists(*entry.offer) || entry.offer->layer != layer ||
                            !ListedFor(*entry.offer, shop))) {
          findings.Add(prefix + "auto list entry does not belong",
                       where() + ": " + VersionText(entry.offer));
        }
      }
    }
  };
  for (std::string_view shop : kQueriedShops) check_lists(snapshot.AutoOffersFor(shop), shop);
  check_lists(snapshot.AutoOffersForAllMerchants(), std::nullopt);
}

// --- Random changes -------------------------------------------------------------------------

// Random offers of the universe and their delivery. Each id's versions increase as they are
// created; each batch then mixes fresh versions, versions held back and delivered after newer
// ones (stale on arrival), and versions delivered again (the same content: sometimes the same
// object, sometimes a copy).
class ChangeStream {
 public:
  explicit ChangeStream(std::uint64_t seed)
      : rng_(seed), campaign_start_(CampaignStart()), campaign_end_(CampaignEnd()) {}

  // A first version for about 60% of the ids (archived ones included), each id once, shuffled.
  Offers InitialOffers() {
    Offers offers;
    for (int n = 1; n <= kIdCount; ++n) {
      if (Chance(0.6)) offers.push_back(NewVersion(IdOf(n)));
    }
    std::shuffle(offers.begin(), offers.end(), rng_);
    return offers;
  }

  // 1 to 20 changes.
  Offers NextBatch() {
    Offers batch;
    const std::size_t size = static_cast<std::size_t>(Uniform(1, 20));
    while (batch.size() < size) {
      const double roll = std::uniform_real_distribution<double>(0, 1)(rng_);
      if (roll < 0.45) {
        batch.push_back(NewVersion(RandomId()));
      } else if (roll < 0.60) {
        pending_.push_back(NewVersion(RandomId()));  // held back, delivered after newer ones
      } else if (roll < 0.80) {
        if (pending_.empty()) continue;
        const std::size_t i = Index(pending_.size());
        batch.push_back(pending_[i]);
        pending_[i] = pending_.back();
        pending_.pop_back();
      } else if (!created_.empty()) {
        const OfferPtr& again = created_[Index(created_.size())];
        batch.push_back(Chance(0.5) ? again : std::make_shared<const Offer>(*again));
      }
    }
    return batch;
  }

 private:
  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  std::size_t Index(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::string RandomId() { return IdOf(Uniform(1, kIdCount)); }
  std::string RandomShop() { return std::string(kShops[Index(kShops.size())]); }

  // The id's next version: usually an update of its newest one (a few parts changed), else a
  // different offer under the same id (layer and shop may change too). Versions sometimes skip.
  OfferPtr NewVersion(const std::string& id) {
    OfferPtr& newest = newest_created_[id];
    Offer offer = newest && Chance(0.7) ? Updated(*newest) : Fresh(id);
    offer.version = newest ? newest->version + (Chance(0.8) ? 1 : Uniform(2, 3)) : Uniform(1, 2);
    newest = std::make_shared<const Offer>(std::move(offer));
    created_.push_back(newest);
    return newest;
  }

  Offer Fresh(const std::string& id) {
    const Layer layer = kLayers[Index(kLayers.size())];
    Offer offer = Chance(0.5) ? FixedOffer(id, layer, 5'000 * Uniform(1, 10))
                              : PercentOffer(id, layer, 5 * Uniform(1, 10));
    offer.merchant_id = layer == Layer::kMerchant || Chance(0.5) ? RandomShop() : "platform";
    SetTargeting(offer);
    SetCode(offer);
    SetStatus(offer);
    SetTerms(offer);
    return offer;
  }

  Offer Updated(Offer offer) {
    for (int k = Uniform(1, 3); k > 0; --k) {
      switch (Uniform(0, 3)) {
        case 0:
          SetTargeting(offer);
          break;
        case 1:
          SetCode(offer);
          break;
        case 2:
          SetStatus(offer);
          break;
        default:
          SetTerms(offer);
          break;
      }
    }
    return offer;
  }

  // A merchant-layer offer may move to another shop; another layer's is open to all merchants
  // or restricted to 1..4 shops, drawn with repeats, sometimes one outside the universe.
  void SetTargeting(Offer& offer) {
    offer.merchant_ids.reset();
    if (offer.layer == Layer::kMerchant) {
      if (Chance(0.3)) offer.merchant_id = RandomShop();
      return;
    }
    if (Chance(0.4)) return;
    std::vector<std::string> shops;
    for (int k = Uniform(1, 4); k > 0; --k) {
      shops.push_back(Chance(1.0 / 7) ? std::string(kOutsideShop) : RandomShop());
    }
    if (Chance(0.3)) shops.push_back(shops.front());
    offer.merchant_ids = std::move(shops);
  }

  void SetCode(Offer& offer) {
    const double roll = std::uniform_real_distribution<double>(0, 1)(rng_);
    offer.code_mode = roll < 0.5    ? CodeMode::kAuto
                      : roll < 0.85 ? CodeMode::kPublic
                                    : CodeMode::kUnique;
    offer.code.reset();
    if (offer.code_mode == CodeMode::kPublic) {
      offer.code = std::string(kCodes[Index(kCodes.size())]);
    }
  }

  void SetStatus(Offer& offer) {
    const double roll = std::uniform_real_distribution<double>(0, 1)(rng_);
    offer.status = roll < 0.6   ? OfferStatus::kActive
                   : roll < 0.8 ? OfferStatus::kPaused
                                : OfferStatus::kArchived;
  }

  void SetTerms(Offer& offer) {
    offer.priority = Uniform(-3, 3);
    offer.min_order_amount = 50'000 * Uniform(0, 4);
    offer.starts_at = Timestamp{campaign_start_.millis + Uniform(0, 48) * kMillisPerHour};
    offer.ends_at = Timestamp{campaign_end_.millis - Uniform(0, 48) * kMillisPerHour};
    offer.exclusive = Chance(0.2);
    offer.limits.per_shopper = Chance(0.3) ? std::optional<std::int64_t>(1) : std::nullopt;
    offer.discount.value =
        offer.discount.type == DiscountType::kPercent ? 5 * Uniform(1, 10) : 5'000 * Uniform(1, 10);
  }

  std::mt19937_64 rng_;
  Timestamp campaign_start_;
  Timestamp campaign_end_;
  std::map<std::string, OfferPtr> newest_created_;  // by id
  Offers created_;                                  // every version, for deliveries again
  Offers pending_;                                  // created, held back
};

// --- Against the model and from-scratch builds, step by step --------------------------------

constexpr std::array<std::uint64_t, 4> kSeeds = {1, 2, 20261010, 0x75da1};
constexpr int kSteps = 45;

enum class Start {
  kEmpty,    // Build({}), then With() per batch
  kBuilt,    // Build(initial offers), then With() per batch
  kCatalog,  // Catalog::Reset(initial offers), then Apply() per batch
};

struct Step {
  std::shared_ptr<const CatalogSnapshot> snapshot;
  View expected;  // the reference's answers after this step
};

template <typename T>
std::vector<T> Shuffled(std::vector<T> items, std::mt19937_64& rng) {
  std::shuffle(items.begin(), items.end(), rng);
  return items;
}

// A runner for Build's tasks that runs them all at once, each on a thread of its own, started
// last first: the build must not depend on its tasks' order or on running them in turn.
void RunEachTaskOnAThreadOfItsOwn(const CatalogSnapshot::Tasks& tasks) {
  std::vector<std::thread> threads;
  for (auto task = tasks.rbegin(); task != tasks.rend(); ++task) threads.emplace_back(*task);
  for (std::thread& thread : threads) thread.join();
}

void RunDifferential(std::uint64_t seed, Start start) {
  ChangeStream stream(seed);
  std::mt19937_64 shuffle_rng(seed ^ 0x9e3779b97f4a7c15);
  Reference reference;
  Offers history;  // every offer delivered, in delivery order
  Findings findings;

  const Offers initial = start == Start::kEmpty ? Offers{} : stream.InitialOffers();
  Catalog catalog;
  std::shared_ptr<const CatalogSnapshot> snapshot;
  if (start == Start::kCatalog) {
    catalog.Reset(initial);
    snapshot = catalog.Current();
  } else {
    snapshot = CatalogSnapshot::Build(initial);
  }
  reference.Apply(initial);
  history = initial;

  std::vector<Step> steps;
  for (int step = 0; step <= kSteps; ++step) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", step " << step);
    if (step > 0) {
      const Offers batch = stream.NextBatch();
      if (start == Start::kCatalog) {
        catalog.Apply(batch);
        snapshot = catalog.Current();
      } else {
        snapshot = snapshot->With(batch);
      }
      reference.Apply(batch);
      history.insert(history.end(), batch.begin(), batch.end());
    }
    const View expected = reference.Expected();
    const View observed = Observe(*snapshot);
    CheckInternal(*snapshot, "incremental", findings);
    Compare(observed, expected, "incremental vs reference", findings);
    // From scratch, the same history four ways, each shuffled: Build of everything ever
    // delivered (for an id given more than once Build keeps the highest version), Build of
    // only the newest version of each id (archived ones too: their tombstones), Build of
    // everything with its tasks side by side, and With() of everything ever delivered, in one
    // batch, on an empty snapshot.
    const auto built = CatalogSnapshot::Build(Shuffled(history, shuffle_rng));
    Compare(observed, Observe(*built), "incremental vs Build(whole history)", findings);
    const auto built_newest = CatalogSnapshot::Build(Shuffled(reference.Newest(), shuffle_rng));
    Compare(observed, Observe(*built_newest), "incremental vs Build(newest of each id)", findings);
    const auto built_side_by_side =
        CatalogSnapshot::Build(Shuffled(history, shuffle_rng), RunEachTaskOnAThreadOfItsOwn);
    Compare(observed, Observe(*built_side_by_side),
            "incremental vs Build(whole history) with its tasks side by side", findings);
    const auto replayed = CatalogSnapshot::Build({})->With(Shuffled(history, shuffle_rng));
    Compare(observed, Observe(*replayed), "incremental vs Build({})->With(whole history)",
            findings);
    findings.Report();
    steps.push_back({snapshot, expected});
  }

  // Every snapshot, held while later ones were derived from it, still answers as it did.
  for (std::size_t step = 0; step < steps.size(); ++step) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", snapshot of step " << step
                                      << ", again after step " << kSteps);
    CheckInternal(*steps[step].snapshot, "held", findings);
    Compare(Observe(*steps[step].snapshot), steps[step].expected, "held vs reference at its step",
            findings);
    findings.Report();
  }
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  findings.Summarize();
}

TEST(CatalogDifferentialTest, WithFromAnEmptySnapshotMatchesTheReferenceAndScratchBuilds) {
  for (std::uint64_t seed : kSeeds) RunDifferential(seed, Start::kEmpty);
}

TEST(CatalogDifferentialTest, WithFromABuiltSnapshotMatchesTheReferenceAndScratchBuilds) {
  for (std::uint64_t seed : kSeeds) RunDifferential(seed, Start::kBuilt);
}

TEST(CatalogDifferentialTest, CatalogApplyMatchesTheReferenceAndScratchBuilds) {
  for (std::uint64_t seed : kSeeds) RunDifferential(seed, Start::kCatalog);
}

// --- Readers during writes ------------------------------------------------------------------

TEST(CatalogDifferentialTest, ReadersSeeConsistentSnapshotsWhileAWriterApplies) {
  constexpr std::uint64_t kSeed = 7;
  constexpr int kWrites = 2'000;
  constexpr int kReaders = 2;
  constexpr int kMinReadsEach = 50;  // even if the writer finishes first

  // The batches are drawn up front, so that the writer does nothing but Apply.
  ChangeStream stream(kSeed);
  std::vector<Offers> batches;
  for (int i = 0; i < kWrites; ++i) batches.push_back(stream.NextBatch());

  Catalog catalog;
  std::atomic<bool> writing_done{false};
  std::array<Findings, kReaders> reader_findings;
  std::array<int, kReaders> reads{};

  auto read = [&](int r) {
    Findings& findings = reader_findings[static_cast<std::size_t>(r)];
    // Snapshots are published in order and a version never goes back, so neither may what one
    // reader sees of an id from one Current() to the next.
    std::map<std::string, std::int64_t> newest_seen;
    int n = 0;
    for (; !writing_done.load() || n < kMinReadsEach; ++n) {
      const std::shared_ptr<const CatalogSnapshot> snapshot = catalog.Current();
      CheckInternal(*snapshot, "reader", findings);
      for (int i = 1; i <= kIdCount; ++i) {
        const CatalogEntry* entry = snapshot->FindById(IdOf(i));
        if (!entry || !entry->offer) continue;
        std::int64_t& seen = newest_seen[std::string(entry->id)];
        if (entry->offer->version < seen) {
          findings.Add("reader: version went back",
                       VersionText(entry->offer) + " after v" + std::to_string(seen));
        }
        seen = std::max(seen, entry->offer->version);
      }
      std::this_thread::yield();  // two cores may run three threads: leave the writer room
    }
    reads[static_cast<std::size_t>(r)] = n;
  };

  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) readers.emplace_back(read, r);
  std::thread writer([&] {
    for (const Offers& batch : batches) catalog.Apply(batch);
    writing_done.store(true);
  });
  writer.join();
  for (std::thread& reader : readers) reader.join();

  for (int r = 0; r < kReaders; ++r) {
    SCOPED_TRACE(::testing::Message() << "seed " << kSeed << ", reader " << r << " ("
                                      << reads[static_cast<std::size_t>(r)] << " reads)");
    reader_findings[static_cast<std::size_t>(r)].Report();
    reader_findings[static_cast<std::size_t>(r)].Summarize();
  }

  // And the last snapshot holds every change.
  SCOPED_TRACE(::testing::Message() << "seed " << kSeed << ", after " << kWrites << " writes");
  Reference reference;
  for (const Offers& batch : batches) reference.Apply(batch);
  Findings findings;
  CheckInternal(*catalog.Current(), "final", findings);
  Compare(Observe(*catalog.Current()), reference.Expected(), "final vs reference", findings);
  findings.Report();
  findings.Summarize();
}

}  // namespace
}  // namespace uudai
