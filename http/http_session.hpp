// One client connection of the stats server: reads requests within size and
// time limits, answers each through the router, and keeps the connection
// while the client asks for keep-alive. Lives on the server's thread only;
// the shared_ptr held by its pending operation keeps it alive.
#pragma once

#include "routes.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

namespace cueball::http {

struct SessionLimits {
    std::chrono::milliseconds timeout;  ///< per request read, per response write
    std::size_t header_limit;           ///< bytes of request line and headers
    std::size_t body_limit;             ///< bytes of request body
};

using Router = std::function<Response(const Request&)>;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(boost::asio::ip::tcp::socket socket, SessionLimits limits, Router router);

    /// Starts reading the first request.
    void start();
    /// Closes the connection; pending operations end with operation_aborted.
    void close();
    /// Since when it has been waiting for a request of which no byte has
    /// arrived (a keep-alive client between requests, or a new one that has
    /// sent nothing); nullopt while it reads, answers or lingers.
    std::optional<std::chrono::steady_clock::time_point> idle_since() const;

private:
    void read_request();
    void on_read(boost::beast::error_code ec);
    void send(Response response);
    void on_write(boost::beast::error_code ec);
    // After an error response: stop sending and read until the client closes
    // (or the timeout), so that unread input does not make the kernel reset
    // the connection before the client has read the response.
    void linger();
    void drain();

    boost::beast::tcp_stream stream_;
    const SessionLimits limits_;
    const Router router_;
    // Bytes read and not yet parsed; bounded, so that a client pipelining
    // requests without reading the answers cannot grow it.
    boost::beast::flat_buffer buffer_;
    // Re-created per request: a parser reads one message.
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    Response response_;  // kept until its write completes
    std::optional<std::chrono::steady_clock::time_point> waiting_since_;  // set by read_request(), cleared by send()
    std::array<char, 4096> drain_{};
};

}  // namespace cueball::http
