#include "redis/redis_cluster.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string_view>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/cluster_reply.h"
#include "redis/redis_connection.h"
#include "redis/redis_slot.h"

namespace uudai::gateway {
namespace net = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Never read the map more often than this, however many redirects ask.
constexpr auto kMinRefreshGap = std::chrono::milliseconds(100);
// While no map is known (starting, every node down): how often to try again.
constexpr auto kRetryWithoutMap = std::chrono::milliseconds(50);
// How long a command answered TRYAGAIN waits before it is sent again.
constexpr auto kTryAgainPause = std::chrono::milliseconds(25);
// How often a command waiting for a new node's connection looks again.
constexpr auto kConnectPoll = std::chrono::milliseconds(5);

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

Status Unavailable(std::string why) {
  return Status(StatusCode::kUnavailable, "redis cluster: " + std::move(why));
}

}  // namespace

class RedisCluster::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(net::io_context& io, RedisOptions options)
      : io_(io), options_(std::move(options)), refresh_timer_(io), slot_node_(kRedisClusterSlots) {}

  void Start() {
    net::post(io_, [self = shared_from_this()] {
      if (self->started_ || self->stopped_) return;
      self->started_ = true;
      self->Refresh();
    });
  }

  void Stop() {
    if (stop_requested_.exchange(true)) return;
    net::post(io_, [self = shared_from_this()] { self->DoStop(); });
  }

  bool connected() const {
    std::lock_guard lock(snapshot_mutex_);
    return std::any_of(primaries_.begin(), primaries_.end(),
                       [](const auto& connection) { return connection->connected(); });
  }

  bool connected_for(std::string_view key) const {
    std::lock_guard lock(snapshot_mutex_);
    if (slot_connections_ == nullptr) return false;
    const auto& connection = (*slot_connections_)[static_cast<std::size_t>(RedisKeySlot(key))];
    return connection != nullptr && connection->connected();
  }

  std::string last_error() const {
    {
      std::lock_guard lock(snapshot_mutex_);
      for (const auto& connection : primaries_) {
        if (!connection->connected()) {
          if (std::string error = connection->last_error(); !error.empty()) return error;
        }
      }
    }
    std::lock_guard lock(error_mutex_);
    return map_error_;
  }

  std::uint64_t maps_read() const { return maps_read_.load(std::memory_order_relaxed); }

  // A command or a function call on its way to a node.
  struct Request {
    std::vector<std::string> argv;  // a command
    std::optional<RedisFunction> function;
    std::vector<std::string> keys, args;  // a function call
    int slot = -1;                        // -1: any primary
    int redirects = 0;                    // MOVED and ASK followed
    SteadyClock::time_point tried_until;  // TRYAGAIN is retried until then
    Callback done;
  };

  void Submit(std::shared_ptr<Request> request) {
    request->tried_until = SteadyClock::now() + options_.command_timeout;
    if (io_.get_executor().running_in_this_thread()) return Route(std::move(request));
    net::post(io_, [self = shared_from_this(), request = std::move(request)]() mutable {
      self->Route(std::move(request));
    });
  }

 private:
  struct Node {
    RedisAddress address;
    std::string name;  // address.ToString()
    std::shared_ptr<RedisConnection> connection;
  };

  // --- Routing (io_context thread) -----------------------------------------------------------

  void Route(std::shared_ptr<Request> request) {
    if (stopped_) return Answer(std::move(request), Unavailable("stopped"));
    std::shared_ptr<Node> node;
    if (request->slot >= 0) {
      node = slot_node_[static_cast<std::size_t>(request->slot)];
    } else {
      node = AnyPrimary();
    }
    if (node == nullptr) {
      RequestRefresh();
      return Answer(
          std::move(request),
          Unavailable(map_known_ ? "slot " + std::to_string(request->slot) + " is served by no node"
                                 : "the map of slots is not known yet: " + MapError()));
    }
    // A node the last map added may not be connected yet (a replica just promoted).
    SendWhenConnected(std::move(request), std::move(node), /*asking=*/false);
  }

  std::shared_ptr<Node> AnyPrimary() const {
    std::shared_ptr<Node> any;
    for (const auto& node : nodes_) {
      if (!is_primary(*node)) continue;
      if (node->connection->connected()) return node;
      if (any == nullptr) any = node;
    }
    return any;
  }

  void Send(std::shared_ptr<Request> request, const std::shared_ptr<Node>& node, bool asking) {
    // ASKING holds for the next command on the connection only: both are sent back to back.
    if (asking) node->connection->Command({"ASKING"}, [](const Result<RedisReply>&) {});
    auto on_reply = [self = shared_from_this(), request, node](Result<RedisReply> reply) mutable {
      self->OnReply(std::move(request), *node, std::move(reply));
    };
    if (request->function) {
      node->connection->Call(*request->function, request->keys, request->args, std::move(on_reply));
    } else {
      node->connection->Command(request->argv, std::move(on_reply));
    }
  }

  void OnReply(std::shared_ptr<Request> request, const Node& node, Result<RedisReply> reply) {
    if (!reply.ok()) {
      // The node may be down and its replica promoted: learn the new map for the next command.
      // (A call refused for want of replicas leaves the connection up: nothing to learn.)
      if (!node.connection->connected()) RequestRefresh();
      return request->done(std::move(reply));
    }
    if (!reply->is_error()) return request->done(std::move(reply));
    const std::string& message = reply->str();
    if (IsClusterRedirect(message)) {
      const auto redirect = ParseClusterRedirect(message, node.address);
      if (!redirect) return request->done(Unavailable("unreadable redirect: " + message));
      if (++request->redirects > kMaxRedirects) {
        return request->done(Unavailable("too many redirects, the last: " + message));
      }
      std::shared_ptr<Node> target = FindOrAddNode(redirect->address);
      Count(redirect->ask ? &RedisCounters::asked : &RedisCounters::moved);
      if (!redirect->ask) {
        slot_node_[static_cast<std::size_t>(redirect->slot)] = target;
        RequestRefresh();
      }
      return SendWhenConnected(std::move(request), std::move(target), redirect->ask);
    }
    if (StartsWith(message, "TRYAGAIN")) {
      // A migration in progress: asked again every kTryAgainPause until the command's own
      // timeout has passed since it was first sent.
      if (SteadyClock::now() + kTryAgainPause >= request->tried_until) {
        return request->done(Unavailable("still migrating: " + message));
      }
      Count(&RedisCounters::tried_again);
      auto timer = std::make_shared<net::steady_timer>(io_, kTryAgainPause);
      // The redirects on the way to the TRYAGAIN are not counted against the next attempt.
      request->redirects = 0;
      timer->async_wait([self = shared_from_this(), timer,
                         request = std::move(request)](const boost::system::error_code&) mutable {
        self->Route(std::move(request));
      });
      return;
    }
    if (StartsWith(message, "CLUSTERDOWN")) {
      RequestRefresh();
      return request->done(Unavailable(message));
    }
    // A script that met a key of a slot being migrated stopped there: not an answer of the
    // store's (the caller treats kUnavailable as "may have run").
    if (message.find("non local key") != std::string::npos) {
      RequestRefresh();
      return request->done(Unavailable(message));
    }
    request->done(std::move(reply));
  }

  // A node just learnt of (a redirect) has no connection up yet: wait for it a little (at
  // most connect_timeout) rather than answer kUnavailable at once.
  void SendWhenConnected(std::shared_ptr<Request> request, std::shared_ptr<Node> node,
                         bool asking) {
    if (node->connection->connected() || stopped_) return Send(std::move(request), node, asking);
    auto timer = std::make_shared<net::steady_timer>(io_);
    WaitForConnection(std::move(timer), SteadyClock::now() + options_.connect_timeout,
                      std::move(request), std::move(node), asking);
  }

  void WaitForConnection(std::shared_ptr<net::steady_timer> timer, SteadyClock::time_point until,
                         std::shared_ptr<Request> request, std::shared_ptr<Node> node,
                         bool asking) {
    timer->expires_after(kConnectPoll);
    timer->async_wait([self = shared_from_this(), timer, until, request = std::move(request),
                       node = std::move(node), asking](const boost::system::error_code&) mutable {
      if (node->connection->connected() || self->stopped_ || SteadyClock::now() >= until) {
        return self->Send(std::move(request), node, asking);
      }
      self->WaitForConnection(std::move(timer), until, std::move(request), std::move(node), asking);
    });
  }

  void Answer(std::shared_ptr<Request> request, Status status) {
    net::post(io_, [request = std::move(request), status = std::move(status)]() mutable {
      request->done(std::move(status));
    });
  }

  // --- The map of slots (io_context thread) --------------------------------------------------

  void Count(std::atomic<std::uint64_t> RedisCounters::*counter) const {
    if (options_.counters)
      (options_.counters.get()->*counter).fetch_add(1, std::memory_order_relaxed);
  }

  bool is_primary(const Node& node) const {
    return std::find(primary_names_.begin(), primary_names_.end(), node.name) !=
           primary_names_.end();
  }

  std::shared_ptr<Node> FindOrAddNode(const RedisAddress& address) {
    const std::string name = address.ToString();
    for (const auto& node : nodes_) {
      if (node->name == name) return node;
    }
    RedisOptions node_options = options_;
    node_options.url = options_.url.AtNode(address);
    auto node = std::make_shared<Node>(
        Node{address, name, RedisConnection::Create(io_, std::move(node_options))});
    node->connection->Start();
    nodes_.push_back(node);
    return node;
  }

  // Reads the map now, or as soon as the one in flight is answered, or kMinRefreshGap after
  // the last one.
  void RequestRefresh() {
    if (stopped_ || !started_) return;
    if (refresh_in_flight_) {
      refresh_wanted_ = true;
      return;
    }
    const auto due = last_refresh_ + kMinRefreshGap;
    if (SteadyClock::now() >= due) return Refresh();
    ScheduleRefresh(due);
  }

  void ScheduleRefresh(SteadyClock::time_point at) {
    if (refresh_scheduled_ && scheduled_at_ <= at) return;
    refresh_scheduled_ = true;
    scheduled_at_ = at;
    refresh_timer_.expires_at(at);
    refresh_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return;  // rescheduled or stopped
      self->refresh_scheduled_ = false;
      if (self->refresh_in_flight_) {
        self->refresh_wanted_ = true;
        return;
      }
      self->Refresh();
    });
  }

  // Asks a connected node (a primary first, then any other, then the seeds) for CLUSTER SLOTS.
  void Refresh() {
    if (stopped_) return;
    last_refresh_ = SteadyClock::now();
    std::shared_ptr<Node> asked;
    for (const auto& node : nodes_) {
      if (!node->connection->connected()) continue;
      if (asked == nullptr || (is_primary(*node) && !is_primary(*asked))) asked = node;
    }
    if (asked == nullptr) {
      // Nothing connected: make sure every seed has a connection, and look again shortly.
      for (const auto& seed : options_.url.cluster_seeds) FindOrAddNode(seed);
      for (const auto& node : nodes_) {
        if (std::string error = node->connection->last_error(); !error.empty()) {
          NoteMapError("no node answers (" + node->name + ": " + error + ")");
          break;
        }
      }
      ScheduleRefresh(SteadyClock::now() + kRetryWithoutMap);
      return;
    }
    refresh_in_flight_ = true;
    asked->connection->Command({"CLUSTER", "SLOTS"}, [self = shared_from_this(),
                                                      asked](Result<RedisReply> reply) {
      self->refresh_in_flight_ = false;
      if (self->stopped_) return;
      Status applied = reply.ok() ? self->ApplyMap(reply.value(), asked->address) : reply.status();
      if (!applied.ok()) self->NoteMapError(applied.message());
      if (!applied.ok() || !self->map_known_) {
        self->ScheduleRefresh(SteadyClock::now() + kRetryWithoutMap);
      } else if (self->refresh_wanted_) {
        self->refresh_wanted_ = false;
        self->RequestRefresh();
      } else {
        self->ScheduleRefresh(SteadyClock::now() + self->options_.cluster_refresh_interval);
      }
    });
  }

  // Routes by the map in `reply` (CLUSTER SLOTS, from the node at `asked`).
  Status ApplyMap(const RedisReply& reply, const RedisAddress& asked) {
    auto ranges = ParseClusterSlots(reply, asked);
    if (!ranges.ok()) return ranges.status();
    std::vector<std::shared_ptr<Node>> slots(kRedisClusterSlots);
    std::vector<std::string> primaries;
    for (const SlotRange& range : ranges.value()) {
      std::shared_ptr<Node> node = FindOrAddNode(range.primary);
      if (std::find(primaries.begin(), primaries.end(), node->name) == primaries.end()) {
        primaries.push_back(node->name);
      }
      for (int slot = range.first; slot <= range.last; ++slot) {
        slots[static_cast<std::size_t>(slot)] = node;
      }
    }
    slot_node_ = std::move(slots);
    primary_names_ = std::move(primaries);
    map_known_ = true;
    maps_read_.fetch_add(1, std::memory_order_relaxed);
    Count(&RedisCounters::maps_read);
    // Connections to nodes that are no primary any more (a failed-over primary, a replica that
    // was a seed) are closed; commands still in flight on them answer kUnavailable.
    std::vector<std::shared_ptr<RedisConnection>> primaries_now;
    std::erase_if(nodes_, [this, &primaries_now](const std::shared_ptr<Node>& node) {
      if (is_primary(*node)) {
        primaries_now.push_back(node->connection);
        return false;
      }
      node->connection->Stop();
      return true;
    });
    auto slot_connections =
        std::make_shared<std::vector<std::shared_ptr<RedisConnection>>>(kRedisClusterSlots);
    for (std::size_t slot = 0; slot < slot_node_.size(); ++slot) {
      if (slot_node_[slot] != nullptr) (*slot_connections)[slot] = slot_node_[slot]->connection;
    }
    {
      std::lock_guard lock(snapshot_mutex_);
      primaries_ = std::move(primaries_now);
      slot_connections_ = std::move(slot_connections);
    }
    NoteMapError("");
    return Status();
  }

  void NoteMapError(const std::string& error) {
    if (!error.empty() && error != MapError()) spdlog::warn("redis cluster: {}", error);
    std::lock_guard lock(error_mutex_);
    map_error_ = error;
  }

  std::string MapError() const {
    std::lock_guard lock(error_mutex_);
    return map_error_.empty() ? std::string("no node answered yet") : map_error_;
  }

  void DoStop() {
    stopped_ = true;
    refresh_timer_.cancel();
    for (const auto& node : nodes_) node->connection->Stop();
    nodes_.clear();
    slot_node_.assign(kRedisClusterSlots, nullptr);
    std::lock_guard lock(snapshot_mutex_);
    primaries_.clear();
    slot_connections_.reset();
  }

  net::io_context& io_;
  const RedisOptions options_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<std::uint64_t> maps_read_{0};

  // io_context thread only.
  bool started_ = false;
  bool stopped_ = false;
  bool map_known_ = false;
  bool refresh_in_flight_ = false;
  bool refresh_wanted_ = false;
  bool refresh_scheduled_ = false;
  SteadyClock::time_point scheduled_at_{};
  SteadyClock::time_point last_refresh_{};
  net::steady_timer refresh_timer_;
  std::vector<std::shared_ptr<Node>> nodes_;      // every node with a connection
  std::vector<std::shared_ptr<Node>> slot_node_;  // by slot; nullptr: served by no node
  std::vector<std::string> primary_names_;        // of the last map

  mutable std::mutex snapshot_mutex_;
  std::vector<std::shared_ptr<RedisConnection>> primaries_;  // GUARDED_BY snapshot_mutex_
  // By slot, as of the last map; GUARDED_BY snapshot_mutex_.
  std::shared_ptr<const std::vector<std::shared_ptr<RedisConnection>>> slot_connections_;
  mutable std::mutex error_mutex_;
  std::string map_error_;  // GUARDED_BY error_mutex_
};

