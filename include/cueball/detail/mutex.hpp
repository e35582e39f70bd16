// An annotated mutex so that clang's -Wthread-safety can check that every
// field marked GUARDED_BY(mu) is only touched with mu held. libstdc++'s
// std::mutex carries no annotations; under GCC the macros expand to nothing.
#pragma once

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define CUEBALL_TSA(x) __attribute__((x))
#else
#define CUEBALL_TSA(x)
#endif

#define CAPABILITY(x) CUEBALL_TSA(capability(x))
#define SCOPED_CAPABILITY CUEBALL_TSA(scoped_lockable)
#define GUARDED_BY(x) CUEBALL_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) CUEBALL_TSA(pt_guarded_by(x))
#define REQUIRES(...) CUEBALL_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) CUEBALL_TSA(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) CUEBALL_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) CUEBALL_TSA(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS CUEBALL_TSA(no_thread_safety_analysis)

namespace cueball::detail {

class CAPABILITY("mutex") Mutex {
public:
    void lock() ACQUIRE() { mu_.lock(); }
    void unlock() RELEASE() { mu_.unlock(); }
    std::mutex& native() { return mu_; }

private:
    std::mutex mu_;
};

// Holds a Mutex for its scope. Exposes the underlying std::unique_lock so
// that std::condition_variable can wait on it; the analysis treats the wait
// as keeping the lock, which is what the caller observes.
class SCOPED_CAPABILITY MutexLock {
public:
    explicit MutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.native()) {}
    ~MutexLock() RELEASE() = default;
    MutexLock(const MutexLock&) = delete;
    MutexLock& operator=(const MutexLock&) = delete;

    // For work that must run unlocked inside a locked scope (a connect, a
    // close), and for deleting the object that owns the mutex.
    void unlock() RELEASE() { lock_.unlock(); }
    void lock() ACQUIRE() { lock_.lock(); }
    std::unique_lock<std::mutex>& native() { return lock_; }

private:
    std::unique_lock<std::mutex> lock_;
};

}  // namespace cueball::detail
