#include "role.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace cueball {

const char* to_string(TargetRole role) noexcept {
    switch (role) {
        case TargetRole::any:
            return "any";
        case TargetRole::primary:
            return "primary";
        case TargetRole::standby:
            return "standby";
    }
    return "unknown";
}

namespace postgres_detail {

namespace {

// Lag in ms: none while everything received is replayed (an idle primary
// sends nothing, so its standbys do not lag); otherwise the age of the last
// replayed commit. A standby that has replayed no commit since it started
// has no such date; it counts from its start, since it has been behind at
// least that long (counting nothing would let a standby paused before its
// first commit pass forever). A standby that is not streaming (no receive
// position) counts by that age alone.
constexpr const char* kRoleAndLag =
    "SELECT pg_is_in_recovery(), "
    "CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0 "
    "ELSE (extract(epoch FROM now() - coalesce(pg_last_xact_replay_timestamp(), pg_postmaster_start_time()))"
    " * 1000)::bigint END";

}  // namespace

Outcome probe_role(PGconn* conn, bool fresh, bool with_lag, const Limits& limits, ServerRole& found) {
    found = ServerRole{};
    if (!with_lag && PQparameterStatus(conn, "in_hot_standby") != nullptr) {
        // The cheapest round trip there is: the server reports a changed
        // in_hot_standby before it says it is ready again.
        if (!fresh) {
            Outcome refreshed = run_bounded(conn, "", limits);
            if (!refreshed.ok()) return refreshed;
        }
        const char* hot = PQparameterStatus(conn, "in_hot_standby");
        found.standby = hot != nullptr && std::strcmp(hot, "on") == 0;
        return Outcome{};
    }
    std::vector<std::string> row;
    Outcome outcome = run_bounded(conn, with_lag ? kRoleAndLag : "SELECT pg_is_in_recovery()", limits, &row);
    if (!outcome.ok()) return outcome;
    if (row.empty()) return Outcome{Outcome::Done, "the role query returned no row"};
    found.standby = row[0] == "t";
    if (with_lag && row.size() > 1) found.lag = std::chrono::milliseconds(std::strtoll(row[1].c_str(), nullptr, 10));
    return outcome;
}

std::string role_mismatch(const ServerRole& found, TargetRole wanted, std::chrono::milliseconds max_lag) {
    const char* role = found.standby ? "standby" : "primary";
    if (wanted != TargetRole::any && (wanted == TargetRole::standby) != found.standby) {
        return std::string("server is a ") + role + "; the pool wants a " + to_string(wanted);
    }
    if (found.standby && max_lag.count() > 0 && found.lag > max_lag) {
        return "standby's replay lag is " + std::to_string(found.lag.count()) + " ms, more than max_standby_lag (" +
               std::to_string(max_lag.count()) + " ms)";
    }
    return {};
}

}  // namespace postgres_detail

}  // namespace cueball
