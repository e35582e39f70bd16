#include "listener.hpp"

#include <spdlog/logger.h>

#include <algorithm>
#include <chrono>

namespace cueball::http {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

tcp::acceptor listen_on(asio::io_context& io, const tcp::endpoint& endpoint) {
    tcp::acceptor acceptor(io);
    acceptor.open(endpoint.protocol());
    // A restarted process can bind again while the old connections of the
    // previous one sit in TIME_WAIT.
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    return acceptor;
}

}  // namespace

Listener::Listener(asio::io_context& io, const tcp::endpoint& endpoint, std::size_t max_clients, SessionLimits limits,
                   Router router, std::shared_ptr<spdlog::logger> logger)
    : acceptor_(listen_on(io, endpoint)),
      retry_(io),
      port_(acceptor_.local_endpoint().port()),
      max_clients_(max_clients),
      limits_(limits),
      router_(std::move(router)),
      logger_(std::move(logger)) {}

void Listener::start() { accept(); }

void Listener::shutdown() {
    shut_down_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
    for (const std::weak_ptr<HttpSession>& weak : sessions_) {
        if (std::shared_ptr<HttpSession> session = weak.lock()) session->close();
    }
    sessions_.clear();
}

void Listener::accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        on_accept(ec, std::move(socket));
    });
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (shut_down_) return;
    if (ec) {
        logger_->warn("cueball stats server: accept on port {}: {}", port_, ec.message());
        retry_.expires_after(std::chrono::milliseconds(100));
        retry_.async_wait([this](boost::system::error_code wait_ec) {
            if (!wait_ec && !shut_down_) accept();
        });
        return;
    }
    // At the limit an idle keep-alive client makes room, so that a scraper
    // always gets an answer while others idle.
    if (live_sessions() >= max_clients_ && !evict_longest_idle()) {
        logger_->warn("cueball stats server: {} clients already, all busy; closing a new one", max_clients_);
        boost::system::error_code ignored;
        socket.close(ignored);
    } else {
        auto session = std::make_shared<HttpSession>(std::move(socket), limits_, router_);
        sessions_.push_back(session);
        session->start();
    }
    accept();
}

bool Listener::evict_longest_idle() {
    std::shared_ptr<HttpSession> oldest;
    std::chrono::steady_clock::time_point oldest_since{};
    for (const std::weak_ptr<HttpSession>& weak : sessions_) {
        std::shared_ptr<HttpSession> session = weak.lock();
        if (!session) continue;
        const auto since = session->idle_since();
        if (since && (!oldest || *since < oldest_since)) {
            oldest = std::move(session);
            oldest_since = *since;
        }
    }
    if (!oldest) return false;
    logger_->info("cueball stats server: {} clients already; closing the longest idle to serve a new one",
                  max_clients_);
    oldest->close();
    std::erase_if(sessions_, [&](const std::weak_ptr<HttpSession>& s) { return s.lock() == oldest; });
    return true;
}

std::size_t Listener::live_sessions() {
    std::erase_if(sessions_, [](const std::weak_ptr<HttpSession>& s) { return s.expired(); });
    return sessions_.size();
}

}  // namespace cueball::http
