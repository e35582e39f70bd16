// A test client for the stats server: one loopback connection on which a test
// writes raw bytes and reads HTTP responses, every step bounded by a deadline
// so that a misbehaving server fails the test instead of hanging it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace cueball::test {

struct HttpReply {
    int status = 0;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    bool keep_alive = false;
};

class HttpClient {
public:
    /// Connects to 127.0.0.1:port. @throws std::runtime_error.
    explicit HttpClient(std::uint16_t port);

    /// Writes all of `bytes`. @throws std::runtime_error.
    void send(const std::string& bytes);
    /// Reads one response; `head` for the answer to a HEAD request (headers
    /// only). @throws std::runtime_error on a deadline, a close or bad HTTP.
    HttpReply read_reply(bool head = false);
    /// True once the server has closed the connection (EOF or reset) within
    /// the liveness deadline; data it sends meanwhile is discarded.
    bool closed_by_peer();

private:
    // Runs the io_context until `done` is set or the deadline (by default
    // the liveness one, from now) passes; false on the deadline.
    bool run_until(const bool& done);
    bool run_until(const bool& done, std::chrono::steady_clock::time_point deadline);

    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

/// One request on a fresh connection, "Connection: close".
HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target);

}  // namespace cueball::test
