#include "scripted_name_server.hpp"

#include "packet_builder.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace cueball::dns::test {

namespace {

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeAaaa = 28;
constexpr std::uint16_t kTypeSrv = 33;
constexpr std::uint16_t kServfail = 2;

// The question of a query: labels from offset 12, then type and class.
std::optional<AskedQuestion> read_question(const std::uint8_t* data, std::size_t size) {
    if (size < 17) return std::nullopt;
    AskedQuestion q;
    q.id = static_cast<std::uint16_t>(data[0] << 8 | data[1]);
    std::size_t at = 12;
    while (at < size && data[at] != 0) {
        const std::size_t length = data[at];
        if (length > 63 || at + 1 + length >= size) return std::nullopt;
        if (!q.name.empty()) q.name += '.';
        for (std::size_t i = 0; i < length; ++i) {
            q.name += static_cast<char>(std::tolower(data[at + 1 + i]));
        }
        at += 1 + length;
    }
    if (at + 5 > size) return std::nullopt;
    q.type = static_cast<std::uint16_t>(data[at + 1] << 8 | data[at + 2]);
    q.question.assign(data + 12, data + at + 5);
    return q;
}

Packet answer_header(const AskedQuestion& q, std::uint16_t rcode, std::size_t answers) {
    Packet p;
    p.header(q.id, static_cast<std::uint16_t>(kAnswerFlags | rcode), 1, static_cast<std::uint16_t>(answers), 0, 0);
    p.raw(q.question);
    return p;
}

}  // namespace

ScriptedNameServer::ScriptedNameServer(Script script, std::chrono::milliseconds delay)
    : delay_(delay), script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("scripted name server: socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
        ::close(fd_);
        throw std::runtime_error("scripted name server: bind failed");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
}

ScriptedNameServer::~ScriptedNameServer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    thread_.join();
    ::close(fd_);
}

std::size_t ScriptedNameServer::max_in_flight() const {
    std::lock_guard lock(mutex_);
    return max_in_flight_;
}

std::size_t ScriptedNameServer::questions() const {
    std::lock_guard lock(mutex_);
    return questions_;
}

void ScriptedNameServer::set_script(Script script) {
    std::lock_guard lock(mutex_);
    script_ = std::move(script);
}

void ScriptedNameServer::run() {
    std::vector<Pending> pending;
    std::vector<std::uint8_t> buffer(65536);
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 10) > 0) {
            sockaddr_storage from{};
            socklen_t from_length = sizeof from;
            const ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from),
                                         &from_length);
            if (n > 0) {
                if (auto asked = read_question(buffer.data(), static_cast<std::size_t>(n))) {
                    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&from);
                    pending.push_back(Pending{std::move(*asked), {bytes, bytes + from_length},
                                              std::chrono::steady_clock::now() + delay_});
                    std::lock_guard lock(mutex_);
                    ++questions_;
                    max_in_flight_ = std::max(max_in_flight_, pending.size());
                }
            }
        }
        const auto now = std::chrono::steady_clock::now();
        for (auto it = pending.begin(); it != pending.end();) {
            if (it->due > now) {
                ++it;
                continue;
            }
            Script script;
            {
                std::lock_guard lock(mutex_);
                script = script_;
            }
            if (auto datagram = script(it->asked)) {
                ::sendto(fd_, datagram->data(), datagram->size(), 0, reinterpret_cast<const sockaddr*>(it->from.data()),
                         static_cast<socklen_t>(it->from.size()));
            }
            it = pending.erase(it);
        }
    }
}

std::vector<std::uint8_t> servfail(const AskedQuestion& q) { return answer_header(q, kServfail, 0).bytes; }

std::vector<std::uint8_t> a_answer(const AskedQuestion& q, const std::vector<std::string>& addresses) {
    Packet p = answer_header(q, 0, addresses.size());
    for (const std::string& a : addresses) p.pointer(12).rr_fixed(kTypeA, 1, 4).raw(a_rdata(a.c_str()));
    return p.bytes;
}

std::vector<std::uint8_t> aaaa_answer(const AskedQuestion& q, const std::vector<std::string>& addresses) {
    Packet p = answer_header(q, 0, addresses.size());
    for (const std::string& a : addresses) p.pointer(12).rr_fixed(kTypeAaaa, 1, 16).raw(aaaa_rdata(a.c_str()));
    return p.bytes;
}

std::vector<std::uint8_t> srv_answer(const AskedQuestion& q, const std::vector<SrvRecord>& records) {
    Packet p = answer_header(q, 0, records.size());
    for (const SrvRecord& r : records) {
        const auto rdata = srv_rdata(r.priority, r.weight, r.port, r.target);
        p.pointer(12).rr_fixed(kTypeSrv, 1, rdata.size()).raw(rdata);
    }
    return p.bytes;
}

}  // namespace cueball::dns::test
