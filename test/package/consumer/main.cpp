// Builds against an installed cueball and exercises a pool briefly.
#include <cueball/cueball.hpp>
#ifdef HAVE_TCP
#include <cueball/connections/tcp.hpp>
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
    return handle ? 0 : 1;
}
