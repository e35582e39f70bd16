// Umbrella header: the pool, its options, errors and stats, and the static
// resolver. Plugins have their own headers and CMake targets:
// <cueball/resolvers/dns.hpp> (cueball::dns), <cueball/connections/tcp.hpp>
// (cueball::tcp), <cueball/connections/postgres.hpp> (cueball::postgres),
// <cueball/stats_server.hpp> (cueball::http).
#pragma once

#include <cueball/backend.hpp>
#include <cueball/connection.hpp>
#include <cueball/errors.hpp>
#include <cueball/options.hpp>
#include <cueball/pool.hpp>
#include <cueball/resolver.hpp>
#include <cueball/resolvers/static.hpp>
#include <cueball/stats.hpp>
#include <cueball/version.hpp>
