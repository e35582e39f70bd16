#include "generator.hpp"
#include "world.hpp"

#include <algorithm>

namespace cueball::sim {

Generator::Generator(const SimConfig& config, std::uint64_t seed) : config_(config), rng_(seed) {
    // The resolver's first answer: most backends, at once.
    for (std::uint32_t b = config_.backends; b-- > 0;) {
        if (b == 0 || rng_.percent(80)) queued_.push_back(add(b));
    }
}

Op Generator::add(std::uint32_t b) {
    Op op{OpKind::add};
    op.backend = b;
    if (config_.varied_priority) {
        op.priority = static_cast<std::uint16_t>(rng_.percent(70) ? 0 : rng_.between(0, 2));
        op.weight = static_cast<std::uint16_t>(rng_.percent(60) ? 1 : rng_.between(0, 5));
    }
    return op;
}

Op Generator::fault(std::uint32_t b) {
    Op op{OpKind::fault};
    op.backend = b;
    const std::uint64_t r = rng_.below(100);
    op.connect = r < 55 ? ConnectMode::ok
                 : r < 75 ? ConnectMode::fail
                 : r < 88 ? ConnectMode::hang_then_ok
                          : ConnectMode::hang_then_fail;
    op.check_fails = rng_.percent(35);
    op.reset_fails = rng_.percent(15);
    return op;
}

Op Generator::claim() {
    Op op{OpKind::claim};
    const std::uint64_t r = rng_.below(100);
    op.timeout = r < 10 ? Timeout::zero : r < 55 ? Timeout::short_ms : r < 80 ? Timeout::pool_default : Timeout::never;
    op.timeout_ms = static_cast<std::uint32_t>(rng_.between(1, 50));
    op.fail_fast = static_cast<std::int8_t>(rng_.percent(70) ? -1 : static_cast<int>(rng_.below(2)));
    op.cancellable = rng_.percent(25);
    return op;
}

Op Generator::next(World& world) {
    if (!queued_.empty()) {
        Op op = queued_.back();
        queued_.pop_back();
        return op;
    }
    const std::size_t reactions = world.candidates().size();
    if (reactions > 0 && rng_.percent(60)) {
        Op op{OpKind::react};
        op.pick = static_cast<std::uint32_t>(rng_.below(reactions));
        return op;
    }
    if (reactions == 0 && rng_.percent(35)) {
        Op op{OpKind::advance};
        const std::uint64_t r = rng_.below(100);
        const std::uint64_t us = r < 40 ? rng_.between(1, 2'000) : r < 80 ? rng_.between(1, 50'000) : rng_.between(1, 1'000'000);
        op.dt = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(us));
        return op;
    }
    return spontaneous(world);
}

Op Generator::spontaneous(World& world) {
    for (;;) {
        const std::uint64_t r = rng_.below(1000);
        if (r < 300) {
            if (world.claims.size() < config_.load) return claim();
        } else if (r < 560) {
            if (world.held() > 0) {
                Op op{OpKind::release};
                op.pick = static_cast<std::uint32_t>(rng_.next());
                op.discard = rng_.percent(15);
                return op;
            }
        } else if (r < 590) {
            return Op{OpKind::try_claim};
        } else if (r < 630) {
            if (world.waiting_cancellable() > 0) {
                Op op{OpKind::cancel};
                op.pick = static_cast<std::uint32_t>(rng_.next());
                return op;
            }
        } else if (r < 690) {
            return add(backend());
        } else if (r < 730) {
            Op op{OpKind::remove};
            op.backend = backend();
            return op;
        } else if (r < 750) {
            // A flap: gone and back at once, or back soon after.
            const std::uint32_t b = backend();
            queued_.push_back(add(b));
            if (rng_.percent(50)) {
                Op wait{OpKind::advance};
                wait.dt = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(rng_.between(1, 20'000)));
                queued_.push_back(wait);
            }
            Op op{OpKind::remove};
            op.backend = b;
            return op;
        } else if (r < 760) {
            // A burst: many changes in one instant.
            const std::uint64_t n = rng_.between(2, 2 * config_.backends + 2);
            for (std::uint64_t i = 0; i < n; ++i) {
                if (rng_.percent(60)) {
                    queued_.push_back(add(backend()));
                } else {
                    Op op{OpKind::remove};
                    op.backend = backend();
                    queued_.push_back(op);
                }
            }
            return next(world);
        } else if (r < 820) {
            // Faults are the exception: half the time, a backend heals.
            if (rng_.percent(50)) {
                Op op{OpKind::fault};
                op.backend = backend();
                return op;
            }
            return fault(backend());
        } else if (r < 830) {
            Op op{OpKind::resize};
            op.size = static_cast<std::uint32_t>(rng_.between(1, 2 * config_.options.max_connections));
            return op;
        } else if (r < 838) {
            return Op{OpKind::refresh};
        } else if (r < 839) {
            if (rng_.percent(15)) return Op{OpKind::stop};
        } else {
            Op op{OpKind::react};
            op.pick = static_cast<std::uint32_t>(rng_.next());
            if (!world.candidates().empty()) return op;
            Op wait{OpKind::advance};
            wait.dt = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(rng_.between(1, 5'000)));
            return wait;
        }
    }
}

}  // namespace cueball::sim
