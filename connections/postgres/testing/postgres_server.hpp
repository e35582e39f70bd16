// PostgresServer: a throwaway PostgreSQL server for tests, benchmarks and
// examples. It runs initdb (or pg_basebackup, for a streaming standby of
// another PostgresServer) and postgres from the installed PostgreSQL
// binaries in a fresh temporary directory, listening on 127.0.0.1 at a free
// port and on a Unix socket inside that directory, with password
// authentication (scram-sha-256) on TCP so that a wrong password fails.
// As root it runs the server as the `postgres` OS user, which PostgreSQL
// requires.
//
// Thread safety: none; one thread drives a server object. The server itself
// serves any number of client threads.
// Errors: the constructor, start() and execute() throw std::runtime_error
// with the failing step and the tail of the server's log.
// Lifetimes: the destructor stops the server (fast shutdown, then SIGKILL
// after a bounded wait) and removes the directory with the data. If the
// process dies first, the server shuts down too (immediately; the directory
// stays). So does it if the thread that started it exits: start and stop a
// server from a thread that outlives it, such as the main thread.
#pragma once

#include <cueball/backend.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace cueball::testing {

struct PostgresServerOptions {
    /// Database superuser created by initdb.
    std::string superuser = "postgres";
    /// The superuser's password, required on TCP: not empty, no line breaks
    /// (initdb reads it from a file); otherwise any characters.
    std::string password = "cueball";
    /// pg_hba.conf method for TCP: "scram-sha-256" or "md5".
    std::string auth_method = "scram-sha-256";
    /// Folder with initdb and postgres; empty = $CUEBALL_POSTGRES_BINDIR,
    /// else the newest /usr/lib/postgresql/*/bin, else PATH.
    std::string bin_dir;
    /// Server setting max_connections.
    int max_connections = 100;
    /// Further "name=value" server settings, passed as -c.
    std::vector<std::string> settings;
    /// Longest wait for initdb (or pg_basebackup) and for the server to
    /// accept connections.
    std::chrono::milliseconds start_timeout{60'000};
    /// If set, the new server is a streaming hot standby of this one: its
    /// data is copied with pg_basebackup -R instead of made by initdb, and
    /// superuser and password are the primary's. The primary must be running
    /// while the constructor runs; not used after.
    const class PostgresServer* primary = nullptr;
};

class PostgresServer {
public:
    /// True if the PostgreSQL binaries (and, as root, the postgres OS user)
    /// are there.
    static bool available();
    /// Why available() is false; empty if it is true.
    static std::string why_unavailable();

    /// Creates the cluster and starts the server; returns once it accepts
    /// connections. @throws std::runtime_error.
    explicit PostgresServer(PostgresServerOptions options = {});
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    /// Starts the server again on the same port and data; a no-op if
    /// running. @throws std::runtime_error.
    void start();
    /// For a standby: ends recovery (pg_promote()) and returns once the
    /// server accepts writes. @throws std::runtime_error.
    void promote();
    /// Fast shutdown: open sessions are terminated, the port is closed.
    /// Returns once the server has exited. A no-op if stopped.
    void stop() noexcept;
    bool running() const noexcept { return pid_ > 0; }

    /// Runs SQL as the superuser (on TCP, with the password) and returns the
    /// first column of the first row, or "" if there is none.
    /// @throws std::runtime_error with the server's message.
    std::string execute(const std::string& sql, const std::string& dbname = "postgres") const;

    const std::string& host() const noexcept { return host_; }
    std::uint16_t port() const noexcept { return port_; }
    /// {"127.0.0.1", port}, for a StaticResolver.
    Backend backend() const { return Backend{host_, port_, {}}; }
    const std::string& superuser() const noexcept { return options_.superuser; }
    const std::string& password() const noexcept { return options_.password; }
    /// The temporary directory: data/, the Unix socket, server.log.
    const std::string& directory() const noexcept { return dir_; }
    std::string log_path() const { return dir_ + "/server.log"; }

private:
    void init_cluster();
    void copy_primary(const PostgresServer& primary);
    void launch();
    void wait_ready();
    std::string log_tail() const;

    PostgresServerOptions options_;
    std::string bin_dir_;
    std::string dir_;
    std::string host_ = "127.0.0.1";
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;  // the postmaster, leader of its own process group; -1 when stopped
};

}  // namespace cueball::testing
