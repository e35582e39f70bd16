#include <cueball/backend.hpp>

namespace cueball {

std::string bracketed_host(std::string_view host) {
    // A colon can only appear in an IPv6 literal, which needs brackets to keep
    // the port apart from the address.
    if (host.find(':') == std::string_view::npos || host.starts_with('[')) return std::string(host);
    std::string out;
    out.reserve(host.size() + 2);
    out += '[';
    out += host;
    out += ']';
    return out;
}

std::string host_port(std::string_view host, std::uint16_t port) {
    return bracketed_host(host) + ":" + std::to_string(port);
}

BackendKey backend_key(const Backend& backend) { return host_port(backend.address, backend.port); }

}  // namespace cueball
