#include "child.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace cueball::testing::detail {

namespace {

// Runs in the forked child of a possibly multi-threaded parent: only
// async-signal-safe calls until exec.
[[noreturn]] void exec_child(char* const* argv, const char* log_path, RunAs as, pid_t parent) {
    setpgid(0, 0);
    const int out = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
    }
    const int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in >= 0) dup2(in, STDIN_FILENO);
    if (as.changes()) {
        if (setgroups(0, nullptr) != 0 || setgid(as.gid) != 0 || setuid(as.uid) != 0) _exit(126);
    }
    // A test that crashes must not leave servers behind. SIGQUIT is
    // PostgreSQL's immediate shutdown. Set after setuid, which clears it; the
    // getppid() check covers a parent that died before this line.
    if (prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0 || getppid() != parent) _exit(125);
    execv(argv[0], argv);
    _exit(127);
}

int decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

// The statuses exec_child uses for its own failures.
std::string explain(int status) {
    switch (status) {
        case 125: return " (the parent died while it started)";
        case 126: return " (cannot switch to the server's OS user)";
        case 127: return " (cannot execute it)";
        default: return "";
    }
}

}  // namespace

RunAs server_user() {
    if (geteuid() != 0) return {};
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) throw std::runtime_error("running as root, and there is no postgres OS user to run the server");
    return RunAs{pw->pw_uid, pw->pw_gid};
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path, RunAs as) {
    if (argv.empty()) throw std::runtime_error("spawn: empty argument vector");
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
    if (pid == 0) exec_child(args.data(), log_path.c_str(), as, parent);
    // Also here, so that the group exists before the parent signals it.
    setpgid(pid, pid);
    return pid;
}

std::optional<int> wait_exit(pid_t pid, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        int status = 0;
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return decode(status);
        if (r < 0 && errno != EINTR) return 128;  // not our child any more: treat as gone
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void kill_group(pid_t pid) noexcept {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

void run(const std::vector<std::string>& argv, const std::string& log_path, RunAs as,
         std::chrono::milliseconds timeout) {
    const pid_t pid = spawn(argv, log_path, as);
    const std::optional<int> status = wait_exit(pid, std::chrono::steady_clock::now() + timeout);
    if (!status) {
        kill_group(pid);
        throw std::runtime_error(argv[0] + " did not finish within " + std::to_string(timeout.count()) +
                                 " ms; log:\n" + file_tail(log_path));
    }
    if (*status != 0) {
        throw std::runtime_error(argv[0] + " failed with status " + std::to_string(*status) + explain(*status) + "; log:\n" +
                                 file_tail(log_path));
    }
}

std::string file_tail(const std::string& path, std::size_t bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "(no log at " + path + ")";
    std::stringstream all;
    all << in.rdbuf();
    const std::string text = all.str();
    return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

}  // namespace cueball::testing::detail
