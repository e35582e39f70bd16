// Command line of cueball-pg-workload.
#pragma once

#include <cueball/backend.hpp>

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <string>
#include <vector>

namespace pg_workload {

struct Args {
    std::vector<cueball::Backend> servers;  // empty = start two local servers
    std::string user;                       // empty = libpq's default
    std::string password;                   // empty = PGPASSWORD / ~/.pgpass
    std::string dbname = "postgres";
    std::size_t threads = 8;
    std::size_t connections = 4;            // the pool's max_connections
    std::size_t accounts = 1000;            // rows in the table
    std::chrono::seconds seconds{0};        // 0 = until Ctrl-C
    std::uint16_t http_port = 0;            // stats endpoint on 127.0.0.1; 0 = off
    bool help = false;
};

// @throws std::invalid_argument with a message for the user.
Args parse_args(int argc, char** argv);

std::string usage();

// "host:port" or "[v6]:port"; @throws std::invalid_argument.
cueball::Backend parse_server(const std::string& text);

}  // namespace pg_workload
