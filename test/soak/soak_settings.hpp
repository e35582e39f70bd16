// The soak's knobs, from the environment: CUEBALL_SOAK_SECONDS (default 60)
// and CUEBALL_SOAK_SEED (default: a fresh one, printed so a failure can be
// replayed), and how much slack liveness bounds get in a slowed-down build.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif

namespace cueball::soak {

inline std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0') return fallback;
    return std::stoull(text);
}

inline std::chrono::seconds soak_duration() { return std::chrono::seconds(env_number("CUEBALL_SOAK_SECONDS", 60)); }

inline std::uint64_t soak_seed() {
    std::random_device device;
    const std::uint64_t fresh = (std::uint64_t{device()} << 32) ^ device();
    return env_number("CUEBALL_SOAK_SEED", fresh);
}

// Sanitizers and valgrind slow every thread down many times over; the bounds
// are about liveness, not speed, so they stretch with the build.
inline int slowdown() {
#if defined(RUNNING_ON_VALGRIND)
    if (RUNNING_ON_VALGRIND) return 20;
#endif
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    return 4;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
    return 4;
#endif
#endif
    return 1;
}

}  // namespace cueball::soak
