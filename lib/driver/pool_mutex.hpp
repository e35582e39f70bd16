// The pool's mutex: a futex word that a contended locker spins on briefly
// before it sleeps. The claim and release path holds the lock for tens of
// nanoseconds, so a thread that finds it taken usually gets it by spinning,
// without the two system calls a sleeping mutex costs; std::mutex in glibc
// sleeps at once. (Ulrich Drepper, "Futexes Are Tricky", mutex #3.)
//
// Annotated for clang's -Wthread-safety like detail::Mutex; condition
// variables wait on it through std::condition_variable_any.
#pragma once

#include "futex.hpp"

#include <cueball/detail/mutex.hpp>

#include <atomic>
#include <cstdint>

namespace cueball::detail {

class CAPABILITY("mutex") PoolMutex {
public:
    void lock() ACQUIRE() {
        std::uint32_t expected = kUnlocked;
        if (state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire, std::memory_order_relaxed)) {
            return;
        }
        lock_contended();
    }
    void unlock() RELEASE() {
        if (state_.exchange(kUnlocked, std::memory_order_release) == kContended) futex_wake(&state_);
    }

private:
    static constexpr std::uint32_t kUnlocked = 0, kLocked = 1, kContended = 2;  // kContended: a thread may sleep
    // Long enough to outlast a claim's critical section on another core.
    static constexpr int kSpins = 100;

    [[gnu::noinline]] void lock_contended() {
        for (int i = 0; i < kSpins; ++i) {
            cpu_relax();
            std::uint32_t expected = kUnlocked;
            if (state_.load(std::memory_order_relaxed) == kUnlocked &&
                state_.compare_exchange_weak(expected, kLocked, std::memory_order_acquire, std::memory_order_relaxed)) {
                return;
            }
        }
        while (state_.exchange(kContended, std::memory_order_acquire) != kUnlocked) {
            futex_wait(state_, kContended, std::chrono::nanoseconds(-1));
        }
    }

    std::atomic<std::uint32_t> state_{kUnlocked};
};

// Holds a PoolMutex for its scope; unlock() and lock() for work that must
// run unlocked inside a locked scope. Lockable, so that
// std::condition_variable_any can wait on it.
class SCOPED_CAPABILITY PoolLock {
public:
    explicit PoolLock(PoolMutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
    ~PoolLock() RELEASE() {
        if (held_) mu_.unlock();
    }
    PoolLock(const PoolLock&) = delete;
    PoolLock& operator=(const PoolLock&) = delete;

    void unlock() RELEASE() {
        held_ = false;
        mu_.unlock();
    }
    void lock() ACQUIRE() {
        mu_.lock();
        held_ = true;
    }

private:
    PoolMutex& mu_;
    bool held_ = true;
};

}  // namespace cueball::detail
