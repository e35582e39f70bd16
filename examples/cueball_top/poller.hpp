// Polls every endpoint once an interval on a thread of its own, so that a
// slow or unreachable endpoint never holds up the keys.
//
// Thread safety: take_if_new() may be called from any one thread while the
// poller runs. Lifetime: the destructor stops and joins the thread.
#pragma once

#include "frame.hpp"

#include <cueball/detail/mutex.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

namespace top {

class Poller {
public:
    /// One poll of endpoint `index`. @throws std::exception, whose what() is
    /// shown in the endpoint's place until a poll succeeds again.
    using Fetch = std::function<Snapshot(std::size_t index)>;

    /// Starts the thread, which polls every `interval` from now on; `sources`
    /// hold the polls taken before (one per endpoint).
    Poller(std::vector<Source> sources, std::chrono::milliseconds interval, Fetch fetch);
    /// Stops the thread and joins it; a fetch under way is waited for (it is
    /// bounded by its own timeout).
    ~Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    /// The sources, when a poll has changed them since the last call (the
    /// first call always returns them).
    std::optional<std::vector<Source>> take_if_new() EXCLUDES(mu_);

private:
    void run() EXCLUDES(mu_);

    const std::chrono::milliseconds interval_;
    const Fetch fetch_;
    cueball::detail::Mutex mu_;
    std::condition_variable wake_;                 // stop_ set
    bool stop_ GUARDED_BY(mu_) = false;
    std::vector<Source> sources_ GUARDED_BY(mu_);
    std::uint64_t generation_ GUARDED_BY(mu_) = 1;  // bumped by every poll
    std::uint64_t taken_ = 0;  // generation take_if_new() returned last; its caller's only
    // Started by the constructor, joined by the destructor; waits on wake_
    // between polls and on the network during them.
    std::thread thread_;
};

}  // namespace top
