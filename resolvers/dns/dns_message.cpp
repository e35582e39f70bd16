#include "dns_message.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace cueball::dns {

namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::uint32_t kMaxTtl = 0x7fffffff;

[[noreturn]] void malformed(const std::string& why) {
    throw MessageError(MessageError::Kind::malformed, "malformed DNS answer: " + why);
}

[[noreturn]] void mismatch(const std::string& why) {
    throw MessageError(MessageError::Kind::mismatch, "DNS answer to another query: " + why);
}

std::uint16_t get16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// Expands the (possibly compressed) name at `at`; returns it normalized and
// sets `used` to the bytes it occupies at `at`. libresolv bounds every read
// by [msg, eom) and gives up on pointer loops.
std::string expand_name(const std::uint8_t* msg, const std::uint8_t* eom, const std::uint8_t* at, int& used) {
    std::array<char, NS_MAXDNAME> name{};
    used = dn_expand(msg, eom, at, name.data(), static_cast<int>(name.size()));
    if (used < 0) malformed("bad name (out of bounds, too long or a compression loop)");
    return normalize_name(name.data());
}

void check_question(const std::string& name, std::uint16_t type, std::uint16_t klass, const Question& question) {
    if (klass != ns_c_in) mismatch("question class " + std::to_string(klass));
    if (type != question.type) mismatch("question type " + std::to_string(type));
    if (name != normalize_name(question.name)) mismatch("question name '" + name + "'");
}

// The question of a truncated answer, read by hand: the rest of such an
// answer may be cut anywhere, so ns_initparse would refuse it.
void check_truncated_question(std::span<const std::uint8_t> bytes, const Question& question) {
    const std::uint8_t* msg = bytes.data();
    const std::uint8_t* eom = msg + bytes.size();
    int used = 0;
    std::string name = expand_name(msg, eom, msg + kHeaderSize, used);
    const std::uint8_t* p = msg + kHeaderSize + used;
    if (eom - p < 4) malformed("question cut short");
    check_question(name, get16(p), get16(p + 2), question);
}

std::string address_text(int family, const unsigned char* data) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (inet_ntop(family, data, text.data(), static_cast<socklen_t>(text.size())) == nullptr) {
        malformed("unprintable address");
    }
    return text.data();
}

// Reads a name that must fill the rdata from `offset` to its end exactly.
std::string rdata_name(const ns_msg& handle, const ns_rr& rr, std::size_t offset) {
    const std::uint8_t* rdata = ns_rr_rdata(rr);
    int used = 0;
    std::string name = expand_name(ns_msg_base(handle), ns_msg_end(handle), rdata + offset, used);
    if (offset + static_cast<std::size_t>(used) != ns_rr_rdlen(rr)) malformed("name does not fill its record");
    return name;
}

// Decodes the record's data; false for a record the resolver does not use.
bool decode_record(const ns_msg& handle, const ns_rr& rr, Record& out) {
    if (rr.rr_class != ns_c_in) return false;
    const std::uint8_t* rdata = ns_rr_rdata(rr);
    const std::size_t rdlen = ns_rr_rdlen(rr);
    out.name = normalize_name(ns_rr_name(rr));
    out.type = rr.type;
    out.ttl = ns_rr_ttl(rr) > kMaxTtl ? 0 : static_cast<std::uint32_t>(ns_rr_ttl(rr));
    switch (out.type) {
    case kTypeA:
        if (rdlen != 4) malformed("A record of " + std::to_string(rdlen) + " bytes");
        out.address = address_text(AF_INET, rdata);
        return true;
    case kTypeAaaa:
        if (rdlen != 16) malformed("AAAA record of " + std::to_string(rdlen) + " bytes");
        out.address = address_text(AF_INET6, rdata);
        return true;
    case kTypeCname:
        out.target = rdata_name(handle, rr, 0);
        return true;
    case kTypeSrv:
        if (rdlen < 7) malformed("SRV record of " + std::to_string(rdlen) + " bytes");
        out.priority = get16(rdata);
        out.weight = get16(rdata + 2);
        out.port = get16(rdata + 4);
        out.target = rdata_name(handle, rr, 6);
        return true;
    default:
        return false;
    }
}

std::vector<Record> read_section(ns_msg& handle, ns_sect section) {
    std::vector<Record> records;
    const int count = ns_msg_count(handle, section);
    for (int i = 0; i < count; ++i) {
        ns_rr rr{};
        if (ns_parserr(&handle, section, i, &rr) != 0) malformed("unreadable record");
        Record record;
        if (decode_record(handle, rr, record)) records.push_back(std::move(record));
    }
    return records;
}

}  // namespace

std::string normalize_name(std::string_view name) {
    std::string out(name);
    const bool escaped_dot = out.size() >= 2 && out[out.size() - 2] == '\\';
    if (!out.empty() && out.back() == '.' && !escaped_dot) out.pop_back();
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::vector<std::uint8_t> build_query(const Question& question, std::uint16_t id) {
    std::vector<std::uint8_t> buf(NS_PACKETSZ);
    const int n = res_mkquery(ns_o_query, question.name.c_str(), ns_c_in, question.type, nullptr, 0, nullptr,
                              buf.data(), static_cast<int>(buf.size()));
    if (n < static_cast<int>(kHeaderSize)) {
        throw MessageError(MessageError::Kind::malformed, "cannot encode DNS name '" + question.name + "'");
    }
    buf.resize(static_cast<std::size_t>(n));
    buf[0] = static_cast<std::uint8_t>(id >> 8);
    buf[1] = static_cast<std::uint8_t>(id & 0xff);
    return buf;
}

Message parse_response(std::span<const std::uint8_t> bytes, std::uint16_t id, const Question& question) {
    if (bytes.size() < kHeaderSize) malformed(std::to_string(bytes.size()) + " bytes, shorter than a header");
    if (bytes.size() > kMaxMessageSize) malformed(std::to_string(bytes.size()) + " bytes, larger than DNS allows");
    const std::uint8_t* p = bytes.data();
    Message message;
    message.id = get16(p);
    const std::uint16_t flags = get16(p + 2);
    if (message.id != id) mismatch("id " + std::to_string(message.id) + ", expected " + std::to_string(id));
    if ((flags & 0x8000) == 0) mismatch("a query, not an answer (QR=0)");
    if (((flags >> 11) & 0xf) != ns_o_query) malformed("opcode " + std::to_string((flags >> 11) & 0xf));
    if (get16(p + 4) != 1) mismatch(std::to_string(get16(p + 4)) + " questions");
    message.rcode = flags & 0xf;
    message.truncated = (flags & 0x0200) != 0;
    if (message.truncated) {
        check_truncated_question(bytes, question);
        return message;
    }

    ns_msg handle{};
    if (ns_initparse(bytes.data(), static_cast<int>(bytes.size()), &handle) != 0) {
        malformed("sections do not match the header's counts");
    }
    ns_rr rr{};
    if (ns_parserr(&handle, ns_s_qd, 0, &rr) != 0) malformed("unreadable question");
    check_question(normalize_name(ns_rr_name(rr)), rr.type, rr.rr_class, question);
    message.answers = read_section(handle, ns_s_an);
    message.additionals = read_section(handle, ns_s_ar);
    return message;
}

}  // namespace cueball::dns
