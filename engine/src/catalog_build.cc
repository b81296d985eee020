// CatalogSnapshot::Build: a snapshot of every offer at once, as start-up needs it.
//
// The same snapshot as Put of each offer in turn onto an empty one, built in passes instead:
// the offers ranked by id to keep the newest version of each, the kept ones compiled into
// entries, then each index bulk-loaded. Each pass is cut into tasks that `run_tasks` may run
// side by side: ranking and compiling a slice of the offers each, then one task an index.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "catalog_indexing.h"
#include "uudai/catalog.h"

namespace uudai {
namespace {

using catalog_indexing::Compile;
using catalog_indexing::ForEachAutoHome;

// Slices of the offers ranked, and compiled, by a task each: a few for each core of a small
// machine, so that one slow slice does not leave a core idle for long.
// The shops' auto-applied lists are built the same way, a range of shop-id hashes (by their
// top bits) a task.
constexpr unsigned kSliceBits = 2;
constexpr std::size_t kSlices = std::size_t{1} << kSliceBits;

std::size_t HashRangeOf(std::uint64_t hash) {
  return static_cast<std::size_t>(hash >> (64 - kSliceBits));
}

// Where slice `slice` of `count` items begins (slice kSlices: the end).
std::size_t SliceStart(std::size_t count, std::size_t slice) { return count * slice / kSlices; }

void RunAll(const CatalogSnapshot::RunTasks& run_tasks, const CatalogSnapshot::Tasks& tasks) {
  if (run_tasks) return run_tasks(tasks);
  for (const auto& task : tasks) task();
}

// Sorted by layer, then by id, without repeats (a shop listed twice by one offer holds it
// once): as AutoOfferLists::FromSorted takes them.
void SortByLayerAndId(std::vector<CatalogEntry>& list) {
  std::sort(list.begin(), list.end(), [](const CatalogEntry& a, const CatalogEntry& b) {
    return a.layer != b.layer ? a.layer < b.layer : a.id < b.id;
  });
  list.erase(std::unique(list.begin(), list.end(),
                         [](const CatalogEntry& a, const CatalogEntry& b) {
                           return a.layer == b.layer && a.id == b.id;
                         }),
             list.end());
}

}  // namespace

std::shared_ptr<const CatalogSnapshot> CatalogSnapshot::Build(
    std::vector<std::shared_ptr<const Offer>> offers, const RunTasks& run_tasks) {
  const std::size_t count = offers.size();

  // 1. Offers ordered by id (by the id's hash first: cheaper than comparing text, and the order
  // the id index is loaded in), then by position: each slice sorted by a task, then merged.
  struct Ranked {
    std::uint64_t hash;
    std::size_t index;
  };
  auto ranked_before = [&offers](const Ranked& a, const Ranked& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (const int order = offers[a.index]->id.compare(offers[b.index]->id); order != 0) {
      return order < 0;
    }
    return a.index < b.index;
  };
  std::vector<Ranked> ranked(count);
  {
    Tasks tasks;
    for (std::size_t slice = 0; slice < kSlices; ++slice) {
      tasks.emplace_back([&, slice] {
        const std::size_t begin = SliceStart(count, slice);
        const std::size_t end = SliceStart(count, slice + 1);
        for (std::size_t i = begin; i < end; ++i) {
          ranked[i] = {PersistentStringMap<EntryPtr>::Hash(offers[i]->id), i};
        }
        std::sort(ranked.begin() + static_cast<std::ptrdiff_t>(begin),
                  ranked.begin() + static_cast<std::ptrdiff_t>(end), ranked_before);
      });
    }
    RunAll(run_tasks, tasks);
    for (std::size_t width = 1; width < kSlices; width *= 2) {
      for (std::size_t slice = 0; slice + width < kSlices; slice += 2 * width) {
        const auto at = [&](std::size_t s) {
          return ranked.begin() + static_cast<std::ptrdiff_t>(SliceStart(count, s));
        };
        std::inplace_merge(at(slice), at(slice + width), at(std::min(slice + 2 * width, kSlices)),
                           ranked_before);
      }
    }
  }

  // 2. The version kept of each id, in hash order: the last of the id's run with the highest
  // version (an equal one later in the list replaces an earlier one, as Put does).
  std::vector<std::size_t> kept;
  kept.reserve(count);
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
    kept.push_back(winner);
    r = next;
  }
  std::vector<Ranked>().swap(ranked);

  // 3. Entries compiled, a slice of `kept` a task, each into its own parts of the indexes.
  struct CodeHome {
    std::string_view scope;
    const std::string* code;
    EntryPtr entry;
  };
  struct AutoHome {  // one (shop, entry) pair of the shops' auto-applied lists
    std::uint64_t shop_hash;
    const std::string* shop;
    const CatalogEntry* entry;
  };
  struct Parts {
    std::vector<std::pair<std::string, EntryPtr>> by_id;  // in hash order
    std::vector<std::pair<std::string, std::int64_t>> archived;
    std::vector<CodeHome> codes;
    std::array<std::vector<AutoHome>, kSlices> homes;  // by HashRangeOf(shop_hash)
    std::vector<CatalogEntry> open;
  };
  std::array<Parts, kSlices> parts;
  {
    Tasks tasks;
    for (std::size_t slice = 0; slice < kSlices; ++slice) {
      tasks.emplace_back([&, slice] {
        Parts& out = parts[slice];
        const std::size_t begin = SliceStart(kept.size(), slice);
        const std::size_t end = SliceStart(kept.size(), slice + 1);
        out.by_id.reserve(end - begin);
        for (std::size_t k = begin; k < end; ++k) {
          const std::shared_ptr<const Offer>& offer = offers[kept[k]];
          if (offer->status == OfferStatus::kArchived) {
            out.archived.emplace_back(offer->id, offer->version);
            continue;
          }
          auto entry = std::make_shared<const CatalogEntry>(Compile(offer));
          if (offer->code_mode == CodeMode::kPublic && offer->code) {
            out.codes.push_back({CodeScopeOf(*offer), &*offer->code, entry});
          }
          ForEachAutoHome(*offer, [&](const std::string* shop) {
            if (shop == nullptr) {
              out.open.push_back(*entry);
            } else {
              const std::uint64_t hash = PersistentStringMap<EntryPtr>::Hash(*shop);
              out.homes[HashRangeOf(hash)].push_back({hash, shop, entry.get()});
            }
          });
          out.by_id.emplace_back(offer->id, std::move(entry));
        }
      });
    }
    RunAll(run_tasks, tasks);
  }

