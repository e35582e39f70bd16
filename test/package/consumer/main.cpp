// Builds against an installed cueball and exercises a pool briefly, and
// something from each plugin it was built with, so that every library is
// linked and loaded. The CMake consumer and the pkg-config one build this
// same file.
#include <cueball/cueball.hpp>
#ifdef HAVE_TCP
#include <cueball/connections/tcp.hpp>
#endif
#ifdef HAVE_DNS
#include <cueball/resolvers/dns.hpp>
#endif
#ifdef HAVE_POSTGRES
#include <cueball/connections/postgres.hpp>
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
    // An exception thrown inside the library and caught here by its type:
    // with a shared library this needs the type's exported type_info.
    try {
        cueball::StaticResolver bad(std::vector<cueball::Backend>{{"", 0, {}}});
        std::printf("an empty backend was accepted\n");
        return 1;
    } catch (const cueball::InvalidArgument&) {
    }

    auto resolver = std::make_shared<cueball::StaticResolver>(std::vector<cueball::Backend>{{"127.0.0.1", 1, {}}});
    cueball::PoolOptions options;
    options.max_connections = 2;
    cueball::ConnectionPool<Noop> pool(options, resolver, [](const cueball::Backend&) { return std::make_unique<Noop>(); });
    auto handle = pool.claim(std::chrono::seconds(20));
    std::printf("cueball %s: claimed a connection to %s\n", CUEBALL_VERSION, handle.backend().address.c_str());
#ifdef HAVE_TCP
    cueball::TcpConnection tcp(cueball::Backend{"127.0.0.1", 1, {}});
    std::printf("tcp: a connection to %s\n", cueball::backend_key(tcp.backend()).c_str());
#endif
#ifdef HAVE_DNS
    cueball::DnsResolverOptions dns_options;
    dns_options.host = "localhost";
    dns_options.port = 1;
    cueball::DnsResolver dns(dns_options);
    std::printf("dns: a resolver for %s\n", dns_options.host.c_str());
#endif
#ifdef HAVE_POSTGRES
    std::printf("postgres: target role %s\n", cueball::to_string(cueball::TargetRole::primary));
#endif
#ifdef HAVE_HTTP
    cueball::StatsServer server(cueball::StatsServerOptions{});
    server.add(pool);
    std::printf("http: stats served on port %u\n", static_cast<unsigned>(server.port()));
    server.stop();
#endif
    return handle ? 0 : 1;
}
