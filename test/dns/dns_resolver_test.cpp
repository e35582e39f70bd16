// DnsResolver against a real dnsmasq on loopback: SRV and host lookups, IPv4
// and IPv6, SRV priority and weight, changes between resolutions, NXDOMAIN,
// an unreachable name server, TCP after truncation, and the option checks
// and stop() contract. A scripted name server plays what dnsmasq cannot: an
// AAAA look-up that fails while A answers, and answers held back to count
// the look-ups in flight.
#include "dnsmasq.hpp"
#include "scripted_name_server.hpp"

#include "support/eventually.hpp"
#include "support/ports.hpp"

#include <cueball/errors.hpp>
#include <cueball/resolvers/dns.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <limits>
#include <map>
#include <mutex>
#include <set>

namespace cueball::dns::test {
namespace {

using cueball::test::eventually;
using std::chrono::milliseconds;

const std::string kService = "_echo._tcp.test.com";

// Records every event the resolver delivers, from its thread.
class Events {
public:
    ResolverSink sink() {
        return [this](ResolverEvent event) {
            std::lock_guard lock(mutex_);
            if (auto* added = std::get_if<BackendAdded>(&event)) {
                ++adds_[added->key];
                live_[added->key] = added->backend;
            } else {
                const BackendKey& key = std::get<BackendRemoved>(event).key;
                ++removes_[key];
                live_.erase(key);
            }
            ++total_;
        };
    }
    std::set<BackendKey> live() const {
        std::lock_guard lock(mutex_);
        std::set<BackendKey> keys;
        for (const auto& [key, backend] : live_) keys.insert(key);
        return keys;
    }
    Backend backend(const BackendKey& key) const {
        std::lock_guard lock(mutex_);
        return live_.at(key);
    }
    int adds(const BackendKey& key) const {
        std::lock_guard lock(mutex_);
        auto it = adds_.find(key);
        return it == adds_.end() ? 0 : it->second;
    }
    int removes() const {
        std::lock_guard lock(mutex_);
        int n = 0;
        for (const auto& [key, count] : removes_) n += count;
        return n;
    }
    int removes(const BackendKey& key) const {
        std::lock_guard lock(mutex_);
        auto it = removes_.find(key);
        return it == removes_.end() ? 0 : it->second;
    }
    int total() const {
        std::lock_guard lock(mutex_);
        return total_;
    }

private:
    mutable std::mutex mutex_;
    std::map<BackendKey, Backend> live_;
    std::map<BackendKey, int> adds_;
    std::map<BackendKey, int> removes_;
    int total_ = 0;
};

// Keeps what the resolver logs, so tests can wait for a state change and
// check it was logged once.
class LogLines : public spdlog::sinks::base_sink<std::mutex> {
public:
    int count(const std::string& needle) {
        std::lock_guard lock(mutex_);
        int n = 0;
        for (const std::string& line : lines_) n += line.find(needle) != std::string::npos ? 1 : 0;
        return n;
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        lines_.emplace_back(msg.payload.data(), msg.payload.size());
    }
    void flush_() override {}

private:
    std::vector<std::string> lines_;  // guarded by base_sink's mutex_
};

class DnsResolverTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (Dnsmasq::binary().empty()) GTEST_SKIP() << "dnsmasq is not installed (Debian package dnsmasq-base)";
        dnsmasq_ = std::make_unique<Dnsmasq>();
        log_ = std::make_shared<LogLines>();
        logger_ = std::make_shared<spdlog::logger>("dns-test", log_);
        logger_->set_level(spdlog::level::debug);
    }

