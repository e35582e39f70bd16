#include "http_session.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace cueball::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Room in the read buffer beyond one request of the largest size allowed:
// what a read may bring of the next pipelined request.
constexpr std::size_t kReadSlack = 64 * 1024;

HttpSession::HttpSession(asio::ip::tcp::socket socket, SessionLimits limits, Router router)
    : stream_(std::move(socket)),
      limits_(limits),
      router_(std::move(router)),
      buffer_(limits.header_limit + limits.body_limit + kReadSlack) {}

void HttpSession::start() { read_request(); }

void HttpSession::close() {
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
}

std::optional<std::chrono::steady_clock::time_point> HttpSession::idle_since() const {
    // Bytes read but not parsed, or received and not yet read: a request is
    // on its way.
    beast::error_code ec;
    if (buffer_.size() > 0 || stream_.socket().available(ec) > 0) return std::nullopt;
    return waiting_since_;
}

void HttpSession::read_request() {
    waiting_since_ = std::chrono::steady_clock::now();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits_.header_limit));
    parser_->body_limit(limits_.body_limit);
    stream_.expires_after(limits_.timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void HttpSession::on_read(beast::error_code ec) {
    if (!ec) {
        const Request& request = parser_->get();
        send(router_(request));
        return;
    }
    // A client that went away, went quiet past the timeout, or stopped halfway
    // through a request gets nothing more; one that sent something that is
    // not HTTP, or too much of it, is told so.
    const bool parse_error = ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
    if (!parse_error || ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
        close();
        return;
    }
    // The request did not parse, so its version is unknown: answer in 1.1.
    const unsigned version = 11;
    if (ec == bhttp::error::header_limit) {
        send(error_response(bhttp::status::request_header_fields_too_large, version,
                            "request line and headers over " + std::to_string(limits_.header_limit) + " bytes"));
    } else if (ec == bhttp::error::body_limit) {
        send(error_response(bhttp::status::payload_too_large, version,
                            "request body over " + std::to_string(limits_.body_limit) + " bytes"));
    } else {
        send(error_response(bhttp::status::bad_request, version, "malformed request: " + ec.message()));
    }
}

void HttpSession::send(Response response) {
    waiting_since_.reset();
    response_ = std::move(response);
    stream_.expires_after(limits_.timeout);
    bhttp::async_write(stream_, response_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void HttpSession::on_write(beast::error_code ec) {
    if (ec) {
        close();
    } else if (response_.need_eof()) {
        linger();
    } else {
        read_request();
    }
}

void HttpSession::linger() {
    waiting_since_.reset();
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    // One deadline for the whole drain: a client that keeps sending does not
    // keep the connection.
    stream_.expires_after(limits_.timeout);
    drain();
}

void HttpSession::drain() {
    stream_.async_read_some(asio::buffer(drain_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) {
            self->close();
        } else {
            self->drain();
        }
    });
}

}  // namespace cueball::http
