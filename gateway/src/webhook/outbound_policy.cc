#include "webhook/outbound_policy.h"

#include <algorithm>
#include <cctype>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace uudai::gateway {
namespace {

using Bytes = std::array<std::uint8_t, 16>;
namespace ip = boost::asio::ip;

// A block of addresses nobody should post a webhook to without listing it, and what it is.
struct RefusedBlock {
  Bytes network;
  int prefix;
  const char* what;
};

constexpr RefusedBlock V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d,
                          int prefix, const char* what) {
  return {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d}, prefix + 96, what};
}

constexpr RefusedBlock V6(std::uint8_t b0, std::uint8_t b1, std::uint8_t b2, std::uint8_t b3,
                          int prefix, const char* what) {
  return {{b0, b1, b2, b3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, prefix, what};
}

// First match wins: the metadata address before the link-local block that holds it, the
// broadcast address before the reserved block.
constexpr RefusedBlock kRefused[] = {
    V4(169, 254, 169, 254, 32, "the cloud metadata address"),
    V4(255, 255, 255, 255, 32, "the broadcast address"),
    V4(0, 0, 0, 0, 8, "an unspecified address"),
    V4(10, 0, 0, 0, 8, "a private address"),
    V4(100, 64, 0, 0, 10, "a shared (CGNAT) address"),
    V4(127, 0, 0, 0, 8, "a loopback address"),
    V4(169, 254, 0, 0, 16, "a link-local address"),
    V4(172, 16, 0, 0, 12, "a private address"),
    V4(192, 0, 0, 0, 24, "an IETF protocol assignment address"),
    V4(192, 0, 2, 0, 24, "a documentation address"),
    V4(192, 168, 0, 0, 16, "a private address"),
    V4(198, 18, 0, 0, 15, "a benchmarking address"),
    V4(198, 51, 100, 0, 24, "a documentation address"),
    V4(203, 0, 113, 0, 24, "a documentation address"),
    V4(224, 0, 0, 0, 4, "a multicast address"),
    V4(240, 0, 0, 0, 4, "a reserved address"),
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 128, "an unspecified address"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "a loopback address"},
    V6(0x01, 0x00, 0, 0, 64, "a discard-only address"),
    V6(0x20, 0x01, 0x0d, 0xb8, 32, "a documentation address"),
    V6(0xfc, 0x00, 0, 0, 7, "a private address"),
    V6(0xfe, 0x80, 0, 0, 10, "a link-local address"),
    V6(0xfe, 0xc0, 0, 0, 10, "a site-local address"),
    V6(0xff, 0x00, 0, 0, 8, "a multicast address"),
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, "a local-use NAT64 address"},
};

bool InBlock(const Bytes& address, const Bytes& network, int prefix) {
  for (int i = 0; i < 16 && prefix > 0; ++i, prefix -= 8) {
    const int bits = std::min(prefix, 8);
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((address[i] & mask) != (network[i] & mask)) return false;
  }
  return true;
}

// IPv4 as its IPv4-mapped IPv6 form, so that every block compares as 16 bytes.
Bytes ToBytes(const ip::address& address) {
  if (address.is_v6()) return address.to_v6().to_bytes();
  return ip::make_address_v6(ip::v4_mapped, address.to_v4()).to_bytes();
}

// The IPv4 address an IPv6 address carries, in its mapped form: IPv4-mapped ::ffff:0:0/96,
// IPv4-compatible ::/96 (but :: and ::1), NAT64 64:ff9b::/96 and 6to4 2002::/16.
std::optional<Bytes> EmbeddedV4InV6(const ip::address_v6& address) {
  const Bytes bytes = address.to_bytes();
  static constexpr Bytes kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr Bytes kCompatible{};
  static constexpr Bytes kNat64{0x00, 0x64, 0xff, 0x9b};
  static constexpr Bytes k6to4{0x20, 0x02};
  std::size_t offset = 0;
  // :: and ::1 are IPv6's own, not IPv4-compatible.
  if (InBlock(bytes, kMapped, 96) || InBlock(bytes, kNat64, 96) ||
      (InBlock(bytes, kCompatible, 96) && !InBlock(bytes, kCompatible, 127))) {
    offset = 12;
  } else if (InBlock(bytes, k6to4, 16)) {
    offset = 2;
  } else {
    return std::nullopt;
  }
  Bytes out = kMapped;
  std::copy(bytes.begin() + offset, bytes.begin() + offset + 4, out.begin() + 12);
  return out;
}

// The IPv4 address `address` embeds when it is IPv6, as a mapped address.
std::optional<Bytes> EmbeddedV4(const ip::address& address) {
  if (address.is_v4()) return std::nullopt;
  return EmbeddedV4InV6(address.to_v6());
}

std::string V4Text(const Bytes& mapped) {
  return ip::make_address_v4(ip::v4_mapped, ip::address_v6(mapped)).to_string();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `text` lower-cased without its trailing dot (the root), for comparing host names.
std::string CanonicalName(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  return Lower(text);
}

// Why `name` (canonical) is not a DNS host name, or nullopt. Underscores are accepted: they
// occur in real records, and the resolver decides whether the name exists.
std::optional<std::string> NameProblem(const std::string& name) {
  if (name.find('*') != std::string::npos) return "wildcards are not supported";
  if (name.empty() || name.size() > 253) return "not a host name";
  std::size_t start = 0;
  std::string_view last_label;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('.', start), name.size());
    const std::string_view label = std::string_view(name).substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return "not a host name";
    }
    for (const char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
        return "not a host name";
      }
    }
    last_label = label;
    start = end + 1;
  }
  if (std::all_of(last_label.begin(), last_label.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return "looks like an IP address but is not one";
  }
  return std::nullopt;
}

