#include "delivery/webhook_dispatcher.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>

#include "delivery/retry_schedule.h"
#include "json/event_json.h"
#include "webhook/webhook_signature.h"

namespace uudai::gateway {
namespace asio = boost::asio;

namespace {

// Events read per look at a webhook's queue.
constexpr std::size_t kEventsPerRead = 100;

}  // namespace

class WebhookDispatcher::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(Store& store, const Clock& clock, WebhookDispatcherOptions options)
      : store_(store),
        clock_(clock),
        options_(std::move(options)),
        work_(asio::make_work_guard(io_)),
        timer_(io_),
        client_(io_.get_executor(), options_.client),
        jitter_(std::random_device{}()) {}

  void Start() {
    thread_ = std::thread([this] { io_.run(); });
    asio::post(io_, [self = shared_from_this()] { self->Tick(); });
  }

  void Stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [self = shared_from_this()] {
      self->stopped_ = true;
      self->timer_.cancel();
      self->work_.reset();
      self->io_.stop();
    });
    thread_.join();
  }

  DeliveryMetrics metrics() const {
    std::lock_guard lock(metrics_mutex_);
    return metrics_;
  }

 private:
  struct Worker {
    Webhook webhook;                    // as last read from the store
    std::uint64_t scanned_through = 0;  // events looked at (this process's, not durable)
    bool busy = false;                  // a step is under way
    bool gone = false;                  // deleted while busy
    std::optional<StoreEvent> current;  // the event being tried
    int attempt = 0;
    Timestamp first_attempt_at;
    std::chrono::steady_clock::time_point next_try{};
    std::uint64_t last_seq = 0;  // the newest event seen written
  };

  // Runs `then` on this thread once the store answers (stores may answer on their own). What
  // waits holds the dispatcher weakly: once it is destroyed, answers still to come are dropped
  // (a strong hold from the io_context's own queue would keep it alive for ever).
  template <typename T, typename Then>
  Completion<T> OnThread(Then then) {
    return [weak = weak_from_this(), then = std::move(then)](Result<T> result) mutable {
      auto self = weak.lock();
      if (self == nullptr) return;
      asio::post(self->io_, [weak, then = std::move(then), result = std::move(result)]() mutable {
        auto self = weak.lock();
        if (self != nullptr && !self->stopped_) then(std::move(result));
      });
    };
  }

  void Tick() {
    if (stopped_) return;
    if (!store_.ready()) {
      // Attempts could not be recorded (a failed journal, Redis refusing writes): sending now
      // would only send the same events again and again.
      return ScheduleTick();
    }
    store_.ListWebhooks(std::nullopt, OnThread<std::vector<Webhook>>([this](auto listed) {
                          if (listed.ok()) Sync(listed.value());
                          UpdateMetrics();
                          ScheduleTick();
                        }));
  }

  void ScheduleTick() {
    timer_.expires_after(options_.poll_interval);
    timer_.async_wait([weak = weak_from_this()](auto ec) {
      auto self = weak.lock();
      if (!ec && self != nullptr) self->Tick();
    });
  }

  // Follows the store's list: new webhooks get a worker, deleted ones lose theirs, a rewound
  // one starts again from its delivered_through; then every idle worker due steps.
  void Sync(const std::vector<Webhook>& listed) {
    std::map<std::string, const Webhook*> by_id;
    for (const Webhook& w : listed) by_id.emplace(w.id, &w);
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (by_id.count(it->first) == 0) {
        if (it->second.busy) {
          it->second.gone = true;
          ++it;
        } else {
          it = workers_.erase(it);
        }
      } else {
        ++it;
      }
    }
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [id, webhook] : by_id) {
      auto [it, added] = workers_.try_emplace(id);
      Worker& w = it->second;
      if (w.busy) continue;
      if (added || webhook->rewinds > w.webhook.rewinds) {
        Restart(w, *webhook);
      } else if (webhook->rewinds == w.webhook.rewinds &&
                 webhook->delivered_through > w.webhook.delivered_through) {
        // Another gateway delivered meanwhile (it held the lease): go on from there. A list
        // read before this worker's last record (replies may come out of order) says nothing.
        w.webhook.delivered_through = webhook->delivered_through;
        w.scanned_through = std::max(w.scanned_through, webhook->delivered_through);
        if (w.current && w.current->seq <= webhook->delivered_through) w.current.reset();
      }
      if (w.next_try <= now) {
        Step(id);
      } else if (w.current) {
        KeepLease(id);  // waiting to retry: the webhook stays this gateway's
      }
    }
  }

  static void Restart(Worker& w, const Webhook& webhook) {
    w.webhook = webhook;
    w.scanned_through = webhook.delivered_through;
    w.current.reset();
    w.attempt = 0;
    w.next_try = {};
  }

  Worker* Find(const std::string& id) {
    auto it = workers_.find(id);
    if (it == workers_.end()) return nullptr;
    if (it->second.gone) {
      workers_.erase(it);
      return nullptr;
    }
    return &it->second;
  }

  // One step of webhook `id`'s queue: lease, then retry the current event or find the next.
  void Step(const std::string& id) {
    Worker* w = Find(id);
    if (w == nullptr) return;
    w->busy = true;
    store_.LeaseWebhook(
        id, options_.owner, options_.lease.count(), OnThread<bool>([this, id](Result<bool> held) {
          Worker* w = Find(id);
          if (w == nullptr) return;
          if (!held.ok() || !held.value()) {
            w->busy = false;  // another gateway delivers it, or the store cannot say
            return;
          }
          if (w->current) return Send(id);
          ReadNext(id);
        }));
  }

  // Renews the lease of a webhook waiting out a backoff; a lease lost meanwhile (this gateway
  // was cut off from the store for longer than the lease) leaves the event to its new holder.
  void KeepLease(const std::string& id) {
    store_.LeaseWebhook(id, options_.owner, options_.lease.count(),
                        OnThread<bool>([this, id](Result<bool> held) {
                          Worker* w = Find(id);
                          if (w == nullptr || w->busy || !held.ok() || held.value()) return;
                          w->current.reset();
                          w->scanned_through = w->webhook.delivered_through;
                          w->next_try = {};
                        }));
  }

  void ReadNext(const std::string& id) {
    Worker& w = workers_.at(id);
    EventQuery query{std::max(w.scanned_through, w.webhook.delivered_through), kEventsPerRead,
                     w.webhook.merchant_id};
    store_.ReadEvents(query, OnThread<EventPage>([this, id, query](Result<EventPage> page) {
                        Worker* w = Find(id);
                        if (w == nullptr) return;
                        if (!page.ok()) {
                          w->busy = false;
                          return;
                        }
                        w->last_seq = page->last_seq;
                        if (MissedEvents(query, page.value())) return SkipExpired(id, page.value());
                        for (StoreEvent& event : page->events) {
                          if (!WebhookWants(w->webhook, event)) continue;
                          w->scanned_through = event.seq - 1;
                          w->current = std::move(event);
                          w->attempt = 0;
                          w->first_attempt_at = clock_.Now();
                          return Send(id);
                        }
                        const bool moved = page->next_after > w->scanned_through;
                        w->scanned_through = std::max(w->scanned_through, page->next_after);
                        w->busy = false;
                        if (moved) Step(id);  // more may follow at once
                      }));
  }

  // Events the webhook had not been sent were dropped by the retention: say so in its log and
  // go on from the oldest held.
  void SkipExpired(const std::string& id, const EventPage& page) {
    DeliveryAttempt skipped;
    skipped.event_seq = page.oldest_seq > 0 ? page.oldest_seq - 1 : page.last_seq;
    skipped.at = clock_.Now();
    skipped.result = DeliveryResult::kGivenUp;
    skipped.error = "events_expired";
    Record(id, std::move(skipped));
  }

  void Send(const std::string& id) {
    Worker& w = workers_.at(id);
    const StoreEvent& event = *w.current;
    ++w.attempt;
    WebhookPost post;
    post.url = w.webhook.url;
    post.body = boost::json::serialize(EventToJson(event, options_.zone));
    const Timestamp now = clock_.Now();
    post.headers = {{std::string(kWebhookSignatureHeader),
                     WebhookSignature(w.webhook.secret, now.millis / 1000, post.body)},
                    {"Uudai-Webhook-Id", w.webhook.id},
                    {"Uudai-Event-Seq", std::to_string(event.seq)},
                    {"Uudai-Event-Type", std::string(EventTypeName(event.type))},
                    {"Uudai-Delivery-Attempt", std::to_string(w.attempt)}};
    client_.Post(std::move(post), [weak = weak_from_this(), id, now](WebhookOutcome outcome) {
      auto self = weak.lock();
      if (self == nullptr || self->stopped_) return;
      self->Sent(id, now, outcome);
    });
  }

  void Sent(const std::string& id, Timestamp sent_at, const WebhookOutcome& outcome) {
    Worker* w = Find(id);
    if (w == nullptr) return;
    DeliveryAttempt attempt;
    attempt.event_seq = w->current->seq;
    attempt.event_type = w->current->type;
    attempt.attempt = w->attempt;
    attempt.at = sent_at;
    attempt.status = outcome.status;
    attempt.error = outcome.error;
    attempt.latency_millis = outcome.latency.count();
    const bool expired =
        clock_.Now().millis - w->first_attempt_at.millis >= options_.retry_period.count();
    attempt.result = outcome.delivered() ? DeliveryResult::kDelivered
                     : expired           ? DeliveryResult::kGivenUp
                                         : DeliveryResult::kRetrying;
    {
      std::lock_guard lock(metrics_mutex_);
      ++metrics_.attempts;
      if (!outcome.delivered()) ++metrics_.failures;
    }
    if (attempt.error.starts_with("refused")) {
      // The log a merchant reads says no more than that: what the name resolved to (an
      // internal address, perhaps) is for the operator.
      spdlog::warn("webhook {}: {}", id, attempt.error);
      attempt.error = "refused: the target is not allowed (--webhook-allow)";
    }
    Record(id, std::move(attempt));
  }

  void Record(const std::string& id, DeliveryAttempt attempt) {
    const Worker& w = workers_.at(id);
    const DeliveryResult result = attempt.result;
    const std::uint64_t seq = attempt.event_seq;
    store_.RecordWebhookAttempt(
        id, w.webhook.rewinds, std::move(attempt),
        OnThread<Webhook>([this, id, result, seq](Result<Webhook> recorded) {
          Worker* w = Find(id);
          if (w == nullptr) return;
          if (!recorded.ok()) {
            if (recorded.status().code() == StatusCode::kNotFound) {
              workers_.erase(id);  // deleted meanwhile
              return;
            }
            // Not recorded (store unavailable): try the event again after a backoff.
            Backoff(*w);
            return;
          }
          if (result == DeliveryResult::kGivenUp) {
            std::lock_guard lock(metrics_mutex_);
            ++metrics_.given_up;
          }
          if (recorded->rewinds != w->webhook.rewinds) {
            Restart(*w, recorded.value());  // an operator asked for a redeliver meanwhile
          } else {
            w->webhook = recorded.value();
          }
          if (result == DeliveryResult::kRetrying) {
            Backoff(*w);
            return;
          }
          if (w->current && w->current->seq == seq) {
            w->current.reset();
            w->scanned_through = std::max(w->scanned_through, seq);
          }
          w->busy = false;
          Step(id);
        }));
  }

  void Backoff(Worker& w) {
    w.next_try = std::chrono::steady_clock::now() +
                 RetryDelay(w.attempt, options_.first_backoff, options_.max_backoff, jitter_);
    w.busy = false;
  }

  void UpdateMetrics() {
    std::uint64_t pending = 0;
    std::int64_t oldest_millis = 0;
    const Timestamp now = clock_.Now();
    for (const auto& [id, w] : workers_) {
      if (w.last_seq > w.webhook.delivered_through)
        pending += w.last_seq - w.webhook.delivered_through;
      if (w.current) oldest_millis = std::max(oldest_millis, now.millis - w.current->at.millis);
    }
    std::lock_guard lock(metrics_mutex_);
    metrics_.pending = pending;
    metrics_.oldest_undelivered_seconds = static_cast<double>(oldest_millis) / 1000.0;
  }

  Store& store_;
  const Clock& clock_;
  const WebhookDispatcherOptions options_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::steady_timer timer_;
  WebhookClient client_;
  std::minstd_rand jitter_;
  std::thread thread_;
  bool stopped_ = false;                   // on the thread
  std::map<std::string, Worker> workers_;  // on the thread
  mutable std::mutex metrics_mutex_;
  DeliveryMetrics metrics_;  // GUARDED_BY metrics_mutex_
};

