// libFuzzer target for the resolv.conf reader and the nameserver option
// parser: any text must parse without a crash, and whatever is accepted must
// read back as an endpoint.
#include "resolv_conf.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cueball::dns;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const Endpoint& e : parse_resolv_conf(text)) {
        if (e.port != kDnsPort || e.address.empty()) __builtin_trap();
        if (parse_endpoint(e.address) != e) __builtin_trap();
    }
    if (auto e = parse_endpoint(text)) {
        if (e->port == 0 || parse_endpoint(to_string(*e)) != e) __builtin_trap();
    }
    return 0;
}
