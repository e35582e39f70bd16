// A name server on 127.0.0.1 (UDP, a free port) whose answers the test
// writes: for what dnsmasq cannot be made to do, such as failing AAAA while
// answering A, or holding every answer back to see how many look-ups a
// resolver keeps in flight at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cueball::dns::test {

struct AskedQuestion {
    std::uint16_t id = 0;
    std::string name;  // lower case, no trailing dot
    std::uint16_t type = 0;
    std::vector<std::uint8_t> question;  // the question section as asked, to echo back
};

class ScriptedNameServer {
public:
    // The whole answer datagram for a question; nullopt sends nothing.
    using Script = std::function<std::optional<std::vector<std::uint8_t>>(const AskedQuestion&)>;

    // Answers each question `delay` after it arrived. Starts its thread
    // (joined by the destructor), which waits on the socket in 10 ms slices.
    ScriptedNameServer(Script script, std::chrono::milliseconds delay);
    ~ScriptedNameServer();
    ScriptedNameServer(const ScriptedNameServer&) = delete;
    ScriptedNameServer& operator=(const ScriptedNameServer&) = delete;

    std::string nameserver() const { return "127.0.0.1:" + std::to_string(port_); }
    // The most questions received and not yet answered at one time.
    std::size_t max_in_flight() const;
    std::size_t questions() const;

    void set_script(Script script);

private:
    struct Pending {
        AskedQuestion asked;
        std::vector<std::uint8_t> from;  // sockaddr bytes
        std::chrono::steady_clock::time_point due;
    };
    void run();

    int fd_ = -1;
    std::uint16_t port_ = 0;
    const std::chrono::milliseconds delay_;
    mutable std::mutex mutex_;
    Script script_;                 // guarded by mutex_
    std::size_t max_in_flight_ = 0;  // guarded by mutex_
    std::size_t questions_ = 0;      // guarded by mutex_
    bool stopping_ = false;          // guarded by mutex_
    std::thread thread_;            // started by the constructor, joined by the destructor
};

// Answer datagrams for the scripts.
std::vector<std::uint8_t> servfail(const AskedQuestion& q);
std::vector<std::uint8_t> a_answer(const AskedQuestion& q, const std::vector<std::string>& addresses);
std::vector<std::uint8_t> aaaa_answer(const AskedQuestion& q, const std::vector<std::string>& addresses);
struct SrvRecord {
    std::uint16_t priority = 0;
    std::uint16_t weight = 0;
    std::uint16_t port = 0;
    std::string target;
};
std::vector<std::uint8_t> srv_answer(const AskedQuestion& q, const std::vector<SrvRecord>& records);

}  // namespace cueball::dns::test
