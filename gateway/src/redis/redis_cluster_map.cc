// RedisCluster's map of slots: which primary serves each of the 16,384 slots, read with
// CLUSTER SLOTS from a connected node (a primary first) at start, after a redirect or an
// unknown slot (at most every kMinRefreshGap), and every cluster_refresh_interval; a
// connection per primary, those of nodes that are no primary any more closed.
#include <algorithm>
#include <vector>

#include <spdlog/spdlog.h>

#include "redis/cluster_reply.h"
#include "redis/redis_cluster_impl.h"
#include "redis/redis_slot.h"

namespace uudai::gateway {
namespace {

// Never read the map more often than this, however many redirects ask.
constexpr auto kMinRefreshGap = std::chrono::milliseconds(100);
// While no map is known (starting, every node down): how often to try again.
constexpr auto kRetryWithoutMap = std::chrono::milliseconds(50);

}  // namespace

bool RedisCluster::Impl::is_primary(const Node& node) const {
  return std::find(primary_names_.begin(), primary_names_.end(), node.name) != primary_names_.end();
}

std::shared_ptr<RedisCluster::Impl::Node> RedisCluster::Impl::FindOrAddNode(
    const RedisAddress& address) {
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

void RedisCluster::Impl::RequestRefresh() {
  if (stopped_ || !started_) return;
  if (refresh_in_flight_) {
    refresh_wanted_ = true;
    return;
  }
  const auto due = last_refresh_ + kMinRefreshGap;
  if (SteadyClock::now() >= due) return Refresh();
  ScheduleRefresh(due);
}

void RedisCluster::Impl::ScheduleRefresh(SteadyClock::time_point at) {
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

void RedisCluster::Impl::Refresh() {
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

Status RedisCluster::Impl::ApplyMap(const RedisReply& reply, const RedisAddress& asked) {
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

void RedisCluster::Impl::NoteMapError(const std::string& error) {
  if (!error.empty() && error != MapError()) spdlog::warn("redis cluster: {}", error);
  std::lock_guard lock(error_mutex_);
  map_error_ = error;
}

std::string RedisCluster::Impl::MapError() const {
  std::lock_guard lock(error_mutex_);
  return map_error_.empty() ? std::string("no node answered yet") : map_error_;
}
}  // namespace uudai::gateway
