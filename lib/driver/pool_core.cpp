// PoolCore: construction, start and stop, carrying out effects, stats, and
// the C API that the ConnectionPool templates call.
#include "pool_core.hpp"
#include "futex.hpp"
#include "resolver_registry.hpp"
#include "../observability/probes.hpp"

#include <cueball/detail/logging.hpp>
#include <cueball/errors.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <random>

namespace cueball::detail {

namespace {

spdlog::level::level_enum spdlog_level(LogLevel level) {
    switch (level) {
        case LogLevel::Debug: return spdlog::level::debug;
        case LogLevel::Info: return spdlog::level::info;
        case LogLevel::Warn: return spdlog::level::warn;
        case LogLevel::Error: return spdlog::level::err;
    }
    return spdlog::level::err;
}

LogLevel model_level(spdlog::level::level_enum level) {
    if (level <= spdlog::level::debug) return LogLevel::Debug;
    if (level == spdlog::level::info) return LogLevel::Info;
    if (level == spdlog::level::warn) return LogLevel::Warn;
    return LogLevel::Error;
}

std::uint64_t random_seed() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

PoolCore::PoolCore(PoolOptions options, std::shared_ptr<Resolver> resolver, ErasedFactory factory,
                   std::shared_ptr<Clock> clock)
    : options_(std::move(options)),
      resolver_(std::move(resolver)),
      factory_(std::move(factory)),
      log_(options_.logger ? options_.logger : quiet_stderr_logger(options_.name)),
      clock_(std::move(clock)),
      plain_(PoolModel::is_plain(options_)),
      use_time_mask_(options_.use_time_sample == 0 ? ~std::uint64_t{0}
                                                  : std::bit_ceil(std::uint64_t{options_.use_time_sample}) - 1),
      model_(options_, random_seed(), now()) {}

PoolCore::~PoolCore() = default;

void PoolCore::start() {
    claim_resolver(resolver_.get(), options_.name);
    resolver_claimed_ = true;
    try {
        if (clock_) clock_token_ = clock_->subscribe([this] { on_clock_moved(); });
        rebalancer_ = std::thread([this] { rebalancer_main(); });
        for (std::size_t i = 0; i < options_.connector_threads; ++i) {
            workers_.emplace_back([this] { worker_main(); });
        }
        resolver_->start([this](ResolverEvent event) {
            // Made before locking: see PoolModel::queue_event.
            std::shared_ptr<BackendMetrics> metrics;
            if (std::holds_alternative<BackendAdded>(event)) metrics = std::make_shared<BackendMetrics>();
            PoolLock lock(mu_);
            Effects fx;
            prepare(fx);
            model_.queue_event(std::move(event), now(), fx, std::move(metrics));
            finish(lock, fx);
        });
        PoolLock lock(mu_);
        Effects fx;
        prepare(fx);
        model_.resolver_started(now(), fx);
        finish(lock, fx);
    } catch (...) {
        stop();
        throw;
    }
}

void PoolCore::prepare(Effects& fx) {
    fx.log_level = model_level(log_->level());
    model_.set_tracing(probe::model_probes_enabled());
}

void PoolCore::finish(PoolLock& lock, Effects& fx) {
    if (model_.traced()) {
        std::vector<ProbeEvent> trace = model_.take_trace();
        auto& probes = fx.more().probes;
        probes.insert(probes.end(), std::make_move_iterator(trace.begin()), std::make_move_iterator(trace.end()));
    }
    // Publish each waiter's outcome before unlocking: once a waiter sees its
    // word it may return, and its Waiter is gone. Only the addresses are
    // used after that (see futex.hpp).
    std::atomic<std::uint32_t>* first = nullptr;
    std::vector<std::atomic<std::uint32_t>*> more;
    if (fx.poke != nullptr) {
        fx.poke->word.store(Waiter::kPoked, std::memory_order_release);
        first = &fx.poke->word;
    }
    while (Waiter* waiter = fx.woken.pop_front()) {
        waiter->word.store(Waiter::kDone, std::memory_order_release);
        if (first == nullptr) {
            first = &waiter->word;
        } else {
            more.push_back(&waiter->word);
        }
    }
    if (fx.wake_rebalancer || fx.state_changed || model_.take_kick()) rebalancer_kicked_ = true;
    const bool notify_rebalancer = rebalancer_kicked_ && rebalancer_waiting_;
    const bool notify_worker = fx.wake_worker && idle_workers_ > 0;
    lock.unlock();
    if (first != nullptr) futex_wake(first);
    for (auto* word : more) futex_wake(word);
    if (notify_worker) work_cv_.notify_one();
    if (notify_rebalancer) rebalancer_cv_.notify_one();
    if (fx.rare) carry_out(*fx.rare);
}

void PoolCore::carry_out(Effects::Rare& rare) {
    for (const LogLine& line : rare.logs) log_->log(spdlog_level(line.level), line.text);
    for (const ProbeEvent& event : rare.probes) fire(event);
    rare.to_destroy.clear();
    for (auto& connection : rare.to_close) connection->close();
    rare.to_close.clear();
}

void PoolCore::fire(const ProbeEvent& e) const {
    const probe::Where w{options_.name, e.claim_id, e.slot_id, e.backend};
    switch (e.kind) {
        case ProbeKind::RebalanceStart:
            if (CUEBALL_PROBE_ENABLED(rebalance__start)) probe::rebalance_start(w);
            break;
        case ProbeKind::RebalanceDone:
            if (CUEBALL_PROBE_ENABLED(rebalance__done)) probe::rebalance_done(w);
            break;
        case ProbeKind::DecoherenceShuffle:
            if (CUEBALL_PROBE_ENABLED(decoherence__shuffle)) probe::decoherence_shuffle(w);
            break;
        case ProbeKind::BackendAdded:
            if (CUEBALL_PROBE_ENABLED(backend__added)) probe::backend_added(w);
            break;
        case ProbeKind::BackendRemoved:
            if (CUEBALL_PROBE_ENABLED(backend__removed)) probe::backend_removed(w);
            break;
        case ProbeKind::BackendOnline:
            if (CUEBALL_PROBE_ENABLED(backend__online)) probe::backend_online(w);
            break;
        case ProbeKind::BackendOffline:
            if (CUEBALL_PROBE_ENABLED(backend__offline)) probe::backend_offline(w, e.detail);
            break;
        case ProbeKind::BackendDead:
            if (CUEBALL_PROBE_ENABLED(backend__dead)) probe::backend_dead(w, e.detail);
            break;
        case ProbeKind::BackendEjected:
            if (CUEBALL_PROBE_ENABLED(backend__ejected)) probe::backend_ejected(w, e.detail);
            break;
        case ProbeKind::SlotStateChange:
            if (CUEBALL_PROBE_ENABLED(slot__state__change)) probe::slot_state_change(w, e.detail, e.detail2);
            break;
        case ProbeKind::PoolStateChange:
            if (CUEBALL_PROBE_ENABLED(pool__state__change)) probe::pool_state_change(w, e.detail, e.detail2);
            break;
        case ProbeKind::LongClaim:
            if (CUEBALL_PROBE_ENABLED(long__claim)) probe::long_claim(w, e.detail);
            break;
        case ProbeKind::ConnectionExpired:
            if (CUEBALL_PROBE_ENABLED(connection__expired)) probe::connection_expired(w);
            break;
    }
}

void PoolCore::on_clock_moved() {
    // Virtual time: sleeping threads re-check their deadlines.
    std::vector<std::atomic<std::uint32_t>*> words;
    {
        PoolLock lock(mu_);
        model_.for_each_waiter([&](Waiter& w) { words.push_back(&w.word); });
        rebalancer_kicked_ = true;
    }
    rebalancer_cv_.notify_all();
    for (auto* word : words) futex_wake(word);
}

PoolStats PoolCore::stats() const {
    StatsCapture c;
    {
        PoolLock lock(mu_);
        c = model_.capture_stats(now());
    }
    // Everything that grows with the backends is built here, off the lock.
    PoolStats s;
    s.name = options_.name;
    s.state = c.state;
    s.max_connections = c.max_connections;
    s.target_connections = c.target;
    s.idle_connections = c.idle;
    s.claimed_connections = c.claimed;
    s.total_connections = c.idle + c.claimed;
    s.pending_connections = c.pending;
    s.waiters = c.waiters;
    s.counters = c.counters;
    s.claim_wait = c.retired_wait;
    s.use_time = c.retired_use;
    s.create_time = c.retired_create;
    s.oldest_claims = std::move(c.oldest_claims);
    s.backends.reserve(c.backends.size());
    for (StatsCapture::Backend& cb : c.backends) {
        BackendStats b;
        b.key = cb.identity->key;
        b.backend = cb.identity->backend;
        b.idle = cb.idle;
        b.claimed = cb.claimed;
        b.connecting = cb.connecting;
        b.state = cb.state;
        b.target = cb.target;
        b.consecutive_failures = cb.consecutive_failures;
        b.retry_in = cb.retry_in;
        b.ejected_for = cb.ejected_for;
        if (cb.last_error) b.last_error = *cb.last_error;
        b.counters = cb.metrics->counters();
        b.connect_failures = b.counters.connect_failures;
        b.claim_wait = cb.metrics->wait_histogram();
        b.use_time = cb.metrics->use_time.snapshot();
        b.create_time = cb.metrics->create_time.snapshot();
        s.counters += b.counters;
        s.claim_wait += b.claim_wait;
        s.use_time += b.use_time;
        s.create_time += b.create_time;
        s.backends.push_back(std::move(b));
    }
    std::sort(s.backends.begin(), s.backends.end(),
              [](const BackendStats& a, const BackendStats& b) { return a.key < b.key; });
    return s;
}

void PoolCore::resize(std::size_t max_connections) {
    if (max_connections < 1 || max_connections > 1'000'000) {
        throw InvalidArgument(fmt::format("cueball pool '{}': resize() takes 1 .. 1000000 connections (got {})",
                                          options_.name, max_connections));
    }
    PoolLock lock(mu_);
    if (model_.stopping()) throw PoolStopped(fmt::format("cueball pool '{}' is stopped", options_.name));
    Effects fx;
    prepare(fx);
    model_.request_resize(max_connections, fx);
    finish(lock, fx);
}

void PoolCore::refresh() {
    PoolLock lock(mu_);
    if (model_.stopping()) throw PoolStopped(fmt::format("cueball pool '{}' is stopped", options_.name));
    Effects fx;
    prepare(fx);
    model_.request_refresh(fx);
    finish(lock, fx);
}

void PoolCore::stop() noexcept {
    {
        PoolLock lock(mu_);
        if (stop_begun_) {
            while (!stopped_) stopped_cv_.wait(lock);
            return;
        }
        stop_begun_ = true;
        Effects fx;
        prepare(fx);
        model_.begin_stop(fx);
        finish(lock, fx);
    }
    {
        // Under the lock, so that no thread is between its check and its wait.
        PoolLock lock(mu_);
        rebalancer_kicked_ = true;
    }
    rebalancer_cv_.notify_all();
    work_cv_.notify_all();
    stopping_source_.request_stop();
    try {
        resolver_->stop();
    } catch (const std::exception& e) {
        log_->error("pool {}: resolver stop() threw: {}", options_.name, e.what());
    } catch (...) {
        log_->error("pool {}: resolver stop() threw", options_.name);
    }
    if (resolver_claimed_) free_resolver(resolver_.get());
    if (rebalancer_.joinable()) rebalancer_.join();
    for (std::thread& worker : workers_) worker.join();
    if (clock_) clock_->unsubscribe(clock_token_);
    {
        PoolLock lock(mu_);
        Effects fx;
        prepare(fx);
        model_.finish_stop(fx);
        finish(lock, fx);
    }
    deliver_state_changes();
    log_->info("pool {}: stopped", options_.name);
    PoolLock lock(mu_);
    stopped_ = true;
    stopped_cv_.notify_all();
}

bool PoolCore::orphan() {
    PoolLock lock(mu_);
    orphaned_ = true;
    return model_.claimed() == 0;
}

// ---------------------------------------------------------------- the C API

PoolCore* core_create(PoolOptions options, std::shared_ptr<Resolver> resolver, ErasedFactory factory,
                      std::shared_ptr<Clock> clock) {
    validate_options(options);
    if (!resolver) throw InvalidArgument("cueball pool '" + options.name + "': resolver is null");
    if (!factory) throw InvalidArgument("cueball pool '" + options.name + "': connection factory is empty");
    auto core = std::make_unique<PoolCore>(std::move(options), std::move(resolver), std::move(factory),
                                           std::move(clock));
    core->start();
    return core.release();
}

void core_destroy(PoolCore* core) noexcept {
    core->stop();
    if (core->orphan()) delete core;
}

SlotView* core_claim(PoolCore* core, const ClaimRequest& request) { return core->claim(request); }
SlotView* core_try_claim(PoolCore* core, const CallSite& site) { return core->try_claim(site); }
void core_release(PoolCore* core, SlotView* slot, bool discard) noexcept {
    core->release(static_cast<Slot*>(slot), discard);
}
PoolStats core_stats(const PoolCore* core) { return core->stats(); }
void core_stop(PoolCore* core) { core->stop(); }
void core_resize(PoolCore* core, std::size_t max_connections) { core->resize(max_connections); }
void core_refresh(PoolCore* core) { core->refresh(); }

void throw_invalid_handle() {
    throw InvalidHandle("cueball: use of an empty PoolHandle (released, discarded or moved from)");
}

}  // namespace cueball::detail
