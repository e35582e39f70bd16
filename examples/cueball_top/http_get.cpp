#include "http_get.hpp"

#include <cueball/backend.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <optional>

namespace top {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr std::uint64_t kBodyLimit = 64u * 1024 * 1024;

// One exchange, as a chain of asynchronous steps: only those honour the
// stream's deadline (Beast's blocking calls would wait forever).
class Exchange {
public:
    Exchange(asio::io_context& io, const std::string& host, std::uint16_t port, const std::string& target,
             std::chrono::milliseconds timeout)
        : resolver_(io), stream_(io) {
        request_.method(http::verb::get);
        request_.target(target);
        request_.version(11);
        // An IPv6 literal is bracketed in Host, as in a URL.
        request_.set(http::field::host, cueball::bracketed_host(host));
        request_.set(http::field::user_agent, "cueball-top");
        request_.keep_alive(false);
        parser_.body_limit(kBodyLimit);
        stream_.expires_after(timeout);
        resolver_.async_resolve(host, std::to_string(port),
                                [this](beast::error_code ec, const tcp::resolver::results_type& results) {
                                    on_resolve(ec, results);
                                });
    }

    // Set once the exchange has ended: the error, or none.
    std::optional<beast::error_code> result;
    const http::response<http::string_body>& response() const { return parser_.get(); }

private:
    void on_resolve(beast::error_code ec, const tcp::resolver::results_type& results) {
        if (ec) return done(ec);
        stream_.async_connect(results, [this](beast::error_code e, const tcp::endpoint&) {
            if (e) return done(e);
            http::async_write(stream_, request_, [this](beast::error_code w, std::size_t) {
                if (w) return done(w);
                http::async_read(stream_, buffer_, parser_, [this](beast::error_code r, std::size_t) { done(r); });
            });
        });
    }
    void done(beast::error_code ec) {
        result = ec;
        beast::error_code ignored;
        stream_.socket().close(ignored);
    }

    tcp::resolver resolver_;
    beast::tcp_stream stream_;
    http::request<http::empty_body> request_;
    beast::flat_buffer buffer_;
    http::response_parser<http::string_body> parser_;
};

}  // namespace

std::string http_get(const std::string& host, std::uint16_t port, const std::string& target,
                     std::chrono::milliseconds timeout) {
    asio::io_context io;
    Exchange exchange(io, host, port, target, timeout);
    // The resolver has no deadline of its own: bound the whole run.
    io.run_for(timeout + std::chrono::milliseconds(500));
    if (!exchange.result) throw FetchError("no answer within " + std::to_string(timeout.count()) + " ms");
    if (*exchange.result) {
        const beast::error_code ec = *exchange.result;
        if (ec == beast::error::timeout) {
            throw FetchError("no answer within " + std::to_string(timeout.count()) + " ms");
        }
        throw FetchError(ec.message());
    }
    const auto& response = exchange.response();
    if (response.result() != http::status::ok) {
        throw FetchError("HTTP " + std::to_string(response.result_int()) + " " + std::string(response.reason()));
    }
    return response.body();
}

}  // namespace top
