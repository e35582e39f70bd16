// Reading a parsed answer: which SRV targets it names, which addresses it
// gives for a name (following CNAMEs), and the shortest TTL involved. Pure.
#pragma once

#include "dns_message.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cueball::dns {

struct SrvTarget {
    std::string target;  // normalized name
    std::uint16_t port = 0;
    std::uint32_t ttl = 0;  // seconds, of the SRV record
    std::uint16_t priority = 0;
    std::uint16_t weight = 0;

    friend bool operator==(const SrvTarget&, const SrvTarget&) = default;
};

struct Addresses {
    std::vector<std::string> addresses;  // IPv4 and IPv6 literals, each once
    std::uint32_t ttl = 0;               // seconds: the shortest of the records used
};

// The SRV targets for `service` among the answers, each (target, port) once,
// most preferred first: by priority, then heavier weight, then name and port,
// so that a cap on how many are followed keeps the ones RFC 2782 would use.
// A (target, port) listed twice keeps its most preferred record. A target of
// "." means "no service here" (RFC 2782) and is left out.
std::vector<SrvTarget> srv_targets(const Message& message, const std::string& service);

// The A and AAAA addresses for `name` among `records`, following CNAMEs found
// there. Empty when there are none.
Addresses addresses_for(const std::vector<Record>& records, const std::string& name);

// The addresses an SRV answer already carries for `target`, in its answer or
// additional section; nullopt when it carries none, so they must be asked for.
std::optional<Addresses> carried_addresses(const Message& message, const std::string& target);

}  // namespace cueball::dns
