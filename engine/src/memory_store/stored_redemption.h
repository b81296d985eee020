// StoredRedemption: a redemption as MemoryStore keeps it in its ledger — compact, because
// the ledger stays in memory for the whole campaign (and the Redis mode's view mirrors it).
//
// Its id is the key it is stored under, not kept again. Each applied offer keeps only its
// code and discount (or cashback); the rest of what was recorded at creation (offer and merchant
// ids, layer, version, refund policy, funder) is a Terms shared by every redemption of the same
// offer terms (OfferCounters::InternTerms). That is ~0.5 KB less per redemption than a Redemption.
// Expand() gives the whole Redemption back, equal to the one stored.
//
// Thread-compatible: the owner (MemoryStore::State) holds the redemption shard's lock.
#ifndef UUDAI_ENGINE_MEMORY_STORE_STORED_REDEMPTION_H_
#define UUDAI_ENGINE_MEMORY_STORE_STORED_REDEMPTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "uudai/redemption.h"

namespace uudai::internal {

class StoredRedemption {
 public:
  // An applied offer without its code and amounts (code nullopt, discount and cashback 0).
  using Terms = std::shared_ptr<const RedeemedOffer>;

  // `r` as created. REQUIRES: terms[i] is r.applied[i] without its code and amounts.
  StoredRedemption(const Redemption& r, const std::vector<Terms>& terms);

  // The redemption, whose id is `id` (the key it is stored under).
  Redemption Expand(const std::string& id) const;

  RedemptionStatus status() const { return head_.status; }
  Timestamp created_at() const { return head_.created_at; }
  // The status it was created with (reserved, or committed at once).
  RedemptionStatus created_as() const { return created_as_; }
  // Its position in creation order (MemoryStore::State::LedgerIds).
  std::uint64_t sequence() const { return sequence_; }
  void set_sequence(std::uint64_t sequence) { sequence_ = sequence; }

  // Takes the status and transition times of `r`: this redemption after a transition.
  void TakeStateOf(const Redemption& r);

 private:
  struct Applied {
    Terms terms;
    std::optional<std::string> code;
    // The discount, or minus the cashback (one of the two is 0): one field for either.
    Money amount = 0;
  };

  Redemption head_;  // everything but the id and the applied offers
  std::vector<Applied> applied_;
  std::uint64_t sequence_ = 0;
  RedemptionStatus created_as_;
};

}  // namespace uudai::internal

#endif  // UUDAI_ENGINE_MEMORY_STORE_STORED_REDEMPTION_H_
