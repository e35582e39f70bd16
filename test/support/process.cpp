#include "support/process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <grp.h>
#include <pwd.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace cueball::test {

namespace {

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(const std::vector<char*>& argv, const char* log_path, const passwd* pw) {
    setpgid(0, 0);
    int out = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
    }
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in >= 0) dup2(in, STDIN_FILENO);
    if (pw != nullptr) {
        if (setgroups(0, nullptr) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) _exit(126);
    }
    execvp(argv[0], argv.data());
    _exit(127);
}

pid_t spawn(const std::vector<std::string>& args, const std::string& log_path, const std::string& user) {
    if (args.empty()) throw std::runtime_error("ChildProcess: empty argv");
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const passwd* pw = nullptr;
    if (!user.empty() && geteuid() == 0) {
        pw = getpwnam(user.c_str());
        if (pw == nullptr) throw std::runtime_error("ChildProcess: no user " + user);
    }
    const std::string log = log_path.empty() ? "/dev/null" : log_path;
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) exec_child(argv, log.c_str(), pw);
    setpgid(pid, pid);
    return pid;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string log_path, std::string user)
    : pid_(spawn(argv, log_path, user)) {}

ChildProcess::~ChildProcess() {
    if (!reaped_) kill(SIGKILL);
}

bool ChildProcess::running() {
    if (reaped_) return false;
    pid_t r = waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) reaped_ = true;
    return !reaped_;
}

void ChildProcess::kill(int signal) {
    if (reaped_) return;
    ::kill(-pid_, signal);
    ::kill(pid_, signal);
    if (waitpid(pid_, &status_, 0) == pid_) reaped_ = true;
}

int ChildProcess::wait_exit(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (running()) {
        if (std::chrono::steady_clock::now() >= deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
}

int run_program(const std::vector<std::string>& argv, const std::string& log_path, const std::string& user) {
    ChildProcess child(argv, log_path, user);
    return child.wait_exit(120'000);
}

std::string find_program(const std::string& name, const std::vector<std::string>& extra_dirs) {
    std::vector<std::string> dirs = extra_dirs;
    if (const char* path = std::getenv("PATH")) {
        std::string p = path;
        for (std::size_t a = 0, b; a <= p.size(); a = b + 1) {
            b = p.find(':', a);
            if (b == std::string::npos) b = p.size();
            dirs.push_back(p.substr(a, b - a));
        }
    }
    dirs.insert(dirs.end(), {"/usr/sbin", "/sbin", "/usr/local/sbin"});
    for (const std::string& dir : dirs) {
        std::string full = dir + "/" + name;
        if (!dir.empty() && access(full.c_str(), X_OK) == 0) return full;
    }
    return {};
}

TempDir::TempDir(const std::string& prefix) {
    std::string templ = "/tmp/" + prefix + "-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void TempDir::chown_to(const std::string& user) const {
    const passwd* pw = getpwnam(user.c_str());
    if (pw == nullptr) throw std::runtime_error("no user " + user);
    if (chown(path_.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("chown " + path_ + " failed");
}

}  // namespace cueball::test
