// A child process for tests (dnsmasq, postgres, echo servers): started with
// an argument vector (no shell), optionally as another user, in its own
// process group, and killed with SIGKILL when the object goes away.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace cueball::test {

class ChildProcess {
public:
    // Starts argv[0] (looked up in PATH) with the rest as arguments; output
    // goes to `log_path` (or /dev/null when empty). With `user` set and the
    // test running as root, the child drops to that user first.
    // @throws std::runtime_error if the program cannot be started.
    ChildProcess(std::vector<std::string> argv, std::string log_path = {}, std::string user = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    // True while the child has not exited (reaps it if it has).
    bool running();
    // Sends `signal` to the child's process group and waits for it to exit.
    void kill(int signal);
    // Waits for the child to exit by itself; its exit status, or -1 on timeout.
    int wait_exit(int timeout_ms);

private:
    pid_t pid_ = -1;
    int status_ = 0;
    bool reaped_ = false;
};

// Runs a program to completion (argv, no shell); returns its exit status.
// Output goes to `log_path` (or /dev/null).
int run_program(const std::vector<std::string>& argv, const std::string& log_path = {},
                const std::string& user = {});

// Full path of a program in PATH or the usual sbin/lib folders; empty if absent.
std::string find_program(const std::string& name, const std::vector<std::string>& extra_dirs = {});

// A fresh directory under /tmp, removed (recursively) by the destructor.
class TempDir {
public:
    explicit TempDir(const std::string& prefix = "cueball-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    // Hands the directory to `user` (for servers that refuse to run as root).
    void chown_to(const std::string& user) const;

private:
    std::string path_;
};

}  // namespace cueball::test
