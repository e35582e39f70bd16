// StatsServer: option checks, the listener's thread, and shutdown. What a
// request gets is routes.cpp; one connection is http_session.cpp.
#include <cueball/stats_server.hpp>

#include "listener.hpp"
#include <cueball/detail/mutex.hpp>
#include "source_registry.hpp"

#include <cueball/backend.hpp>
#include <cueball/detail/logging.hpp>
#include <cueball/errors.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include <exception>
#include <thread>

namespace cueball {

namespace {

namespace asio = boost::asio;

// A request line and headers that fit in 8 KiB are all a stats client sends;
// GET needs no body, but a small one is tolerated.
constexpr std::size_t kHeaderLimit = 8 * 1024;
constexpr std::size_t kBodyLimit = 4 * 1024;

asio::ip::address checked_address(const StatsServerOptions& o) {
    boost::system::error_code ec;
    asio::ip::address address = asio::ip::make_address(o.address, ec);
    if (ec) {
        throw InvalidArgument(fmt::format("cueball stats server: StatsServerOptions::address must be an IP literal "
                                          "such as 127.0.0.1 or ::1 (got '{}')",
                                          o.address));
    }
    if (o.request_timeout.count() <= 0) {
        throw InvalidArgument(fmt::format("cueball stats server: StatsServerOptions::request_timeout must be "
                                          "positive (got {} ms)",
                                          o.request_timeout.count()));
    }
    if (o.max_clients < 1 || o.max_clients > 10'000) {
        throw InvalidArgument(fmt::format(
            "cueball stats server: StatsServerOptions::max_clients must be 1 .. 10000 (got {})", o.max_clients));
    }
    return address;
}

}  // namespace

struct StatsServer::Impl {
    explicit Impl(StatsServerOptions o)
        : options(std::move(o)),
          logger(options.logger ? options.logger : detail::quiet_stderr_logger("cueball-http")) {}

    void run();

    const StatsServerOptions options;
    const std::shared_ptr<spdlog::logger> logger;
    http::SourceRegistry sources;
    // Run by `thread` alone. Declared before the listener so that it outlives
    // it: the io_context's destructor frees sessions still held by handlers.
    asio::io_context io{1};
    std::unique_ptr<http::Listener> listener;
    // Serialises stop(): a second caller waits until the first has joined.
    detail::Mutex stop_mu;
    // Started by the constructor, joined by stop(); waits in io.run() on the
    // listener and the clients' sockets and timers, and returns once stop()
    // has closed them all.
    std::thread thread GUARDED_BY(stop_mu);
};

void StatsServer::Impl::run() {
    for (;;) {
        try {
            io.run();
            return;
        } catch (const std::exception& e) {
            // Only a failed allocation gets here; the client it concerned is
            // dropped and the others are served on.
            logger->error("cueball stats server: {}", e.what());
        }
    }
}

StatsServer::StatsServer(StatsServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
    const asio::ip::address address = checked_address(impl_->options);
    const http::SessionLimits limits{impl_->options.request_timeout, kHeaderLimit, kBodyLimit};
    Impl* impl = impl_.get();
    try {
        impl->listener = std::make_unique<http::Listener>(
            impl->io, asio::ip::tcp::endpoint(address, impl->options.port), impl->options.max_clients, limits,
            [impl](const http::Request& request) { return http::respond(request, impl->sources, *impl->logger); },
            impl->logger);
    } catch (const boost::system::system_error& e) {
        throw Error(fmt::format("cueball stats server: cannot listen on {}: {}",
                                host_port(address.to_string(), impl->options.port), e.code().message()));
    }
    impl->listener->start();
    impl->logger->info("cueball stats server: listening on {}", host_port(address.to_string(), impl->listener->port()));
    detail::MutexLock lock(impl->stop_mu);
    impl->thread = std::thread([impl] { impl->run(); });
}

StatsServer::~StatsServer() { stop(); }

void StatsServer::add(std::string name, Source source) { impl_->sources.add(std::move(name), std::move(source)); }

void StatsServer::remove(const std::string& name) { impl_->sources.remove(name); }

std::uint16_t StatsServer::port() const { return impl_->listener->port(); }

void StatsServer::stop() {
    detail::MutexLock lock(impl_->stop_mu);
    if (!impl_->thread.joinable()) return;
    http::Listener* listener = impl_->listener.get();
    asio::post(impl_->io, [listener] { listener->shutdown(); });
    impl_->thread.join();
}

}  // namespace cueball
