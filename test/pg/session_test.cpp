// What a released session takes back to the pool: nothing of the previous
// claimer (transaction, notifications, LISTEN, temp tables, prepared
// statements, settings, advisory locks) with the default reset, and never a
// session the server has already ended, whatever the reset.
#include "pg_support.hpp"

#include <libpq-fe.h>

#include <optional>

namespace cueball::test {
namespace {

using namespace std::chrono_literals;
using testing::PostgresServer;

// The reset settings every test goes through: the default, the same spelled
// out, another query, and none at all.
const std::optional<std::string> kResets[] = {std::nullopt, "DISCARD ALL", "RESET ALL", ""};

std::string describe(const std::optional<std::string>& reset) {
    return reset ? "reset_query \"" + *reset + "\"" : std::string("the default reset");
}

PostgresOptions with_reset(const PostgresServer& server, const std::optional<std::string>& reset) {
    PostgresOptions options = login(server);
    if (reset) options.reset_query = *reset;
    return options;
}

PoolOptions one_session(bool validate_on_claim = false) {
    PoolOptions o = quick(1);
    o.validate_on_claim = validate_on_claim;
    return o;
}

// Notifications libpq holds for the caller after reading what has arrived.
int pending_notifications(PGconn* conn) {
    if (PQconsumeInput(conn) != 1) return -1;
    int count = 0;
    while (PGnotify* n = PQnotifies(conn)) {
        PQfreemem(n);
        ++count;
    }
    return count;
}

TEST(PostgresSession, ResetRefusesASessionTheServerEnded) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    for (const auto& reset : kResets) {
        for (bool in_transaction : {false, true}) {
            auto conn = connected(server, with_reset(server, reset));
            if (in_transaction) {
                ASSERT_TRUE(run_ok(conn->native(), "BEGIN"));
            }
            terminate_backend(server, PQbackendPID(conn->native()));
            ASSERT_TRUE(data_waiting(conn->native()));
            EXPECT_FALSE(conn->reset()) << describe(reset) << (in_transaction ? ", in a transaction" : "");
        }
    }
}

TEST(PostgresSession, ASessionEndedWhileClaimedIsNotHandedOutAgain) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    for (const auto& reset : kResets) {
        for (bool validate_on_claim : {false, true}) {
            PgPool pool(one_session(validate_on_claim), resolver_for({&server}), factory(with_reset(server, reset)));
            int pid = 0;
            {
                auto a = pool.claim();
                pid = PQbackendPID(a->native());
                terminate_backend(server, pid);
                ASSERT_TRUE(data_waiting(a->native()));
            }
            auto b = pool.claim();
            const std::string where = describe(reset) + (validate_on_claim ? ", validate_on_claim" : "");
            EXPECT_NE(PQbackendPID(b->native()), pid) << where;
            EXPECT_TRUE(run_ok(b->native(), "SELECT 1")) << where;
        }
    }
}

TEST(PostgresSession, ResetDropsNotificationsThatArrivedWhileClaimed) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    for (const auto& reset : kResets) {
        // Left on the socket, or already read into libpq's queue by the claimer.
        for (bool claimer_read_input : {false, true}) {
            auto conn = connected(server, with_reset(server, reset));
            ASSERT_TRUE(run_ok(conn->native(), "LISTEN jobs"));
            server.execute("NOTIFY jobs, 'for the first claimer'");
            ASSERT_TRUE(data_waiting(conn->native()));
            if (claimer_read_input) {
                ASSERT_EQ(PQconsumeInput(conn->native()), 1);
            }
            ASSERT_TRUE(conn->reset()) << describe(reset);
            EXPECT_EQ(pending_notifications(conn->native()), 0)
                << describe(reset) << (claimer_read_input ? ", read by the claimer" : ", left on the socket");
        }
    }
}

TEST(PostgresSession, TheNextClaimerGetsNoNotificationAndNoChannel) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    PgPool pool(one_session(), resolver_for({&server}), factory(login(server)));
    int pid = 0;
    {
        auto a = pool.claim();
        pid = PQbackendPID(a->native());
        ASSERT_TRUE(run_ok(a->native(), "LISTEN jobs"));
        server.execute("NOTIFY jobs, 'for the first claimer'");
        ASSERT_TRUE(data_waiting(a->native()));
    }
    auto b = pool.claim();
    ASSERT_EQ(PQbackendPID(b->native()), pid) << "the session was replaced, so this shows nothing";
    EXPECT_EQ(pending_notifications(b->native()), 0);
    EXPECT_EQ(query_value(b->native(), "SELECT count(*) FROM pg_listening_channels()"), "0");
}

TEST(PostgresSession, TheDefaultResetLeavesACleanSession) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    server.execute("CREATE TABLE t (x int)");
    PgPool pool(one_session(), resolver_for({&server}), factory(login(server)));
    int pid = 0;
    {
        auto a = pool.claim();
        PGconn* c = a->native();
        pid = PQbackendPID(c);
        ASSERT_TRUE(run_ok(c, "CREATE TEMP TABLE scratch (x int)"));
        ASSERT_TRUE(run_ok(c, "PREPARE get_one AS SELECT 1"));
        ASSERT_TRUE(run_ok(c, "LISTEN jobs"));
        ASSERT_TRUE(run_ok(c, "SET work_mem = '7MB'"));
        ASSERT_TRUE(run_ok(c, "SELECT pg_advisory_lock(42)"));
        ASSERT_TRUE(run_ok(c, "BEGIN"));
        ASSERT_TRUE(run_ok(c, "INSERT INTO t VALUES (1)"));
    }
    auto b = pool.claim();
    PGconn* c = b->native();
    ASSERT_EQ(PQbackendPID(c), pid) << "the session was replaced, so this shows nothing";
    EXPECT_EQ(PQtransactionStatus(c), PQTRANS_IDLE);
    EXPECT_EQ(query_value(c, "SELECT count(*) FROM t"), "0") << "the open transaction was committed";
    EXPECT_EQ(query_value(c, "SELECT to_regclass('scratch') IS NULL"), "t") << "temp table left";
    EXPECT_EQ(query_value(c, "SELECT count(*) FROM pg_prepared_statements"), "0") << "prepared statement left";
    EXPECT_EQ(query_value(c, "SELECT count(*) FROM pg_listening_channels()"), "0") << "still listening";
    EXPECT_NE(query_value(c, "SHOW work_mem"), "7MB") << "setting left";
    EXPECT_EQ(query_value(c, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"),
              "0")
        << "advisory lock left";
}

TEST(PostgresSession, NoResetQueryKeepsSessionStateOnPurpose) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    PostgresOptions options = login(server);
    options.reset_query = "";
    auto conn = connected(server, options);
    ASSERT_TRUE(run_ok(conn->native(), "LISTEN jobs"));
    ASSERT_TRUE(run_ok(conn->native(), "BEGIN"));
    EXPECT_TRUE(conn->reset());
    EXPECT_EQ(PQtransactionStatus(conn->native()), PQTRANS_IDLE) << "a transaction is rolled back even so";
    EXPECT_EQ(query_value(conn->native(), "SELECT count(*) FROM pg_listening_channels()"), "1");
}

}  // namespace
}  // namespace cueball::test