    DnsResolverOptions srv_options() const {
        DnsResolverOptions o;
        o.service = kService;
        o.nameservers = {dnsmasq_->nameserver()};
        o.min_ttl = milliseconds(200);
        o.max_ttl = milliseconds(1'000);
        o.query_timeout = milliseconds(500);
        o.logger = logger_;
        return o;
    }

    DnsResolverOptions host_options(const std::string& host, std::uint16_t port) const {
        DnsResolverOptions o = srv_options();
        o.service.clear();
        o.host = host;
        o.port = port;
        return o;
    }

    // Waits until dnsmasq has seen `n` more queries for `name`: the resolver
    // has gone through that many more rounds.
    bool more_queries(const std::string& name, int n) {
        const int target = dnsmasq_->queries_for(name) + n;
        return eventually([&] { return dnsmasq_->queries_for(name) >= target; });
    }

    static Zone three_targets() {
        return Zone{{kService + ",a.test.com,7001,0,10", kService + ",b.test.com,7002,0,10",
                     kService + ",c.test.com,7003,1,10"},
                    {"a.test.com,127.0.0.1,::1", "b.test.com,127.0.0.1", "c.test.com,::1"},
                    {}};
    }

    static std::set<BackendKey> three_target_keys() {
        return {"127.0.0.1:7001", "[::1]:7001", "127.0.0.1:7002", "[::1]:7003"};
    }

    std::unique_ptr<Dnsmasq> dnsmasq_;
    std::shared_ptr<LogLines> log_;
    std::shared_ptr<spdlog::logger> logger_;
    Events events_;
};

TEST_F(DnsResolverTest, SrvGivesOneBackendPerTargetAddress) {
    dnsmasq_->start(three_targets());
    DnsResolver resolver(srv_options());
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live() == three_target_keys(); }));
    // Re-resolutions of the same records change nothing.
    ASSERT_TRUE(more_queries(kService, 3));
    resolver.stop();
    for (const BackendKey& key : three_target_keys()) EXPECT_EQ(events_.adds(key), 1) << key;
    EXPECT_EQ(events_.removes(), 0);
    EXPECT_EQ(events_.backend("[::1]:7001").name, "a.test.com");
    EXPECT_EQ(events_.backend("[::1]:7003").port, 7003);
}

TEST_F(DnsResolverTest, SrvPriorityAndWeightReachTheBackendsAndAChangeIsAnUpdate) {
    dnsmasq_->start(three_targets());
    DnsResolver resolver(srv_options());
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live() == three_target_keys(); }));
    EXPECT_EQ(events_.backend("127.0.0.1:7001").priority, 0);
    EXPECT_EQ(events_.backend("127.0.0.1:7001").weight, 10);
    EXPECT_EQ(events_.backend("[::1]:7003").priority, 1);

    Zone promoted = three_targets();
    promoted.srv_hosts.back() = kService + ",c.test.com,7003,0,65535";
    dnsmasq_->restart(promoted);
    ASSERT_TRUE(eventually([&] { return events_.adds("[::1]:7003") == 2; }));
    resolver.stop();
    EXPECT_EQ(events_.backend("[::1]:7003").priority, 0);
    EXPECT_EQ(events_.backend("[::1]:7003").weight, 65535);
    EXPECT_EQ(events_.adds("127.0.0.1:7001"), 1) << "an unchanged backend was reported again";
    EXPECT_EQ(events_.removes(), 0);
}

TEST_F(DnsResolverTest, AnAnswerWithThousandsOfTargetsIsFollowedOnlyUpToMaxTargets) {
    // 2,000 targets without addresses (so every one would need its own
    // look-ups); the first five are the most preferred, each on its own
    // address so that the backends tell which targets were followed.
    std::vector<SrvRecord> records;
    for (std::uint16_t i = 0; i < 2000; ++i) {
        const auto priority = static_cast<std::uint16_t>(i < 5 ? 0 : 1 + i % 7);
        records.push_back(SrvRecord{priority, 1, 7000, "t" + std::to_string(i) + ".x"});
    }
    ScriptedNameServer server(
        [&](const AskedQuestion& q) -> std::optional<std::vector<std::uint8_t>> {
            if (q.type == 33) return srv_answer(q, records);
            if (q.type == 1) return a_answer(q, {"127.0.0." + std::to_string(1 + std::stoi(q.name.substr(1)) % 250)});
            return aaaa_answer(q, {});
        },
        milliseconds(0));
    DnsResolverOptions o = srv_options();
    o.nameservers = {server.nameserver()};
    o.max_targets = 5;
    DnsResolver resolver(o);
    resolver.start(events_.sink());
    const std::set<BackendKey> preferred{"127.0.0.1:7000", "127.0.0.2:7000", "127.0.0.3:7000", "127.0.0.4:7000",
                                         "127.0.0.5:7000"};
    ASSERT_TRUE(eventually([&] { return events_.live() == preferred; })) << events_.live().size();
    ASSERT_TRUE(eventually([&] { return server.questions() >= 2 * (1 + 2 * 5); })) << "no second round";
    resolver.stop();
    EXPECT_EQ(events_.live(), preferred);
    EXPECT_EQ(log_->count("more SRV targets than max_targets"), 1) << "not logged, or logged every round";
}

