// Bad options and arguments: a clear InvalidArgument naming what is wrong.
#include "pool_fixture.hpp"

#include <cmath>
#include <functional>

namespace cueball::test {
namespace {

struct BadOption {
    const char* field;
    std::function<void(PoolOptions&)> spoil;
};

class BadOptions : public PoolTest, public ::testing::WithParamInterface<BadOption> {};

TEST_P(BadOptions, AreRejectedWithTheFieldName) {
    PoolOptions o = fast_options(2);
    GetParam().spoil(o);
    try {
        Pool pool(o, std::make_shared<StaticResolver>(), world->factory());
        FAIL() << "accepted a bad " << GetParam().field;
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find(GetParam().field), std::string::npos) << e.what();
    }
}

using std::chrono::milliseconds;
INSTANTIATE_TEST_SUITE_P(
    Pool, BadOptions,
    ::testing::Values(BadOption{"name", [](PoolOptions& o) { o.name.clear(); }},
                      BadOption{"max_connections", [](PoolOptions& o) { o.max_connections = 0; }},
                      BadOption{"max_connections", [](PoolOptions& o) { o.max_connections = 1'000'001; }},
                      BadOption{"claim_timeout", [](PoolOptions& o) { o.claim_timeout = milliseconds(-1); }},
                      BadOption{"rebalance_delay", [](PoolOptions& o) { o.rebalance_delay = milliseconds(-5); }},
                      BadOption{"decoherence_interval", [](PoolOptions& o) { o.decoherence_interval = milliseconds(-1); }},
                      BadOption{"health_check_interval",
                                [](PoolOptions& o) { o.health_check_interval = milliseconds(-1); }},
                      BadOption{"connect_timeout", [](PoolOptions& o) { o.connect_timeout = milliseconds(0); }},
                      BadOption{"backoff_initial", [](PoolOptions& o) { o.backoff_initial = milliseconds(0); }},
                      BadOption{"backoff_max", [](PoolOptions& o) { o.backoff_max = milliseconds(1); }},
                      BadOption{"backoff_multiplier", [](PoolOptions& o) { o.backoff_multiplier = 0.5; }},
                      BadOption{"backoff_multiplier", [](PoolOptions& o) { o.backoff_multiplier = std::nan(""); }},
                      BadOption{"backoff_jitter", [](PoolOptions& o) { o.backoff_jitter = 1.5; }},
                      BadOption{"backoff_jitter", [](PoolOptions& o) { o.backoff_jitter = -0.1; }},
                      BadOption{"connector_threads", [](PoolOptions& o) { o.connector_threads = 0; }},
                      BadOption{"connector_threads", [](PoolOptions& o) { o.connector_threads = 5000; }},
                      BadOption{"connects_per_backend", [](PoolOptions& o) { o.connects_per_backend = 0; }},
                      BadOption{"idle_timeout", [](PoolOptions& o) { o.idle_timeout = milliseconds(-1); }},
                      BadOption{"max_lifetime", [](PoolOptions& o) { o.max_lifetime = milliseconds(-1); }},
                      BadOption{"validation_bypass_window",
                                [](PoolOptions& o) { o.validation_bypass_window = milliseconds(-1); }},
                      BadOption{"claim_warning_threshold",
                                [](PoolOptions& o) { o.claim_warning_threshold = milliseconds(-1); }},
                      BadOption{"max_churn_rate", [](PoolOptions& o) { o.max_churn_rate = -1.0; }},
                      BadOption{"max_churn_rate", [](PoolOptions& o) { o.max_churn_rate = std::nan(""); }},
                      BadOption{"spares", [](PoolOptions& o) { o.spares = 3; }}));

TEST_F(PoolTest, NullResolverOrEmptyFactoryIsRejected) {
    EXPECT_THROW(Pool(fast_options(1), nullptr, world->factory()), InvalidArgument);
    EXPECT_THROW(Pool(fast_options(1), std::make_shared<StaticResolver>(), Pool::Factory{}), InvalidArgument);
}

TEST_F(PoolTest, ResolverThatFailsToStartFailsTheConstructorCleanly) {
    struct Broken : Resolver {
        void start(ResolverSink) override { throw std::runtime_error("no route to the registry"); }
        void stop() override {}
    };
    EXPECT_THROW(Pool(fast_options(1), std::make_shared<Broken>(), world->factory()), std::runtime_error);
}

}  // namespace
}  // namespace cueball::test
