// Bugs the simulator (test/sim) must find, to show that its invariants can
// fail. Only its own build of the model defines CUEBALL_PLANTED_BUGS and can
// switch one on; everywhere else planted() is a constant false and the code
// behind it is compiled away. The hooks sit on the workers' path, never on
// the claim and release path.
#pragma once

#include <cstdint>

namespace cueball::detail {

enum class PlantedBug : std::uint8_t {
    none,
    keep_failed_check,   // an idle connection that failed its health check goes back to the idle queue
    serve_second_waiter, // a new connection goes to the second-oldest waiter, not the oldest
};

#ifdef CUEBALL_PLANTED_BUGS
// Set by the simulator before it builds a model; read by the model's workers' path.
inline PlantedBug planted_bug = PlantedBug::none;
inline bool planted(PlantedBug bug) { return planted_bug == bug; }
#else
constexpr bool planted(PlantedBug) { return false; }
#endif

}  // namespace cueball::detail
