// DNS wire format: building a query and parsing an answer. This is the trust
// boundary of the DNS resolver: whatever arrives from the network goes
// through parse_response() first, which rejects anything malformed with a
// MessageError and never reads outside the buffer.
//
// Pure functions over bytes (glibc's libresolv underneath); no sockets, so
// unit tests and the fuzzer drive them directly. Thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace cueball::dns {

// Record types the resolver asks for or follows.
inline constexpr std::uint16_t kTypeA = 1;
inline constexpr std::uint16_t kTypeCname = 5;
inline constexpr std::uint16_t kTypeAaaa = 28;
inline constexpr std::uint16_t kTypeSrv = 33;

// Response codes the resolver tells apart (RFC 1035 4.1.1).
inline constexpr int kRcodeNoError = 0;
inline constexpr int kRcodeServFail = 2;
inline constexpr int kRcodeNxDomain = 3;
inline constexpr int kRcodeRefused = 5;

// Largest DNS message: the TCP length prefix is 16 bits.
inline constexpr std::size_t kMaxMessageSize = 65535;

// What is asked: a name (no trailing dot needed) and a record type, class IN.
struct Question {
    std::string name;
    std::uint16_t type = kTypeA;
};

// One resource record of class IN whose type the resolver understands; others
// are checked for framing and skipped. Names are lower case, without the
// trailing dot.
struct Record {
    std::string name;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;       // seconds; values above 2^31-1 read as 0 (RFC 2181 8)
    std::string address;         // A, AAAA: the address as text ("127.0.0.1", "::1")
    std::string target;          // SRV, CNAME: the name pointed to
    std::uint16_t priority = 0;  // SRV
    std::uint16_t weight = 0;    // SRV
    std::uint16_t port = 0;      // SRV

    friend bool operator==(const Record&, const Record&) = default;
};

struct Message {
    std::uint16_t id = 0;
    int rcode = 0;           // kRcode*
    bool truncated = false;  // TC bit: the records are incomplete, ask again over TCP
    std::vector<Record> answers;
    std::vector<Record> additionals;
};

class MessageError : public std::runtime_error {
public:
    enum class Kind {
        mismatch,   // well-formed enough, but not the answer to our query (id, QR, question)
        malformed,  // broken framing or record data
    };
    MessageError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

// A standard query with recursion desired and the given id.
// @throws MessageError (malformed) if the name cannot be encoded (too long,
// empty label).
std::vector<std::uint8_t> build_query(const Question& question, std::uint16_t id);

// Parses `bytes` as the answer to `question` sent with `id`. A truncated
// answer (TC) comes back with truncated set and no records.
// @throws MessageError: mismatch for a wrong id, a query (QR=0) or another
// question; malformed for anything else that is wrong.
Message parse_response(std::span<const std::uint8_t> bytes, std::uint16_t id, const Question& question);

// Lower case, without the trailing dot: the form names are compared in.
std::string normalize_name(std::string_view name);

}  // namespace cueball::dns
