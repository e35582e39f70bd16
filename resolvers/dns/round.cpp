#include "round.hpp"

#include "answers.hpp"

#include <algorithm>
#include <memory>

namespace cueball::dns {

namespace {

// Queries run in parallel; the last one to finish completes the round.
class RoundOp : public std::enable_shared_from_this<RoundOp> {
public:
    RoundOp(boost::asio::io_context& io, QueryConfig config, Target target, std::function<void(RoundResult)> done)
        : io_(io), config_(std::move(config)), target_(std::move(target)), done_(std::move(done)) {}

    void start() {
        if (target_.service.empty()) return lookup_addresses(target_.host, target_.port);
        start_query(io_, config_, Question{target_.service, kTypeSrv},
                    [self = shared_from_this()](QueryResult r) { self->on_srv(std::move(r)); });
    }

private:
    void on_srv(QueryResult r) {
        if (r.status == QueryResult::Status::failed) return finish(RoundResult::Status::failed, "SRV: " + r.error);
        if (r.status == QueryResult::Status::nxdomain) return finish(RoundResult::Status::missing, "NXDOMAIN");
        const std::vector<SrvTarget> targets = srv_targets(r.message, target_.service);
        if (targets.empty()) return finish(RoundResult::Status::missing, "no SRV records");
        for (const SrvTarget& t : targets) {
            note_ttl(t.ttl);
            if (auto carried = carried_addresses(r.message, t.target)) {
                add(t.target, t.port, *carried);
            } else {
                lookup_addresses(t.target, t.port);
            }
        }
        if (pending_ == 0) complete();
    }

    void lookup_addresses(const std::string& name, std::uint16_t port) {
        for (std::uint16_t type : {kTypeA, kTypeAaaa}) {
            ++pending_;
            start_query(io_, config_, Question{name, type},
                        [self = shared_from_this(), name, port](QueryResult r) {
                            self->on_addresses(name, port, std::move(r));
                        });
        }
    }

    void on_addresses(const std::string& name, std::uint16_t port, QueryResult r) {
        --pending_;
        if (r.status == QueryResult::Status::failed) {
            failure_ = name + ": " + r.error;
        } else if (r.status == QueryResult::Status::nxdomain) {
            missing_ = name + ": NXDOMAIN";
        } else {
            add(name, port, addresses_for(r.message.answers, name));
        }
        if (pending_ == 0) complete();
    }

    void add(const std::string& name, std::uint16_t port, const Addresses& found) {
        if (found.addresses.empty()) return;
        note_ttl(found.ttl);
        for (const std::string& address : found.addresses) insert_backend(result_.backends, Backend{address, port, name});
    }

    void note_ttl(std::uint32_t ttl) {
        result_.ttl = have_ttl_ ? std::min(result_.ttl, ttl) : ttl;
        have_ttl_ = true;
    }

    void complete() {
        if (!failure_.empty()) return finish(RoundResult::Status::failed, failure_);
        if (result_.backends.empty()) {
            return finish(RoundResult::Status::missing, missing_.empty() ? "no A or AAAA records" : missing_);
        }
        finish(RoundResult::Status::found, {});
    }

    void finish(RoundResult::Status status, std::string reason) {
        result_.status = status;
        result_.reason = std::move(reason);
        if (status != RoundResult::Status::found) result_.backends.clear();
        auto done = std::move(done_);
        done(std::move(result_));
    }

    boost::asio::io_context& io_;
    const QueryConfig config_;
    const Target target_;
    std::function<void(RoundResult)> done_;
    RoundResult result_;
    bool have_ttl_ = false;
    int pending_ = 0;       // address queries not yet answered
    std::string failure_;   // the last failed query, if any
    std::string missing_;   // the last NXDOMAIN, if any
};

}  // namespace

void start_round(boost::asio::io_context& io, const QueryConfig& config, const Target& target,
                 std::function<void(RoundResult)> done) {
    std::make_shared<RoundOp>(io, config, target, std::move(done))->start();
}

}  // namespace cueball::dns
