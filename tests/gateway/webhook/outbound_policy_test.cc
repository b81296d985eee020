// OutboundPolicy: the allow list's syntax, the address blocks refused unless listed (IPv4,
// IPv6 and the IPv6 forms embedding IPv4), what listing a name, an address or a block allows,
// and the URLs a webhook may have.
#include "webhook/outbound_policy.h"

#include <gtest/gtest.h>

#include <variant>

#include <boost/asio/ip/address.hpp>

#include "webhook_test_support.h"

namespace uudai::testing {
namespace {

using gateway::OutboundPolicy;

boost::asio::ip::address Ip(const std::string& text) { return boost::asio::ip::make_address(text); }

std::string ParseError(const std::vector<std::string>& allow) {
  const auto parsed = OutboundPolicy::Parse(allow);
  const auto* error = std::get_if<std::string>(&parsed);
  EXPECT_NE(error, nullptr) << allow.back() << " was accepted";
  return error ? *error : "";
}

// Why the default policy refuses `address` (written as the URL's host), or "" when allowed.
std::string Refusal(const std::string& address, const OutboundPolicy& policy = {}) {
  return policy.CheckAddress(address, Ip(address)).value_or("");
}

TEST(OutboundPolicyTest, ParsesNamesAddressesAndBlocks) {
  const auto parsed =
      OutboundPolicy::Parse({"hooks.example.com", "10.0.0.7", "fd00::7", "10.1.0.0/16", "fd00::/8",
                             "127.0.0.1/32", "0.0.0.0/0", "Hooks.Internal."});

  EXPECT_TRUE(std::holds_alternative<OutboundPolicy>(parsed)) << std::get<std::string>(parsed);
}

TEST(OutboundPolicyTest, ParseErrorsNameTheBadEntry) {
  EXPECT_EQ(ParseError({"hooks.example.com", ""}), "allow list entry is empty");
  EXPECT_EQ(ParseError({"*.example.com"}),
            "allow list entry \"*.example.com\": wildcards are not supported");
  EXPECT_EQ(ParseError({"10.1.2.3/16"}),
            "allow list entry \"10.1.2.3/16\": bits are set past the prefix length");
  EXPECT_EQ(ParseError({"fd00::1/8"}),
            "allow list entry \"fd00::1/8\": bits are set past the prefix length");
  EXPECT_EQ(ParseError({"10.0.0.0/33"}),
            "allow list entry \"10.0.0.0/33\": the prefix length must be 0 to 32");
  EXPECT_EQ(ParseError({"fd00::/129"}),
            "allow list entry \"fd00::/129\": the prefix length must be 0 to 128");
  EXPECT_EQ(ParseError({"10.0.0.0/"}),
            "allow list entry \"10.0.0.0/\": the prefix length must be 0 to 32");
  EXPECT_EQ(ParseError({"10.0.0.0/8x"}),
            "allow list entry \"10.0.0.0/8x\": the prefix length must be 0 to 32");
  EXPECT_EQ(ParseError({"hooks.internal/24"}),
            "allow list entry \"hooks.internal/24\": not an IP address before the '/'");
  EXPECT_EQ(ParseError({"10.0.0"}),
            "allow list entry \"10.0.0\": looks like an IP address but is not one");
  EXPECT_EQ(ParseError({"999.1.1.1"}),
            "allow list entry \"999.1.1.1\": looks like an IP address but is not one");
  const std::vector<std::string> names = {"two words",
                                          "a..b",
                                          "-lead.example",
                                          "trail-.example",
                                          "hooks.example.com:443",
                                          std::string(64, 'a') + ".com"};
  for (const std::string& name : names) {
    EXPECT_EQ(ParseError({name}), "allow list entry \"" + name + "\": not a host name");
  }
}

TEST(OutboundPolicyTest, RefusesEveryNonPublicIpv4BlockUnlessListed) {
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"127.0.0.1", "a loopback address"},
      {"127.255.255.254", "a loopback address"},
      {"10.0.0.1", "a private address"},
      {"10.255.255.255", "a private address"},
      {"172.16.0.1", "a private address"},
      {"172.31.255.255", "a private address"},
      {"192.168.0.1", "a private address"},
      {"169.254.169.254", "the cloud metadata address"},
      {"169.254.0.1", "a link-local address"},
      {"0.0.0.0", "an unspecified address"},
      {"0.1.2.3", "an unspecified address"},
      {"100.64.0.1", "a shared (CGNAT) address"},
      {"100.127.255.255", "a shared (CGNAT) address"},
      {"224.0.0.1", "a multicast address"},
      {"239.255.255.250", "a multicast address"},
      {"255.255.255.255", "the broadcast address"},
      {"240.0.0.1", "a reserved address"},
      {"192.0.0.8", "an IETF protocol assignment address"},
      {"198.18.0.1", "a benchmarking address"},
      {"198.19.255.255", "a benchmarking address"},
      {"192.0.2.1", "a documentation address"},
      {"198.51.100.1", "a documentation address"},
      {"203.0.113.1", "a documentation address"},
  };
  for (const auto& [address, what] : refused) {
    EXPECT_EQ(Refusal(address), std::string(address).append(" is ").append(what));
  }
}

