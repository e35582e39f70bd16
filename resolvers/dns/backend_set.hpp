// The resolver's view of the backends, and the events that turn one view
// into the next. Pure, so tests drive the diff directly.
#pragma once

#include <cueball/backend.hpp>

#include <map>
#include <vector>

namespace cueball::dns {

// Backends by key: a record seen twice is one backend.
using BackendSet = std::map<BackendKey, Backend>;

// Adds `backend` under its key. When two SRV targets lead to the same address
// and port, the more preferred (lower priority, then heavier weight) stays,
// whatever order the answers came in.
void insert_backend(BackendSet& set, Backend backend);

// BackendRemoved for each key only in `before`, then BackendAdded for each
// key only in `after` or whose priority or weight changed, in key order. A
// backend whose key stays is not reported for a new label (SRV target) alone.
std::vector<ResolverEvent> diff_backends(const BackendSet& before, const BackendSet& after);

}  // namespace cueball::dns
