// MemoryStore: reading the ledger (exports, reconciliation).
#include <algorithm>

#include "memory_store/memory_store_state.h"
#include "uudai/memory_store.h"

namespace uudai {
namespace {

// Most ledger entries one ReadLedger call looks at, per row it may return: a narrow time
// filter over a long ledger then answers in bounded time, with fewer rows and done() false.
constexpr std::size_t kScanPerRow = 16;

bool InRange(Timestamp created_at, const LedgerPageQuery& query) {
  return (!query.from || created_at >= *query.from) && (!query.to || created_at < *query.to);
}

}  // namespace

void MemoryStore::ReadLedger(LedgerPageQuery query, Completion<LedgerPage> done) {
  LedgerPage page;
  const std::uint64_t size = state_->LedgerSize();
  page.end = query.end == 0 ? size : std::min(query.end, size);
  const std::size_t limit = std::max<std::size_t>(1, query.limit);
  std::size_t scan_budget = limit * kScanPerRow;
  std::uint64_t position = query.start;
  while (page.rows.size() < limit && position < page.end && scan_budget > 0) {
    const auto ids =
        state_->LedgerIds(position, page.end, std::min(limit - page.rows.size(), scan_budget));
    if (ids.empty()) break;
    for (const std::string& id : ids) {
      ++position;
      --scan_budget;
      auto& shard = state_->RedemptionShard(id);
      std::lock_guard lock(shard.mutex);
      if (auto it = shard.map.find(id);
          it != shard.map.end() && InRange(it->second.created_at(), query)) {
        page.rows.push_back(it->second.Expand(id));
      }
    }
  }
  page.next = std::max(position, query.start);
  done(std::move(page));
}

std::vector<Redemption> MemoryStore::LedgerSnapshot() const {
  std::vector<Redemption> out;
  for (auto& shard : state_->redemption_shards()) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [id, stored] : shard.map) out.push_back(stored.Expand(id));
  }
  std::sort(out.begin(), out.end(),
            [](const Redemption& a, const Redemption& b) { return a.id < b.id; });
  return out;
}

}  // namespace uudai
