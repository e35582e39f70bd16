#include "chaos_monkey.hpp"

#include "support/eventually.hpp"

#include <stdexcept>

namespace cueball::soak {

ChaosMonkey::ChaosMonkey(std::uint64_t seed, std::vector<testing::EchoServer*> servers,
                         std::size_t initially_in_resolver, std::shared_ptr<StaticResolver> resolver,
                         std::shared_ptr<FaultSwitches> faults, std::function<bool(const BackendKey&)> in_pool)
    : rng_(seed), resolver_(std::move(resolver)), faults_(std::move(faults)), in_pool_(std::move(in_pool)) {
    for (std::size_t i = 0; i < servers.size(); ++i) {
        Target t{servers[i], Backend{servers[i]->host(), servers[i]->port(), {}}};
        t.in_resolver = i < initially_in_resolver;
        targets_.push_back(t);
    }
}

ChaosMonkey::~ChaosMonkey() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void ChaosMonkey::start() { thread_ = std::thread([this] { run(); }); }

std::chrono::milliseconds ChaosMonkey::between(int lo_ms, int hi_ms) {
    return std::chrono::milliseconds(std::uniform_int_distribution<int>(lo_ms, hi_ms)(rng_));
}

ChaosMonkey::Target* ChaosMonkey::pick(const std::function<bool(const Target&)>& eligible) {
    std::vector<Target*> candidates;
    for (Target& t : targets_) {
        if (eligible(t)) candidates.push_back(&t);
    }
    if (candidates.empty()) return nullptr;
    return candidates[std::uniform_int_distribution<std::size_t>(0, candidates.size() - 1)(rng_)];
}

void ChaosMonkey::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        const Clock::time_point now = Clock::now();
        heal_due(now);
        act(now);
        lock.lock();
        cv_.wait_for(lock, between(20, 250), [this] { return stopping_; });
    }
}

void ChaosMonkey::heal_due(Clock::time_point now) {
    for (Target& t : targets_) {
        if (now >= t.restart_at) restart(t);
        if (now >= t.heal_at) {
            faults_->set(t.backend.port, Faults{});
            t.heal_at = Clock::time_point::max();
            ++counts_.faults_healed;
        }
    }
}

void ChaosMonkey::act(Clock::time_point now) {
    switch (std::uniform_int_distribution<int>(0, 5)(rng_)) {
        case 0:
            if (Target* t = pick([](const Target& c) { return c.server->running(); })) kill(*t, now);
            break;
        case 1: {
            std::size_t in = 0;
            for (const Target& t : targets_) in += t.in_resolver ? 1 : 0;
            // Rarely down to no backend at all: claims then time out, legitimately.
            if (in <= 1 && std::uniform_int_distribution<int>(0, 9)(rng_) != 0) break;
            if (Target* t = pick([](const Target& c) { return c.in_resolver; })) {
                resolver_->remove(t->backend);
                t->in_resolver = false;
                ++counts_.removes;
            }
            break;
        }
        case 2:
            if (Target* t = pick([this](const Target& c) {
                    return !c.in_resolver && !in_pool_(backend_key(c.backend));
                })) {
                resolver_->add(t->backend);
                t->in_resolver = true;
                ++counts_.adds;
            }
            break;
        default:
            if (Target* t = pick([](const Target&) { return true; })) inject_fault(*t, now);
            break;
    }
}

void ChaosMonkey::inject_fault(Target& t, Clock::time_point now) {
    Faults f = faults_->get(t.backend.port);
    switch (std::uniform_int_distribution<int>(0, 3)(rng_)) {
        case 0:
            // Now and then longer than the pool's connect_timeout, so that
            // the pool abandons the connect and must close it when it lands.
            f.connect_delay = std::uniform_int_distribution<int>(0, 4)(rng_) == 0 ? between(1'100, 1'500)
                                                                                  : between(20, 400);
            ++counts_.slow_connects;
            break;
        case 1:
            f.fail_connect = true;
            ++counts_.failing_connects;
            break;
        case 2:
            f.fail_check = true;
            ++counts_.failing_checks;
            break;
        default:
            (std::uniform_int_distribution<int>(0, 1)(rng_) == 0 ? f.fail_reset : f.reset_throws) = true;
            ++counts_.failing_resets;
            break;
    }
    faults_->set(t.backend.port, f);
    t.heal_at = std::max(t.heal_at == Clock::time_point::max() ? now : t.heal_at, now + between(100, 2'000));
}

void ChaosMonkey::kill(Target& t, Clock::time_point now) {
    // The generation changes before the server closes its connections and
    // again once it has, so every connection the kill breaks sees a change.
    faults_->bump_generation(t.backend.port);
    t.server->stop();
    faults_->bump_generation(t.backend.port);
    t.restart_at = now + between(50, 2'000);
    ++counts_.kills;
}

void ChaosMonkey::restart(Target& t) {
    try {
        t.server->start();
        t.restart_at = Clock::time_point::max();
        ++counts_.restarts;
    } catch (const std::runtime_error&) {
        // The port was taken meanwhile by someone else's ephemeral port:
        // try again later; the backend just stays down longer.
        t.restart_at = Clock::now() + between(50, 500);
        ++counts_.restart_failures;
    }
}

bool ChaosMonkey::finish(std::chrono::milliseconds within) {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    faults_->clear_all();
    return test::eventually(
        [this] {
            bool healed = true;
            for (Target& t : targets_) {
                if (!t.server->running()) restart(t);
                if (!t.in_resolver && !in_pool_(backend_key(t.backend))) {
                    resolver_->add(t.backend);
                    t.in_resolver = true;
                    ++counts_.adds;
                }
                healed = healed && t.server->running() && t.in_resolver;
            }
            return healed;
        },
        within);
}

}  // namespace cueball::soak
