#include "redis/cluster_reply.h"

#include <charconv>
#include <string>

#include "redis/redis_slot.h"

namespace uudai::gateway {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The "ip" of a node entry's metadata ([endpoint, port, id, [key, value...]]), or "".
std::string MetadataIp(const RedisReply& node) {
  const auto& parts = node.elements();
  if (parts.size() < 4 || !parts[3].is_array()) return {};
  const auto& metadata = parts[3].elements();
  for (std::size_t i = 0; i + 1 < metadata.size(); i += 2) {
    if (metadata[i].str() == "ip") return metadata[i + 1].str();
  }
  return {};
}

Status Unreadable(const RedisReply& entry) {
  return Status(StatusCode::kUnavailable, "unreadable CLUSTER SLOTS entry " + entry.DebugString());
}

}  // namespace

Result<std::vector<SlotRange>> ParseClusterSlots(const RedisReply& reply,
                                                 const RedisAddress& asked) {
  if (!reply.is_array()) {
    return Status(StatusCode::kUnavailable, "CLUSTER SLOTS answered " + reply.DebugString());
  }
  std::vector<SlotRange> ranges;
  for (const RedisReply& range : reply.elements()) {
    const auto& parts = range.elements();
    if (parts.size() < 3 || !parts[0].is_integer() || !parts[1].is_integer() ||
        !parts[2].is_array() || parts[2].elements().size() < 2 ||
        !parts[2].elements()[1].is_integer()) {
      return Unreadable(range);
    }
    const auto first = parts[0].integer();
    const auto last = parts[1].integer();
    const auto port = parts[2].elements()[1].integer();
    if (first < 0 || last >= kRedisClusterSlots || first > last || port <= 0 || port > 65535) {
      return Unreadable(range);
    }
    std::string host = parts[2].elements()[0].str();
    if (host == "?") host = MetadataIp(parts[2]);  // a hostname not known yet
    if (host.empty()) host = asked.host;           // "the node you asked"
    ranges.push_back(SlotRange{static_cast<int>(first), static_cast<int>(last),
                               RedisAddress{std::move(host), static_cast<std::uint16_t>(port)}});
  }
  if (ranges.empty()) return Status(StatusCode::kUnavailable, "no slot is served");
  return ranges;
}

bool IsClusterRedirect(std::string_view message) {
  return StartsWith(message, "MOVED ") || StartsWith(message, "ASK ");
}

std::optional<ClusterRedirect> ParseClusterRedirect(std::string_view message,
                                                    const RedisAddress& replier) {
  ClusterRedirect redirect;
  redirect.ask = StartsWith(message, "ASK ");
  if (!redirect.ask && !StartsWith(message, "MOVED ")) return std::nullopt;
  message.remove_prefix(redirect.ask ? 4 : 6);
  const auto space = message.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto slot = ParseInt(message.substr(0, space));
  if (!slot || *slot < 0 || *slot >= kRedisClusterSlots) return std::nullopt;
  redirect.slot = *slot;
  const std::string_view address = message.substr(space + 1);
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto port = ParseInt(address.substr(colon + 1));
  if (!port || *port <= 0 || *port > 65535) return std::nullopt;
  std::string host(address.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || host == "?") host = replier.host;
  redirect.address = RedisAddress{std::move(host), static_cast<std::uint16_t>(*port)};
  return redirect;
}

}  // namespace uudai::gateway
