#include "dnsmasq.hpp"

#include "support/eventually.hpp"
#include "support/ports.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace cueball::dns::test {

namespace {

bool accepts_tcp(std::uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
}

}  // namespace

std::string Dnsmasq::binary() { return cueball::test::find_program("dnsmasq"); }

Dnsmasq::Dnsmasq()
    : dir_("cueball-dnsmasq"), port_(cueball::test::free_udp_tcp_port()), log_path_(dir_.path() + "/dnsmasq.log") {}

Dnsmasq::~Dnsmasq() { stop(); }

void Dnsmasq::start(const Zone& zone) {
    std::vector<std::string> argv{binary(),
                                  "--keep-in-foreground",
                                  "--conf-file=/dev/null",
                                  "--no-resolv",
                                  "--no-hosts",
                                  "--bind-interfaces",
                                  "--listen-address=127.0.0.1",
                                  "--port=" + std::to_string(port_),
                                  "--local=/test.com/",
                                  "--local-ttl=1",
                                  "--log-facility=-",
                                  "--log-queries",
                                  "--pid-file="};
    // As root dnsmasq would switch to "nobody"; staying root keeps its log
    // writable. Otherwise it cannot change user and does not try.
    if (geteuid() == 0) argv.push_back("--user=root");
    for (const std::string& srv : zone.srv_hosts) argv.push_back("--srv-host=" + srv);
    for (const std::string& host : zone.host_records) argv.push_back("--host-record=" + host);
    for (const std::string& cname : zone.cnames) argv.push_back("--cname=" + cname);
    child_ = std::make_unique<cueball::test::ChildProcess>(argv, log_path_);
    const bool up = cueball::test::eventually([&] { return !child_->running() || accepts_tcp(port_); });
    if (!child_->running() || !up) {
        throw std::runtime_error("dnsmasq did not start on port " + std::to_string(port_) + "; see " + log_path_);
    }
}

void Dnsmasq::stop() {
    if (child_) child_->kill(SIGTERM);
    child_.reset();
}

int Dnsmasq::queries_for(const std::string& name) const {
    std::ifstream log(log_path_);
    std::string line;
    int count = 0;
    const std::string needle = "] " + name + " from ";
    while (std::getline(log, line)) {
        if (line.find("query[") != std::string::npos && line.find(needle) != std::string::npos) ++count;
    }
    return count;
}

}  // namespace cueball::dns::test
