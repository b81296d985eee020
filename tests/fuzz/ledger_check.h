// Reconciliation of a MemoryStore after a fuzz run: the usage counters quotes read equal what
// the ledger of redemptions implies, and no limit, code or order is used more than allowed.
#ifndef UUDAI_TESTS_FUZZ_LEDGER_CHECK_H_
#define UUDAI_TESTS_FUZZ_LEDGER_CHECK_H_

#include "uudai/campaign_time.h"
#include "uudai/memory_store.h"

namespace uudai::fuzz {

// Aborts (FUZZ_CHECK) unless, for every offer of `store`:
// - its usage counters (redemptions, budget spent, per shopper, per local day) equal the counts
//   of the redemptions that hold it: reserved or committed, or refunded without restoring;
// - if never edited (version 1), those counts are within its limits;
// and every unique code and every (merchant, order) pair is held by at most one live
// redemption. O(offers × ledger): for small fuzz-sized stores.
void RequireLedgerMatchesCounters(const MemoryStore& store, const CampaignZone& zone);

}  // namespace uudai::fuzz

#endif  // UUDAI_TESTS_FUZZ_LEDGER_CHECK_H_
