// Builds DNS answers byte by byte, so each test can break exactly one thing.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cueball::dns::test {

inline constexpr std::uint16_t kQr = 0x8000;
inline constexpr std::uint16_t kAa = 0x0400;
inline constexpr std::uint16_t kTc = 0x0200;
inline constexpr std::uint16_t kRd = 0x0100;
inline constexpr std::uint16_t kRa = 0x0080;
inline constexpr std::uint16_t kAnswerFlags = kQr | kAa | kRd | kRa;
inline constexpr std::uint16_t kClassIn = 1;

class Packet {
public:
    Packet& u8(std::uint8_t v) {
        bytes.push_back(v);
        return *this;
    }
    Packet& u16(std::uint16_t v) {
        bytes.push_back(static_cast<std::uint8_t>(v >> 8));
        bytes.push_back(static_cast<std::uint8_t>(v & 0xff));
        return *this;
    }
    Packet& u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v >> 16));
        return u16(static_cast<std::uint16_t>(v & 0xffff));
    }
    Packet& raw(const std::vector<std::uint8_t>& data) {
        bytes.insert(bytes.end(), data.begin(), data.end());
        return *this;
    }
    Packet& header(std::uint16_t id, std::uint16_t flags, std::uint16_t qd, std::uint16_t an, std::uint16_t ns,
                   std::uint16_t ar) {
        return u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
    }
    // Uncompressed labels, then the root label.
    Packet& name(std::string_view dotted) {
        raw(encode_name(dotted));
        return *this;
    }
    // A compression pointer to `offset`.
    Packet& pointer(std::uint16_t offset) { return u16(static_cast<std::uint16_t>(0xc000 | offset)); }
    Packet& question(std::string_view qname, std::uint16_t type) { return name(qname).u16(type).u16(kClassIn); }
    // Record header after its name: type, class IN, ttl, rdlength.
    Packet& rr_fixed(std::uint16_t type, std::uint32_t ttl, std::size_t rdlength) {
        return u16(type).u16(kClassIn).u32(ttl).u16(static_cast<std::uint16_t>(rdlength));
    }
    Packet& rr(std::string_view owner, std::uint16_t type, std::uint32_t ttl, const std::vector<std::uint8_t>& rdata) {
        return name(owner).rr_fixed(type, ttl, rdata.size()).raw(rdata);
    }

    static std::vector<std::uint8_t> encode_name(std::string_view dotted) {
        std::vector<std::uint8_t> out;
        while (!dotted.empty()) {
            const std::size_t dot = dotted.find('.');
            const std::string_view label = dotted.substr(0, dot);
            out.push_back(static_cast<std::uint8_t>(label.size()));
            out.insert(out.end(), label.begin(), label.end());
            dotted.remove_prefix(dot == std::string_view::npos ? dotted.size() : dot + 1);
        }
        out.push_back(0);
        return out;
    }

    std::vector<std::uint8_t> bytes;
};

inline std::vector<std::uint8_t> a_rdata(const char* text) {
    std::vector<std::uint8_t> out(4);
    inet_pton(AF_INET, text, out.data());
    return out;
}

inline std::vector<std::uint8_t> aaaa_rdata(const char* text) {
    std::vector<std::uint8_t> out(16);
    inet_pton(AF_INET6, text, out.data());
    return out;
}

inline std::vector<std::uint8_t> srv_rdata(std::uint16_t priority, std::uint16_t weight, std::uint16_t port,
                                           std::string_view target) {
    Packet p;
    p.u16(priority).u16(weight).u16(port).name(target);
    return p.bytes;
}

}  // namespace cueball::dns::test
