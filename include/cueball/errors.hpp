// The errors cueball throws. All derive from cueball::Error, so a caller can
// catch that one type; each subclass says when it happens and what to do.
#pragma once

#include <cueball/export.hpp>

#include <stdexcept>
#include <string>

namespace cueball {

/// Base of every exception thrown by cueball.
class CUEBALL_EXPORT Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// claim() waited its full timeout without getting a connection. The message
/// names the pool, the timeout and why ("no backends", "3 backends, none
/// connected (last error: ...)", "all 9 connections claimed"). Retry later,
/// or treat the service as unavailable.
class CUEBALL_EXPORT ClaimTimeout : public Error {
public:
    using Error::Error;
};

/// claim() on a pool that is stopped, or the pool was stopped while the caller
/// waited. Do not retry on this pool.
class CUEBALL_EXPORT PoolStopped : public Error {
public:
    using Error::Error;
};

/// Every known backend is dead (see PoolOptions::dead_after_failures), or a
/// fail-fast claim found no backends at all. Thrown at once instead of waiting
/// out the timeout; the message carries the last connect error. Claims
/// succeed again as soon as one backend is live.
class CUEBALL_EXPORT NoBackendsAvailable : public Error {
public:
    using Error::Error;
};

/// The claim's stop_token was triggered while it waited (or before it began).
class CUEBALL_EXPORT ClaimCancelled : public Error {
public:
    using Error::Error;
};

/// An option, constructor argument or call argument is out of range (the
/// message names it and the accepted range). A programming error: fix the
/// caller.
class CUEBALL_EXPORT InvalidArgument : public Error {
public:
    using Error::Error;
};

/// A PoolHandle was dereferenced after release(), discard() or a move. A
/// programming error: check the handle with `if (handle)` first.
class CUEBALL_EXPORT InvalidHandle : public Error {
public:
    using Error::Error;
};

}  // namespace cueball
