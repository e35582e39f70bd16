#include "chaos_connection.hpp"

#include <cueball/errors.hpp>

#include <stdexcept>
#include <thread>

namespace cueball::soak {

void FaultSwitches::set(std::uint16_t port, Faults faults) {
    std::lock_guard lock(mutex_);
    faults_[port] = faults;
}

Faults FaultSwitches::get(std::uint16_t port) const {
    std::lock_guard lock(mutex_);
    auto it = faults_.find(port);
    return it == faults_.end() ? Faults{} : it->second;
}

void FaultSwitches::clear_all() {
    std::lock_guard lock(mutex_);
    faults_.clear();
}

std::uint64_t FaultSwitches::generation(std::uint16_t port) const {
    std::lock_guard lock(mutex_);
    auto it = generation_.find(port);
    return it == generation_.end() ? 0 : it->second;
}

void FaultSwitches::bump_generation(std::uint16_t port) {
    std::lock_guard lock(mutex_);
    ++generation_[port];
}

ChaosConnection::ChaosConnection(Backend backend, TcpOptions options, std::shared_ptr<FaultSwitches> faults,
                                 std::shared_ptr<Ledger> ledger)
    : TcpConnection(std::move(backend), options), faults_(std::move(faults)), ledger_(std::move(ledger)) {}

ChaosConnection::~ChaosConnection() {
    if (opened_ && closes_.load() == 0) ++ledger_->leaked;
}

void ChaosConnection::connect() {
    const std::uint16_t port = backend().port;
    generation_ = faults_->generation(port);
    const Faults f = faults_->get(port);
    if (f.connect_delay.count() > 0) std::this_thread::sleep_for(f.connect_delay);
    if (f.fail_connect) throw Error("chaos: connects to " + backend_key(backend()) + " are switched off");
    TcpConnection::connect();
    opened_ = true;
    ++ledger_->opened;
}

void ChaosConnection::close() noexcept {
    // TcpConnection::connect() closes its socket itself when it fails; only
    // the closes of an opened connection are the pool's.
    if (opened_) {
        if (closes_.fetch_add(1) == 0) {
            ++ledger_->closed;
        } else {
            ++ledger_->closed_again;
        }
    }
    TcpConnection::close();
}

bool ChaosConnection::is_valid() {
    if (faults_->get(backend().port).fail_check) return false;
    return TcpConnection::is_valid();
}

bool ChaosConnection::reset() {
    const Faults f = faults_->get(backend().port);
    if (f.reset_throws) throw std::runtime_error("chaos: reset of a connection to " + backend_key(backend()));
    return !f.fail_reset && TcpConnection::reset();
}

void ChaosConnection::begin_use() {
    if (users_.fetch_add(1) != 0 || closes_.load() != 0) ++ledger_->double_use;
}

void ChaosConnection::end_use() { users_.fetch_sub(1); }

}  // namespace cueball::soak
