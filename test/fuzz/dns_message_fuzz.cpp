// libFuzzer target for the DNS answer parser, the resolver's trust
// boundary: any bytes must give a Message or a MessageError, never a crash,
// an out-of-bounds read or a hang. The first two bytes choose the question
// type, so SRV, A and AAAA parsing are all reached; the id is taken from the
// message itself so that inputs get past the id check.
#include "dns_message.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cueball::dns;
    if (size < 1) return 0;
    static constexpr std::uint16_t kTypes[] = {kTypeSrv, kTypeA, kTypeAaaa, kTypeCname};
    const std::uint16_t type = kTypes[data[0] % 4];
    const std::span<const std::uint8_t> message(data + 1, size - 1);
    const std::uint16_t id = message.size() >= 2 ? static_cast<std::uint16_t>((message[0] << 8) | message[1]) : 0;
    for (const char* name : {"_echo._tcp.test.com", "a.test.com", "d.test.com", "nope.test.com"}) {
        try {
            const Message m = parse_response(message, id, Question{name, type});
            for (const Record& r : m.answers) {
                if (r.name.size() > 1025 || r.target.size() > 1025) __builtin_trap();
            }
        } catch (const MessageError&) {
        }
    }
    return 0;
}
