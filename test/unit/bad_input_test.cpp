// Bad input, table by table: every option and constructor argument at and
// beyond its limits, resolver events the pool must ignore, backends that are
// not backends, factories that fail, handles used after release, and claim
// arguments out of range. Each must give a clear error that names what was
// wrong, or a failure the pool logs and counts while it keeps working.
#include "pool_fixture.hpp"
#include "support/captured_log.hpp"

#include <cueball/cueball.hpp>

#if CUEBALL_TEST_WITH_TCP
#include <cueball/connections/tcp.hpp>
#endif

#include <cmath>
#include <functional>
#include <limits>
#include <mutex>
#include <string>

namespace cueball::test {
namespace {

using std::chrono::milliseconds;

// Expects `what` to throw E with a message containing every one of `words`.
template <class E, class F>
void expect_error(F what, std::initializer_list<std::string> words) {
    try {
        what();
        ADD_FAILURE() << "no " << ::testing::internal::GetTypeName<E>() << " thrown";
    } catch (const E& e) {
        for (const std::string& w : words) EXPECT_NE(std::string(e.what()).find(w), std::string::npos) << e.what();
    }
}

// ------------------------------------------------------------ PoolOptions

struct OptionCase {
    const char* field;
    const char* says;  // the accepted range, or the rule broken
    std::function<void(PoolOptions&)> set;
};

std::ostream& operator<<(std::ostream& out, const OptionCase& c) { return out << c.field << ": " << c.says; }

class RejectedOption : public PoolTest, public ::testing::WithParamInterface<OptionCase> {};

TEST_P(RejectedOption, ThrowsInvalidArgumentNamingTheFieldAndTheRange) {
    PoolOptions o = fast_options(2);
    GetParam().set(o);
    const std::string pool = o.name.empty() ? "PoolOptions" : "'test'";
    expect_error<InvalidArgument>([&] { Pool pool_(o, std::make_shared<StaticResolver>(), world->factory()); },
                                  {GetParam().field, GetParam().says, pool});
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

INSTANTIATE_TEST_SUITE_P(
    Pool, RejectedOption,
    ::testing::Values(
        OptionCase{"name", "must not be empty", [](PoolOptions& o) { o.name.clear(); }},
        OptionCase{"max_connections", "1 .. 1000000 (got 0)", [](PoolOptions& o) { o.max_connections = 0; }},
        OptionCase{"max_connections", "(got 1000001)", [](PoolOptions& o) { o.max_connections = 1'000'001; }},
        OptionCase{"max_connections", "1 .. 1000000",
                   [](PoolOptions& o) { o.max_connections = std::numeric_limits<std::size_t>::max(); }},
        OptionCase{"claim_timeout", "must not be negative (got -1 ms)",
                   [](PoolOptions& o) { o.claim_timeout = milliseconds(-1); }},
        OptionCase{"rebalance_delay", "must not be negative", [](PoolOptions& o) { o.rebalance_delay = milliseconds(-5); }},
        OptionCase{"decoherence_interval", "must not be negative",
                   [](PoolOptions& o) { o.decoherence_interval = milliseconds(-1); }},
        OptionCase{"health_check_interval", "must not be negative",
                   [](PoolOptions& o) { o.health_check_interval = milliseconds(-1); }},
        OptionCase{"connect_timeout", "must be positive (got 0 ms)",
                   [](PoolOptions& o) { o.connect_timeout = milliseconds(0); }},
        OptionCase{"connect_timeout", "must be positive (got -1 ms)",
                   [](PoolOptions& o) { o.connect_timeout = milliseconds(-1); }},
        OptionCase{"backoff_initial", "must be positive", [](PoolOptions& o) { o.backoff_initial = milliseconds(0); }},
        OptionCase{"backoff_initial", "must be positive", [](PoolOptions& o) { o.backoff_initial = milliseconds(-3); }},
        OptionCase{"backoff_max", "at least backoff_initial", [](PoolOptions& o) { o.backoff_max = milliseconds(1); }},
        OptionCase{"backoff_multiplier", "1 .. 1000", [](PoolOptions& o) { o.backoff_multiplier = 0.5; }},
        OptionCase{"backoff_multiplier", "1 .. 1000", [](PoolOptions& o) { o.backoff_multiplier = 1000.5; }},
        OptionCase{"backoff_multiplier", "1 .. 1000", [](PoolOptions& o) { o.backoff_multiplier = kNaN; }},
        OptionCase{"backoff_multiplier", "1 .. 1000", [](PoolOptions& o) { o.backoff_multiplier = kInf; }},
        OptionCase{"backoff_jitter", "0 .. 1", [](PoolOptions& o) { o.backoff_jitter = 1.5; }},
        OptionCase{"backoff_jitter", "0 .. 1", [](PoolOptions& o) { o.backoff_jitter = -0.1; }},
        OptionCase{"backoff_jitter", "0 .. 1", [](PoolOptions& o) { o.backoff_jitter = kNaN; }},
        OptionCase{"connector_threads", "1 .. 1024 (got 0)", [](PoolOptions& o) { o.connector_threads = 0; }},
        OptionCase{"connector_threads", "1 .. 1024 (got 1025)", [](PoolOptions& o) { o.connector_threads = 1025; }},
        OptionCase{"connects_per_backend", "at least 1", [](PoolOptions& o) { o.connects_per_backend = 0; }},
        OptionCase{"idle_timeout", "must not be negative", [](PoolOptions& o) { o.idle_timeout = milliseconds(-1); }},
        OptionCase{"max_lifetime", "must not be negative", [](PoolOptions& o) { o.max_lifetime = milliseconds(-1); }},
        OptionCase{"validation_bypass_window", "must not be negative",
                   [](PoolOptions& o) { o.validation_bypass_window = milliseconds(-1); }},
        OptionCase{"claim_warning_threshold", "must not be negative",
                   [](PoolOptions& o) { o.claim_warning_threshold = milliseconds(-1); }},
        OptionCase{"max_churn_rate", "0 (no limit) .. 1e9", [](PoolOptions& o) { o.max_churn_rate = -1.0; }},
        OptionCase{"max_churn_rate", "0 (no limit) .. 1e9", [](PoolOptions& o) { o.max_churn_rate = 2e9; }},
        OptionCase{"max_churn_rate", "0 (no limit) .. 1e9", [](PoolOptions& o) { o.max_churn_rate = kNaN; }},
        OptionCase{"max_churn_rate", "0 (no limit) .. 1e9", [](PoolOptions& o) { o.max_churn_rate = kInf; }},
        OptionCase{"spares", "must not exceed max_connections (3 > 2)", [](PoolOptions& o) { o.spares = 3; }}));

// The same fields at the edges of their ranges: a pool that starts and stops.
class AcceptedOption : public PoolTest, public ::testing::WithParamInterface<OptionCase> {};

TEST_P(AcceptedOption, AtTheLimitStartsAndStops) {
    PoolOptions o = fast_options(2);
    GetParam().set(o);
    Pool pool(o, std::make_shared<StaticResolver>(loopback_backends(2)), world->factory());
    pool.stop();
    EXPECT_EQ(pool.stats().state, PoolState::Stopped);
    expect_clean_world();
}

INSTANTIATE_TEST_SUITE_P(
    Pool, AcceptedOption,
    ::testing::Values(
        OptionCase{"max_connections", "1", [](PoolOptions& o) { o.max_connections = 1; }},
        OptionCase{"max_connections", "1000000",
                   [](PoolOptions& o) {
                       o.max_connections = 1'000'000;
                       o.spares = 1;  // with spares, the pool opens on demand rather than all at once
                   }},
        OptionCase{"claim_timeout", "0", [](PoolOptions& o) { o.claim_timeout = milliseconds(0); }},
        OptionCase{"rebalance_delay", "0", [](PoolOptions& o) { o.rebalance_delay = milliseconds(0); }},
        OptionCase{"decoherence_interval", "1 ms", [](PoolOptions& o) { o.decoherence_interval = milliseconds(1); }},
        OptionCase{"health_check_interval", "1 ms", [](PoolOptions& o) { o.health_check_interval = milliseconds(1); }},
        OptionCase{"connect_timeout", "1 ms", [](PoolOptions& o) { o.connect_timeout = milliseconds(1); }},
        OptionCase{"backoff", "initial = max = 1 ms",
                   [](PoolOptions& o) {
                       o.backoff_initial = milliseconds(1);
                       o.backoff_max = milliseconds(1);
                   }},
        OptionCase{"backoff_multiplier", "1", [](PoolOptions& o) { o.backoff_multiplier = 1.0; }},
        OptionCase{"backoff_multiplier", "1000", [](PoolOptions& o) { o.backoff_multiplier = 1000.0; }},
        OptionCase{"backoff_jitter", "0", [](PoolOptions& o) { o.backoff_jitter = 0.0; }},
        OptionCase{"backoff_jitter", "1", [](PoolOptions& o) { o.backoff_jitter = 1.0; }},
        OptionCase{"connector_threads", "1", [](PoolOptions& o) { o.connector_threads = 1; }},
        OptionCase{"connector_threads", "1024", [](PoolOptions& o) { o.connector_threads = 1024; }},
        OptionCase{"connects_per_backend", "1", [](PoolOptions& o) { o.connects_per_backend = 1; }},
        OptionCase{"spares", "= max_connections", [](PoolOptions& o) { o.spares = o.max_connections; }},
        OptionCase{"idle_timeout", "0", [](PoolOptions& o) {
                       o.spares = 1;
                       o.idle_timeout = milliseconds(0);
                   }},
        OptionCase{"max_lifetime", "1 ms", [](PoolOptions& o) { o.max_lifetime = milliseconds(1); }},
        OptionCase{"validation_bypass_window", "0",
                   [](PoolOptions& o) {
                       o.validate_on_claim = true;
                       o.validation_bypass_window = milliseconds(0);
                   }},
        OptionCase{"claim_warning_threshold", "1 ms", [](PoolOptions& o) { o.claim_warning_threshold = milliseconds(1); }},
        OptionCase{"max_churn_rate", "1e9", [](PoolOptions& o) { o.max_churn_rate = 1e9; }},
        OptionCase{"max_churn_rate", "tiny", [](PoolOptions& o) { o.max_churn_rate = 1e-9; }},
        OptionCase{"dead_after_failures", "1", [](PoolOptions& o) { o.dead_after_failures = 1; }}));

// ------------------------------------------------- other constructor arguments

TEST_F(PoolTest, NullResolverAndEmptyFactoryAreNamed) {
    expect_error<InvalidArgument>([&] { Pool pool(fast_options(1), nullptr, world->factory()); },
                                  {"'test'", "resolver is null"});
    expect_error<InvalidArgument>(
        [&] { Pool pool(fast_options(1), std::make_shared<StaticResolver>(), Pool::Factory{}); },
        {"'test'", "connection factory is empty"});
}

TEST_F(PoolTest, ResolverThatFailsToStartFailsTheConstructorCleanly) {
    struct Broken : Resolver {
        void start(ResolverSink) override { throw std::runtime_error("no route to the registry"); }
        void stop() override {}
    };
    expect_error<std::runtime_error>([&] { Pool pool(fast_options(1), std::make_shared<Broken>(), world->factory()); },
                                     {"no route to the registry"});
}

struct BackendCase {
    const char* what;
    Backend backend;
    const char* says;
};

std::ostream& operator<<(std::ostream& out, const BackendCase& c) { return out << c.what; }

class RejectedBackend : public ::testing::TestWithParam<BackendCase> {};

TEST_P(RejectedBackend, StaticResolverNamesIt) {
    const BackendCase& c = GetParam();
    expect_error<InvalidArgument>([&] { StaticResolver r({c.backend}); }, {"StaticResolver", c.says});
    StaticResolver later;
    expect_error<InvalidArgument>([&] { later.add(c.backend); }, {"StaticResolver", c.says});
}

INSTANTIATE_TEST_SUITE_P(Backends, RejectedBackend,
                         ::testing::Values(BackendCase{"empty address", Backend{"", 80, {}}, "address is empty"},
                                           BackendCase{"port 0", Backend{"127.0.0.1", 0, {}}, "'127.0.0.1' has port 0"},
                                           BackendCase{"both", Backend{"", 0, {}}, "address is empty"}));

#if CUEBALL_TEST_WITH_TCP

struct TcpCase {
    const char* what;
    Backend backend;
    TcpOptions options;
    const char* says;
};

std::ostream& operator<<(std::ostream& out, const TcpCase& c) { return out << c.what; }

class RejectedTcpArgument : public ::testing::TestWithParam<TcpCase> {};

TEST_P(RejectedTcpArgument, TcpConnectionNamesIt) {
    const TcpCase& c = GetParam();
    expect_error<InvalidArgument>([&] { TcpConnection conn(c.backend, c.options); }, {"TcpConnection", c.says});
}

INSTANTIATE_TEST_SUITE_P(
    Tcp, RejectedTcpArgument,
    ::testing::Values(TcpCase{"empty address", Backend{"", 80, {}}, {}, "address is empty"},
                      TcpCase{"port 0", Backend{"127.0.0.1", 0, {}}, {}, "has port 0"},
                      TcpCase{"zero connect_timeout", Backend{"127.0.0.1", 80, {}},
                              TcpOptions{.connect_timeout = milliseconds(0)}, "connect_timeout must be positive (got 0 ms)"},
                      TcpCase{"negative connect_timeout", Backend{"127.0.0.1", 80, {}},
                              TcpOptions{.connect_timeout = milliseconds(-7)}, "(got -7 ms)"}));

// An address that is not an address is a failed connect like any other: the
// pool counts it, says why, and the claimer hears it in the claim's error.
TEST(BadTcpBackend, AddressThatIsNotAnAddressIsACountedConnectFailure) {
    const Backend bogus{"not an address!", 7, {}};
    PoolOptions o = fast_options(2);
    ConnectionPool<TcpConnection> pool(o, std::make_shared<StaticResolver>(std::vector<Backend>{bogus}),
                                       [](const Backend& b) { return std::make_unique<TcpConnection>(b); });
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool.stats();
        return s.backends.size() == 1 && s.backends[0].connect_failures > 0;
    }));
    const PoolStats s = pool.stats();
    EXPECT_EQ(s.total_connections, 0u);
    EXPECT_NE(s.backends[0].last_error.find("cannot resolve not an address!:7"), std::string::npos)
        << s.backends[0].last_error;
    EXPECT_GE(s.counters.connect_failures, s.backends[0].connect_failures);
    try {
        pool.claim(milliseconds(50));
        FAIL() << "claimed a connection to a bogus address";
    } catch (const ClaimTimeout& e) {
        EXPECT_NE(std::string(e.what()).find("not an address!"), std::string::npos) << e.what();
    } catch (const NoBackendsAvailable& e) {
        EXPECT_NE(std::string(e.what()).find("not an address!"), std::string::npos) << e.what();
    }
}

