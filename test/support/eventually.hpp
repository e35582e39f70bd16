// Liveness checks for tests: poll a condition until it holds or a generous
// deadline passes. Never a sleep-and-hope, never a timing assertion.
#pragma once

#include <chrono>
#include <thread>

namespace cueball::test {

// Generous for a loaded 2-core machine under a sanitizer.
inline constexpr std::chrono::seconds kLiveness{20};

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds within = kLiveness) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    for (;;) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

}  // namespace cueball::test
