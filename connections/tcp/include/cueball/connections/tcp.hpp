// TcpConnection: a pooled TCP connection to a backend, for protocols that
// cueball has no dedicated plugin for. The pool connects it (with a real
// timeout, trying every address a host name resolves to), checks idle ones for
// a peer that went away, and hands the connected Boost.Asio socket to
// claimers, who speak their protocol over it.
//
//   cueball::ConnectionPool<cueball::TcpConnection> pool(
//       options, resolver, [](const cueball::Backend& b) {
//           return std::make_unique<cueball::TcpConnection>(b);
//       });
//   auto conn = pool.claim();
//   boost::asio::write(conn->socket(), boost::asio::buffer(request));
//
// Thread safety: none of its own, as for any Connection: the pool never calls
// two members at once, and a claimer has the object to itself. Synchronous
// operations on socket() need no running io_context; asynchronous ones run on
// io_context(), which the claimer must run itself (for example with
// io_context().run() or run_for()).
// Errors: connect() throws cueball::Error naming the backend, each address
// tried and the system error ("connection refused", "timed out after 5000
// ms"). The constructor throws cueball::InvalidArgument for an empty address,
// port 0 or a connect_timeout that is not positive. is_valid() and close()
// never throw.
// Lifetimes: the object owns its io_context and socket; socket() refers into
// the object and is valid until it is destroyed. A claimer that leaves a
// request half-written or a reply unread should discard() its handle rather
// than release it, since the next claimer would see the leftovers.
// Name resolution uses the system resolver (getaddrinfo), whose own timeouts
// (resolv.conf) apply before connect_timeout starts counting down; IP literals
// are never looked up.
#pragma once

#include <cueball/backend.hpp>
#include <cueball/connection.hpp>
#include <cueball/export.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>

namespace cueball {

struct TcpOptions {
    /// Time allowed for the TCP handshake, shared fairly among the addresses
    /// a host name resolves to so that one that drops packets cannot use up
    /// the whole budget. Must be positive. Default 5 s.
    std::chrono::milliseconds connect_timeout{5'000};
    /// SO_KEEPALIVE: lets the kernel notice a peer that vanished while the
    /// connection sat idle. Default on.
    bool keepalive = true;
    /// TCP_NODELAY: send small writes at once instead of batching them
    /// (Nagle's algorithm), as request/response protocols want. Default on.
    bool nodelay = true;
};

class CUEBALL_EXPORT TcpConnection : public Connection {
public:
    /// @throws InvalidArgument for an empty address, port 0 or a
    /// connect_timeout that is not positive.
    explicit TcpConnection(Backend backend, TcpOptions options = {});
    ~TcpConnection() override;
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    /// Resolves the address and connects, within options.connect_timeout or
    /// by the pool's deadline, whichever comes first; the pool's stop() ends
    /// the handshake at once (Connection::pool_stop_token()). Call at most
    /// once. @throws Error naming the backend and the failure.
    void connect() override;
    /// Closes the socket. Idempotent.
    void close() noexcept override;
    /// False if the socket is closed, or the peer closed or reset the
    /// connection. Consumes no data: a byte waiting to be read counts as
    /// alive.
    bool is_valid() override;

    /// The socket: connected after connect(), closed after close().
    boost::asio::ip::tcp::socket& socket() { return socket_; }
    /// The io_context the socket belongs to, for asynchronous operations.
    boost::asio::io_context& io_context() { return io_; }
    const Backend& backend() const { return backend_; }
    const TcpOptions& options() const { return options_; }

private:
    // Tries one endpoint until `until` or the pool's stop; on failure
    // returns why (timed_out, operation_aborted for the stop, or the
    // system's error).
    boost::system::error_code connect_one(const boost::asio::ip::tcp::endpoint& endpoint,
                                          std::chrono::steady_clock::time_point until);

    Backend backend_;
    TcpOptions options_;
    boost::asio::io_context io_;                   // before socket_: outlives it
    boost::asio::ip::tcp::socket socket_{io_};
};

}  // namespace cueball
