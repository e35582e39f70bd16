#include <cueball/connections/tcp.hpp>
#include <cueball/errors.hpp>

#include "rules/time.hpp"

#include <boost/asio/connect.hpp>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <stop_token>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace cueball {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string describe(const tcp::endpoint& endpoint) {
    return host_port(endpoint.address().to_string(), endpoint.port());
}

long long to_ms(std::chrono::steady_clock::duration d) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// "[::1]" is accepted for "::1", since that is how users write IPv6 with a port.
std::string strip_brackets(const std::string& address) {
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
        return address.substr(1, address.size() - 2);
    }
    return address;
}

}  // namespace

TcpConnection::TcpConnection(Backend backend, TcpOptions options)
    : backend_(std::move(backend)), options_(options) {
    if (backend_.address.empty()) throw InvalidArgument("TcpConnection: backend address is empty");
    if (backend_.port == 0) throw InvalidArgument("TcpConnection: backend '" + backend_.address + "' has port 0");
    if (options_.connect_timeout.count() <= 0) {
        throw InvalidArgument("TcpConnection: connect_timeout must be positive (got " +
                              std::to_string(options_.connect_timeout.count()) + " ms)");
    }
}

TcpConnection::~TcpConnection() = default;

void TcpConnection::connect() {
    const std::string key = backend_key(backend_);
    if (socket_.is_open()) throw Error("cueball::tcp: connect() called twice for " + key);
    if (pool_stop_token().stop_requested()) {
        throw Error("cueball::tcp: cannot connect to " + key + " (not tried, the pool is stopping)");
    }

    std::vector<tcp::endpoint> endpoints;
    const std::string host = strip_brackets(backend_.address);
    boost::system::error_code ec;
    const asio::ip::address literal = asio::ip::make_address(host, ec);
    if (!ec) {
        endpoints.emplace_back(literal, backend_.port);
    } else {
        tcp::resolver resolver(io_);
        const auto results = resolver.resolve(host, std::to_string(backend_.port), tcp::resolver::numeric_service, ec);
        if (ec) throw Error("cueball::tcp: cannot resolve " + key + ": " + ec.message());
        for (const auto& entry : results) endpoints.push_back(entry.endpoint());
        if (endpoints.empty()) throw Error("cueball::tcp: cannot resolve " + key + ": no addresses");
    }

    const auto deadline =
        std::min(detail::after(std::chrono::steady_clock::now(), options_.connect_timeout), pool_deadline());
    std::string failures;
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        const auto now = std::chrono::steady_clock::now();
        if (!failures.empty()) failures += "; ";
        if (pool_stop_token().stop_requested()) {
            failures += describe(endpoints[i]) + ": not tried, the pool is stopping";
            continue;
        }
        if (now >= deadline) {
            failures += describe(endpoints[i]) + ": not tried, connect_timeout used up";
            continue;
        }
        // An even share of what is left, so that an address that drops SYNs
        // leaves time for the ones after it. A time point rather than a
        // duration: "now + a duration" could overflow a deadline of never.
        const auto left = endpoints.size() - i;
        const auto until =
            left == 1 ? deadline : now + (deadline - now) / static_cast<std::chrono::steady_clock::rep>(left);
        ec = connect_one(endpoints[i], until);
        if (!ec) break;
        failures += describe(endpoints[i]) + ": ";
        if (ec == asio::error::timed_out) {
            failures += "timed out after " + std::to_string(to_ms(until - now)) + " ms";
        } else if (ec == asio::error::operation_aborted) {
            failures += "gave up, the pool is stopping";
        } else {
            failures += ec.message();
        }
    }
    if (ec || !socket_.is_open()) {
        close();
        throw Error("cueball::tcp: cannot connect to " + key + " (" + failures + ")");
    }

    socket_.set_option(tcp::no_delay(options_.nodelay), ec);
    if (!ec) socket_.set_option(asio::socket_base::keep_alive(options_.keepalive), ec);
    if (ec) {
        close();
        throw Error("cueball::tcp: cannot set socket options on connection to " + key + ": " + ec.message());
    }
}

boost::system::error_code TcpConnection::connect_one(const tcp::endpoint& endpoint,
                                                     std::chrono::steady_clock::time_point until) {
    boost::system::error_code ec;
    socket_.close(ec);
    socket_.open(endpoint.protocol(), ec);
    if (ec) return ec;
    std::optional<boost::system::error_code> result;
    socket_.async_connect(endpoint, [&result](const boost::system::error_code& e) { result = e; });
    io_.restart();
    {
        // The pool's stop() ends the wait at once: io_context::stop() may be
        // called from any thread. Registered after restart(), which would
        // undo it; a stop requested earlier runs the callback right here.
        const std::stop_callback wake(pool_stop_token(), [this]() noexcept { io_.stop(); });
        io_.run_until(until);
    }
    if (result) return *result;
    // Still connecting: closing the socket aborts the attempt; run the
    // aborted handler so that nothing refers to `result` afterwards.
    socket_.close(ec);
    io_.restart();
    io_.run();
    return pool_stop_token().stop_requested() ? asio::error::operation_aborted : asio::error::timed_out;
}

void TcpConnection::close() noexcept {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

bool TcpConnection::is_valid() {
    if (!socket_.is_open()) return false;
    char byte;
    for (;;) {
        const ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0) return true;    // data waiting: the peer is there
        if (n == 0) return false;  // orderly shutdown by the peer
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;  // anything else: reset, broken
    }
}

}  // namespace cueball
