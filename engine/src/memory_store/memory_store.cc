#include "uudai/memory_store.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "memory_store/lock_set.h"
#include "memory_store/memory_store_state.h"
#include "memory_store/webhook_registry.h"

namespace uudai {
// The UsageView of a MemoryStore: exact, read under the same locks writers use.
class MemoryStore::Usage final : public UsageView {
 public:
  explicit Usage(State& state) : state_(state) {}

  OfferUsage UsageOf(const Offer& offer, std::string_view shopper_id, LocalDay day) const override {
    internal::OfferCounters* counters = state_.FindCounters(offer.id);
    if (counters == nullptr) return {};
    const auto shopper = state_.shopper_ids.Find(shopper_id);
    std::lock_guard lock(counters->mutex);
    return counters->Usage(shopper, day);
  }

  std::int64_t ShopperOrders(std::string_view shopper_id, std::string_view scope) const override {
    const auto shopper = state_.shopper_ids.Find(shopper_id);
    if (!shopper) return 0;
    if (scope == kPlatformCodeScope) {
      State::ShopperOrders& orders = state_.ShopperOrdersOf(shopper_id);
      std::lock_guard lock(orders.mutex);
      return orders.live.Get(*shopper);
    }
    internal::CampaignCounters* campaign = state_.FindCampaign(std::string(scope));
    if (campaign == nullptr) return 0;
    std::lock_guard lock(campaign->mutex);
    return campaign->LiveOrdersOf(*shopper);
  }

  std::optional<UniqueCodeInfo> FindUniqueCode(std::string_view canonical_code) const override {
    auto& shard = state_.CodeShard(canonical_code);
    std::lock_guard lock(shard.mutex);
    auto it = shard.map.find(std::string(canonical_code));
    if (it == shard.map.end()) return std::nullopt;
    return UniqueCodeInfo{it->second.offer_id, it->second.holder.empty()};
  }

