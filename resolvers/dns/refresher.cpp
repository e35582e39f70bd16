#include "refresher.hpp"

#include "schedule.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace cueball::dns {

Refresher::Refresher(boost::asio::io_context& io, RefreshConfig config, ResolverSink sink)
    : io_(io), config_(std::move(config)), sink_(std::move(sink)), timer_(io), random_(std::random_device{}()) {}

void Refresher::start() {
    // An IP literal needs no DNS: one backend, for good.
    boost::system::error_code ec;
    if (config_.target.service.empty()) {
        boost::asio::ip::make_address(config_.target.host, ec);
        if (!ec) {
            boost::asio::post(io_, [this] {
                BackendSet literal;
                insert_backend(literal, Backend{config_.target.host, config_.target.port, config_.target.host});
                replace(std::move(literal));
            });
            return;
        }
    }
    boost::asio::post(io_, [this] { run_round(); });
}

const char* Refresher::what() const {
    return config_.target.service.empty() ? config_.target.host.c_str() : config_.target.service.c_str();
}

void Refresher::run_round() {
    start_round(io_, config_.query, config_.target, config_.limits,
                [this](RoundResult result) { on_round(std::move(result)); });
}

void Refresher::on_round(RoundResult result) {
    switch (result.status) {
    case RoundResult::Status::found: {
        if (result.dropped_targets > 0 && !warned_dropped_) {
            config_.logger->warn("dns {}: the answer names {} more SRV targets than max_targets; following the "
                                 "{} most preferred",
                                 what(), result.dropped_targets, config_.limits.max_targets);
        }
        warned_dropped_ = result.dropped_targets > 0;
        BackendSet next = std::move(result.backends);
        for (const FailedLookup& failed : result.failed) keep_last_good(next, failed);
        if (result.failed.empty()) {
            failures_ = 0;
            enter(State::found, result);
            replace(std::move(next));
            wait(clamp_ttl(result.ttl, config_.min_ttl, config_.max_ttl));
            return;
        }
        // Part of the round failed: what the rest found is used now, the
        // failed part keeps its last good backends and is asked again soon.
        ++failures_;
        enter(State::failing, result);
        replace(std::move(next));
        wait_to_retry();
        return;
    }
    case RoundResult::Status::missing:
        failures_ = 0;
        enter(State::missing, result);
        replace({});
        wait(config_.min_ttl);
        return;
    case RoundResult::Status::failed: {
        ++failures_;
        enter(State::failing, result);
        wait_to_retry();
        return;
    }
    }
}

void Refresher::keep_last_good(BackendSet& next, const FailedLookup& failed) const {
    for (const auto& [key, backend] : current_) {
        const bool v6 = backend.address.find(':') != std::string::npos;
        if (backend.name != failed.name || backend.port != failed.port || v6 != (failed.type == kTypeAaaa)) continue;
        Backend kept = backend;
        kept.priority = failed.priority;
        kept.weight = failed.weight;
        insert_backend(next, std::move(kept));
    }
}

void Refresher::wait_to_retry() {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    wait(detail::backoff_delay(failures_, retry_policy(config_.min_ttl, config_.max_ttl), u(random_)));
}

void Refresher::enter(State next, const RoundResult& result) {
    const State previous = state_;
    state_ = next;
    if (next == previous) return;
    auto& log = *config_.logger;
    switch (next) {
    case State::unresolved:
        return;
    case State::found:
        // The backends themselves are logged by replace(), as they change.
        if (previous == State::failing) log.info("dns {}: name servers answer again", what());
        return;
    case State::missing:
        log.warn("dns {}: {}; removing its {} backends, asking again in {} ms", what(), result.reason,
                 current_.size(), config_.min_ttl.count());
        return;
    case State::failing:
        if (result.failed.empty()) {
            log.warn("dns {}: no answer ({}); keeping the last {} backends and retrying with back-off", what(),
                     result.reason, current_.size());
        } else {
            log.warn("dns {}: {} look-ups got no answer ({}); using what the others found, keeping the last good "
                     "backends of the failed ones and retrying with back-off",
                     what(), result.failed.size(), result.reason);
        }
        return;
    }
}

void Refresher::replace(BackendSet next) {
    const std::vector<ResolverEvent> events = diff_backends(current_, next);
    if (!events.empty()) {
        const auto added = std::count_if(events.begin(), events.end(),
                                         [](const ResolverEvent& e) { return std::holds_alternative<BackendAdded>(e); });
        config_.logger->info("dns {}: {} backends added, {} removed, {} now", what(), added,
                             static_cast<std::ptrdiff_t>(events.size()) - added, next.size());
    }
    current_ = std::move(next);
    for (const ResolverEvent& event : events) {
        if (const auto* added = std::get_if<BackendAdded>(&event)) {
            config_.logger->debug("dns {}: backend {} added", what(), added->key);
        } else {
            config_.logger->debug("dns {}: backend {} removed", what(), std::get<BackendRemoved>(event).key);
        }
        // stop() may have been called meanwhile, even by the sink itself:
        // after it returns, the sink must not hear from us again.
        if (io_.stopped()) return;
        try {
            sink_(event);
        } catch (const std::exception& e) {
            config_.logger->error("dns {}: the sink threw: {}", what(), e.what());
        } catch (...) {
            config_.logger->error("dns {}: the sink threw", what());
        }
    }
}

void Refresher::wait(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) run_round();
    });
}

}  // namespace cueball::dns
