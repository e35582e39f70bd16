// DnsResolver: finds a service's backends in DNS and keeps the pool's list of
// them current. With `service` set it looks up SRV records (priority, weight,
// port, target) and then the A and AAAA addresses of each target; with
// `host` and `port` it looks up A and AAAA records of one name. Every address
// becomes a Backend {address, port, name = the target or host, and the SRV
// record's priority and weight (host mode: the defaults)}. When a known
// address gets a new priority or weight, the pool is told with another
// BackendAdded. An address reached through several SRV targets takes the
// most preferred record's priority and weight.
//
// Bounded: at most max_targets SRV targets are followed (the most preferred)
// and at most max_concurrent_queries look-ups, one socket each, are in flight.
//
// Re-resolution: when the answer's TTL runs out, clamped to [min_ttl,
// max_ttl]. Only what changed is reported, as BackendAdded / BackendRemoved.
// A name that stops existing (NXDOMAIN) or has no records any more loses its
// backends, and is asked again after min_ttl. A name server that does not
// answer, or answers SERVFAIL / REFUSED / garbage, never costs a backend: the
// last good set stays for the look-ups that failed (an A answer is used even
// when the AAAA look-up fails, and the other way round), and the query is retried with a growing back-off (from
// about min_ttl up to max_ttl, with jitter). Each change of state is logged
// once, not each retry. Answers are checked (id, question, framing) and
// anything malformed is rejected, never trusted.
//
// Transport: UDP to each name server in turn, `query_timeout` each; an
// answer with the TC bit set is asked again over TCP. Name servers come from
// the options, or from resolv.conf when the options give none.
//
// Thread safety: start() and stop() may be called from any thread. Events
// reach the sink from the resolver's own thread, one at a time.
// Errors: the constructor throws InvalidArgument for bad options; nothing
// else throws after that, DNS failures are logged and retried.
// Lifetimes: start() starts the resolver thread, stop() joins it; after
// stop() returns the sink is never called again. The destructor stops. A sink
// may call stop() (it then returns at once and the thread ends after the
// sink returns), but must not destroy the resolver.
#pragma once

#include <cueball/backend.hpp>
#include <cueball/export.hpp>
#include <cueball/resolver.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace cueball {

struct DnsResolverOptions {
    /// SRV name to look up, e.g. "_echo._tcp.test.com". Set this or host, not both.
    std::string service;
    /// A name looked up as A and AAAA (an IP literal is used as it is). Needs port.
    std::string host;
    /// The backends' port with host; must be 0 with service (SRV gives ports).
    std::uint16_t port = 0;
    /// "127.0.0.1:5353", "[::1]:53", "127.0.0.1" (port 53); asked in order.
    /// Empty: the nameserver lines of resolv_conf.
    std::vector<std::string> nameservers;
    /// Where to find name servers when `nameservers` is empty; read once, by
    /// the constructor. Default "/etc/resolv.conf"; none found means 127.0.0.1:53.
    std::string resolv_conf = "/etc/resolv.conf";
    /// Shortest time between resolutions (TTL clamp, first retry); 1 ms to 24 h. Default 1 s.
    std::chrono::milliseconds min_ttl{1'000};
    /// Longest time between resolutions (TTL clamp, longest retry); min_ttl to 7 days. Default 300 s.
    std::chrono::milliseconds max_ttl{300'000};
    /// How long to wait for one name server's answer before asking the next; 1 ms to 10 min. Default 2 s.
    std::chrono::milliseconds query_timeout{2'000};
    /// At most this many SRV targets are followed per round, the most
    /// preferred (priority, then weight); the rest are left out and logged
    /// once. 1 to 4096. Default 64.
    std::size_t max_targets = 64;
    /// At most this many A/AAAA look-ups (each one socket) are in flight at
    /// once. 1 to 256. Default 8.
    std::size_t max_concurrent_queries = 8;
    /// Where to log; null means warnings and errors to stderr ("cueball.dns").
    std::shared_ptr<spdlog::logger> logger;
};

class CUEBALL_EXPORT DnsResolver : public Resolver {
public:
    /// @throws InvalidArgument naming the field and its allowed range: neither
    /// or both of service and host, port 0 with host or nonzero with service,
    /// a name DNS cannot carry, a duration or limit out of its range, a
    /// nameserver that is not an IP literal with an optional port.
    explicit DnsResolver(DnsResolverOptions options);
    ~DnsResolver() override;
    DnsResolver(const DnsResolver&) = delete;
    DnsResolver& operator=(const DnsResolver&) = delete;

    /// Starts the resolver thread, which resolves at once and delivers to
    /// `sink`. After stop() it does nothing.
    /// @throws InvalidArgument if `sink` is empty or start() was called before.
    void start(ResolverSink sink) override;
    /// Stops and joins the resolver thread. Idempotent.
    void stop() override;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cueball
