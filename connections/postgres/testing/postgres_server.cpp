#include "postgres_server.hpp"

#include "child.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <arpa/inet.h>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace cueball::testing {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

bool executable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0; }

bool has_server(const fs::path& dir) { return executable(dir / "initdb") && executable(dir / "postgres"); }

// "15" < "9.6" as strings; compare the leading number instead.
int major_version(const fs::path& version_dir) {
    return std::atoi(version_dir.filename().c_str());
}

std::string find_bin_dir(const std::string& configured) {
    if (!configured.empty()) return has_server(configured) ? configured : std::string();
    if (const char* env = std::getenv("CUEBALL_POSTGRES_BINDIR"); env != nullptr && *env != '\0') {
        return has_server(env) ? std::string(env) : std::string();
    }
    std::vector<fs::path> versions;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        if (has_server(entry.path() / "bin")) versions.push_back(entry.path());
    }
    if (!versions.empty()) {
        auto newest = std::max_element(versions.begin(), versions.end(), [](const fs::path& a, const fs::path& b) {
            return major_version(a) < major_version(b);
        });
        return (*newest / "bin").string();
    }
    if (const char* path = std::getenv("PATH")) {
        std::string p = path;
        for (std::size_t a = 0, b; a <= p.size(); a = b + 1) {
            b = std::min(p.find(':', a), p.size());
            const std::string dir = p.substr(a, b - a);
            if (!dir.empty() && has_server(dir)) return dir;
        }
    }
    return {};
}

// A TCP port on 127.0.0.1 that was free a moment ago. The server binds it
// later, so another process may take it in between; launch() retries.
std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("PostgresServer: socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("PostgresServer: cannot bind a loopback port");
    return ntohs(addr.sin_port);
}

std::string make_temp_dir() {
    // Short and under /tmp: the Unix socket path inside must stay under 108 bytes.
    std::string templ = "/tmp/cueball-pg-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("PostgresServer: mkdtemp failed");
    return templ;
}

void hand_to(const std::string& path, detail::RunAs as) {
    if (as.changes() && ::chown(path.c_str(), as.uid, as.gid) != 0) {
        throw std::runtime_error("PostgresServer: cannot chown " + path + " to the postgres user");
    }
}

// A conninfo value in single quotes, as libpq parses it.
std::string quoted_value(const std::string& value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

}  // namespace

bool PostgresServer::available() { return why_unavailable().empty(); }