#endif  // CUEBALL_TEST_WITH_TCP

// ------------------------------------------------------- failing factories

struct FactoryCase {
    const char* what;
    FakeBehaviour behaviour;
    const char* says;
};

std::ostream& operator<<(std::ostream& out, const FactoryCase& c) { return out << c.what; }

class FailingFactory : public PoolTest, public ::testing::WithParamInterface<FactoryCase> {};

TEST_P(FailingFactory, IsACountedConnectFailureThatClaimsReport) {
    const Backend b = loopback_backends(1)[0];
    world->set(backend_key(b), GetParam().behaviour);
    PoolOptions o = fast_options(2);
    o.dead_after_failures = 0;  // keep waiting, so that the claim's timeout message is what we see
    auto pool = make_pool(o, std::make_shared<StaticResolver>(std::vector<Backend>{b}));
    ASSERT_TRUE(eventually([&] { return pool->stats().counters.connect_failures >= 2; }));
    const PoolStats s = pool->stats();
    ASSERT_EQ(s.backends.size(), 1u);
    EXPECT_EQ(s.backends[0].state, BackendState::Failing);
    EXPECT_NE(s.backends[0].last_error.find(GetParam().says), std::string::npos) << s.backends[0].last_error;
    expect_error<ClaimTimeout>([&] { pool->claim(milliseconds(20)); }, {"none connected", GetParam().says});
    world->set(backend_key(b), FakeBehaviour{});
    EXPECT_TRUE(eventually([&] { return pool->stats().total_connections == 2; })) << "no recovery";
    pool.reset();
    expect_clean_world();
}