TEST(OutboundPolicyTest, RefusesEveryNonPublicIpv6BlockUnlessListed) {
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"::1", "a loopback address"},
      {"::", "an unspecified address"},
      {"fc00::1", "a private address"},
      {"fdff:ffff::1", "a private address"},
      {"fe80::1", "a link-local address"},
      {"febf::1", "a link-local address"},
      {"fec0::1", "a site-local address"},
      {"ff02::1", "a multicast address"},
      {"2001:db8::1", "a documentation address"},
      {"100::1", "a discard-only address"},
      {"64:ff9b:1::a00:1", "a local-use NAT64 address"},
  };
  for (const auto& [address, what] : refused) {
    EXPECT_EQ(Refusal(address), std::string(address).append(" is ").append(what));
  }
}

TEST(OutboundPolicyTest, JudgesIpv6FormsEmbeddingIpv4ByTheIpv4Address) {
  EXPECT_EQ(Refusal("::ffff:127.0.0.1"), "::ffff:127.0.0.1 (127.0.0.1) is a loopback address");
  EXPECT_EQ(Refusal("::ffff:169.254.169.254"),
            "::ffff:169.254.169.254 (169.254.169.254) is the cloud metadata address");
  EXPECT_EQ(Refusal("::ffff:10.0.0.1"), "::ffff:10.0.0.1 (10.0.0.1) is a private address");
  EXPECT_EQ(Refusal("::127.0.0.1"), "::127.0.0.1 (127.0.0.1) is a loopback address");
  EXPECT_EQ(Refusal("::2"), "::2 (0.0.0.2) is an unspecified address");
  EXPECT_EQ(Refusal("64:ff9b::7f00:1"), "64:ff9b::7f00:1 (127.0.0.1) is a loopback address");
  EXPECT_EQ(Refusal("64:ff9b::a9fe:a9fe"),
            "64:ff9b::a9fe:a9fe (169.254.169.254) is the cloud metadata address");
  EXPECT_EQ(Refusal("2002:c0a8:101::1"), "2002:c0a8:101::1 (192.168.1.1) is a private address");
  EXPECT_EQ(Refusal("::ffff:93.184.216.34"), "");
  EXPECT_EQ(Refusal("64:ff9b::5db8:d822"), "");  // NAT64 of 93.184.216.34
}

TEST(OutboundPolicyTest, AllowsPublicAddressesWithoutListing) {
  for (const std::string address :
       {"93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "2001:4860:4860::8888",
        // next to refused blocks
        "11.0.0.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1",
        "169.253.255.255", "192.0.1.1", "198.20.0.1", "223.255.255.255", "fbff::1"}) {
    EXPECT_EQ(Refusal(address), "") << address;
  }
}

TEST(OutboundPolicyTest, NamesTheHostThatResolvedToARefusedAddress) {
  const OutboundPolicy policy;

  EXPECT_EQ(policy.CheckAddress("localhost", Ip("127.0.0.1")),
            "localhost resolves to 127.0.0.1, a loopback address");
  EXPECT_EQ(policy.CheckAddress("localhost", Ip("::1")),
            "localhost resolves to ::1, a loopback address");
  EXPECT_EQ(policy.CheckAddress("rebind.example", Ip("::ffff:10.0.0.1")),
            "rebind.example resolves to ::ffff:10.0.0.1 (10.0.0.1), a private address");
}

TEST(OutboundPolicyTest, AListedNameMayReachAnyAddressItResolvesTo) {
  const OutboundPolicy policy = Allowing({"hooks.internal", "localhost"});

  EXPECT_EQ(policy.CheckAddress("hooks.internal", Ip("10.0.0.5")), std::nullopt);
  EXPECT_EQ(policy.CheckAddress("HOOKS.Internal.", Ip("fd00::5")), std::nullopt);
  EXPECT_EQ(policy.CheckAddress("localhost", Ip("127.0.0.1")), std::nullopt);
  EXPECT_EQ(policy.CheckAddress("localhost", Ip("::1")), std::nullopt);
  EXPECT_NE(policy.CheckAddress("sub.hooks.internal", Ip("10.0.0.5")), std::nullopt);
  EXPECT_NE(policy.CheckAddress("other.internal", Ip("10.0.0.5")), std::nullopt);
}

