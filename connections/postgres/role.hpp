// A server's role (primary or hot standby) and a standby's replay lag, as
// PostgresOptions::target_role and max_standby_lag judge them: learned from
// the in_hot_standby parameter that servers since PostgreSQL 14 report, or
// with one query, and compared with what the options ask for.
#pragma once

#include "bounded.hpp"

#include <cueball/connections/postgres.hpp>

#include <chrono>
#include <string>

namespace cueball::postgres_detail {

struct ServerRole {
    bool standby = false;
    std::chrono::milliseconds lag{0};  // replay lag; 0 for a primary, or when not asked for
};

// Learns the role of the server on `conn`, and a standby's lag if
// `with_lag`, within `limits`. `fresh`: a round trip has just been made, so
// the reported in_hot_standby is current and needs none (otherwise the server
// reports a change only when it next answers).
Outcome probe_role(PGconn* conn, bool fresh, bool with_lag, const Limits& limits, ServerRole& found);

// Empty if `found` fits; otherwise why not, for an error message: "server is
// a standby; the pool wants a primary", or the lag and the limit.
std::string role_mismatch(const ServerRole& found, TargetRole wanted, std::chrono::milliseconds max_lag);

}  // namespace cueball::postgres_detail
