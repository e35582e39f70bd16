#include "testing/echo_server.hpp"

#include <cueball/backend.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <stdexcept>
#include <thread>

namespace cueball::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// One accepted connection. Kept alive by the handler of its one outstanding
// read or write; destroying the io_context destroys that handler, and with it
// the session and its socket.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, std::atomic<std::size_t>& open) : socket_(std::move(socket)), open_(open) {
        ++open_;
    }
    ~Session() { --open_; }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void read() {
        socket_.async_read_some(asio::buffer(buffer_),
                                [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                    if (!ec) self->write(n);
                                });
    }

private:
    void write(std::size_t n) {
        asio::async_write(socket_, asio::buffer(buffer_, n),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (!ec) self->read();
                          });
    }

    tcp::socket socket_;
    std::atomic<std::size_t>& open_;
    std::array<char, 4096> buffer_{};
};

}  // namespace

// One listening period, from start() to stop(). The thread is started by
// start() and joined by stop(); it runs `io` until stop() stops it.
struct EchoServer::Run {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    asio::steady_timer retry{io};
    std::thread thread;
    std::atomic<std::size_t>* open = nullptr;
    std::atomic<std::uint64_t>* total_accepted = nullptr;

    void accept() {
        acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted) return;
            if (ec) {
                // Out of file descriptors, say: wait a little rather than spin.
                retry.expires_after(std::chrono::milliseconds(10));
                retry.async_wait([this](boost::system::error_code wait_ec) {
                    if (!wait_ec) accept();
                });
                return;
            }
            ++*total_accepted;
            std::make_shared<Session>(std::move(socket), *open)->read();
            accept();
        });
    }
};

EchoServer::EchoServer(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) { start(); }

EchoServer::~EchoServer() { stop(); }

void EchoServer::start() {
    std::lock_guard lock(mutex_);
    if (run_) return;
    auto run = std::make_unique<Run>();
    run->open = &open_;
    run->total_accepted = &total_accepted_;
    boost::system::error_code ec;
    const asio::ip::address address = asio::ip::make_address(host_, ec);
    if (ec) throw std::runtime_error("EchoServer: '" + host_ + "' is not an IP address");
    const tcp::endpoint endpoint(address, port_);
    const std::string where = host_port(host_, port_);
    // SO_REUSEADDR: the connections stop() closed linger in TIME_WAIT on this
    // port, which must not keep start() from listening on it again.
    run->acceptor.open(endpoint.protocol(), ec);
    if (!ec) run->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) run->acceptor.bind(endpoint, ec);
    if (!ec) run->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("EchoServer: cannot listen on " + where + ": " + ec.message());
    port_ = run->acceptor.local_endpoint().port();
    run->accept();
    run->thread = std::thread([io = &run->io] { io->run(); });
    run_ = std::move(run);
}

void EchoServer::stop() {
    std::lock_guard lock(mutex_);
    if (!run_) return;
    run_->io.stop();
    run_->thread.join();
    // Destroying the io_context destroys the pending handlers, which own the
    // sessions: every accepted socket is closed here, as well as the listener.
    run_.reset();
}

bool EchoServer::running() const {
    std::lock_guard lock(mutex_);
    return run_ != nullptr;
}

std::uint16_t EchoServer::port() const {
    std::lock_guard lock(mutex_);
    return port_;
}

std::string EchoServer::address() const { return host_port(host_, port()); }

}  // namespace cueball::testing
