// Name server addresses: parsing the "host:port" strings of the options and
// the nameserver lines of /etc/resolv.conf. Pure functions over text, so unit
// tests and the fuzzer drive them directly. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cueball::dns {

inline constexpr std::uint16_t kDnsPort = 53;

// A name server: an IP literal (IPv6 possibly with a "%scope" suffix) and a port.
struct Endpoint {
    std::string address;
    std::uint16_t port = kDnsPort;

    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// "127.0.0.1", "127.0.0.1:5353", "::1", "[::1]", "[::1]:5353",
// "fe80::1%eth0"; port 53 when none is given. Empty for anything else
// (host names, port 0 or out of range, junk around the address).
std::optional<Endpoint> parse_endpoint(std::string_view text);

// The name servers of a resolv.conf, in file order: the first word after
// "nameserver" on each line whose first word is "nameserver", port 53.
// Lines starting with '#' or ';' are comments; entries that are not IP
// literals are skipped, as glibc does.
std::vector<Endpoint> parse_resolv_conf(std::string_view text);

// "127.0.0.1:53", "[::1]:53": for logs and error messages.
std::string to_string(const Endpoint& endpoint);

}  // namespace cueball::dns
