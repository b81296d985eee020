// The demo October campaign ("Tháng tiêu dùng số") that `uudai serve --demo` registers on an
// empty store, so a newcomer has something to quote against at once.
#ifndef UUDAI_GATEWAY_APP_DEMO_CAMPAIGN_H_
#define UUDAI_GATEWAY_APP_DEMO_CAMPAIGN_H_

#include <string>
#include <vector>

#include "uudai/status.h"
#include "uudai/store.h"
#include "uudai/unique_code.h"

namespace uudai::gateway {

struct DemoResult {
  std::size_t offers = 0;
  std::vector<std::string> unique_codes;  // issued for the demo's unique-code offer
};

// Registers the demo offers (fixed ids "demo-…") unless the store already has offers.
// Times: October of `year` in UTC+07:00. Blocks until the store has answered.
Result<DemoResult> LoadDemoCampaign(Store& store, RandomSource& random, Timestamp now, int year);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_APP_DEMO_CAMPAIGN_H_
