// CheckStoreStillAnswers: after a fuzz target replayed whatever it decoded into a MemoryStore,
// the store's reads must still answer (campaign stats and a ledger page).
#ifndef UUDAI_TESTS_FUZZ_STORE_ANSWERS_H_
#define UUDAI_TESTS_FUZZ_STORE_ANSWERS_H_

#include "fuzz_check.h"
#include "uudai/memory_store.h"

namespace uudai::fuzz {

inline void CheckStoreStillAnswers(MemoryStore& store) {
  bool answered = false;
  store.GetCampaignStats({}, [&answered](Result<CampaignStats>) { answered = true; });
  FUZZ_CHECK(answered, "campaign stats never answered after the replay");
  answered = false;
  store.ReadLedger({}, [&answered](Result<LedgerPage>) { answered = true; });
  FUZZ_CHECK(answered, "the ledger never answered after the replay");
}

}  // namespace uudai::fuzz

#endif  // UUDAI_TESTS_FUZZ_STORE_ANSWERS_H_
