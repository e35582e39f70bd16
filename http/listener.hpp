// The stats server's listening socket: accepts clients up to a limit and
// gives each an HttpSession. Lives on the server's thread, apart from the
// constructor (which binds, so that bind errors reach the caller) and port().
#pragma once

#include "http_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace spdlog {
class logger;
}

namespace cueball::http {

class Listener {
public:
    /// Binds and listens on `endpoint`. @throws boost::system::system_error.
    Listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, std::size_t max_clients,
             SessionLimits limits, Router router, std::shared_ptr<spdlog::logger> logger);

    std::uint16_t port() const { return port_; }
    /// Starts accepting.
    void start();
    /// Closes the listener and every client; once their operations have
    /// ended with operation_aborted, the io_context runs out of work.
    void shutdown();

private:
    void accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
    std::size_t live_sessions();
    // Closes the client that has waited longest for its next request; false
    // when every client is in the middle of one.
    bool evict_longest_idle();

    boost::asio::ip::tcp::acceptor acceptor_;
    // Paces accept() after an error such as running out of descriptors, which
    // would otherwise fail again at once, in a busy loop.
    boost::asio::steady_timer retry_;
    const std::uint16_t port_;
    const std::size_t max_clients_;
    const SessionLimits limits_;
    const Router router_;
    const std::shared_ptr<spdlog::logger> logger_;
    // Clients being served, for the limit and for shutdown(); expired
    // entries are pruned on each accept.
    std::vector<std::weak_ptr<HttpSession>> sessions_;
    bool shut_down_ = false;
};

}  // namespace cueball::http
