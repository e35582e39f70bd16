// Steady-state claim and release must not allocate: a pool sits on every
// request path of its users, and a heap allocation per claim would cost
// throughput and tail latency under allocator contention. This binary
// replaces the global operator new/delete with versions that count, per
// thread, while counting is switched on; the pool's own threads are not
// counted. Set CUEBALL_ALLOC_BACKTRACE=1 to print a backtrace of each
// counted allocation.
#include <cueball/cueball.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <execinfo.h>
#include <memory>
#include <new>
#include <thread>
#include <unistd.h>

namespace {

constinit thread_local bool counting = false;
constinit thread_local std::uint64_t allocations = 0;

void note_allocation() {
    if (!counting) return;
    ++allocations;
    static const bool trace = std::getenv("CUEBALL_ALLOC_BACKTRACE") != nullptr;
    if (trace) {
        // backtrace() may allocate itself on first use; do not count that.
        counting = false;
        void* frames[32];
        const int n = backtrace(frames, 32);
        static const char header[] = "--- allocation while counting:\n";
        (void)!write(2, header, sizeof header - 1);
        backtrace_symbols_fd(frames, n, 2);
        counting = true;
    }
}

void* allocate(std::size_t size) {
    note_allocation();
    void* p = std::malloc(size == 0 ? 1 : size);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

void* allocate_aligned(std::size_t size, std::align_val_t align) {
    note_allocation();
    const auto a = static_cast<std::size_t>(align);
    void* p = std::aligned_alloc(a, (size + a - 1) / a * a);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return allocate(size);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return allocate(size);
    } catch (...) {
        return nullptr;
    }
}
void* operator new(std::size_t size, std::align_val_t align) { return allocate_aligned(size, align); }
void* operator new[](std::size_t size, std::align_val_t align) { return allocate_aligned(size, align); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using namespace std::chrono_literals;

class NoopConnection : public cueball::Connection {
public:
    void connect() override {}
    void close() noexcept override {}
};

// Counts the allocations `body` makes on this thread.
template <class Body>
std::uint64_t allocations_in(Body body) {
    allocations = 0;
    counting = true;
    body();
    counting = false;
    return allocations;
}

constexpr std::size_t kConnections = 8;
constexpr int kLoops = 10'000;

// A warm pool as a user would have it: default options (decoherence and
// health checks on) except the name and size.
class AllocTest : public ::testing::Test {
protected:
    AllocTest()
        : pool_(options(), std::make_shared<cueball::StaticResolver>(std::vector<cueball::Backend>{
                               {"127.0.0.1", 1, {}}, {"127.0.0.1", 2, {}}}),
                [](const cueball::Backend&) { return std::make_unique<NoopConnection>(); }) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (pool_.stats().idle_connections < kConnections && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(1ms);
        }
        // The first claims may touch lazily initialised state (the
        // allocator's per-thread cache, the first use of a code path).
        for (int i = 0; i < 100; ++i) pool_.claim(1s).release();
    }
    static cueball::PoolOptions options() {
        cueball::PoolOptions o;
        o.name = "alloc";
        o.max_connections = kConnections;
        return o;
    }
    cueball::ConnectionPool<NoopConnection> pool_;
};

TEST(AllocCounter, SeesAllocationsOnThisThread) {
    const std::uint64_t n = allocations_in([] {
        auto* p = new int(1);
        asm volatile("" : : "r"(p) : "memory");
        delete p;
    });
    EXPECT_EQ(n, 1u);
}

TEST_F(AllocTest, ClaimWithTimeoutAndReleaseDoNotAllocate) {
    ASSERT_EQ(pool_.stats().idle_connections, kConnections);
    std::uint64_t empty = 0;
    const std::uint64_t n = allocations_in([&] {
        for (int i = 0; i < kLoops; ++i) {
            auto handle = pool_.claim(1s);
            if (!handle) ++empty;
            handle.release();
        }
    });
    EXPECT_EQ(empty, 0u);
    EXPECT_EQ(n, 0u) << "claim(timeout)/release allocated " << n << " times in " << kLoops
                     << " loops; run with CUEBALL_ALLOC_BACKTRACE=1 to see where";
}

TEST_F(AllocTest, TryClaimAndReleaseDoNotAllocate) {
    ASSERT_EQ(pool_.stats().idle_connections, kConnections);
    std::uint64_t empty = 0;
    const std::uint64_t n = allocations_in([&] {
        for (int i = 0; i < kLoops; ++i) {
            std::optional<cueball::PoolHandle<NoopConnection>> handle = pool_.try_claim();
            if (!handle) ++empty;
        }
    });
    EXPECT_EQ(empty, 0u);
    EXPECT_EQ(n, 0u) << "try_claim()/release allocated " << n << " times in " << kLoops
                     << " loops; run with CUEBALL_ALLOC_BACKTRACE=1 to see where";
}

TEST_F(AllocTest, SeveralHandlesAtOnceDoNotAllocate) {
    ASSERT_EQ(pool_.stats().idle_connections, kConnections);
    const std::uint64_t n = allocations_in([&] {
        for (int i = 0; i < kLoops / 4; ++i) {
            auto a = pool_.claim(1s);
            auto b = pool_.claim(1s);
            auto c = std::move(a);
            c.release();
            b.release();
        }
    });
    EXPECT_EQ(n, 0u) << "claims held together allocated " << n << " times; run with CUEBALL_ALLOC_BACKTRACE=1";
}

}  // namespace
