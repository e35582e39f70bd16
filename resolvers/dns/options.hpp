// Checking DnsResolverOptions and turning them into the resolver's internal
// configuration: the constructor's job, kept apart so tests can drive it.
#pragma once

#include "refresher.hpp"

#include <cueball/resolvers/dns.hpp>

namespace cueball::dns {

// @throws InvalidArgument naming the offending field.
RefreshConfig make_refresh_config(const DnsResolverOptions& options);

}  // namespace cueball::dns
