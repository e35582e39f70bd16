// The README's usage example: a pool of a user-defined connection type over a
// static list of backends.
#include <cueball/cueball.hpp>

#include <iostream>

// Any connection type works: derive from cueball::Connection.
class MyConnection : public cueball::Connection {
public:
    explicit MyConnection(cueball::Backend backend) : backend_(std::move(backend)) {}
    void connect() override { /* open a socket to backend_; throw on failure */ }
    void close() noexcept override { /* close it; called once per connect */ }
    bool is_valid() override { return true; }  // health check while idle
    bool reset() override { return true; }     // on release; false = discard
    std::string query(const std::string& q) { return backend_.address + " answered " + q; }

private:
    cueball::Backend backend_;
};

int main() {
    using namespace std::chrono_literals;
    auto resolver = std::make_shared<cueball::StaticResolver>(std::vector<cueball::Backend>{
        {"127.0.0.1", 5432, {}}, {"127.0.0.1", 5433, {}}, {"::1", 5434, {}}});

    cueball::PoolOptions options;
    options.name = "orders-db";
    options.max_connections = 12;
    cueball::ConnectionPool<MyConnection> pool(options, resolver, [](const cueball::Backend& b) {
        return std::make_unique<MyConnection>(b);
    });

    try {
        auto conn = pool.claim(2s);  // blocks up to 2 s; RAII: released at scope end
        std::cout << conn->query("SELECT 1") << " via " << cueball::backend_key(conn.backend()) << "\n";
    } catch (const cueball::ClaimTimeout& e) {
        std::cerr << e.what() << "\n";  // says why: no backends, none connected, all claimed
        return 1;
    }
    cueball::PoolStats stats = pool.stats();
    std::cout << stats.total_connections << " connections open\n";
}
