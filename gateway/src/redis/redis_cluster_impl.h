// RedisCluster's implementation (redis_cluster.h), shared by its two files: redis_cluster.cc
// routes commands to the primary of their slot and follows what the nodes answer (MOVED, ASK,
// TRYAGAIN); redis_cluster_map.cc reads and keeps the map of slots (CLUSTER SLOTS) and the
// connections to the primaries. Private to those two files.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_CLUSTER_IMPL_H_
#define UUDAI_GATEWAY_REDIS_REDIS_CLUSTER_IMPL_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/redis_cluster.h"
#include "redis/redis_connection.h"
#include "redis/redis_counters.h"
#include "redis/redis_slot.h"
#include "redis/redis_url.h"

namespace uudai::gateway {

class RedisCluster::Impl : public std::enable_shared_from_this<Impl> {
 public:
  using SteadyClock = std::chrono::steady_clock;

  Impl(boost::asio::io_context& io, RedisOptions options)
      : io_(io), options_(std::move(options)), refresh_timer_(io), slot_node_(kRedisClusterSlots) {}

  void Start();
  void Stop();
  bool connected() const;
  bool connected_for(std::string_view key) const;
  std::string last_error() const;
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

  void Submit(std::shared_ptr<Request> request);

 private:
  struct Node {
    RedisAddress address;
    std::string name;  // address.ToString()
    std::shared_ptr<RedisConnection> connection;
  };

  // --- Routing (io_context thread; redis_cluster.cc) --------------------------------------

  void Route(std::shared_ptr<Request> request);
  std::shared_ptr<Node> AnyPrimary() const;
  void Send(std::shared_ptr<Request> request, const std::shared_ptr<Node>& node, bool asking);
  void OnReply(std::shared_ptr<Request> request, const Node& node, Result<RedisReply> reply);
  // A node just learnt of (a redirect) has no connection up yet: wait for it a little (at
  // most connect_timeout) rather than answer kUnavailable at once.
  void SendWhenConnected(std::shared_ptr<Request> request, std::shared_ptr<Node> node, bool asking);
  void WaitForConnection(std::shared_ptr<boost::asio::steady_timer> timer,
                         SteadyClock::time_point until, std::shared_ptr<Request> request,
                         std::shared_ptr<Node> node, bool asking);
  void Answer(std::shared_ptr<Request> request, Status status);
  void Count(std::atomic<std::uint64_t> RedisCounters::*counter) const;
  void DoStop();

  // --- The map of slots (io_context thread; redis_cluster_map.cc) ---------------------------

  bool is_primary(const Node& node) const;
  std::shared_ptr<Node> FindOrAddNode(const RedisAddress& address);
  // Reads the map now, or as soon as the one in flight is answered, or kMinRefreshGap after
  // the last one.
  void RequestRefresh();
  void ScheduleRefresh(SteadyClock::time_point at);
  // Asks a connected node (a primary first, then any other, then the seeds) for CLUSTER SLOTS.
  void Refresh();
  // Routes by the map in `reply` (CLUSTER SLOTS, from the node at `asked`).
  Status ApplyMap(const RedisReply& reply, const RedisAddress& asked);
  void NoteMapError(const std::string& error);
  std::string MapError() const;

  boost::asio::io_context& io_;
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
  boost::asio::steady_timer refresh_timer_;
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

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_CLUSTER_IMPL_H_
