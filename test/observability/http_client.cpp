#include "http_client.hpp"

#include "support/eventually.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace cueball::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;

HttpClient::HttpClient(std::uint16_t port) : socket_(io_) {
    bool done = false;
    boost::system::error_code result;
    socket_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                          [&](boost::system::error_code ec) {
                              result = ec;
                              done = true;
                          });
    if (!run_until(done)) throw std::runtime_error("connect: no answer");
    if (result) throw std::runtime_error("connect: " + result.message());
}

bool HttpClient::run_until(const bool& done) { return run_until(done, std::chrono::steady_clock::now() + kLiveness); }

bool HttpClient::run_until(const bool& done, std::chrono::steady_clock::time_point deadline) {
    io_.restart();
    while (!done && std::chrono::steady_clock::now() < deadline) io_.run_one_until(deadline);
    if (done) return true;
    // Abandon the operation: cancel it and let its handler run.
    boost::system::error_code ignored;
    socket_.cancel(ignored);
    io_.restart();
    io_.run();
    return false;
}

void HttpClient::send(const std::string& bytes) {
    bool done = false;
    boost::system::error_code result;
    asio::async_write(socket_, asio::buffer(bytes), [&](boost::system::error_code ec, std::size_t) {
        result = ec;
        done = true;
    });
    if (!run_until(done)) throw std::runtime_error("send: deadline passed");
    if (result) throw std::runtime_error("send: " + result.message());
}

HttpReply HttpClient::read_reply(bool head) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u * 1024 * 1024);
    if (head) parser.skip(true);
    bool done = false;
    beast::error_code result;
    http::async_read(socket_, buffer_, parser, [&](beast::error_code ec, std::size_t) {
        result = ec;
        done = true;
    });
    if (!run_until(done)) throw std::runtime_error("read: deadline passed");
    if (result) throw std::runtime_error("read: " + result.message());
    const auto& message = parser.get();
    HttpReply reply;
    reply.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        reply.headers[name] = std::string(field.value());
    }
    reply.body = message.body();
    reply.keep_alive = message.keep_alive();
    return reply;
}

bool HttpClient::closed_by_peer() {
    std::array<char, 4096> scratch{};
    const auto deadline = std::chrono::steady_clock::now() + kLiveness;
    for (;;) {
        bool done = false;
        boost::system::error_code result;
        socket_.async_read_some(asio::buffer(scratch), [&](boost::system::error_code ec, std::size_t) {
            result = ec;
            done = true;
        });
        if (!run_until(done, deadline)) return false;
        if (result) return true;
    }
}

HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target) {
    HttpClient client(port);
    client.send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    return client.read_reply(method == "HEAD");
}

}  // namespace cueball::test