WebhookDispatcher::WebhookDispatcher(Store& store, const Clock& clock,
                                     WebhookDispatcherOptions options)
    : impl_(std::make_shared<Impl>(store, clock, std::move(options))) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

void WebhookDispatcher::Start() { impl_->Start(); }
void WebhookDispatcher::Stop() { impl_->Stop(); }

DeliveryMetrics WebhookDispatcher::metrics() const { return impl_->metrics(); }

std::string WebhookDispatcher::RenderMetrics() const {
  const DeliveryMetrics m = metrics();
  std::string out;
  out += "# HELP uudai_webhook_attempts_total Webhook delivery attempts.\n";
  out += "# TYPE uudai_webhook_attempts_total counter\n";
  out += "uudai_webhook_attempts_total " + std::to_string(m.attempts) + "\n";
  out += "# HELP uudai_webhook_failures_total Webhook delivery attempts without a 2xx answer.\n";
  out += "# TYPE uudai_webhook_failures_total counter\n";
  out += "uudai_webhook_failures_total " + std::to_string(m.failures) + "\n";
  out += "# HELP uudai_webhook_given_up_total Events given up after the retry period.\n";
  out += "# TYPE uudai_webhook_given_up_total counter\n";
  out += "uudai_webhook_given_up_total " + std::to_string(m.given_up) + "\n";
  out +=
      "# HELP uudai_webhook_pending_events Events after the delivered_through of the webhooks "
      "this gateway delivers.\n";
  out += "# TYPE uudai_webhook_pending_events gauge\n";
  out += "uudai_webhook_pending_events " + std::to_string(m.pending) + "\n";
  out += "# HELP uudai_webhook_oldest_undelivered_seconds Age of the oldest event being tried.\n";
  out += "# TYPE uudai_webhook_oldest_undelivered_seconds gauge\n";
  out += "uudai_webhook_oldest_undelivered_seconds " +
         std::to_string(m.oldest_undelivered_seconds) + "\n";
  return out;
}

}  // namespace uudai::gateway