TEST_F(DnsResolverTest, LookUpsInFlightNeverExceedTheCap) {
    std::vector<SrvRecord> records;
    for (std::uint16_t i = 0; i < 40; ++i) records.push_back(SrvRecord{0, 1, static_cast<std::uint16_t>(7000 + i), "t" + std::to_string(i) + ".x"});
    ScriptedNameServer server(
        [&](const AskedQuestion& q) -> std::optional<std::vector<std::uint8_t>> {
            if (q.type == 33) return srv_answer(q, records);
            if (q.type == 1) return a_answer(q, {"127.0.0.1"});
            return aaaa_answer(q, {});
        },
        milliseconds(20));
    DnsResolverOptions o = srv_options();
    o.nameservers = {server.nameserver()};
    o.max_concurrent_queries = 3;
    DnsResolver resolver(o);
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live().size() == records.size(); }));
    resolver.stop();
    EXPECT_LE(server.max_in_flight(), 3u);
    EXPECT_GE(server.questions(), 1u + 2 * records.size());
}

TEST_F(DnsResolverTest, AFailingAaaaLookUpKeepsOnlyItsOwnPart) {
    // Both families answer at first; then AAAA fails (SERVFAIL) while A
    // moves to another address.
    std::atomic<bool> aaaa_fails{false};
    std::atomic<bool> a_moved{false};
    ScriptedNameServer server(
        [&](const AskedQuestion& q) -> std::optional<std::vector<std::uint8_t>> {
            if (q.type == 1) return a_answer(q, {a_moved ? "127.0.0.2" : "127.0.0.1"});
            if (q.type == 28) return aaaa_fails ? servfail(q) : aaaa_answer(q, {"::1"});
            return servfail(q);
        },
        milliseconds(0));
    DnsResolverOptions o = host_options("svc.test.com", 7001);
    o.nameservers = {server.nameserver()};
    DnsResolver resolver(o);
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live() == std::set<BackendKey>{"127.0.0.1:7001", "[::1]:7001"}; }));
    aaaa_fails = true;
    a_moved = true;
    ASSERT_TRUE(eventually([&] { return events_.live() == std::set<BackendKey>{"127.0.0.2:7001", "[::1]:7001"}; }));
    ASSERT_TRUE(eventually([&] { return log_->count("look-ups got no answer") >= 1; }));
    resolver.stop();
}

TEST_F(DnsResolverTest, AnIpv4OnlyServiceBehindAServerThatFailsAaaaGetsItsBackends) {
    ScriptedNameServer server(
        [&](const AskedQuestion& q) -> std::optional<std::vector<std::uint8_t>> {
            if (q.type == 1) return a_answer(q, {"127.0.0.1"});
            return servfail(q);
        },
        milliseconds(0));
    DnsResolverOptions o = host_options("svc.test.com", 7001);
    o.nameservers = {server.nameserver()};
    DnsResolver resolver(o);
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live() == std::set<BackendKey>{"127.0.0.1:7001"}; }));
    resolver.stop();
}

