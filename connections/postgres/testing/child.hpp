// Child processes for PostgresServer: started from an argument vector (no
// shell), optionally as another OS user, as the leader of a new process
// group, with output appended to a log file.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace cueball::testing::detail {

// Who a child runs as: unchanged (uid < 0), or this user and group.
struct RunAs {
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    bool changes() const { return uid != static_cast<uid_t>(-1); }
};

// The postgres OS user when running as root (PostgreSQL refuses root);
// nobody else otherwise. @throws std::runtime_error if root and no such user.
RunAs server_user();

// Starts argv; returns the child's pid. The child gets SIGQUIT if the
// calling thread exits (Linux's parent-death signal follows the thread), so a
// crashed test leaves no server running. @throws std::runtime_error.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path, RunAs as);

// Waits for the child to exit until `deadline`; its exit status (128 + signal
// if killed), or nothing if it is still running. Reaps it.
std::optional<int> wait_exit(pid_t pid, std::chrono::steady_clock::time_point deadline);

// SIGKILL to the child's whole process group, then reaps the child.
void kill_group(pid_t pid) noexcept;

// Runs argv to completion within `timeout`; @throws std::runtime_error
// naming the program, with the tail of the log, if it fails or times out.
void run(const std::vector<std::string>& argv, const std::string& log_path, RunAs as,
         std::chrono::milliseconds timeout);

// The last `bytes` of a file, for error messages.
std::string file_tail(const std::string& path, std::size_t bytes = 2000);

}  // namespace cueball::testing::detail