INSTANTIATE_TEST_SUITE_P(
    Factories, FailingFactory,
    ::testing::Values(FactoryCase{"throws", FakeBehaviour{.factory_throws = true}, "fake factory refused"},
                      FactoryCase{"returns nullptr", FakeBehaviour{.factory_returns_null = true},
                                  "connection factory returned nullptr"},
                      FactoryCase{"connect throws", FakeBehaviour{.fail_connect = true}, "fake connect refused"}));

// -------------------------------------------------- claims and handles

TEST_F(PoolTest, NegativeClaimTimeoutsAreNamed) {
    auto pool = make_pool(fast_options(1), std::make_shared<StaticResolver>(loopback_backends(1)));
    expect_error<InvalidArgument>([&] { pool->claim(milliseconds(-1)); },
                                  {"'test'", "claim timeout must not be negative (got -1 ms)"});
    expect_error<InvalidArgument>([&] { pool->claim(ClaimOptions{.timeout = milliseconds(-250)}); },
                                  {"(got -250 ms)"});
    expect_error<InvalidArgument>(
        [&] { pool->claim(milliseconds(std::numeric_limits<milliseconds::rep>::min())); }, {"must not be negative"});
    EXPECT_EQ(pool->stats().counters.claim_timeouts, 0u);
}