TEST_F(DnsResolverTest, ARecordFewerRemovesExactlyThatBackend) {
    dnsmasq_->start(three_targets());
    DnsResolver resolver(srv_options());
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live() == three_target_keys(); }));

    Zone fewer = three_targets();
    fewer.srv_hosts.pop_back();  // c.test.com, [::1]:7003
    dnsmasq_->restart(fewer);
    ASSERT_TRUE(eventually([&] { return events_.removes("[::1]:7003") == 1; }));
    ASSERT_TRUE(more_queries(kService, 3));
    resolver.stop();
    EXPECT_EQ(events_.removes(), 1);
    EXPECT_EQ(events_.live(), (std::set<BackendKey>{"127.0.0.1:7001", "[::1]:7001", "127.0.0.1:7002"}));
}

TEST_F(DnsResolverTest, UnreachableDnsKeepsTheLastGoodSet) {
    dnsmasq_->start(three_targets());
    DnsResolver resolver(srv_options());
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live() == three_target_keys(); }));
    const int before = events_.total();

    dnsmasq_->stop();
    ASSERT_TRUE(eventually([&] { return log_->count("keeping the last 4 backends") == 1; }));
    // Several failed rounds later: still logged once, nothing removed.
    ASSERT_TRUE(eventually([&] { return log_->count("UDP receive") >= 3; }));
    EXPECT_EQ(log_->count("keeping the last"), 1);
    EXPECT_EQ(events_.total(), before);

    // Back again with the same records: recovery is logged, no events.
    dnsmasq_->start(three_targets());
    ASSERT_TRUE(eventually([&] { return log_->count("name servers answer again") == 1; }));
    resolver.stop();
    EXPECT_EQ(events_.total(), before);
    EXPECT_EQ(events_.live(), three_target_keys());
}

TEST_F(DnsResolverTest, HostLookupGivesIpv4AndIpv6) {
    dnsmasq_->start(three_targets());
    DnsResolver resolver(host_options("a.test.com", 9000));
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live() == std::set<BackendKey>{"127.0.0.1:9000", "[::1]:9000"}; }));
    resolver.stop();
    EXPECT_EQ(events_.backend("127.0.0.1:9000").name, "a.test.com");
}

TEST_F(DnsResolverTest, NxdomainRemovesTheBackendsAndAsksAgainSoon) {
    dnsmasq_->start(three_targets());
    DnsResolverOptions options = host_options("b.test.com", 9000);
    options.max_ttl = std::chrono::hours(1);  // only min_ttl brings the name back in this test's time
    DnsResolver resolver(options);
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live() == std::set<BackendKey>{"127.0.0.1:9000"}; }));

    Zone without_b = three_targets();
    without_b.host_records.erase(without_b.host_records.begin() + 1);
    dnsmasq_->restart(without_b);
    // TTL 1 s, so the next round comes within a second or so.
    ASSERT_TRUE(eventually([&] { return events_.removes("127.0.0.1:9000") == 1; }));
    EXPECT_EQ(log_->count("NXDOMAIN; removing its 1 backends"), 1);

    dnsmasq_->restart(three_targets());
    ASSERT_TRUE(eventually([&] { return events_.adds("127.0.0.1:9000") == 2; }));
    resolver.stop();
    EXPECT_EQ(events_.live(), std::set<BackendKey>{"127.0.0.1:9000"});
}

TEST_F(DnsResolverTest, ServiceWithoutRecordsGivesNoBackendsUntilItAppears) {
    dnsmasq_->start(Zone{{}, {"a.test.com,127.0.0.1"}, {}});
    DnsResolverOptions options = srv_options();
    options.max_ttl = std::chrono::hours(1);
    DnsResolver resolver(options);
    resolver.start(events_.sink());
    ASSERT_TRUE(more_queries(kService, 2));
    EXPECT_EQ(events_.total(), 0);
    dnsmasq_->restart(Zone{{kService + ",a.test.com,7001"}, {"a.test.com,127.0.0.1"}, {}});
    ASSERT_TRUE(eventually([&] { return events_.live() == std::set<BackendKey>{"127.0.0.1:7001"}; }));
}

