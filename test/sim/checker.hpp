// The invariants of the pool's model, checked against the simulated world.
// Each records the first violation in World::violation.
#pragma once

namespace cueball::sim {

class World;

// After every step: connections lent once and never when condemned or
// closed; counts and counters that add up with each other and with the
// world; the cap; the queue of waiters in arrival order and in step with
// the application's claims; no waiter left waiting beside a free
// connection; the pool's state from its backends; the backends from what
// the resolver said.
void check_step(World& w);
// After a tick: the targets spread by the rules.
void check_spread(World& w);
// After the pool was left alone without faults: full, and spread.
void check_settled(World& w);
// After stop() and every release: nothing left.
void check_stopped(World& w);
// After the model is destroyed: every connection closed once and destroyed once.
void check_closed(World& w);

}  // namespace cueball::sim