TEST(OutboundPolicyTest, AListedAddressIsAllowedUnderAnyName) {
  const OutboundPolicy policy = Allowing({"10.0.0.7", "fd00::7"});

  EXPECT_EQ(policy.CheckAddress("a.example", Ip("10.0.0.7")), std::nullopt);
  EXPECT_EQ(policy.CheckAddress("10.0.0.7", Ip("10.0.0.7")), std::nullopt);
  EXPECT_EQ(policy.CheckAddress("b.example", Ip("::ffff:10.0.0.7")), std::nullopt);
  EXPECT_EQ(policy.CheckAddress("c.example", Ip("fd00::7")), std::nullopt);
  EXPECT_NE(policy.CheckAddress("a.example", Ip("10.0.0.8")), std::nullopt);
  EXPECT_NE(policy.CheckAddress("c.example", Ip("fd00::8")), std::nullopt);
}

TEST(OutboundPolicyTest, AListedBlockAllowsExactlyItsAddresses) {
  const OutboundPolicy policy = Allowing({"10.1.0.0/16", "fd00::/8", "127.0.0.1/32"});

  EXPECT_EQ(Refusal("10.1.0.0", policy), "");
  EXPECT_EQ(Refusal("10.1.255.255", policy), "");
  EXPECT_EQ(Refusal("fd12:3456::1", policy), "");
  EXPECT_EQ(Refusal("127.0.0.1", policy), "");
  EXPECT_EQ(Refusal("::ffff:127.0.0.1", policy), "");
  EXPECT_EQ(Refusal("10.2.0.0", policy), "10.2.0.0 is a private address");
  EXPECT_EQ(Refusal("10.0.255.255", policy), "10.0.255.255 is a private address");
  EXPECT_EQ(Refusal("fc00::1", policy), "fc00::1 is a private address");
  EXPECT_EQ(Refusal("127.0.0.2", policy), "127.0.0.2 is a loopback address");
  EXPECT_EQ(Refusal("::1", policy), "::1 is a loopback address");
}

TEST(OutboundPolicyTest, AcceptsHttpAndHttpsUrls) {
  const OutboundPolicy policy;

  for (const std::string url : {"https://hooks.example.com/uudai?shop=7",
                                "http://hooks.example.com", "HTTPS://Hooks.Example.COM:8443/x",
                                "http://93.184.216.34:8080/", "https://[2606:4700::1111]/hook",
                                "http://localhost/", "https://hooks.example.com:65535/"}) {
    EXPECT_EQ(policy.CheckUrl(url), std::nullopt) << url;
  }
}

TEST(OutboundPolicyTest, RefusesUrlsThatAreNotPlainHttpTargets) {
  const OutboundPolicy policy;
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"ftp://hooks.example.com/", "the scheme must be http or https"},
      {"file:///etc/passwd", "the scheme must be http or https"},
      {"gopher://hooks.example.com/", "the scheme must be http or https"},
      {"hooks.example.com/hook", "not a URL"},
      {"http:///hook", "the URL has no host"},
      {"http:hook", "the URL has no host"},
      {"https://user:pass@hooks.example.com/",
       "credentials (user:password@) are not allowed in the URL"},
      {"https://token@hooks.example.com/",
       "credentials (user:password@) are not allowed in the URL"},
      {"https://hooks.example.com/hook#part", "a fragment (#...) is not allowed in the URL"},
      {"https://hooks.example.com:0/", "the port must be a number from 1 to 65535"},
      {"https://hooks.example.com:70000/", "the port must be a number from 1 to 65535"},
      {"https://hooks.example.com:/", "the port must be a number from 1 to 65535"},
      {"http://hooks example.com/", "not a URL"},
      {"http://hooks!.example.com/", "the host is not a valid host name"},
  };
  for (const auto& [url, why] : refused) {
    EXPECT_EQ(policy.CheckUrl(url), why) << url;
  }
}

TEST(OutboundPolicyTest, JudgesAUrlsAddressWithoutResolving) {
  const OutboundPolicy policy;

  EXPECT_EQ(policy.CheckUrl("http://127.0.0.1:8080/hook"), "127.0.0.1 is a loopback address");
  EXPECT_EQ(policy.CheckUrl("http://[::1]/"), "::1 is a loopback address");
  EXPECT_EQ(policy.CheckUrl("http://[::ffff:127.0.0.1]/"),
            "::ffff:127.0.0.1 (127.0.0.1) is a loopback address");
  EXPECT_EQ(policy.CheckUrl("http://169.254.169.254/latest/meta-data/"),
            "169.254.169.254 is the cloud metadata address");
  EXPECT_EQ(policy.CheckUrl("http://%31%32%37.0.0.1/"), "127.0.0.1 is a loopback address");
  EXPECT_EQ(Allowing({"127.0.0.1/32"}).CheckUrl("http://127.0.0.1:8080/hook"), std::nullopt);
}

}  // namespace
}  // namespace uudai::testing
