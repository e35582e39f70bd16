#include <cueball/backend.hpp>

namespace cueball {

BackendKey backend_key(const Backend& backend) {
    // A colon can only appear in an IPv6 literal, which needs brackets to keep
    // the port apart from the address.
    if (backend.address.find(':') != std::string::npos) {
        return "[" + backend.address + "]:" + std::to_string(backend.port);
    }
    return backend.address + ":" + std::to_string(backend.port);
}

}  // namespace cueball
