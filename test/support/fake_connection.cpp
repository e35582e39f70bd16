#include "support/fake_connection.hpp"

#include <stdexcept>
#include <thread>

namespace cueball::test {

void FakeWorld::set(const BackendKey& key, FakeBehaviour behaviour) {
    std::lock_guard lock(mutex_);
    behaviour_[key] = behaviour;
}

FakeBehaviour FakeWorld::behaviour(const BackendKey& key) const {
    std::lock_guard lock(mutex_);
    auto it = behaviour_.find(key);
    return it == behaviour_.end() ? FakeBehaviour{} : it->second;
}

FakeCounts FakeWorld::counts(const BackendKey& key) const {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(key);
    return it == counts_.end() ? FakeCounts{} : it->second;
}

FakeCounts FakeWorld::totals() const {
    std::lock_guard lock(mutex_);
    FakeCounts t;
    for (const auto& [key, c] : counts_) {
        t.attempts += c.attempts;
        t.connects += c.connects;
        t.closes += c.closes;
        t.checks += c.checks;
        t.resets += c.resets;
    }
    return t;
}

std::vector<std::chrono::steady_clock::time_point> FakeWorld::attempt_times(const BackendKey& key) const {
    std::lock_guard lock(mutex_);
    auto it = attempts_.find(key);
    return it == attempts_.end() ? std::vector<std::chrono::steady_clock::time_point>{} : it->second;
}

int FakeWorld::connects_in_progress(const BackendKey& key) const {
    std::lock_guard lock(mutex_);
    auto it = in_progress_.find(key);
    return it == in_progress_.end() ? 0 : it->second;
}

ConnectionPool<FakeConnection>::Factory FakeWorld::factory() {
    std::weak_ptr<FakeWorld> weak = weak_from_this();
    return [weak](const Backend& backend) -> std::unique_ptr<FakeConnection> {
        auto world = weak.lock();
        if (!world) throw std::runtime_error("fake world is gone");
        FakeBehaviour b = world->behaviour(backend_key(backend));
        if (b.factory_throws) throw std::runtime_error("fake factory refused " + backend_key(backend));
        if (b.factory_returns_null) return nullptr;
        return std::make_unique<FakeConnection>(world, backend);
    };
}

FakeConnection::FakeConnection(std::shared_ptr<FakeWorld> world, Backend backend)
    : world_(std::move(world)), key_(backend_key(backend)), id_(world_->next_id_++) {}

FakeConnection::~FakeConnection() {
    if (connected_ && !closed_) world_->leaked_++;
}

void FakeConnection::connect() {
    FakeBehaviour b;
    {
        std::lock_guard lock(world_->mutex_);
        b = world_->behaviour_[key_];
        world_->counts_[key_].attempts++;
        world_->attempts_[key_].push_back(std::chrono::steady_clock::now());
        world_->in_progress_[key_]++;
    }
    if (b.connect_delay.count() > 0) std::this_thread::sleep_for(b.connect_delay);
    // The behaviour may have changed while we slept (a backend that came back).
    b = world_->behaviour(key_);
    std::lock_guard lock(world_->mutex_);
    world_->in_progress_[key_]--;
    if (b.fail_connect) throw std::runtime_error("fake connect refused by " + key_);
    world_->counts_[key_].connects++;
    connected_ = true;
}

void FakeConnection::close() noexcept {
    if (!connected_ || closed_) return;
    closed_ = true;
    std::lock_guard lock(world_->mutex_);
    world_->counts_[key_].closes++;
}

void FakeWorld::condemn(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    condemned_.insert(id);
}

bool FakeConnection::is_valid() {
    FakeBehaviour b;
    {
        std::lock_guard lock(world_->mutex_);
        world_->counts_[key_].checks++;
        b = world_->behaviour_[key_];
    }
    if (b.check_delay.count() > 0) {
        world_->checks_in_progress_++;
        std::this_thread::sleep_for(b.check_delay);
        world_->checks_in_progress_--;
    }
    bool condemned = false;
    {
        std::lock_guard lock(world_->mutex_);
        condemned = world_->condemned_.count(id_) != 0;
    }
    if (b.is_valid_throws || b.invalid || closed_) world_->condemn(id_);
    if (b.is_valid_throws) throw std::runtime_error("fake is_valid threw");
    return !b.invalid && !closed_ && !condemned;
}

bool FakeConnection::reset() {
    FakeBehaviour b;
    {
        std::lock_guard lock(world_->mutex_);
        world_->counts_[key_].resets++;
        b = world_->behaviour_[key_];
    }
    if (b.reset_throws || b.fail_reset) world_->condemn(id_);
    if (b.reset_throws) throw std::runtime_error("fake reset threw");
    return !b.fail_reset;
}

void FakeConnection::begin_use() {
    if (users_.fetch_add(1) != 0) world_->double_claims_++;
    if (closed_) world_->double_claims_++;
    std::lock_guard lock(world_->mutex_);
    if (world_->condemned_.count(id_) != 0) world_->condemned_claims_++;
}

void FakeConnection::end_use() { users_.fetch_sub(1); }

std::vector<Backend> loopback_backends(int n, std::uint16_t first) {
    std::vector<Backend> out;
    for (int i = 0; i < n; ++i) out.push_back(Backend{"127.0.0.1", static_cast<std::uint16_t>(first + i), {}});
    return out;
}

}  // namespace cueball::test