 private:
  State& state_;
};

MemoryStore::MemoryStore(const Clock& clock, MemoryStoreOptions options)
    : clock_(clock),
      options_(options),
      state_(
          std::make_unique<State>(options.zone, options.render_response, options.keep_redemptions)),
      usage_(std::make_unique<Usage>(*state_)),
      events_(options.keep_redemptions ? options.event_retention : 0),
      webhooks_(std::make_unique<internal::WebhookRegistry>()) {}

MemoryStore::~MemoryStore() = default;

const UsageView& MemoryStore::usage() const { return *usage_; }

bool MemoryStore::keeps_events() const {
  return options_.keep_redemptions && options_.event_retention > 0;
}

std::uint64_t MemoryStore::Record(const StoreMutation& mutation, std::vector<StoreEvent> events) {
  if (!keeps_events()) return options_.log != nullptr ? options_.log->Append(mutation) : 0;
  std::lock_guard lock(record_mutex_);
  const std::uint64_t sequence = options_.log != nullptr ? options_.log->Append(mutation) : 0;
  events_.Append(std::move(events));
  if (options_.log == nullptr) {
    durable_event_seq_.store(events_.last_seq());
  } else {
    undurable_events_.emplace_back(sequence, events_.last_seq());
  }
  return sequence;
}

void MemoryStore::NoteDurable(std::uint64_t sequence) {
  if (!keeps_events()) return;
  // The journal makes its records durable in order: every event recorded with a mutation up to
  // `sequence` is durable.
  std::lock_guard lock(record_mutex_);
  while (!undurable_events_.empty() && undurable_events_.front().first <= sequence) {
    durable_event_seq_.store(undurable_events_.front().second);
    undurable_events_.pop_front();
  }
}

StoreEvent MemoryStore::RedemptionEvent(const Redemption& r, Timestamp at) {
  StoreEvent event;
  event.type = RedemptionEventFor(r.status);
  event.at = at;
  event.merchant_id = r.merchant_id;
  event.redemption_id = r.id;
  return event;
}

StoreEvent MemoryStore::OfferEvent(std::shared_ptr<const Offer> offer, const Offer* before) {
  StoreEvent event;
  event.type = before == nullptr ? EventType::kOfferCreated : EventType::kOfferUpdated;
  event.at = offer->updated_at;
  event.merchant_id = offer->merchant_id;
  event.offer_id = offer->id;
  if (before != nullptr) event.changed = OfferFieldsChanged(*before, *offer);
  event.offer = std::move(offer);
  return event;
}

void MemoryStore::AfterDurable(std::uint64_t sequence, std::function<void(Status)> then) {
  if (options_.log == nullptr) {
    then(Status::Ok());
    return;
  }
  options_.log->WhenDurable(sequence, [this, sequence, then = std::move(then)](Status status) {
    if (!status.ok()) {
      failed_.store(true);
      then(State::Unavailable());
      return;
    }
    NoteDurable(sequence);
    then(Status::Ok());
  });
}

// --- Orders ----------------------------------------------------------------------------------

void MemoryStore::FindLiveOrder(std::string merchant_id, std::string order_id,
                                Completion<std::optional<std::string>> done) {
  Redemption key;
  key.merchant_id = std::move(merchant_id);
  key.order_id = std::move(order_id);
  const std::string order_key = State::OrderKey(key);
  std::optional<std::string> live;
  {
    auto& shard = state_->OrderShard(order_key);
    std::lock_guard lock(shard.mutex);
    if (auto it = shard.map.find(order_key); it != shard.map.end()) live = *it->second;
  }
  done(std::move(live));
}

void MemoryStore::AppendReplayed(std::vector<StoreEvent> events) {
  if (!keeps_events() || events.empty()) return;
  events_.Append(std::move(events));
  durable_event_seq_.store(events_.last_seq());
}

void MemoryStore::ReplayEventsCarried(const EventsCarried& m) {
  if (!keeps_events()) return;
  events_.Restore(m.held, m.last_seq);
  durable_event_seq_.store(m.last_seq);
  std::unordered_map<std::string_view, std::uint8_t> announced;
  for (const auto& [offer_id, bits] : m.thresholds_announced) announced.emplace(offer_id, bits);
  state_->ForEachCounters([&](const std::string& offer_id, internal::OfferCounters& counters) {
    auto it = announced.find(offer_id);
    counters.thresholds_announced = it == announced.end() ? 0 : it->second;
  });
}

void MemoryStore::ReadEvents(EventQuery query, Completion<EventPage> done) {
  // Only what is durable: an event not yet durable may still be lost, and its seq reused.
  EventPage page = events_.Read(query, durable_event_seq_.load());
  for (StoreEvent& event : page.events) {
    if (!IsRedemptionEvent(event.type)) continue;
    auto& shard = state_->RedemptionShard(event.redemption_id);
    std::lock_guard lock(shard.mutex);
    auto it = shard.map.find(event.redemption_id);
    if (it == shard.map.end()) continue;
    event.redemption = RedemptionAsOf(it->second.Expand(event.redemption_id),
                                      it->second.created_as(), StatusOfRedemptionEvent(event.type));
  }
  done(std::move(page));
}

void MemoryStore::Replay(const StoreMutation& mutation) {
  if (std::holds_alternative<OfferWritten>(mutation) ||
      std::holds_alternative<OffersCreated>(mutation)) {
    std::unique_lock lock(state_->offers_mutex);
    std::vector<std::shared_ptr<const Offer>> written = OffersWrittenBy(mutation);
    std::vector<StoreEvent> events;
    if (keeps_events()) events.reserve(written.size());
    for (auto& offer : written) {
      if (keeps_events()) {
        const auto before = state_->offers.find(offer->id);
        events.push_back(
            OfferEvent(offer, before == state_->offers.end() ? nullptr : before->second.get()));
      }
      state_->PutOfferLocked(std::move(offer));
    }
    AppendReplayed(std::move(events));
  } else if (const auto* m = std::get_if<OfferHistoryCarried>(&mutation)) {
    if (!state_->keep_redemptions()) return;
    std::unique_lock lock(state_->offers_mutex);
    state_->earlier_versions[m->offer_id] = m->versions;
  } else if (const auto* m = std::get_if<EventsCarried>(&mutation)) {
    ReplayEventsCarried(*m);
  } else if (std::holds_alternative<WebhookCreated>(mutation) ||
             std::holds_alternative<WebhookDeleted>(mutation) ||
             std::holds_alternative<WebhookAttempted>(mutation) ||
             std::holds_alternative<WebhookRewound>(mutation)) {
    webhooks_->Apply(mutation);
  } else if (const auto* m = std::get_if<CodesIssued>(&mutation)) {
    for (const std::string& code : m->codes) {
      auto& shard = state_->CodeShard(code);
      std::lock_guard lock(shard.mutex);
      shard.map.emplace(code, State::CodeState{m->offer_id, {}});
    }
  } else if (const auto* m = std::get_if<RedemptionCreated>(&mutation)) {
    const bool response_renders =
        m->idempotency && state_->RendersAs(m->redemption, m->idempotency->response);
    internal::LockSet locks;
    state_->AddLocksFor(m->redemption, locks);
    if (m->idempotency) locks.Add(state_->IdempotencyShard(m->idempotency->scope_key).mutex);
    locks.Lock();
    std::vector<StoreEvent> events;
    if (keeps_events()) events.push_back(RedemptionEvent(m->redemption, m->redemption.created_at));
    state_->ApplyCreatedLocked(*m, /*pending=*/false, response_renders,
                               keeps_events() ? &events : nullptr);
    state_->AddLifetimeAmount(m->redemption.subtotal + m->redemption.shipping_fee);
    AppendReplayed(std::move(events));
  } else if (const auto* m = std::get_if<RedemptionTransitioned>(&mutation)) {
    ReplayTransition(*m);
  }
}

}  // namespace uudai
