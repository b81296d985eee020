#include "redis/redis_cluster.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/cluster_reply.h"
#include "redis/redis_cluster_impl.h"
#include "redis/redis_slot.h"

namespace uudai::gateway {
namespace net = boost::asio;

namespace {

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

void RedisCluster::Impl::Start() {
  net::post(io_, [self = shared_from_this()] {
    if (self->started_ || self->stopped_) return;
    self->started_ = true;
    self->Refresh();
  });
}

void RedisCluster::Impl::Stop() {
  if (stop_requested_.exchange(true)) return;
  net::post(io_, [self = shared_from_this()] { self->DoStop(); });
}

bool RedisCluster::Impl::connected() const {
  std::lock_guard lock(snapshot_mutex_);
  return std::any_of(primaries_.begin(), primaries_.end(),
                     [](const auto& connection) { return connection->connected(); });
}

bool RedisCluster::Impl::connected_for(std::string_view key) const {
  std::lock_guard lock(snapshot_mutex_);
  if (slot_connections_ == nullptr) return false;
  const auto& connection = (*slot_connections_)[static_cast<std::size_t>(RedisKeySlot(key))];
  return connection != nullptr && connection->connected();
}

std::string RedisCluster::Impl::last_error() const {
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

void RedisCluster::Impl::Submit(std::shared_ptr<Request> request) {
  request->tried_until = SteadyClock::now() + options_.command_timeout;
  if (io_.get_executor().running_in_this_thread()) return Route(std::move(request));
  net::post(io_, [self = shared_from_this(), request = std::move(request)]() mutable {
    self->Route(std::move(request));
  });
}

void RedisCluster::Impl::Route(std::shared_ptr<Request> request) {
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

std::shared_ptr<RedisCluster::Impl::Node> RedisCluster::Impl::AnyPrimary() const {
  std::shared_ptr<Node> any;
  for (const auto& node : nodes_) {
    if (!is_primary(*node)) continue;
    if (node->connection->connected()) return node;
    if (any == nullptr) any = node;
  }
  return any;
}

void RedisCluster::Impl::Send(std::shared_ptr<Request> request, const std::shared_ptr<Node>& node,
                              bool asking) {
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

void RedisCluster::Impl::OnReply(std::shared_ptr<Request> request, const Node& node,
                                 Result<RedisReply> reply) {
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

void RedisCluster::Impl::SendWhenConnected(std::shared_ptr<Request> request,
                                           std::shared_ptr<Node> node, bool asking) {
  if (node->connection->connected() || stopped_) return Send(std::move(request), node, asking);
  auto timer = std::make_shared<net::steady_timer>(io_);
  WaitForConnection(std::move(timer), SteadyClock::now() + options_.connect_timeout,
                    std::move(request), std::move(node), asking);
}

void RedisCluster::Impl::WaitForConnection(std::shared_ptr<net::steady_timer> timer,
                                           SteadyClock::time_point until,
                                           std::shared_ptr<Request> request,
                                           std::shared_ptr<Node> node, bool asking) {
  timer->expires_after(kConnectPoll);
  timer->async_wait([self = shared_from_this(), timer, until, request = std::move(request),
                     node = std::move(node), asking](const boost::system::error_code&) mutable {
    if (node->connection->connected() || self->stopped_ || SteadyClock::now() >= until) {
      return self->Send(std::move(request), node, asking);
    }
    self->WaitForConnection(std::move(timer), until, std::move(request), std::move(node), asking);
  });
}

void RedisCluster::Impl::Answer(std::shared_ptr<Request> request, Status status) {
  net::post(io_, [request = std::move(request), status = std::move(status)]() mutable {
    request->done(std::move(status));
  });
}

void RedisCluster::Impl::Count(std::atomic<std::uint64_t> RedisCounters::*counter) const {
  if (options_.counters)
    (options_.counters.get()->*counter).fetch_add(1, std::memory_order_relaxed);
}

void RedisCluster::Impl::DoStop() {
  stopped_ = true;
  refresh_timer_.cancel();
  for (const auto& node : nodes_) node->connection->Stop();
  nodes_.clear();
  slot_node_.assign(kRedisClusterSlots, nullptr);
  std::lock_guard lock(snapshot_mutex_);
  primaries_.clear();
  slot_connections_.reset();
}

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
