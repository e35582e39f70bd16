// The time a pool runs on: std::chrono::steady_clock unless a test gives it
// another. With a virtual clock (ManualClock) the pool never sleeps on real
// time: its threads wait until the clock moves, and re-check their deadlines
// then. Installed for tests of code that uses cueball; not part of the API.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace cueball::detail {

class Clock {
public:
    using time_point = std::chrono::steady_clock::time_point;
    virtual ~Clock() = default;
    virtual time_point now() const = 0;
    // Virtual clocks only: `listener` is called, with no lock held, each
    // time the clock moves. Returns a token for unsubscribe().
    virtual std::uint64_t subscribe(std::function<void()> listener) = 0;
    virtual void unsubscribe(std::uint64_t token) = 0;
};

// A clock that moves only when advance() is called. Thread-safe.
class ManualClock : public Clock {
public:
    explicit ManualClock(time_point start = time_point(std::chrono::hours(1))) : now_(start) {}
    time_point now() const override {
        std::lock_guard<std::mutex> lock(mu_);
        return now_;
    }
    std::uint64_t subscribe(std::function<void()> listener) override {
        std::lock_guard<std::mutex> lock(mu_);
        listeners_.emplace(next_token_, std::move(listener));
        return next_token_++;
    }
    void unsubscribe(std::uint64_t token) override {
        std::lock_guard<std::mutex> lock(mu_);
        listeners_.erase(token);
    }
    // Moves time forward and tells every subscriber.
    void advance(std::chrono::steady_clock::duration d) {
        std::map<std::uint64_t, std::function<void()>> listeners;
        {
            std::lock_guard<std::mutex> lock(mu_);
            now_ += d;
            listeners = listeners_;
        }
        for (auto& [token, listener] : listeners) listener();
    }

private:
    mutable std::mutex mu_;
    time_point now_;                                            // guarded by mu_
    std::map<std::uint64_t, std::function<void()>> listeners_;  // guarded by mu_
    std::uint64_t next_token_ = 1;                              // guarded by mu_
};

}  // namespace cueball::detail
