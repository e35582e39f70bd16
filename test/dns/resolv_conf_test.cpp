// Name server addresses from the options and from resolv.conf text.
#include "resolv_conf.hpp"

#include <gtest/gtest.h>

namespace cueball::dns {
namespace {

TEST(ParseEndpoint, AcceptsAddressesWithAndWithoutPorts) {
    EXPECT_EQ(parse_endpoint("127.0.0.1"), (Endpoint{"127.0.0.1", 53}));
    EXPECT_EQ(parse_endpoint("127.0.0.1:5353"), (Endpoint{"127.0.0.1", 5353}));
    EXPECT_EQ(parse_endpoint("::1"), (Endpoint{"::1", 53}));
    EXPECT_EQ(parse_endpoint("[::1]"), (Endpoint{"::1", 53}));
    EXPECT_EQ(parse_endpoint("[::1]:5353"), (Endpoint{"::1", 5353}));
    EXPECT_EQ(parse_endpoint("[fe80::1%eth0]:53"), (Endpoint{"fe80::1%eth0", 53}));
    EXPECT_EQ(parse_endpoint("10.0.0.1:65535"), (Endpoint{"10.0.0.1", 65535}));
}

TEST(ParseEndpoint, RejectsEverythingElse) {
    for (const char* bad : {"", "localhost", "localhost:53", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                            "127.0.0.1:53x", "127.0.0.1:-1", "[::1", "[::1]x", "[::1]:", "[127.0.0.1]:53",
                            "::1:53x", " 127.0.0.1", "127.0.0.1 ", "1.2.3", "fe80::1%", "[::1]:99999999999"}) {
        EXPECT_EQ(parse_endpoint(bad), std::nullopt) << bad;
    }
    EXPECT_EQ(parse_endpoint(std::string_view("127.0.0.1\0x", 11)), std::nullopt);
}

TEST(ParseResolvConf, ReadsNameserverLinesInOrder) {
    const auto servers = parse_resolv_conf(
        "# generated\n"
        "search example.com\n"
        "nameserver 10.0.0.1\n"
        "; comment\n"
        "nameserver\t::1   # trailing words are ignored\n"
        "options ndots:2\n"
        "  nameserver 10.0.0.2\r\n"
        "nameserver fe80::1%eth0\n"
        "nameserver 10.0.0.3");
    const std::vector<Endpoint> expected{
        {"10.0.0.1", 53}, {"::1", 53}, {"10.0.0.2", 53}, {"fe80::1%eth0", 53}, {"10.0.0.3", 53}};
    EXPECT_EQ(servers, expected);
}

TEST(ParseResolvConf, SkipsCommentsAndJunk) {
    const auto servers = parse_resolv_conf(
        "#nameserver 10.0.0.9\n"
        ";nameserver 10.0.0.9\n"
        "nameserver\n"
        "nameserver dns.example.com\n"
        "nameserver 10.0.0.1:53\n"
        "nameservers 10.0.0.9\n"
        "xnameserver 10.0.0.9\n"
        "\n\n"
        "nameserver 10.0.0.4\n");
    EXPECT_EQ(servers, (std::vector<Endpoint>{{"10.0.0.4", 53}}));
    EXPECT_TRUE(parse_resolv_conf("").empty());
    EXPECT_TRUE(parse_resolv_conf("\n\n\n").empty());
}

TEST(EndpointToString, BracketsIpv6) {
    EXPECT_EQ(to_string(Endpoint{"127.0.0.1", 53}), "127.0.0.1:53");
    EXPECT_EQ(to_string(Endpoint{"::1", 5353}), "[::1]:5353");
}

}  // namespace
}  // namespace cueball::dns
