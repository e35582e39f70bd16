#include "transactions.hpp"

#include <cstring>
#include <utility>

namespace pg_workload {

namespace {

// pgbench's script line with :aid, :bid, :tid and :delta filled in: the values
// themselves for the simple protocol, $1, $2, ... for the extended one.
Statement bind(const std::string& line, const Draw& v) {
    const std::pair<const char*, long> variables[] = {{":aid", v.aid}, {":bid", v.bid}, {":tid", v.tid}, {":delta", v.delta}};
    Statement s;
    std::size_t at = 0;
    while (at < line.size()) {
        const std::size_t colon = line.find(':', at);
        const std::string before = line.substr(at, colon == std::string::npos ? std::string::npos : colon - at);
        s.text += before;
        s.sql += before;
        if (colon == std::string::npos) break;
        at = colon + 1;
        for (const auto& [name, value] : variables) {
            if (line.compare(colon, std::strlen(name), name) != 0) continue;
            s.params.push_back(std::to_string(value));
            s.text += s.params.back();
            s.sql += "$" + std::to_string(s.params.size());
            at = colon + std::strlen(name);
            break;
        }
        if (at == colon + 1) {  // not a variable
            s.text += ':';
            s.sql += ':';
        }
    }
    return s;
}

Failure classify(PGconn* conn, const PGresult* result) {
    if (PQstatus(conn) == CONNECTION_BAD) return Failure::connection;
    const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    if (state == nullptr) return Failure::connection;  // no answer from the server at all
    if (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0) return Failure::serialization;
    // 08: connection exceptions; 57P01..57P03: shutdown, crash, not accepting connections yet.
    if (std::strncmp(state, "08", 2) == 0 || std::strncmp(state, "57P0", 4) == 0) return Failure::connection;
    return Failure::other;
}

// libpq's messages run over several indented lines; the summary wants one.
std::string one_line(const std::string& message) {
    std::string out;
    for (char c : message) {
        const bool space = c == '\n' || c == '\t' || c == ' ';
        if (!space) {
            out += c;
        } else if (!out.empty() && out.back() != ' ') {
            out += ' ';
        }
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

const char* to_string(Failure failure) noexcept {
    switch (failure) {
        case Failure::none: return "none";
        case Failure::connection: return "connection";
        case Failure::serialization: return "serialization or deadlock";
        case Failure::claim: return "claim";
        case Failure::other: return "other";
    }
    return "?";
}

Draw draw(std::size_t scale, std::mt19937_64& rng) {
    const auto s = static_cast<long>(scale);
    Draw d;
    d.aid = std::uniform_int_distribution<long>(1, 100'000 * s)(rng);
    d.bid = std::uniform_int_distribution<long>(1, s)(rng);
    d.tid = std::uniform_int_distribution<long>(1, 10 * s)(rng);
    d.delta = std::uniform_int_distribution<long>(-5000, 5000)(rng);
    return d;
}

std::vector<Statement> statements(Mode mode, const Draw& v) {
    // The statements of pgbench's built-in scripts, as `pgbench --show-script` prints them.
    static const char* const select_only[] = {"SELECT abalance FROM pgbench_accounts WHERE aid = :aid;"};
    static const char* const tpcb[] = {
        "BEGIN;",
        "UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;",
        "SELECT abalance FROM pgbench_accounts WHERE aid = :aid;",
        "UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;",
        "UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;",
        "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);",
        "END;",
    };
    std::vector<Statement> out;
    if (mode == Mode::select_only) {
        for (const char* line : select_only) out.push_back(bind(line, v));
    } else {
        for (const char* line : tpcb) out.push_back(bind(line, v));
    }
    return out;
}

const char* transaction_type(Mode mode) noexcept {
    return mode == Mode::select_only ? "<builtin: select only>" : "<builtin: TPC-B (sort of)>";
}

const char* to_string(Protocol protocol) noexcept { return protocol == Protocol::simple ? "simple" : "extended"; }

Outcome run(PGconn* conn, Protocol protocol, const std::vector<Statement>& transaction) {
    for (const Statement& s : transaction) {
        PGresult* result = nullptr;
        if (protocol == Protocol::simple) {
            result = PQexec(conn, s.text.c_str());
        } else {
            std::vector<const char*> params;
            for (const std::string& p : s.params) params.push_back(p.c_str());
            result = PQexecParams(conn, s.sql.c_str(), static_cast<int>(params.size()), nullptr, params.data(),
                                  nullptr, nullptr, 0);
        }
        const ExecStatusType status = PQresultStatus(result);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            PQclear(result);
            continue;
        }
        Outcome out;
        out.failure = classify(conn, result);
        const char* message = result != nullptr ? PQresultErrorMessage(result) : "";
        out.message = one_line(*message != '\0' ? message : PQerrorMessage(conn));
        PQclear(result);
        return out;
    }
    return {};
}

}  // namespace pg_workload
