// Backends: the addresses a pool spreads its connections over, and the events
// a resolver uses to tell the pool that backends came or went.
//
// Thread safety: plain values; `backend_key` is a pure function.
#pragma once

#include <cueball/export.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>

namespace cueball {

/// One instance of the service: where to connect.
struct Backend {
    std::string address;      ///< IP literal ("127.0.0.1", "::1") or host name
    std::uint16_t port = 0;   ///< TCP port; 0 is not a valid port
    std::string name;         ///< optional label, e.g. the SRV target
    /// RFC 2782 priority: the pool opens connections only on the most
    /// preferred (lowest) priority that has a usable backend.
    std::uint16_t priority = 0;
    /// RFC 2782 weight: the share of connections within its priority. Weight
    /// 0 gets connections only when every backend of its priority has 0.
    std::uint16_t weight = 1;

    friend bool operator==(const Backend&, const Backend&) = default;
};

/// Stable identity of a backend: its address and port, never its label.
using BackendKey = std::string;

/// "127.0.0.1:5432" for IPv4 literals and names, "[::1]:5432" for IPv6 literals.
CUEBALL_EXPORT BackendKey backend_key(const Backend& backend);

/// A host as it is written before ":port": an IPv6 literal in brackets
/// ("[::1]"), anything else (an IPv4 literal, a name, an already bracketed
/// literal) as it is.
CUEBALL_EXPORT std::string bracketed_host(std::string_view host);
/// "host:port" with bracketed_host(): "127.0.0.1:53", "[::1]:53".
CUEBALL_EXPORT std::string host_port(std::string_view host, std::uint16_t port);

/// A backend appeared, or a known one (same key) has a new priority or weight;
/// an Added identical to what the pool knows is ignored (and logged).
struct BackendAdded {
    BackendKey key;
    Backend backend;
};

/// A backend went away. Unknown keys are ignored (and logged) by the pool.
struct BackendRemoved {
    BackendKey key;
};

using ResolverEvent = std::variant<BackendAdded, BackendRemoved>;

/// Where a resolver delivers its events. Thread-safe; returns quickly (the
/// pool only queues the event for its rebalancer thread).
using ResolverSink = std::function<void(ResolverEvent)>;

}  // namespace cueball
