// OutboundPolicy: which targets a webhook may reach, so that a URL registered by a merchant
// cannot make uudai probe or attack the network it runs in (server-side request forgery).
// Thread-safe: immutable after Parse. No I/O: the caller resolves names and asks about each
// address before connecting.
//
// A URL must be http or https, name a host, and carry no credentials and no fragment
// (CheckUrl). Every address a host resolves to is then judged on its own (CheckAddress), so
// a name that resolves to a public address once and to a private one at connection time (DNS
// rebinding) is caught at the moment of connecting. Public addresses are allowed. These are
// refused unless listed:
//   loopback 127.0.0.0/8, ::1           private 10/8, 172.16/12, 192.168/16, fc00::/7
//   link-local 169.254/16 (with the cloud metadata service 169.254.169.254), fe80::/10
//   unspecified 0.0.0.0/8, ::           shared (CGNAT) 100.64/10
//   multicast 224/4, ff00::/8           broadcast 255.255.255.255, reserved 240/4
//   IETF protocol assignments 192.0.0.0/24, benchmarking 198.18/15
//   documentation 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32
//   deprecated site-local fec0::/10, discard-only 100::/64, local-use NAT64 64:ff9b:1::/48
// An IPv6 address that embeds an IPv4 one is judged by the IPv4 address: IPv4-mapped
// ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d and 6to4 2002:AABB:CCDD::
// (::ffff:127.0.0.1 is loopback).
//
// The allow list, for receivers the operator runs on a private network:
//   - a host name (exact, case-insensitive, no wildcard): that host may reach every address it
//     resolves to, private ones included. The operator vouches for the name and for the DNS
//     that answers for it; a name under a merchant's control must not be listed.
//   - an IP address or a CIDR block (IPv4 or IPv6): those addresses may be reached, under any
//     host name. An IPv4 entry also covers the IPv6 forms embedding it (::ffff:10.0.0.1).
#ifndef UUDAI_GATEWAY_WEBHOOK_OUTBOUND_POLICY_H_
#define UUDAI_GATEWAY_WEBHOOK_OUTBOUND_POLICY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace boost::asio::ip {
class address;
}  // namespace boost::asio::ip

namespace uudai::gateway {

class OutboundPolicy {
 public:
  // Refuses every non-public address (nothing listed).
  OutboundPolicy() = default;

  // A policy allowing `allow`'s entries: host names (`hooks.internal`), IP addresses
  // (`10.0.0.7`, `fd00::7`) and CIDR blocks (`10.1.0.0/16`, `fd00::/8`). On error, a message
  // naming the first bad entry: an empty entry, a wildcard, a prefix length out of range, a
  // block with bits set past its prefix (`10.1.2.3/16`), a name that is not a DNS name.
  static std::variant<OutboundPolicy, std::string> Parse(const std::vector<std::string>& allow);

  // nullopt when `url` may be posted to, as far as the URL alone tells; else why not. A host
  // written as an IP address is judged by CheckAddress here already, without resolving.
  std::optional<std::string> CheckUrl(std::string_view url) const;

  // nullopt when `address`, one of the addresses `host` (a name or an IP address as written
  // in the URL, without brackets) resolved to, may be connected to; else why not.
  std::optional<std::string> CheckAddress(std::string_view host,
                                          const boost::asio::ip::address& address) const;

 private:
  // An IPv4 block is kept as its IPv4-mapped IPv6 form (prefix + 96), so one comparison
  // serves both families.
  struct Block {
    std::array<std::uint8_t, 16> network{};
    int prefix = 0;  // 0..128
  };

  bool Listed(std::string_view host, const boost::asio::ip::address& address) const;

  std::vector<std::string> hosts_;  // lower case, no trailing dot
  std::vector<Block> blocks_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_WEBHOOK_OUTBOUND_POLICY_H_
