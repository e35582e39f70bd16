// Reading parsed answers: SRV targets, addresses (through CNAMEs), TTLs.
#include "answers.hpp"

#include <gtest/gtest.h>

namespace cueball::dns {
namespace {

Record srv(const std::string& owner, const std::string& target, std::uint16_t port, std::uint32_t ttl = 60) {
    Record r;
    r.name = owner;
    r.type = kTypeSrv;
    r.target = target;
    r.port = port;
    r.ttl = ttl;
    return r;
}

Record addr(const std::string& owner, const std::string& address, std::uint32_t ttl = 60) {
    Record r;
    r.name = owner;
    r.type = address.find(':') == std::string::npos ? kTypeA : kTypeAaaa;
    r.address = address;
    r.ttl = ttl;
    return r;
}

Record cname(const std::string& owner, const std::string& target, std::uint32_t ttl = 60) {
    Record r;
    r.name = owner;
    r.type = kTypeCname;
    r.target = target;
    r.ttl = ttl;
    return r;
}

const std::string kService = "_echo._tcp.test.com";

TEST(SrvTargets, OnePerTargetAndPortWithTheShortestTtl) {
    Message m;
    m.answers = {srv(kService, "a.test.com", 7001, 30), srv(kService, "a.test.com", 7001, 10),
                 srv(kService, "a.test.com", 7002), srv(kService, "b.test.com", 7001),
                 srv("_other._tcp.test.com", "c.test.com", 7003)};
    const auto targets = srv_targets(m, "_Echo._tcp.test.com.");
    const std::vector<SrvTarget> expected{
        {"a.test.com", 7001, 10}, {"a.test.com", 7002, 60}, {"b.test.com", 7001, 60}};
    EXPECT_EQ(targets, expected);
}

Record weighted(const std::string& target, std::uint16_t port, std::uint16_t priority, std::uint16_t weight) {
    Record r = srv(kService, target, port);
    r.priority = priority;
    r.weight = weight;
    return r;
}

TEST(SrvTargets, MostPreferredFirstWithTheirPriorityAndWeight) {
    Message m;
    m.answers = {weighted("d.test.com", 7001, 1, 50), weighted("c.test.com", 7001, 0, 0),
                 weighted("b.test.com", 7001, 0, 10), weighted("a.test.com", 7001, 0, 10),
                 weighted("e.test.com", 7001, 65535, 65535)};
    std::vector<std::string> order;
    for (const SrvTarget& t : srv_targets(m, kService)) order.push_back(t.target + "/" + std::to_string(t.priority) + "/" + std::to_string(t.weight));
    EXPECT_EQ(order, (std::vector<std::string>{"a.test.com/0/10", "b.test.com/0/10", "c.test.com/0/0",
                                               "d.test.com/1/50", "e.test.com/65535/65535"}));
}

TEST(SrvTargets, ATargetListedTwiceKeepsItsMorePreferredRecord) {
    Message m;
    m.answers = {weighted("a.test.com", 7001, 3, 1), weighted("a.test.com", 7001, 1, 1)};
    m.answers[0].ttl = 5;
    const auto targets = srv_targets(m, kService);
    ASSERT_EQ(targets.size(), 1u);
    EXPECT_EQ(targets[0].priority, 1);
    EXPECT_EQ(targets[0].ttl, 5u);
}

TEST(SrvTargets, DotMeansNoService) {
    Message m;
    m.answers = {srv(kService, "", 0)};
    EXPECT_TRUE(srv_targets(m, kService).empty());
}

TEST(SrvTargets, FollowsACname) {
    Message m;
    m.answers = {cname(kService, "_real._tcp.test.com"), srv("_real._tcp.test.com", "a.test.com", 7001)};
    ASSERT_EQ(srv_targets(m, kService).size(), 1u);
}

TEST(AddressesFor, CollectsIpv4AndIpv6OnceWithTheShortestTtl) {
    const std::vector<Record> records{addr("a.test.com", "127.0.0.1", 50), addr("a.test.com", "::1", 20),
                                      addr("a.test.com", "127.0.0.1", 40), addr("b.test.com", "10.0.0.1", 1)};
    const Addresses found = addresses_for(records, "A.test.com");
    EXPECT_EQ(found.addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
    EXPECT_EQ(found.ttl, 20u);
    EXPECT_TRUE(addresses_for(records, "c.test.com").addresses.empty());
}

TEST(AddressesFor, FollowsCnameChainsAndSurvivesLoops) {
    const std::vector<Record> chain{cname("www.test.com", "web.test.com"), cname("web.test.com", "host.test.com"),
                                    addr("host.test.com", "10.0.0.7")};
    EXPECT_EQ(addresses_for(chain, "www.test.com").addresses, (std::vector<std::string>{"10.0.0.7"}));

    const std::vector<Record> loop{cname("x.test.com", "y.test.com"), cname("y.test.com", "x.test.com")};
    EXPECT_TRUE(addresses_for(loop, "x.test.com").addresses.empty());
}

TEST(CarriedAddresses, UsesTheAdditionalSection) {
    Message m;
    m.answers = {srv(kService, "a.test.com", 7001)};
    m.additionals = {addr("a.test.com", "127.0.0.1", 5), addr("a.test.com", "::1", 9)};
    const auto carried = carried_addresses(m, "a.test.com");
    ASSERT_TRUE(carried.has_value());
    EXPECT_EQ(carried->addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
    EXPECT_EQ(carried->ttl, 5u);
    EXPECT_FALSE(carried_addresses(m, "b.test.com").has_value());
}

}  // namespace
}  // namespace cueball::dns
