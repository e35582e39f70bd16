#include "query.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <random>

namespace cueball::dns {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// The state of one query. Handlers hold a shared_ptr to it; each attempt (a
// UDP or TCP exchange with one server) has a number, and handlers of an older
// attempt find the number changed and do nothing, which settles the race
// between a timeout and an answer arriving at the same moment.
class QueryOp : public std::enable_shared_from_this<QueryOp> {
public:
    QueryOp(asio::io_context& io, QueryConfig config, Question question, std::function<void(QueryResult)> done)
        : config_(std::move(config)), question_(std::move(question)), done_(std::move(done)),
          udp_(io), tcp_(io), timer_(io), buffer_(kMaxMessageSize) {}

    void next_server() {
        if (server_ >= config_.servers.size()) return finish_failed();
        const Endpoint& server = config_.servers[server_];
        error_code ec;
        const asio::ip::address address = asio::ip::make_address(server.address, ec);
        if (ec) return fail_server("unusable address: " + ec.message());
        endpoint_ = asio::ip::udp::endpoint(address, server.port);
        id_ = static_cast<std::uint16_t>(std::random_device{}());
        try {
            query_ = build_query(question_, id_);
        } catch (const MessageError& e) {
            last_error_ = e.what();
            return finish_failed();
        }
        udp_.open(endpoint_.protocol(), ec);
        if (!ec) udp_.connect(endpoint_, ec);
        if (ec) return fail_server("UDP socket: " + ec.message());
        const std::uint64_t attempt = begin_attempt();
        udp_.async_send(asio::buffer(query_), [self = shared_from_this(), attempt](error_code e, std::size_t) {
            if (self->stale(attempt)) return;
            if (e) return self->fail_server("UDP send: " + e.message());
            self->receive_udp(attempt);
        });
    }

private:
    std::uint64_t begin_attempt() {
        const std::uint64_t attempt = ++attempt_;
        timer_.expires_after(config_.timeout);
        timer_.async_wait([self = shared_from_this(), attempt](error_code e) {
            if (e || self->stale(attempt)) return;
            self->fail_server("no answer within " + std::to_string(self->config_.timeout.count()) + " ms");
        });
        return attempt;
    }

    bool stale(std::uint64_t attempt) const { return finished_ || attempt != attempt_; }

    void receive_udp(std::uint64_t attempt) {
        udp_.async_receive(asio::buffer(buffer_), [self = shared_from_this(), attempt](error_code e, std::size_t n) {
            if (self->stale(attempt)) return;
            // A refused port shows up here on a connected UDP socket: the
            // server is down, no need to wait for the timeout.
            if (e) return self->fail_server("UDP receive: " + e.message());
            self->on_answer(attempt, n, false);
        });
    }

    void start_tcp() {
        const std::uint64_t attempt = begin_attempt();
        error_code ec;
        udp_.close(ec);
        const asio::ip::tcp::endpoint endpoint(endpoint_.address(), endpoint_.port());
        tcp_.async_connect(endpoint, [self = shared_from_this(), attempt](error_code e) {
            if (self->stale(attempt)) return;
            if (e) return self->fail_server("TCP connect: " + e.message());
            self->send_tcp(attempt);
        });
    }

    void send_tcp(std::uint64_t attempt) {
        const std::size_t n = query_.size();
        prefix_ = {static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n & 0xff)};
        const std::array<asio::const_buffer, 2> buffers{asio::buffer(prefix_), asio::buffer(query_)};
        asio::async_write(tcp_, buffers, [self = shared_from_this(), attempt](error_code e, std::size_t) {
            if (self->stale(attempt)) return;
            if (e) return self->fail_server("TCP send: " + e.message());
            self->read_tcp_length(attempt);
        });
    }

