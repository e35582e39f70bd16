#include "resolv_conf.hpp"

#include <cueball/backend.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <charconv>

namespace cueball::dns {

namespace {

bool is_ipv4(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) return false;
    std::array<unsigned char, sizeof(in_addr)> out{};
    return inet_pton(AF_INET, std::string(text).c_str(), out.data()) == 1;
}

// An IPv6 literal, optionally with a non-empty zone ("%eth0", "%2").
bool is_ipv6(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) return false;
    const std::size_t percent = text.find('%');
    if (percent != std::string_view::npos) {
        const std::string_view zone = text.substr(percent + 1);
        if (zone.empty() || zone.find_first_of("%[]/ \t") != std::string_view::npos) return false;
        text = text.substr(0, percent);
    }
    std::array<unsigned char, sizeof(in6_addr)> out{};
    return inet_pton(AF_INET6, std::string(text).c_str(), out.data()) == 1;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value == 0 || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Splits off the first whitespace-separated word of `line`.
std::string_view next_word(std::string_view& line) {
    std::size_t begin = 0;
    while (begin < line.size() && is_space(line[begin])) ++begin;
    std::size_t end = begin;
    while (end < line.size() && !is_space(line[end])) ++end;
    std::string_view word = line.substr(begin, end - begin);
    line.remove_prefix(end);
    return word;
}

}  // namespace

std::optional<Endpoint> parse_endpoint(std::string_view text) {
    if (text.empty()) return std::nullopt;
    if (text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const std::string_view address = text.substr(1, close - 1);
        const std::string_view rest = text.substr(close + 1);
        if (!is_ipv6(address)) return std::nullopt;
        if (rest.empty()) return Endpoint{std::string(address), kDnsPort};
        if (rest.front() != ':') return std::nullopt;
        auto port = parse_port(rest.substr(1));
        if (!port) return std::nullopt;
        return Endpoint{std::string(address), *port};
    }
    if (is_ipv6(text)) return Endpoint{std::string(text), kDnsPort};
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
        if (!is_ipv4(text)) return std::nullopt;
        return Endpoint{std::string(text), kDnsPort};
    }
    const std::string_view address = text.substr(0, colon);
    if (!is_ipv4(address)) return std::nullopt;
    auto port = parse_port(text.substr(colon + 1));
    if (!port) return std::nullopt;
    return Endpoint{std::string(address), *port};
}

std::vector<Endpoint> parse_resolv_conf(std::string_view text) {
    std::vector<Endpoint> servers;
    while (!text.empty()) {
        const std::size_t newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (!line.empty() && (line.front() == '#' || line.front() == ';')) continue;
        if (next_word(line) != "nameserver") continue;
        const std::string_view address = next_word(line);
        if (is_ipv4(address) || is_ipv6(address)) servers.push_back(Endpoint{std::string(address), kDnsPort});
    }
    return servers;
}

std::string to_string(const Endpoint& endpoint) { return host_port(endpoint.address, endpoint.port); }

}  // namespace cueball::dns