std::shared_ptr<RedisCluster> RedisCluster::Create(net::io_context& io, RedisOptions options) {
  return std::shared_ptr<RedisCluster>(
      new RedisCluster(std::make_shared<Impl>(io, std::move(options))));
}

RedisCluster::RedisCluster(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

RedisCluster::~RedisCluster() { impl_->Stop(); }

void RedisCluster::Start() { impl_->Start(); }
void RedisCluster::Stop() { impl_->Stop(); }
bool RedisCluster::connected() const { return impl_->connected(); }
bool RedisCluster::connected_for(std::string_view key) const { return impl_->connected_for(key); }
std::string RedisCluster::last_error() const { return impl_->last_error(); }
std::uint64_t RedisCluster::maps_read() const { return impl_->maps_read(); }

void RedisCluster::Command(std::vector<std::string> argv, Callback done) {
  auto request = std::make_shared<Impl::Request>();
  const auto key = RoutingKey(argv);
  request->slot = key ? RedisKeySlot(*key) : -1;
  request->argv = std::move(argv);
  request->done = std::move(done);
  impl_->Submit(std::move(request));
}

void RedisCluster::Call(const RedisFunction& function, std::vector<std::string> keys,
                        std::vector<std::string> args, Callback done) {
  auto request = std::make_shared<Impl::Request>();
  request->slot = keys.empty() ? -1 : RedisKeySlot(keys.front());
  request->function = function;
  request->keys = std::move(keys);
  request->args = std::move(args);
  request->done = std::move(done);
  impl_->Submit(std::move(request));
}

std::shared_ptr<RedisClient> CreateRedisClient(net::io_context& io, RedisOptions options) {
  if (options.url.cluster()) return RedisCluster::Create(io, std::move(options));
  return RedisConnection::Create(io, std::move(options));
}

}  // namespace uudai::gateway