TEST_F(DnsResolverTest, TruncatedAnswersAreAskedAgainOverTcp) {
    // 40 targets with long names do not fit in 512 bytes of UDP.
    Zone big;
    std::set<BackendKey> expected;
    for (int i = 0; i < 40; ++i) {
        const std::string target = "target-with-a-rather-long-name-" + std::to_string(i) + ".test.com";
        const int port = 7100 + i;
        big.srv_hosts.push_back(kService + "," + target + "," + std::to_string(port));
        big.host_records.push_back(target + ",127.0.0.1");
        expected.insert("127.0.0.1:" + std::to_string(port));
    }
    dnsmasq_->start(big);
    DnsResolver resolver(srv_options());
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live() == expected; }));
    EXPECT_GE(log_->count("over TCP"), 1);
}

TEST_F(DnsResolverTest, TargetsWithoutCarriedAddressesAreLookedUp) {
    // d.test.com is a CNAME, which dnsmasq does not follow into the SRV
    // answer's additional section: the resolver asks for A and AAAA of
    // d.test.com and follows the CNAME in those answers.
    const Zone zone{{kService + ",d.test.com,7004"}, {"a.test.com,127.0.0.1,::1"}, {"d.test.com,a.test.com"}};
    dnsmasq_->start(zone);
    DnsResolver resolver(srv_options());
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live() == std::set<BackendKey>{"127.0.0.1:7004", "[::1]:7004"}; }));
    EXPECT_GE(dnsmasq_->queries_for("d.test.com"), 2);
    resolver.stop();
    EXPECT_EQ(events_.backend("[::1]:7004").name, "d.test.com");
}

TEST_F(DnsResolverTest, FallsBackToTheNextNameServer) {
    dnsmasq_->start(three_targets());
    DnsResolverOptions options = srv_options();
    options.nameservers = {"127.0.0.1:" + std::to_string(cueball::test::free_udp_tcp_port()), dnsmasq_->nameserver()};
    DnsResolver resolver(options);
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.live() == three_target_keys(); }));
}

TEST_F(DnsResolverTest, NoNameServerAtStartThenOne) {
    DnsResolver resolver(srv_options());
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return log_->count("no answer") == 1; }));
    EXPECT_EQ(events_.total(), 0);
    dnsmasq_->start(three_targets());
    ASSERT_TRUE(eventually([&] { return events_.live() == three_target_keys(); }));
}

TEST_F(DnsResolverTest, StopIsFinalAndIdempotent) {
    dnsmasq_->start(three_targets());
    DnsResolver resolver(srv_options());
    resolver.start(events_.sink());
    ASSERT_TRUE(eventually([&] { return events_.total() == 4; }));
    resolver.stop();
    resolver.stop();
    dnsmasq_->restart(Zone{});
    // No more events once stop() has returned, whatever DNS says now.
    ASSERT_TRUE(more_queries(kService, 0));
    EXPECT_EQ(events_.total(), 4);
    EXPECT_THROW(resolver.start(events_.sink()), InvalidArgument);
}

TEST_F(DnsResolverTest, TheSinkMayCallStop) {
    dnsmasq_->start(three_targets());
    DnsResolver resolver(srv_options());
    std::atomic<int> calls{0};
    resolver.start([&](ResolverEvent) {
        ++calls;
        resolver.stop();
    });
    ASSERT_TRUE(eventually([&] { return calls.load() >= 1; }));
    resolver.stop();
    // The round had four events to deliver; stop() in the first one ends it.
    EXPECT_EQ(calls.load(), 1);
}

TEST(DnsResolver, StartAfterStopDoesNothing) {
    DnsResolverOptions options;
    options.host = "a.test.com";
    options.port = 1;
    options.nameservers = {"127.0.0.1:9"};
    DnsResolver resolver(options);
    resolver.stop();
    std::atomic<int> calls{0};
    resolver.start([&](ResolverEvent) { ++calls; });
    resolver.stop();
    EXPECT_EQ(calls.load(), 0);
}

