// Builds against an installed cueball and exercises a pool briefly.
#include <cueball/cueball.hpp>
#ifdef HAVE_TCP
#include <cueball/connections/tcp.hpp>
#endif
#ifdef HAVE_HTTP
#include <cueball/stats_server.hpp>
#endif

#include <cstdio>

struct Noop : cueball::Connection {
    void connect() override {}
    void close() noexcept override {}
};

int main() {
    auto resolver = std::make_shared<cueball::StaticResolver>(std::vector<cueball::Backend>{{"127.0.0.1", 1, {}}});
    cueball::PoolOptions options;
    options.max_connections = 2;
    cueball::ConnectionPool<Noop> pool(options, resolver, [](const cueball::Backend&) { return std::make_unique<Noop>(); });
    auto handle = pool.claim(std::chrono::seconds(20));
    std::printf("cueball %s: claimed a connection to %s\n", CUEBALL_VERSION, handle.backend().address.c_str());
#ifdef HAVE_HTTP
    cueball::StatsServer server(cueball::StatsServerOptions{});
    server.add(pool);
    std::printf("stats served on port %u\n", static_cast<unsigned>(server.port()));
    server.stop();
#endif
    return handle ? 0 : 1;
}
