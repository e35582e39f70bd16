// PoolModel driven directly, one transition at a time, for rules whose
// breach shows only in the order of a few transitions (found by the
// simulator, test/sim).
#include "model/pool_model.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace cueball::detail {
namespace {

using namespace std::chrono_literals;

class NullConnection final : public Connection {
public:
    void connect() override {}
    void close() noexcept override {}
};

class ModelTest : public ::testing::Test {
protected:
    void make(std::size_t max_connections, PoolOptions o = {}) {
        o.max_connections = max_connections;
        o.rebalance_delay = 0ms;
        o.health_check_interval = 0ms;
        o.decoherence_interval = 0ms;
        o.connector_threads = 4;
        model_ = std::make_unique<PoolModel>(o, 1, now_);
        Effects fx;
        model_->resolver_started(now_, fx);
    }
    static BackendKey key(const std::string& host) { return backend_key(Backend{host, 5432, {}, 0, 1}); }
    void add(const std::string& host) {
        Effects fx;
        model_->queue_event(BackendAdded{key(host), Backend{host, 5432, {}, 0, 1}}, now_, fx);
    }
    void remove(const std::string& host) {
        Effects fx;
        model_->queue_event(BackendRemoved{key(host)}, now_, fx);
    }
    void tick() {
        Effects fx;
        model_->tick(now_, fx);
    }
    void finish(Task& task, bool ok = true) {
        TaskResult r;
        if (task.kind == SlotState::Connecting && !ok) r.error = "refused";
        if (task.kind == SlotState::Connecting && ok) {
            r.made = std::make_unique<NullConnection>();
            r.object = r.made.get();
        }
        r.valid = true;
        Effects fx;
        model_->finish_task(task.slot, std::move(r), now_, fx);
    }
    // Runs every task there is to completion: connects succeed.
    void run_tasks() {
        while (model_->has_task()) {
            Effects fx;
            Task task = model_->take_task(now_, fx);
            finish(task);
        }
    }
    Slot* claim() { return model_->claim_now(model_->next_claim_id(), {}, false); }
    void release(Slot* slot) {
        Effects fx;
        if (!model_->release_plain(slot, false, fx)) model_->place_released(slot, now_, fx);
    }
    void TearDown() override {
        Effects fx;
        model_->begin_stop(fx);
        model_->finish_stop(fx);
    }