    void read_tcp_length(std::uint64_t attempt) {
        asio::async_read(tcp_, asio::buffer(prefix_), [self = shared_from_this(), attempt](error_code e, std::size_t) {
            if (self->stale(attempt)) return;
            if (e) return self->fail_server("TCP receive: " + e.message());
            const std::size_t length = (std::size_t{self->prefix_[0]} << 8) | self->prefix_[1];
            self->read_tcp_body(attempt, length);
        });
    }

    void read_tcp_body(std::uint64_t attempt, std::size_t length) {
        asio::async_read(tcp_, asio::buffer(buffer_.data(), length),
                         [self = shared_from_this(), attempt](error_code e, std::size_t n) {
                             if (self->stale(attempt)) return;
                             if (e) return self->fail_server("TCP receive: " + e.message());
                             self->on_answer(attempt, n, true);
                         });
    }

    void on_answer(std::uint64_t attempt, std::size_t n, bool over_tcp) {
        Message message;
        try {
            message = parse_response(std::span(buffer_.data(), n), id_, question_);
        } catch (const MessageError& e) {
            // Over UDP a stray datagram (an old answer, a spoof) is not the
            // server's failure: keep listening until the timeout.
            if (!over_tcp && e.kind() == MessageError::Kind::mismatch) {
                config_.logger->debug("dns: ignored an answer from {}: {}", to_string(config_.servers[server_]),
                                      e.what());
                return receive_udp(attempt);
            }
            return fail_server(e.what());
        }
        if (message.truncated) {
            if (over_tcp) return fail_server("truncated answer over TCP");
            config_.logger->debug("dns: {} {}: answer truncated, asking {} over TCP", question_.name, question_.type,
                                  to_string(config_.servers[server_]));
            return start_tcp();
        }
        switch (message.rcode) {
        case kRcodeNoError:
            return finish(QueryResult{QueryResult::Status::answered, std::move(message), {}});
        case kRcodeNxDomain:
            return finish(QueryResult{QueryResult::Status::nxdomain, std::move(message), {}});
        case kRcodeServFail:
            return fail_server("SERVFAIL");
        case kRcodeRefused:
            return fail_server("REFUSED");
        default:
            return fail_server("rcode " + std::to_string(message.rcode));
        }
    }

    // This server gave no usable answer: on to the next one.
    void fail_server(const std::string& why) {
        last_error_ = to_string(config_.servers[server_]) + ": " + why;
        config_.logger->debug("dns: {} {}: {}", question_.name, question_.type, last_error_);
        close_sockets();
        ++attempt_;
        ++server_;
        next_server();
    }

    void finish_failed() {
        if (last_error_.empty()) last_error_ = "no name servers";
        finish(QueryResult{QueryResult::Status::failed, {}, last_error_});
    }

    void finish(QueryResult result) {
        finished_ = true;
        close_sockets();
        timer_.cancel();
        auto done = std::move(done_);
        done(std::move(result));
    }

    void close_sockets() {
        error_code ec;
        udp_.close(ec);
        tcp_.close(ec);
    }

    const QueryConfig config_;
    const Question question_;
    std::function<void(QueryResult)> done_;
    asio::ip::udp::socket udp_;
    asio::ip::tcp::socket tcp_;
    asio::steady_timer timer_;
    std::vector<std::uint8_t> buffer_;  // one answer, UDP or TCP
    std::array<std::uint8_t, 2> prefix_{};  // TCP length prefix, out and in
    std::vector<std::uint8_t> query_;
    asio::ip::udp::endpoint endpoint_;  // the current server
    std::size_t server_ = 0;            // index into config_.servers
    std::uint16_t id_ = 0;              // of the current query
    std::uint64_t attempt_ = 0;
    bool finished_ = false;
    std::string last_error_;
};

}  // namespace

void start_query(boost::asio::io_context& io, const QueryConfig& config, Question question,
                 std::function<void(QueryResult)> done) {
    auto op = std::make_shared<QueryOp>(io, config, std::move(question), std::move(done));
    // Posted, so that `done` never runs inside the caller's frame.
    boost::asio::post(io, [op] { op->next_server(); });
}

}  // namespace cueball::dns
