// One resolver object feeds one pool: a resolver's stop() stops it for
// everyone, so a second pool given a resolver that a live pool uses is
// refused at construction.
#pragma once

#include <cueball/resolver.hpp>

#include <string>

namespace cueball::detail {

// Throws InvalidArgument if another live pool uses `resolver`.
void claim_resolver(const Resolver* resolver, const std::string& pool);
// The pool has stopped its resolver: another pool may use it.
void free_resolver(const Resolver* resolver) noexcept;

}  // namespace cueball::detail
