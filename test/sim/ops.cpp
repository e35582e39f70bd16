#include "ops.hpp"

#include <spdlog/fmt/fmt.h>

namespace cueball::sim {

namespace {

const char* name(ConnectMode m) {
    switch (m) {
        case ConnectMode::ok: return "ok";
        case ConnectMode::fail: return "fail";
        case ConnectMode::hang_then_ok: return "hang-then-ok";
        case ConnectMode::hang_then_fail: return "hang-then-fail";
    }
    return "?";
}

std::string timeout(const Op& op) {
    switch (op.timeout) {
        case Timeout::zero: return "0 ms";
        case Timeout::short_ms: return fmt::format("{} ms", op.timeout_ms);
        case Timeout::pool_default: return "default";
        case Timeout::never: return "never";
    }
    return "?";
}

}  // namespace

std::string describe(const Op& op) {
    switch (op.kind) {
        case OpKind::add:
            return fmt::format("add backend {} (priority {}, weight {})", op.backend, op.priority, op.weight);
        case OpKind::remove: return fmt::format("remove backend {}", op.backend);
        case OpKind::fault:
            return fmt::format("backend {}: connect {}, checks {}, resets {}", op.backend, name(op.connect),
                               op.check_fails ? "fail" : "pass", op.reset_fails ? "fail" : "pass");
        case OpKind::claim:
            return fmt::format("claim (timeout {}{}{})", timeout(op),
                               op.fail_fast < 0 ? "" : op.fail_fast == 1 ? ", fail-fast" : ", not fail-fast",
                               op.cancellable ? ", cancellable" : "");
        case OpKind::try_claim: return "try_claim";
        case OpKind::cancel: return fmt::format("cancel waiting claim #{}", op.pick);
        case OpKind::release: return fmt::format("{} held claim #{}", op.discard ? "discard" : "release", op.pick);
        case OpKind::resize: return fmt::format("resize to {}", op.size);
        case OpKind::refresh: return "refresh";
        case OpKind::stop: return "stop";
        case OpKind::advance: return fmt::format("advance up to {} us", op.dt.count());
        case OpKind::react: return fmt::format("react #{}", op.pick);
    }
    return "?";
}

}  // namespace cueball::sim