TEST_F(PoolTest, HandlesUsedAfterReleaseDiscardOrMoveThrowInvalidHandle) {
    auto pool = make_pool(fast_options(2), std::make_shared<StaticResolver>(loopback_backends(1)));
    const std::vector<std::pair<const char*, std::function<void(PoolHandle<FakeConnection>&)>>> endings{
        {"release", [](PoolHandle<FakeConnection>& h) { h.release(); }},
        {"discard", [](PoolHandle<FakeConnection>& h) { h.discard(); }},
        {"move", [](PoolHandle<FakeConnection>& h) { PoolHandle<FakeConnection> taken(std::move(h)); }},
        {"release twice",
         [](PoolHandle<FakeConnection>& h) {
             h.release();
             h.release();
             h.discard();
         }},
    };
    for (const auto& [name, end] : endings) {
        SCOPED_TRACE(name);
        PoolHandle<FakeConnection> h = pool->claim(std::chrono::seconds(5));
        end(h);
        EXPECT_FALSE(h);
        expect_error<InvalidHandle>([&] { (void)h->id(); }, {"empty PoolHandle"});
        expect_error<InvalidHandle>([&] { (void)(*h).id(); }, {"empty PoolHandle"});
        expect_error<InvalidHandle>([&] { (void)h.backend(); }, {"empty PoolHandle"});
    }
    EXPECT_TRUE(eventually([&] { return pool->stats().claimed_connections == 0; }));
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, ClaimsOnAStoppedPoolNameThePool) {
    auto pool = make_pool(fast_options(1), std::make_shared<StaticResolver>(loopback_backends(1)));
    pool->stop();
    expect_error<PoolStopped>([&] { pool->claim(milliseconds(10)); }, {"'test' is stopped"});
    expect_error<PoolStopped>([&] { (void)pool->try_claim(); }, {"'test' is stopped"});
}

