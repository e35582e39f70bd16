#include "options.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <map>
#include <stdexcept>

namespace pg_workload {

namespace {

constexpr const char* kDescription =
    "Runs pgbench's built-in transactions (TPC-B-like, or -S select-only) on pgbench's tables\n"
    "from --clients threads through one cueball pool of --pool-size PostgreSQL sessions, and\n"
    "ends with a summary in pgbench's words (tps, latency average, p50, p99, failed\n"
    "transactions) so that the two programs can be run against the same servers and compared.\n"
    "Without --server it starts a primary and a streaming standby of its own on 127.0.0.1\n"
    "and fills them with `pgbench -i -s SCALE`.";

std::uint16_t parse_port(const std::string& text) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) {
        throw std::invalid_argument("the port must be a number from 1 to 65535, not '" + text + "'");
    }
    return static_cast<std::uint16_t>(value);
}

// Checks a --server value while CLI11 parses, so that its error names the flag.
CLI::Validator server_address() {
    return CLI::Validator(
        [](std::string& text) {
            try {
                parse_server(text);
                return std::string();
            } catch (const std::invalid_argument& e) {
                return std::string(e.what());
            }
        },
        "HOST:PORT");
}

}  // namespace

cueball::Backend parse_server(const std::string& text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
        throw std::invalid_argument("wants host:port or [v6-address]:port, not '" + text + "'");
    }
    std::string host = text.substr(0, colon);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') throw std::invalid_argument("bad IPv6 address in '" + text + "'");
        host = host.substr(1, host.size() - 2);
    }
    return cueball::Backend{host, parse_port(text.substr(colon + 1)), {}};
}

