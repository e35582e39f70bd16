#include "poller.hpp"

#include <exception>

namespace top {

using cueball::detail::MutexLock;

Poller::Poller(std::vector<Source> sources, std::chrono::milliseconds interval, Fetch fetch)
    : interval_(interval), fetch_(std::move(fetch)), sources_(std::move(sources)) {
    thread_ = std::thread([this] { run(); });
}

Poller::~Poller() {
    {
        MutexLock lock(mu_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

std::optional<std::vector<Source>> Poller::take_if_new() {
    MutexLock lock(mu_);
    if (generation_ == taken_) return std::nullopt;
    taken_ = generation_;
    return sources_;
}

void Poller::run() {
    std::size_t endpoints = 0;
    {
        MutexLock lock(mu_);
        endpoints = sources_.size();
    }
    auto next = std::chrono::steady_clock::now() + interval_;
    for (;;) {
        {
            MutexLock lock(mu_);
            while (!stop_ && std::chrono::steady_clock::now() < next) wake_.wait_until(lock.native(), next);
            if (stop_) return;
        }
        for (std::size_t i = 0; i < endpoints; ++i) {
            // The network is waited on unlocked; only the result is stored under mu_.
            std::optional<Snapshot> fresh;
            std::string error;
            try {
                fresh = fetch_(i);
            } catch (const std::exception& e) {
                error = e.what();
            }
            MutexLock lock(mu_);
            Source& s = sources_[i];
            if (fresh) {
                s.before = std::move(s.now);
                s.now = std::move(fresh);
            }
            s.error = std::move(error);
            ++generation_;
            if (stop_) return;
        }
        next = std::chrono::steady_clock::now() + interval_;
    }
}

}  // namespace top