    TimePoint now_ = TimePoint{} + 1h;
    std::unique_ptr<PoolModel> model_;
};

TEST_F(ModelTest, ShrinkingClosesOnlyTheSurplusNotWhatIsReleasedWhileItCloses) {
    make(3);
    add("10.0.0.1");
    tick();
    run_tasks();
    ASSERT_EQ(model_->slots_in(SlotState::Idle), 3u);
    Slot* a = claim();
    Slot* b = claim();
    Slot* c = claim();
    ASSERT_NE(c, nullptr);
    Effects fx;
    model_->request_resize(2, fx);
    tick();
    release(a);  // the surplus one: closed
    EXPECT_EQ(model_->slots_in(SlotState::Closing), 1u);
    // The pool is one over its size until that close returns; that must not
    // make the next connection released surplus too.
    release(b);
    EXPECT_EQ(model_->slots_in(SlotState::Closing), 1u);
    EXPECT_EQ(model_->slots_in(SlotState::Idle), 1u);
    release(c);
    EXPECT_EQ(model_->slots_in(SlotState::Idle), 2u);
}

TEST_F(ModelTest, RemovedBackendsConnectionTakesNoPlaceWhileItCloses) {
    make(1);
    add("10.0.0.1");
    tick();
    run_tasks();
    Slot* held = claim();
    ASSERT_NE(held, nullptr);
    remove("10.0.0.1");
    add("10.0.0.2");
    tick();
    // The claimed connection drains above the cap; the new backend connects.
    EXPECT_EQ(model_->occupied(), 1u);
    release(held);
    ASSERT_EQ(model_->slots_in(SlotState::Closing), 1u);
    EXPECT_EQ(model_->occupied(), 1u);
    run_tasks();
    EXPECT_EQ(model_->slots_in(SlotState::Idle), 1u);
    EXPECT_EQ(model_->occupied(), 1u);
}

TEST_F(ModelTest, ARemovedBackendsIdleConnectionsKeepTheirPlacesUntilClosed) {
    // Six connections over three idle backends; one is removed. Its two idle
    // connections close, and their replacements wait for those closes: never
    // seven open at once.
    make(6);
    for (const char* host : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) add(host);
    tick();
    run_tasks();
    ASSERT_EQ(model_->slots_in(SlotState::Idle), 6u);
    remove("10.0.0.3");
    tick();
    EXPECT_EQ(model_->slots_in(SlotState::Closing), 2u);
    EXPECT_EQ(model_->slots_in(SlotState::Connecting), 0u) << "a replacement opened before the close returned";
    EXPECT_EQ(model_->occupied(), 6u);
    run_tasks();  // the closes, then the replacements they made room for
    tick();
    run_tasks();
    EXPECT_EQ(model_->slots_in(SlotState::Idle), 6u);
    EXPECT_EQ(model_->occupied(), 6u);
}

TEST_F(ModelTest, EjectingADeadBackendLeavesThePoolFailed) {
    PoolOptions o;
    o.dead_after_failures = 1;
    o.outlier_detection.consecutive_failures = 1;
    o.outlier_detection.max_ejected_fraction = 1.0;
    make(2, o);
    add("10.0.0.1");
    tick();
    Effects fx;
    Task first = model_->take_task(now_, fx);
    Task second = model_->take_task(now_, fx);
    finish(first);
    finish(second, false);
    ASSERT_EQ(model_->state(), PoolState::Failed);
    // Its last connection is claimed and discarded: the dead backend is
    // ejected too, and stays dead.
    Waiter w;
    w.claim_id = model_->next_claim_id();
    ASSERT_EQ(model_->begin_claim(w, false, now_, fx), ClaimStep::Served);
    model_->release(w.slot, ReleaseKind::Discarded, now_, fx);
    // Whatever makes the pool look at its state again (here a duplicate
    // resolver event) must still find every known backend dead.
    add("10.0.0.1");
    tick();
    EXPECT_EQ(model_->state(), PoolState::Failed);
}

TEST_F(ModelTest, BoundedFairnessWakesTheNextWaiterWhileConnectionsAreFree) {
    PoolOptions o;
    o.fairness.mode = FairnessMode::bounded;
    o.fairness.max_wait = std::chrono::hours(1);
    make(3, o);
    add("10.0.0.1");
    tick();
    Effects fx;
    Task connects[3] = {model_->take_task(now_, fx), model_->take_task(now_, fx), {}};
    finish(connects[0]);
    connects[2] = model_->take_task(now_, fx);
    Waiter held, first, second;
    for (Waiter* w : {&held, &first, &second}) {
        w->claim_id = model_->next_claim_id();
        w->since = now_;
    }
    ASSERT_EQ(model_->begin_claim(held, false, now_, fx), ClaimStep::Served);
    ASSERT_EQ(model_->begin_claim(first, false, now_, fx), ClaimStep::Waiting);
    ASSERT_EQ(model_->begin_claim(second, false, now_, fx), ClaimStep::Waiting);
    // Two connections come free; the oldest waiter is woken to compete.
    Effects placed;
    TaskResult made;
    made.made = std::make_unique<NullConnection>();
    model_->finish_task(connects[1].slot, std::move(made), now_, placed);
    EXPECT_EQ(placed.poke, &first);
    finish(connects[2]);
    ASSERT_EQ(model_->slots_in(SlotState::Idle), 2u);
    // It takes one; the other must not sit idle while the next one sleeps.
    Effects retried;
    ASSERT_EQ(model_->retry(first, now_, retried), ClaimStep::Served);
    EXPECT_EQ(retried.poke, &second);
    ASSERT_EQ(model_->retry(second, now_, retried), ClaimStep::Served);
    for (Waiter* w : {&held, &first, &second}) model_->release(w->slot, ReleaseKind::Returned, now_, fx);
}

}  // namespace
}  // namespace cueball::detail