std::optional<int> parse_options(int argc, char** argv, Options& out) {
    CLI::App app(kDescription, "cueball-pg-workload");
    app.get_formatter()->column_width(34);

    std::vector<std::string> servers;
    std::size_t threads = 0;
    unsigned duration = 0;
    unsigned progress = 0;
    unsigned failover_after = 0;
    unsigned claim_timeout_ms = static_cast<unsigned>(out.claim_timeout.count());
    unsigned backoff_max_ms = static_cast<unsigned>(out.backoff_max.count());
    bool select_only = false;
    bool no_vacuum = false;
    std::string accounts;
    std::string protocol = "simple";
    std::string role = "primary";
    const std::map<std::string, Protocol> protocols{{"simple", Protocol::simple}, {"extended", Protocol::extended}};
    const std::map<std::string, cueball::TargetRole> roles{{"primary", cueball::TargetRole::primary},
                                                           {"standby", cueball::TargetRole::standby},
                                                           {"any", cueball::TargetRole::any}};

    app.add_option("--server", servers,
                   "a server to use (repeat for more); none = start a primary and a standby on 127.0.0.1")
        ->check(server_address())
        ->option_text("HOST:PORT|[V6]:PORT");
    app.add_option("--user", out.user, "login role (default: libpq's, PGUSER or the OS user)")->option_text("NAME");
    app.add_option("--password", out.password, "password (default: PGPASSWORD or ~/.pgpass)")->option_text("TEXT");
    app.add_option("--dbname", out.dbname, "database with pgbench's tables")->option_text("NAME (default postgres)");
    auto* clients = app.add_option("-c,--clients", out.clients, "clients, each a thread running transactions "
                                                                "one after another")
                        ->check(CLI::Range(1, 1000))
                        ->option_text("N (1-1000, default 8)");
    auto* threads_option =
        app.add_option("-j,--threads", threads,
                       "accepted for pgbench's command lines; every client is a thread of its own here (libpq "
                       "waits block), so without -c this sets the number of clients")
            ->check(CLI::Range(1, 1000))
            ->option_text("N (1-1000)");
    app.add_option("--pool-size,--connections", out.pool_size, "connections the pool keeps open, shared by all "
                                                               "clients")
        ->check(CLI::Range(1, 1000))
        ->option_text("N (1-1000, default 4)");
    app.add_option("-T,--time,--seconds", duration, "run this many seconds; 0 = until Ctrl-C")
        ->check(CLI::Range(0, 1'000'000))
        ->option_text("S (default 0)");
    app.add_flag("-S,--select-only", select_only, "pgbench's select-only transaction instead of the TPC-B-like one");
    app.add_option("-M,--protocol", protocol, "how statements are sent, as pgbench's -M (prepared is not "
                                              "offered: the pool's reset would drop the statements)")
        ->check(CLI::IsMember(protocols))
        ->option_text("simple|extended (default simple)");
    app.add_option("-P,--progress", progress, "print a progress line every S seconds; 0 = none")
        ->check(CLI::Range(0, 3600))
        ->option_text("S (default 0)");
    app.add_flag("-n,--no-vacuum", no_vacuum, "skip pgbench's pre-run VACUUM and history TRUNCATE on primaries");
    auto* scale = app.add_option("-s,--scale", out.scale, "scale for `pgbench -i` on the servers started here; "
                                                          "with --server the tables' own scale is used")
                      ->check(CLI::Range(1, 1000))
                      ->option_text("N (1-1000, default 1)");
    app.add_option("--role", role, "servers the pool uses")
        ->check(CLI::IsMember(roles))
        ->option_text("primary|standby|any (default primary)");
    app.add_option("--failover-after", failover_after,
                   "stop the primary this program started after S seconds and promote its standby "
                   "(needs no --server and --role primary)")
        ->check(CLI::Range(1, 1'000'000))
        ->option_text("S");
    app.add_option("--claim-timeout", claim_timeout_ms, "longest wait for a pooled connection")
        ->check(CLI::Range(1, 3'600'000))
        ->option_text("MS (default 5000)");
    app.add_option("--backoff-max", backoff_max_ms, "longest pause between reconnects to a failing server")
        ->check(CLI::Range(1, 3'600'000))
        ->option_text("MS (default 1000)");
    app.add_option("--reset-query", out.reset_query, "run on every connection the pool takes back; \"\" = none")
        ->option_text("SQL (default \"DISCARD ALL\")");
    app.add_option("--http", out.http_port, "serve /stats and /metrics on 127.0.0.1:PORT (for cueball-top)")
        ->check(CLI::Range(1, 65535))
        ->option_text("PORT");
    app.add_option("--accounts", accounts, "no longer taken: the tables are pgbench's (see -s)")
        ->check(CLI::Validator(
            [](std::string&) { return std::string("the tables are pgbench's now; size them with -s/--scale"); },
            ""))
        ->option_text("N");

    try {
        app.parse(argc, argv);
        out.protocol = protocols.at(protocol);
        out.role = roles.at(role);
        if (failover_after > 0) {
            if (!servers.empty()) {
                throw CLI::ValidationError("--failover-after", "needs the servers this program starts; drop --server");
            }
            if (out.role != cueball::TargetRole::primary) {
                throw CLI::ValidationError("--failover-after", "measures writes, so it needs --role primary");
            }
            if (duration > 0 && failover_after >= duration) {
                throw CLI::ValidationError("--failover-after",
                                           "must come before the end of the run (--time " + std::to_string(duration) + ")");
            }
        }
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    for (const std::string& server : servers) out.servers.push_back(parse_server(server));
    if (clients->count() == 0 && threads_option->count() > 0) out.clients = threads;
    out.scale_given = scale->count() > 0;
    out.duration = std::chrono::seconds(duration);
    out.progress = std::chrono::seconds(progress);
    out.failover_after = std::chrono::seconds(failover_after);
    out.claim_timeout = std::chrono::milliseconds(claim_timeout_ms);
    out.backoff_max = std::chrono::milliseconds(backoff_max_ms);
    out.mode = select_only ? Mode::select_only : Mode::tpcb;
    out.vacuum = !no_vacuum;
    return std::nullopt;
}

}  // namespace pg_workload