TEST(DnsResolver, AnIpLiteralHostNeedsNoDns) {
    DnsResolverOptions options;
    options.host = "::1";
    options.port = 5432;
    options.nameservers = {"127.0.0.1:9"};
    DnsResolver resolver(options);
    Events events;
    resolver.start(events.sink());
    ASSERT_TRUE(eventually([&] { return events.live() == std::set<BackendKey>{"[::1]:5432"}; }));
    resolver.stop();
    EXPECT_EQ(events.total(), 1);
}

TEST(DnsResolver, RejectsAnEmptySink) {
    DnsResolverOptions options;
    options.host = "a.test.com";
    options.port = 1;
    options.nameservers = {"127.0.0.1:9"};
    DnsResolver resolver(options);
    EXPECT_THROW(resolver.start(ResolverSink{}), InvalidArgument);
}

// Expects the constructor to throw InvalidArgument naming `field`.
void expect_invalid(const DnsResolverOptions& options, const std::string& field) {
    try {
        DnsResolver resolver(options);
        ADD_FAILURE() << "accepted; expected an error about " << field;
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
}

TEST(DnsResolverOptions, AreChecked) {
    DnsResolverOptions good;
    good.service = kService;
    good.nameservers = {"127.0.0.1:5353"};
    EXPECT_NO_THROW(DnsResolver{good});

    DnsResolverOptions o = good;
    o.service.clear();
    expect_invalid(o, "service");
    o = good;
    o.host = "a.test.com";
    o.port = 1;
    expect_invalid(o, "host");
    o = good;
    o.port = 80;
    expect_invalid(o, "port");
    o = good;
    o.service.clear();
    o.host = "a.test.com";
    expect_invalid(o, "port");
    o = good;
    o.service = std::string(300, 'x');
    expect_invalid(o, "service");
    o = good;
    o.service = ".";
    expect_invalid(o, "service");
    o = good;
    o.min_ttl = milliseconds(0);
    expect_invalid(o, "min_ttl");
    o = good;
    o.min_ttl = milliseconds(2'000);
    o.max_ttl = milliseconds(1'000);
    expect_invalid(o, "min_ttl");
    o = good;
    o.query_timeout = milliseconds(0);
    expect_invalid(o, "query_timeout");
    o = good;
    o.query_timeout = milliseconds::max();
    expect_invalid(o, "query_timeout");
    o = good;
    o.min_ttl = milliseconds::max();
    o.max_ttl = milliseconds::max();
    expect_invalid(o, "min_ttl");
    o = good;
    o.max_ttl = milliseconds::max();
    expect_invalid(o, "max_ttl");
    o = good;
    o.min_ttl = milliseconds(-1);
    expect_invalid(o, "min_ttl");
    for (std::size_t bad : {std::size_t{0}, std::size_t{4097}, std::numeric_limits<std::size_t>::max()}) {
        o = good;
        o.max_targets = bad;
        expect_invalid(o, "max_targets");
        o = good;
        o.max_concurrent_queries = bad == 4097 ? 257 : bad;
        expect_invalid(o, "max_concurrent_queries");
    }
    for (const char* bad : {"localhost:53", "127.0.0.1:0", "[::1", "", "127.0.0.1:99999"}) {
        o = good;
        o.nameservers = {"127.0.0.1", bad};
        expect_invalid(o, "nameservers");
    }
}

TEST(DnsResolverOptions, AcceptsEveryNameserverForm) {
    DnsResolverOptions o;
    o.service = kService;
    o.nameservers = {"127.0.0.1", "127.0.0.1:5353", "::1", "[::1]", "[::1]:5353"};
    EXPECT_NO_THROW(DnsResolver{o});
    o.nameservers.clear();
    o.resolv_conf = "/nonexistent/resolv.conf";  // falls back to 127.0.0.1:53
    o.logger = std::make_shared<spdlog::logger>("dns-null", std::make_shared<spdlog::sinks::null_sink_mt>());
    EXPECT_NO_THROW(DnsResolver{o});
}

}  // namespace
}  // namespace cueball::dns::test