std::string PostgresServer::why_unavailable() {
    if (find_bin_dir({}).empty()) {
        return "PostgreSQL server binaries (initdb, postgres) not found in $CUEBALL_POSTGRES_BINDIR, "
               "/usr/lib/postgresql/*/bin or PATH; install Debian's postgresql package";
    }
    try {
        detail::server_user();
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

PostgresServer::PostgresServer(PostgresServerOptions options) : options_(std::move(options)) {
    if (options_.auth_method != "scram-sha-256" && options_.auth_method != "md5") {
        throw std::runtime_error("PostgresServer: auth_method must be scram-sha-256 or md5, not " +
                                 options_.auth_method);
    }
    if (options_.primary != nullptr) {
        options_.superuser = options_.primary->superuser();
        options_.password = options_.primary->password();
        options_.auth_method = options_.primary->options_.auth_method;
    }
    if (options_.superuser.empty()) throw std::runtime_error("PostgresServer: superuser must not be empty");
    if (options_.password.empty() || options_.password.find_first_of("\r\n") != std::string::npos) {
        throw std::runtime_error("PostgresServer: the password must be non-empty and on one line");
    }
    bin_dir_ = find_bin_dir(options_.bin_dir);
    if (bin_dir_.empty()) throw std::runtime_error("PostgresServer: " + why_unavailable());
    dir_ = make_temp_dir();
    try {
        hand_to(dir_, detail::server_user());
        if (options_.primary != nullptr) {
            copy_primary(*options_.primary);
        } else {
            init_cluster();
        }
        // A port that was free when picked may be taken by the time the
        // server binds it; only the first start may move to another one.
        for (int attempt = 1;; ++attempt) {
            port_ = free_port();
            try {
                launch();
                wait_ready();
                break;
            } catch (const std::exception&) {
                stop();
                if (attempt == 3 || log_tail().find("could not bind") == std::string::npos) throw;
            }
        }
    } catch (...) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
        throw;
    }
}

PostgresServer::~PostgresServer() {
    stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void PostgresServer::init_cluster() {
    const detail::RunAs as = detail::server_user();
    const std::string pwfile = dir_ + "/pwfile";
    {
        const std::string text = options_.password + "\n";
        const int fd = ::open(pwfile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        const bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        if (fd >= 0) ::close(fd);
        if (!ok) throw std::runtime_error("PostgresServer: cannot write " + pwfile);
    }
    hand_to(pwfile, as);
    try {
        detail::run({bin_dir_ + "/initdb", "-D", dir_ + "/data", "-U", options_.superuser, "--pwfile=" + pwfile,
                     "--auth-local=trust", "--auth-host=" + options_.auth_method, "-E", "UTF8", "--locale=C",
                     "--no-sync"},
                    dir_ + "/initdb.log", as, options_.start_timeout);
    } catch (...) {
        fs::remove(pwfile);
        throw;
    }
    fs::remove(pwfile);
}

void PostgresServer::copy_primary(const PostgresServer& primary) {
    // -R writes primary_conninfo (with this conninfo, password included)
    // and standby.signal, so the copy starts as a streaming standby.
    const std::string conninfo = "host=" + primary.host() + " port=" + std::to_string(primary.port()) +
                                 " user=" + quoted_value(primary.superuser()) +
                                 " password=" + quoted_value(primary.password()) + " dbname=postgres";
    detail::run({bin_dir_ + "/pg_basebackup", "-d", conninfo, "-D", dir_ + "/data", "-R", "-X", "stream",
                 "--checkpoint=fast", "--no-sync"},
                dir_ + "/basebackup.log", detail::server_user(), options_.start_timeout);
}

void PostgresServer::promote() {
    execute("SELECT pg_promote(true, " + std::to_string(options_.start_timeout.count() / 1000 + 1) + ")");
    const auto deadline = Clock::now() + options_.start_timeout;
    while (execute("SELECT pg_is_in_recovery()") != "f") {
        if (Clock::now() >= deadline) throw std::runtime_error("PostgresServer: still in recovery after pg_promote()");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void PostgresServer::start() {
    if (running()) return;
    launch();
    wait_ready();
}

void PostgresServer::launch() {
    std::vector<std::string> argv{bin_dir_ + "/postgres",
                                  "-D", dir_ + "/data",
                                  "-p", std::to_string(port_),
                                  "-k", dir_,
                                  "-c", "listen_addresses=" + host_,
                                  "-c", "max_connections=" + std::to_string(options_.max_connections),
                                  // Throwaway data: durability only costs time.
                                  "-c", "fsync=off",
                                  "-c", "synchronous_commit=off",
                                  "-c", "full_page_writes=off"};
    for (const std::string& setting : options_.settings) {
        argv.push_back("-c");
        argv.push_back(setting);
    }
    pid_ = detail::spawn(argv, log_path(), detail::server_user());
}

void PostgresServer::wait_ready() {
    const auto deadline = Clock::now() + options_.start_timeout;
    const std::string port = std::to_string(port_);
    const char* keys[] = {"host", "port", "dbname", "connect_timeout", nullptr};
    const char* values[] = {host_.c_str(), port.c_str(), "postgres", "2", nullptr};
    for (;;) {
        if (const auto status = detail::wait_exit(pid_, Clock::now())) {
            pid_ = -1;
            throw std::runtime_error("PostgresServer: postgres exited with status " + std::to_string(*status) +
                                     " while starting; log:\n" + log_tail());
        }
        if (PQpingParams(keys, values, 0) == PQPING_OK) return;
        if (Clock::now() >= deadline) {
            throw std::runtime_error("PostgresServer: not accepting connections on port " + port + " after " +
                                     std::to_string(options_.start_timeout.count()) + " ms; log:\n" + log_tail());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void PostgresServer::stop() noexcept {
    if (pid_ <= 0) return;
    // SIGINT is PostgreSQL's fast shutdown: sessions are terminated, no wait for clients.
    ::kill(pid_, SIGINT);
    if (!detail::wait_exit(pid_, Clock::now() + std::chrono::seconds(30))) detail::kill_group(pid_);
    pid_ = -1;
}

std::string PostgresServer::execute(const std::string& sql, const std::string& dbname) const {
    const std::string port = std::to_string(port_);
    const char* keys[] = {"host", "port", "dbname", "user", "password", "connect_timeout", nullptr};
    const char* values[] = {host_.c_str(),          port.c_str(), dbname.c_str(), options_.superuser.c_str(),
                            options_.password.c_str(), "10",      nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, 0);
    std::string error;
    std::string value;
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
        error = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
    } else {
        PGresult* result = PQexec(conn, sql.c_str());
        const ExecStatusType status = PQresultStatus(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            error = PQresultErrorMessage(result);
        } else if (PQntuples(result) > 0 && PQnfields(result) > 0) {
            value = PQgetvalue(result, 0, 0);
        }
        PQclear(result);
    }
    PQfinish(conn);
    if (!error.empty()) throw std::runtime_error("PostgresServer on port " + port + ": " + sql + ": " + error);
    return value;
}

std::string PostgresServer::log_tail() const { return detail::file_tail(log_path()); }

}  // namespace cueball::testing
