#include "options.hpp"
#include "refresher.hpp"

#include <cueball/detail/mutex.hpp>

#include <cueball/errors.hpp>
#include <cueball/resolvers/dns.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include <thread>

namespace cueball {

using detail::Mutex;
using detail::MutexLock;

class DnsResolver::Impl {
public:
    explicit Impl(const DnsResolverOptions& options) : config_(dns::make_refresh_config(options)) {}

    ~Impl() { stop(); }

    void start(ResolverSink sink) EXCLUDES(mu_, join_mu_) {
        if (!sink) throw InvalidArgument("DnsResolver::start: sink is empty");
        MutexLock lock(mu_);
        if (started_) throw InvalidArgument("DnsResolver::start: already started");
        started_ = true;
        if (stopped_) return;
        refresher_ = std::make_unique<dns::Refresher>(io_, config_, std::move(sink));
        refresher_->start();
        MutexLock join(join_mu_);
        // The resolver thread: started here, joined by stop() (or the
        // destructor); it waits in io_.run() on sockets and timers, and ends
        // when stop() stops io_.
        thread_ = std::thread([this] { run(); });
        runner_ = thread_.get_id();
    }

    void stop() EXCLUDES(mu_, join_mu_) {
        {
            MutexLock lock(mu_);
            stopped_ = true;
            io_.stop();
            // Called from the sink: the thread ends once the sink returns,
            // and joining it here would wait for ourselves.
            if (runner_ == std::this_thread::get_id()) return;
        }
        MutexLock join(join_mu_);
        if (thread_.joinable()) thread_.join();
    }

private:
    void run() {
        for (;;) {
            try {
                io_.run();
                return;
            } catch (const std::exception& e) {
                config_.logger->error("dns: unexpected error on the resolver thread: {}", e.what());
            }
        }
    }

    const dns::RefreshConfig config_;
    boost::asio::io_context io_;  // run by thread_; outlives refresher_ and every query
    // Holds io_.run() until stop(), even between a round and its timer.
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};

    Mutex mu_;
    bool started_ GUARDED_BY(mu_) = false;
    bool stopped_ GUARDED_BY(mu_) = false;
    std::thread::id runner_ GUARDED_BY(mu_);  // thread_'s id once started
    // Created by start() before the thread; used by the thread only; destroyed
    // after the thread is joined.
    std::unique_ptr<dns::Refresher> refresher_ GUARDED_BY(mu_);

    // Separate from mu_ so that a sink calling stop() while another thread
    // joins in stop() does not deadlock.
    Mutex join_mu_;
    std::thread thread_ GUARDED_BY(join_mu_);
};

DnsResolver::DnsResolver(DnsResolverOptions options) : impl_(std::make_unique<Impl>(options)) {}

DnsResolver::~DnsResolver() = default;

void DnsResolver::start(ResolverSink sink) { impl_->start(std::move(sink)); }

void DnsResolver::stop() { impl_->stop(); }

}  // namespace cueball
