// Claims and releases a connection N times (argv[1]), then exits: the USDT
// test traces it with bpftrace and expects exactly N of each claim event.
#include <cueball/cueball.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

struct Noop : cueball::Connection {
    void connect() override {}
    void close() noexcept override {}
};

}  // namespace

int main(int argc, char** argv) {
    const long n = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 100;
    auto resolver = std::make_shared<cueball::StaticResolver>(std::vector<cueball::Backend>{{"127.0.0.1", 1, {}}});
    cueball::PoolOptions options;
    options.name = "traced";
    options.max_connections = 2;
    cueball::ConnectionPool<Noop> pool(options, resolver,
                                       [](const cueball::Backend&) { return std::make_unique<Noop>(); });
    for (long i = 0; i < n; ++i) pool.claim(std::chrono::seconds(30)).release();
    std::printf("claimed %ld times\n", n);
    return 0;
}