// ------------------------------------------------------- resolver events

// A resolver the test drives by hand: it keeps the sink and calls it when
// told, also when it should not (after stop), as a buggy resolver might.
class ScriptedResolver : public Resolver {
public:
    void start(ResolverSink sink) override {
        std::lock_guard lock(mutex_);
        sink_ = std::move(sink);
    }
    void stop() override {}
    void send(ResolverEvent event) {
        ResolverSink sink;
        {
            std::lock_guard lock(mutex_);
            sink = sink_;
        }
        sink(std::move(event));
    }

private:
    std::mutex mutex_;
    ResolverSink sink_;  // guarded by mutex_
};

TEST_F(PoolTest, DuplicateAndUnknownKeysAreLoggedAndIgnored) {
    CapturedLog log;
    PoolOptions o = fast_options(2);
    o.logger = log.logger();
    auto resolver = std::make_shared<ScriptedResolver>();
    auto pool = std::make_unique<Pool>(o, resolver, world->factory());
    const Backend b = loopback_backends(1)[0];
    resolver->send(BackendAdded{backend_key(b), b});
    resolver->send(BackendAdded{backend_key(b), b});
    resolver->send(BackendRemoved{"127.0.0.1:9"});
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 2; }));
    EXPECT_EQ(pool->stats().backends.size(), 1u);
    EXPECT_TRUE(eventually([&] {
        const std::string text = log.text();
        return text.find("backend " + backend_key(b) + " added twice; ignored") != std::string::npos &&
               text.find("unknown backend 127.0.0.1:9 removed; ignored") != std::string::npos;
    })) << log.text();
    // Removed twice: the second is as unknown as a key never added.
    resolver->send(BackendRemoved{backend_key(b)});
    resolver->send(BackendRemoved{backend_key(b)});
    EXPECT_TRUE(eventually([&] { return pool->stats().backends.empty(); }));
    EXPECT_TRUE(eventually([&] {
        return log.text().find("unknown backend " + backend_key(b) + " removed; ignored") != std::string::npos;
    })) << log.text();
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, ResolverEventsAfterStopAreIgnored) {
    auto resolver = std::make_shared<ScriptedResolver>();
    auto pool = std::make_unique<Pool>(fast_options(2), resolver, world->factory());
    pool->stop();
    const Backend b = loopback_backends(1)[0];
    resolver->send(BackendAdded{backend_key(b), b});
    resolver->send(BackendRemoved{backend_key(b)});
    const PoolStats s = pool->stats();
    EXPECT_TRUE(s.backends.empty());
    EXPECT_EQ(s.state, PoolState::Stopped);
    EXPECT_EQ(world->totals().attempts, 0u);
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, StaticResolverEditsAfterThePoolStoppedReachNobody) {
    auto resolver = std::make_shared<StaticResolver>(loopback_backends(1));
    auto pool = make_pool(fast_options(1), resolver);
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 1; }));
    pool->stop();
    resolver->add(loopback_backends(1, 10002)[0]);
    resolver->remove(loopback_backends(1)[0]);
    EXPECT_EQ(pool->stats().backends.size(), 1u);
    pool.reset();
    expect_clean_world();
}

}  // namespace
}  // namespace cueball::test
