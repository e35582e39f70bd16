// W9 memory: 100,000 idle connections over 1,000 backends. The pool's
// overhead per connection is the growth of the heap (glibc mallinfo2: bytes
// in use in all arenas plus mmap'd blocks) from before the pool exists until
// it is warm, minus the heap the connection objects themselves take, divided
// by the number of connections. The connection objects are measured in the
// factory: malloc_usable_size() plus the chunk header, which is what each
// object costs the heap.
#include "harness.hpp"
#include "noop_fleet.hpp"
#include "workloads.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <thread>

namespace bench {

#if defined(__GLIBC__)

namespace {

constexpr std::size_t kBackends = 1'000;
constexpr std::size_t kConnections = 100'000;

double heap_in_use() {
    const struct mallinfo2 m = mallinfo2();
    return static_cast<double>(m.uordblks + m.hblkhd);
}

}  // namespace

void run_w9(const Settings&, Reporter& r) {
    // The resolver with its backend list is the user's, made before the baseline.
    NoopFleet fleet(kBackends, kBackends);
    std::atomic<std::uint64_t> objects{0}, object_bytes{0};
    auto factory = fleet.factory([&](const NoopConnection& c) {
        objects.fetch_add(1);
        object_bytes.fetch_add(malloc_usable_size(const_cast<NoopConnection*>(&c)) + sizeof(std::size_t));
    });
    const double before = heap_in_use();
    double after = 0;
    {
        NoopPool pool(pool_options("W9", kConnections), fleet.resolver(), std::move(factory));
        wait_warm(pool, kConnections);
        // Idle, as the workload says; lets any deferred bookkeeping settle.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        after = heap_in_use();
    }
    if (after <= before) {
        // A sanitizer's allocator replaces glibc's, and mallinfo2() then reports nothing.
        r.skip("W9", "memory", "mallinfo2() saw no heap growth; is another allocator in use?");
        return;
    }
    const double pool_bytes = after - before - static_cast<double>(object_bytes.load());
    r.add(Result("W9", "memory")
              .number("bytes_per_connection", pool_bytes / static_cast<double>(kConnections), 1)
              .number("connection_object_bytes",
                      static_cast<double>(object_bytes.load()) / static_cast<double>(objects.load()), 0)
              .number("heap_growth_bytes", after - before, 0)
              .number("connections", static_cast<double>(kConnections), 0)
              .number("backends", static_cast<double>(kBackends), 0)
              .number("factory_calls", static_cast<double>(objects.load()), 0)
              .text("method", "mallinfo2_uordblks+hblkhd,objects_by_malloc_usable_size"));
}

#else

void run_w9(const Settings&, Reporter& r) { r.skip("W9", "memory", "needs glibc's mallinfo2()"); }

#endif

}  // namespace bench