  // 4. Each index loaded by a task of its own from the parts of every slice.
  std::shared_ptr<CatalogSnapshot> snapshot(new CatalogSnapshot());
  Tasks tasks;
  tasks.emplace_back([&] {
    std::vector<std::pair<std::string, EntryPtr>> by_id;
    by_id.reserve(kept.size());
    for (Parts& part : parts) std::move(part.by_id.begin(), part.by_id.end(), back_inserter(by_id));
    snapshot->by_id_ = PersistentStringMap<EntryPtr>::FromEntries(std::move(by_id));
  });
  tasks.emplace_back([&] {
    std::vector<std::pair<std::string, std::int64_t>> archived;
    std::vector<CodeHome> codes;
    for (Parts& part : parts) {
      std::move(part.archived.begin(), part.archived.end(), back_inserter(archived));
      std::move(part.codes.begin(), part.codes.end(), back_inserter(codes));
    }
    snapshot->archived_versions_ =
        PersistentStringMap<std::int64_t>::FromEntries(std::move(archived));
    // Scope → code → holders by id: each scope and each code one run once sorted.
    std::sort(codes.begin(), codes.end(), [](const CodeHome& a, const CodeHome& b) {
      return std::tie(a.scope, *a.code, a.entry->id) < std::tie(b.scope, *b.code, b.entry->id);
    });
    std::vector<std::pair<std::string, PersistentStringMap<CodeHolders>>> scopes;
    for (std::size_t first = 0; first < codes.size();) {
      std::vector<std::pair<std::string, CodeHolders>> scope_codes;
      std::size_t next = first;
      for (; next < codes.size() && codes[next].scope == codes[first].scope;) {
        CodeHolders holders;
        const std::size_t code_first = next;
        for (; next < codes.size() && codes[next].scope == codes[first].scope &&
               *codes[next].code == *codes[code_first].code;
             ++next) {
          holders.push_back(std::move(codes[next].entry));
        }
        scope_codes.emplace_back(*codes[code_first].code, std::move(holders));
      }
      scopes.emplace_back(std::string(codes[first].scope),
                          PersistentStringMap<CodeHolders>::FromEntries(std::move(scope_codes)));
      first = next;
    }
    snapshot->by_public_code_ =
        PersistentStringMap<PersistentStringMap<CodeHolders>>::FromEntries(std::move(scopes));
  });
  using ShopLists = std::vector<std::pair<std::string, AutoOfferLists>>;
  std::array<ShopLists, kSlices> shop_lists;  // by range of shop-id hashes
  for (std::size_t range = 0; range < kSlices; ++range) {
    tasks.emplace_back([&, range] {
      std::vector<AutoHome> homes;
      for (Parts& part : parts) {
        homes.insert(homes.end(), part.homes[range].begin(), part.homes[range].end());
      }
      // By shop (hash, then text), then by layer and id: each shop's lists are one run, in the
      // order AutoOfferLists keeps them, a shop listed twice by one offer kept once. Cheaper at
      // a million offers than growing a list per shop in a hash map.
      std::sort(homes.begin(), homes.end(), [](const AutoHome& a, const AutoHome& b) {
        if (a.shop_hash != b.shop_hash) return a.shop_hash < b.shop_hash;
        if (const int order = a.shop->compare(*b.shop); order != 0) return order < 0;
        if (a.entry->layer != b.entry->layer) return a.entry->layer < b.entry->layer;
        return a.entry->id < b.entry->id;
      });
      for (std::size_t first = 0; first < homes.size();) {
        std::size_t end = first + 1;
        while (end < homes.size() && homes[end].shop_hash == homes[first].shop_hash &&
               *homes[end].shop == *homes[first].shop) {
          ++end;
        }
        std::vector<CatalogEntry> entries;
        entries.reserve(end - first);
        for (std::size_t h = first; h < end; ++h) {
          if (entries.empty() || entries.back().id != homes[h].entry->id) {
            entries.push_back(*homes[h].entry);
          }
        }
        shop_lists[range].emplace_back(*homes[first].shop,
                                       AutoOfferLists::FromSorted(std::move(entries)));
        first = end;
      }
    });
  }
  tasks.emplace_back([&] {
    std::vector<CatalogEntry> open;
    for (Parts& part : parts) open.insert(open.end(), part.open.begin(), part.open.end());
    SortByLayerAndId(open);
    snapshot->open_auto_ = AutoOfferLists::FromSorted(std::move(open));
  });
  RunAll(run_tasks, tasks);
  ShopLists merchants;
  for (ShopLists& range : shop_lists) {
    std::move(range.begin(), range.end(), back_inserter(merchants));
  }
  snapshot->auto_by_merchant_ =
      PersistentStringMap<AutoOfferLists>::FromEntries(std::move(merchants));
  return snapshot;
}

}  // namespace uudai
