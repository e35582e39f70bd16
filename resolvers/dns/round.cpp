#include "round.hpp"

#include "answers.hpp"

#include <algorithm>
#include <deque>
#include <memory>

namespace cueball::dns {

namespace {

// An address look-up waiting for its turn under max_concurrent_queries.
struct Lookup {
    std::string name;
    std::uint16_t port = 0;
    std::uint16_t type = 0;
    std::uint16_t priority = 0;
    std::uint16_t weight = 1;
};

// Queries run in parallel up to the cap; the last one to finish completes
// the round.
class RoundOp : public std::enable_shared_from_this<RoundOp> {
public:
    RoundOp(boost::asio::io_context& io, QueryConfig config, Target target, RoundLimits limits,
            std::function<void(RoundResult)> done)
        : io_(io), config_(std::move(config)), target_(std::move(target)), limits_(limits), done_(std::move(done)) {}

    void start() {
        if (target_.service.empty()) {
            lookup_addresses(target_.host, target_.port, Backend{}.priority, Backend{}.weight);
            return run_queued();
        }
        ++in_flight_;
        start_query(io_, config_, Question{target_.service, kTypeSrv},
                    [self = shared_from_this()](QueryResult r) { self->on_srv(std::move(r)); });
    }

private:
    void on_srv(QueryResult r) {
        --in_flight_;
        if (r.status == QueryResult::Status::failed) return finish(RoundResult::Status::failed, "SRV: " + r.error);
        if (r.status == QueryResult::Status::nxdomain) return finish(RoundResult::Status::missing, "NXDOMAIN");
        std::vector<SrvTarget> targets = srv_targets(r.message, target_.service);
        if (targets.empty()) return finish(RoundResult::Status::missing, "no SRV records");
        if (targets.size() > limits_.max_targets) {
            result_.dropped_targets = targets.size() - limits_.max_targets;
            targets.resize(limits_.max_targets);
        }
        for (const SrvTarget& t : targets) {
            note_ttl(t.ttl);
            if (auto carried = carried_addresses(r.message, t.target)) {
                add(t.target, t.port, t.priority, t.weight, *carried);
            } else {
                lookup_addresses(t.target, t.port, t.priority, t.weight);
            }
        }
        run_queued();
    }

    void lookup_addresses(const std::string& name, std::uint16_t port, std::uint16_t priority, std::uint16_t weight) {
        for (std::uint16_t type : {kTypeA, kTypeAaaa}) queued_.push_back(Lookup{name, port, type, priority, weight});
    }

    // Starts queued look-ups while there is room; completes the round when
    // nothing is queued or in flight.
    void run_queued() {
        while (!queued_.empty() && in_flight_ < limits_.max_concurrent_queries) {
            Lookup next = std::move(queued_.front());
            queued_.pop_front();
            ++in_flight_;
            Question question{next.name, next.type};
            start_query(io_, config_, std::move(question),
                        [self = shared_from_this(), lookup = std::move(next)](QueryResult r) {
                            self->on_addresses(lookup, std::move(r));
                        });
        }
        if (queued_.empty() && in_flight_ == 0) complete();
    }

    void on_addresses(const Lookup& lookup, QueryResult r) {
        --in_flight_;
        if (r.status == QueryResult::Status::failed) {
            result_.failed.push_back(
                FailedLookup{lookup.name, lookup.port, lookup.type, lookup.priority, lookup.weight, r.error});
        } else if (r.status == QueryResult::Status::nxdomain) {
            missing_ = lookup.name + ": NXDOMAIN";
        } else {
            add(lookup.name, lookup.port, lookup.priority, lookup.weight, addresses_for(r.message.answers, lookup.name));
        }
        run_queued();
    }

    void add(const std::string& name, std::uint16_t port, std::uint16_t priority, std::uint16_t weight,
             const Addresses& found) {
        if (found.addresses.empty()) return;
        note_ttl(found.ttl);
        for (const std::string& address : found.addresses) {
            insert_backend(result_.backends, Backend{address, port, name, priority, weight});
        }
    }

    void note_ttl(std::uint32_t ttl) {
        result_.ttl = have_ttl_ ? std::min(result_.ttl, ttl) : ttl;
        have_ttl_ = true;
    }

    void complete() {
        if (!result_.failed.empty()) {
            const FailedLookup& last = result_.failed.back();
            return finish(RoundResult::Status::found, last.name + ": " + last.error);
        }
        if (result_.backends.empty()) {
            return finish(RoundResult::Status::missing, missing_.empty() ? "no A or AAAA records" : missing_);
        }
        finish(RoundResult::Status::found, {});
    }

    void finish(RoundResult::Status status, std::string reason) {
        result_.status = status;
        result_.reason = std::move(reason);
        if (status != RoundResult::Status::found) {
            result_.backends.clear();
            result_.failed.clear();
        }
        auto done = std::move(done_);
        done(std::move(result_));
    }

    boost::asio::io_context& io_;
    const QueryConfig config_;
    const Target target_;
    const RoundLimits limits_;
    std::function<void(RoundResult)> done_;
    RoundResult result_;
    bool have_ttl_ = false;
    std::deque<Lookup> queued_;   // address look-ups not yet started
    std::size_t in_flight_ = 0;   // queries started and not yet answered
    std::string missing_;         // the last NXDOMAIN, if any
};

}  // namespace

void start_round(boost::asio::io_context& io, const QueryConfig& config, const Target& target,
                 const RoundLimits& limits, std::function<void(RoundResult)> done) {
    std::make_shared<RoundOp>(io, config, target, limits, std::move(done))->start();
}

}  // namespace cueball::dns