// A whole non-negative decimal number within [0, max], or nullopt.
std::optional<int> ParseDecimal(std::string_view digits, int max) {
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  int value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

// `address` with every bit past `prefix` cleared.
Bytes Masked(Bytes address, int prefix) {
  for (int i = 0; i < 16; ++i, prefix -= 8) {
    const int bits = std::clamp(prefix, 0, 8);
    address[i] = static_cast<std::uint8_t>(address[i] & (0xff00 >> bits));
  }
  return address;
}

}  // namespace

std::variant<OutboundPolicy, std::string> OutboundPolicy::Parse(
    const std::vector<std::string>& allow) {
  OutboundPolicy policy;
  for (const std::string& entry : allow) {
    const auto bad = [&entry](std::string_view why) {
      return "allow list entry \"" + entry + "\": " + std::string(why);
    };
    if (entry.empty()) return std::string("allow list entry is empty");
    const std::size_t slash = entry.find('/');
    boost::system::error_code ec;
    const ip::address address = ip::make_address(entry.substr(0, slash), ec);
    if (slash == std::string::npos && ec) {
      std::string name = CanonicalName(entry);
      if (const auto problem = NameProblem(name)) return bad(*problem);
      policy.hosts_.push_back(std::move(name));
      continue;
    }
    if (ec) return bad("not an IP address before the '/'");
    const int family_bits = address.is_v4() ? 32 : 128;
    int prefix = family_bits;
    if (slash != std::string::npos) {
      const auto parsed = ParseDecimal(std::string_view(entry).substr(slash + 1), family_bits);
      if (!parsed) return bad("the prefix length must be 0 to " + std::to_string(family_bits));
      prefix = *parsed;
    }
    const Block block{ToBytes(address), prefix + (128 - family_bits)};
    // 10.1.2.3/16 is as likely a slip for 10.1.2.3/32 as for 10.1.0.0/16, and guessing wrong
    // could open a whole network: refused rather than rounded.
    if (Masked(block.network, block.prefix) != block.network) {
      return bad("bits are set past the prefix length");
    }
    policy.blocks_.push_back(block);
  }
  return policy;
}

std::optional<std::string> OutboundPolicy::CheckUrl(std::string_view text) const {
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return "not a URL";
  const boost::urls::url_view& url = *parsed;
  const std::string scheme = Lower(url.scheme());
  if (scheme != "http" && scheme != "https") return "the scheme must be http or https";
  if (!url.has_authority() || url.encoded_host().empty()) return "the URL has no host";
  if (url.has_userinfo()) return "credentials (user:password@) are not allowed in the URL";
  if (url.has_fragment()) return "a fragment (#...) is not allowed in the URL";
  if (url.has_port()) {
    const auto port = ParseDecimal(url.port(), 65535);
    if (!port || *port == 0) return "the port must be a number from 1 to 65535";
  }
  switch (url.host_type()) {
    case boost::urls::host_type::ipv4:
      return CheckAddress(url.host_address(),
                          ip::address(ip::address_v4(url.host_ipv4_address().to_bytes())));
    case boost::urls::host_type::ipv6:
      return CheckAddress(url.host_address(),
                          ip::address(ip::address_v6(url.host_ipv6_address().to_bytes())));
    case boost::urls::host_type::name:
      break;
    default:
      return "the host must be a name or an IPv4 or IPv6 address";
  }
  // A name percent-encoded into an address ("%31%32%37.0.0.1") is judged as that address.
  const std::string name = url.host_name();
  boost::system::error_code ec;
  const ip::address address = ip::make_address(name, ec);
  if (!ec) return CheckAddress(name, address);
  if (NameProblem(CanonicalName(name))) return "the host is not a valid host name";
  return std::nullopt;
}

std::optional<std::string> OutboundPolicy::CheckAddress(std::string_view host,
                                                        const ip::address& address) const {
  if (Listed(host, address)) return std::nullopt;
  const Bytes bytes = ToBytes(address);
  const std::optional<Bytes> embedded = EmbeddedV4(address);
  const Bytes& judged = embedded ? *embedded : bytes;
  for (const RefusedBlock& block : kRefused) {
    if (!InBlock(judged, block.network, block.prefix)) continue;
    // "10.0.0.1 is a private address", "evil.example resolves to 10.0.0.1, a private address".
    boost::system::error_code ec;
    const bool literal = ip::make_address(host, ec) == address && !ec;
    std::string why =
        literal ? std::string(host) : std::string(host) + " resolves to " + address.to_string();
    if (embedded) why += " (" + V4Text(*embedded) + ")";
    return why + (literal ? " is " : ", ") + block.what;
  }
  return std::nullopt;
}

bool OutboundPolicy::Listed(std::string_view host, const ip::address& address) const {
  const std::string name = CanonicalName(host);
  if (std::find(hosts_.begin(), hosts_.end(), name) != hosts_.end()) return true;
  const Bytes bytes = ToBytes(address);
  const std::optional<Bytes> embedded = EmbeddedV4(address);
  return std::any_of(blocks_.begin(), blocks_.end(), [&](const Block& block) {
    return InBlock(bytes, block.network, block.prefix) ||
           (embedded && InBlock(*embedded, block.network, block.prefix));
  });
}

}  // namespace uudai::gateway
