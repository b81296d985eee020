#include "redis/redis_slot.h"

#include <array>
#include <cctype>
#include <charconv>

namespace uudai::gateway {
namespace {

// CRC16/XMODEM (polynomial 0x1021, initial value 0), the checksum Redis Cluster uses.
constexpr std::array<std::uint16_t, 256> MakeCrc16Table() {
  std::array<std::uint16_t, 256> table{};
  for (int byte = 0; byte < 256; ++byte) {
    auto crc = static_cast<std::uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<std::uint16_t>((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    table[static_cast<std::size_t>(byte)] = crc;
  }
  return table;
}

constexpr std::array<std::uint16_t, 256> kCrc16Table = MakeCrc16Table();

std::uint16_t Crc16(std::string_view bytes) {
  std::uint16_t crc = 0;
  for (const char c : bytes) {
    const auto index = static_cast<std::uint8_t>((crc >> 8) ^ static_cast<std::uint8_t>(c));
    crc = static_cast<std::uint16_t>((crc << 8) ^ kCrc16Table[index]);
  }
  return crc;
}

bool Is(std::string_view name, std::string_view upper) {
  if (name.size() != upper.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(name[i])) != upper[i]) return false;
  }
  return true;
}

bool IsKeyless(std::string_view name) {
  for (const std::string_view keyless :
       {"PING",    "INFO",     "WAIT",   "FUNCTION", "CLUSTER",   "SCRIPT",   "DBSIZE",
        "CONFIG",  "CLIENT",   "TIME",   "COMMAND",  "ACL",       "FLUSHALL", "FLUSHDB",
        "SLOWLOG", "LATENCY",  "ASKING", "READONLY", "READWRITE", "ECHO",     "ROLE",
        "HELLO",   "AUTH",     "SELECT", "LASTSAVE", "SAVE",      "BGSAVE",   "BGREWRITEAOF",
        "DEBUG",   "SHUTDOWN", "MULTI",  "EXEC",     "DISCARD"}) {
    if (Is(name, keyless)) return true;
  }
  return false;
}

}  // namespace

namespace {

// The part of `key` that decides its slot: between the first '{' and the first '}' after it,
// when that is not empty; nullopt when the whole key decides.
std::optional<std::string_view> HashTag(std::string_view key) {
  if (const auto open = key.find('{'); open != std::string_view::npos) {
    if (const auto close = key.find('}', open + 1);
        close != std::string_view::npos && close > open + 1) {
      return key.substr(open + 1, close - open - 1);
    }
  }
  return std::nullopt;
}

}  // namespace

int RedisKeySlot(std::string_view key) {
  return Crc16(HashTag(key).value_or(key)) & (kRedisClusterSlots - 1);
}

std::string SameSlotKey(std::string_view key, std::string_view suffix) {
  if (HashTag(key)) return std::string(key) + std::string(suffix);
  // "{key}" keeps the slot only when the key holds no '}' (that would end the new tag early).
  if (key.find('}') != std::string_view::npos) return {};
  return "{" + std::string(key) + "}" + std::string(suffix);
}

std::optional<std::string_view> RoutingKey(const std::vector<std::string>& argv) {
  if (argv.size() < 2) return std::nullopt;
  const std::string_view name = argv[0];
  if (Is(name, "FCALL") || Is(name, "FCALL_RO") || Is(name, "EVAL") || Is(name, "EVALSHA") ||
      Is(name, "EVAL_RO") || Is(name, "EVALSHA_RO")) {
    if (argv.size() < 4) return std::nullopt;
    int key_count = 0;
    const std::string& count = argv[2];
    const auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), key_count);
    if (error != std::errc() || end != count.data() + count.size() || key_count < 1) {
      return std::nullopt;
    }
    return std::string_view(argv[3]);
  }
  if (Is(name, "XREAD") || Is(name, "XREADGROUP")) {
    for (std::size_t i = 1; i + 1 < argv.size(); ++i) {
      if (Is(argv[i], "STREAMS")) return std::string_view(argv[i + 1]);
    }
    return std::nullopt;
  }
  if (Is(name, "XINFO") || Is(name, "OBJECT") || Is(name, "MEMORY")) {
    if (argv.size() < 3) return std::nullopt;
    return std::string_view(argv[2]);
  }
  if (IsKeyless(name)) return std::nullopt;
  return std::string_view(argv[1]);
}

}  // namespace uudai::gateway
